"""End-to-end tests of polyverify on random networks (fixed seeds).

For each random net (m = 2..4, 2-3 ReLU layers of width 3-6, some with a
hidden or final linear layer; weights written as fractions, decimals and
exponent decimals) the script checks:
  (i)  `code --points` / `code --point` against the oracle's exact forward
       pass, including points placed exactly on a first-layer hyperplane;
       every code of a sampled point with no zero pre-activation is
       realised with dim = m, and the returned point lies in the cell;
  (ii) for sampled codes, random codes and one-bit flips of sampled codes:
       realized, dim, bounded, implicit_equalities, facet neuron sets and
       neighbours (first-order rule at an exact relative-interior point of
       each facet) against the oracle; realisability and implicit
       equalities also against `lrs`, the number of facets against
       `redund`; the `--format ine` rows against the oracle's own recursion
       (up to positive scaling).  Some nets are also checked inside a box.

Usage: python3 tests/e2e/test_random.py /path/to/polyverify   (cwd = project root)
"""

import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from randnet import random_net, random_point, net_text  # noqa: E402

# (seed, m, relu widths, final linear layer, hidden linear width, box half-width)
CONFIGS = [
    (101, 2, [4, 3], False, None, 2),
    (102, 2, [3, 3, 3], True, None, None),
    (103, 3, [5, 4], False, None, None),
    (104, 3, [4, 3, 3], True, 2, 3),
    (105, 4, [4, 4], True, None, None),
    (106, 4, [3, 5], False, None, None),
    (107, 2, [6, 4], False, 3, None),
    (108, 3, [6, 5, 4], False, None, None),
    (109, 4, [5, 4, 3], True, None, 2),
]
SAMPLES = 80          # random points per net
SAMPLED_CODES = 15    # sampled codes whose cells are checked in full
RANDOM_CODES = 8      # uniformly random codes
FLIPS = 8             # one-bit flips of sampled codes
if os.environ.get('PV_TEST_LIGHT'):
    # the sanitizer pass of tools/test.sh: the same code paths, fewer cells
    SAMPLED_CODES, RANDOM_CODES, FLIPS = 6, 3, 3


def check_codes_of_points(runner, path, net, points):
    """`code --points` (all points) and `code --point` (a few) vs the oracle."""
    csv = path + '.points.csv'
    with open(csv, 'w') as f:
        f.write(''.join(','.join(oracle.fmt(v) for v in p) + '\n' for p in points))
    got = runner.run_json('code', path, '--points', csv, what='code --points ' + path)
    if got is not None and runner.equal(len(got), len(points), path + ' code --points count'):
        for obj, p in zip(got, points):
            code, zeros, _ = oracle.forward(net, p)
            what = '%s code at %s' % (path, [oracle.fmt(v) for v in p])
            runner.equal(oracle.fractions_of(obj.get('point')), list(p), what + ' point')
            runner.equal(obj.get('code'), code, what + ' code')
            runner.equal(sorted(obj.get('zero_neurons') or []), zeros, what + ' zero_neurons')
    for p in points[:3]:
        got = runner.run_json('code', path, '--point', ','.join(oracle.fmt(v) for v in p),
                              what='code --point ' + path)
        if got is not None and runner.equal(len(got), 1, path + ' code --point count'):
            code, zeros, _ = oracle.forward(net, p)
            runner.equal((got[0].get('code'), sorted(got[0].get('zero_neurons') or [])),
                         (code, zeros), '%s code --point %s' % (path, p))


def points_on_hyperplanes(rng, net, count):
    """Points where some first-layer neuron's pre-activation is exactly 0."""
    layer = net.layers[0]
    points = []
    for _ in range(count):
        j = rng.randrange(len(layer.W))
        row, b = layer.W[j], layer.bias[j]
        k = next((i for i, w in enumerate(row) if w != 0), None)
        if k is None:
            continue
        p = random_point(rng, net.input_dim)
        p[k] = 0
        p[k] = -(b + sum(w * v for w, v in zip(row, p))) / row[k]
        points.append(p)
    return points


def flip(code, j):
    """The code with bit j flipped."""
    return code[:j] + ('1' if code[j] == '0' else '0') + code[j + 1:]


def lrs_cross_check(runner, net, facts, what):
    """Independent second opinion from lrs/redund on the oracle's system."""
    m = net.input_dim
    labelled = facts.rows
    rows = [r for _, r, _ in labelled]
    strict = [r for _, r, s in labelled if s]
    weak = [r for _, r, s in labelled if not s]
    realized = oracle.lrs_realized(m, strict, weak)
    runner.equal(realized, facts.realized, what + ' realised (lrs)')
    if not (realized and facts.realized):
        return
    if oracle.lrs_realized(m, rows, []):
        E = []
    else:
        E = oracle.lrs_implicit_equalities(m, rows)
    runner.equal(sorted(labelled[i][0][1] for i in E if labelled[i][0][0] == 'neuron'),
                 facts.implicit, what + ' implicit equalities (lrs)')
    runner.equal(m - oracle.rank([rows[i][1] for i in E]) if E else m, facts.dim, what + ' dim (lrs)')
    runner.equal(oracle.redund_inequality_count(m, rows, E), len(facts.facets),
                 what + ' number of facets (redund)')


def check_net(runner, tmpdir, index, config):
    """All checks for one random network."""
    seed, m, widths, lin_out, lin_hidden, half = config
    rng = random.Random(seed)
    net = random_net(rng, m, widths, linear_out=lin_out, linear_hidden=lin_hidden)
    path = os.path.join(tmpdir, 'rand%d.pvnet' % index)
    text = net_text(net, rng, 'random net seed %d' % seed)
    with open(path, 'w') as f:
        f.write(text)
    if not runner.equal(oracle.parse_pvnet(text), net, 'ORACLE re-reads its own file ' + path):
        return
    N = oracle.relu_count(net)
    got = runner.run_json('info', path, what='info ' + path)
    if got is not None:
        runner.equal((got.get('input_dim'), got.get('neurons')), (m, N), 'info ' + path)

    points = [random_point(rng, m) for _ in range(SAMPLES)]
    check_codes_of_points(runner, path, net, points + points_on_hyperplanes(rng, net, 10))

    sampled = []
    for p in points:
        code, zeros, _ = oracle.forward(net, p)
        if not zeros and code not in sampled:
            sampled.append(code)
    sampled = sampled[:SAMPLED_CODES]
    codes = list(sampled)
    codes += [''.join(rng.choice('01') for _ in range(N)) for _ in range(RANDOM_CODES)]
    codes += [flip(c, rng.randrange(N)) for c in rng.sample(sampled, min(FLIPS, len(sampled)))]
    seen = set()
    boxes = [None] + ([[(-half, half)] * m] if half else [])
    for code in codes:
        if code in seen:
            continue
        seen.add(code)
        for box in boxes:
            facts = oracle.cell_facts(net, code, box)
            what = '%s code %s box %s' % (path, code, box)
            if code in sampled and box is None:
                runner.check(facts.realized and facts.dim == m,
                             'ORACLE ' + what + ': sampled code must be full-dimensional')
            lrs_cross_check(runner, net, facts, what)
            oracle.compare_cell(runner, net, path, code, box, facts=facts)
            oracle.compare_ine(runner, net, path, code, box)


def main():
    """Run all random-net checks."""
    runner = oracle.Runner(sys.argv[1])
    tmpdir = tempfile.mkdtemp(prefix='pv_random_')
    try:
        for index, config in enumerate(CONFIGS):
            check_net(runner, tmpdir, index, config)
    finally:
        shutil.rmtree(tmpdir)
    runner.finish()


if __name__ == '__main__':
    main()
