"""Self-test of the exact oracle (tests/e2e/oracle.py), independent of polyverify.

The binary argument is accepted for uniformity with the other e2e scripts
but not used.  Checks:
  * the exact simplex (lp_maximize) agrees with `lrs` (status and optimal
    value) on random small LPs, and its optimal point is feasible;
  * code_along_ray (first-order rule) agrees with an exact forward pass at
    y + e*d for a tiny e on random nets;
  * on random nets, cell_facts agrees with lrs/redund: realisability (lrs LP),
    implicit equalities (one lrs LP per row), number of facets (redund with
    the implicit equalities declared as linearities), and its interior point
    is in the relative interior.
"""

import os
import random
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from randnet import random_net, random_point  # noqa: E402


def random_row(rng, n):
    """A random affine row with small integer entries."""
    return (Fraction(rng.randint(-5, 5)), tuple(Fraction(rng.randint(-3, 3)) for _ in range(n)))


def check_lp(runner, rng, trials):
    """Compare lp_maximize with lrs on random LPs."""
    for t in range(trials):
        n = rng.randint(1, 4)
        rows = [random_row(rng, n) for _ in range(rng.randint(1, 8))]
        obj = [rng.randint(-3, 3) for _ in range(n)]
        status, val, x = oracle.lp_maximize(n, obj, rows)
        lstatus, lval = oracle.lrs_maximize(n, obj, rows)
        what = 'LP #%d (n=%d, rows=%s, obj=%s)' % (t, n, rows, obj)
        runner.equal(status, lstatus, what + ' status vs lrs')
        if status == 'optimal' and lstatus == 'optimal':
            runner.equal(val, lval, what + ' optimum vs lrs')
            runner.check(all(oracle.evaluate(r, x) >= 0 for r in rows), what + ' point infeasible')
    # a few LPs with equalities, checked by substituting the equality
    for t in range(trials // 4):
        n = rng.randint(2, 4)
        rows = [random_row(rng, n) for _ in range(rng.randint(1, 6))]
        eq = random_row(rng, n)
        obj = [rng.randint(-3, 3) for _ in range(n)]
        neg = (-eq[0], tuple(-c for c in eq[1]))
        status, val, x = oracle.lp_maximize(n, obj, rows, [eq])
        lstatus, lval = oracle.lrs_maximize(n, obj, rows + [eq, neg])
        what = 'LP with equality #%d' % t
        runner.equal(status, lstatus, what + ' status vs lrs')
        if status == 'optimal' and lstatus == 'optimal':
            runner.equal(val, lval, what + ' optimum vs lrs')
            runner.equal(oracle.evaluate(eq, x), 0, what + ' equality violated')


def check_ray_rule(runner, rng, nets):
    """First-order neighbour rule vs an exact forward pass at a tiny step."""
    for net in nets:
        m = net.input_dim
        for _ in range(30):
            y = random_point(rng, m)
            d = [Fraction(rng.randint(-5, 5), rng.randint(1, 5)) for _ in range(m)]
            e = Fraction(1, 10 ** 12)
            near = [a + e * b for a, b in zip(y, d)]
            runner.equal(oracle.code_along_ray(net, y, d), oracle.forward(net, near)[0],
                         'first-order rule at y=%s d=%s' % (y, d))
    # on a hyperplane: z0 = x1 at y = (0, 1) moving right / left / along
    net = oracle.parse_pvnet('pvnet 1\ninput 2\nlayer relu 1\n1 0\nbias 0\n'
                             'layer relu 1\n1\nbias 0\n')
    runner.equal(oracle.code_along_ray(net, [0, 1], [1, 0]), '11', 'ray rule: crossing right')
    runner.equal(oracle.code_along_ray(net, [0, 1], [-1, 0]), '00', 'ray rule: crossing left')
    runner.equal(oracle.code_along_ray(net, [0, 1], [0, 1]), '00', 'ray rule: along the line')


def compare_with_lrs(runner, net, code, box=None, name='net'):
    """cell_facts of one code vs lrs/redund (realised, implicit, dim, #facets, points)."""
    m, N = net.input_dim, oracle.relu_count(net)
    facts = oracle.cell_facts(net, code, box)
    labelled = facts.rows
    rows = [r for _, r, _ in labelled]
    strict = [r for _, r, s in labelled if s]
    weak = [r for _, r, s in labelled if not s]
    what = '%s m=%d N=%d code %s box %s' % (name, m, N, code, box)
    runner.equal(facts.realized, oracle.lrs_realized(m, strict, weak), what + ' realised vs lrs')
    if not facts.realized:
        return
    E = oracle.lrs_implicit_equalities(m, rows)
    runner.equal(facts.implicit,
                 sorted(labelled[i][0][1] for i in E if labelled[i][0][0] == 'neuron'),
                 what + ' implicit equalities vs lrs')
    runner.equal(facts.dim, m - oracle.rank([rows[i][1] for i in E]) if E else m,
                 what + ' dim vs lrs')
    runner.equal(len(facts.facets), oracle.redund_inequality_count(m, rows, E),
                 what + ' number of facets vs redund')
    runner.equal(oracle.point_in_relint(facts, facts.point), [],
                 what + ' oracle point not in relint')
    for f in facts.facets:
        # the facet point lies on the facet's rows and strictly inside the others
        on = set(('neuron', j) for j in f.neurons) | set(('box',) + tuple(b) for b in f.box)
        on |= set(('neuron', j) for j in facts.implicit)
        for label, row, _ in labelled:
            v = oracle.evaluate(row, f.point)
            if label in on:
                runner.equal(v, 0, what + ' facet point on row %s' % (label,))
            else:
                runner.check(v > 0, what + ' facet point strictly inside row %s' % (label,))


def check_cells(runner, rng, nets, box=None):
    """cell_facts vs lrs/redund on sampled, random and flipped codes."""
    for net in nets:
        m, N = net.input_dim, oracle.relu_count(net)
        codes = set()
        for _ in range(40):
            codes.add(oracle.forward(net, random_point(rng, m))[0])
        codes = sorted(codes)[:6]
        codes += [''.join(rng.choice('01') for _ in range(N)) for _ in range(4)]
        codes += [c[:j] + ('1' if c[j] == '0' else '0') + c[j + 1:]
                  for c in codes[:3] for j in (rng.randrange(N),)]
        for code in codes:
            compare_with_lrs(runner, net, code, box)


def check_hand_nets(runner):
    """Every code of every hand-made net in tests/nets vs lrs/redund."""
    netdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'nets')
    for name in sorted(os.listdir(netdir)):
        if not name.endswith('.pvnet'):
            continue
        net = oracle.load_pvnet(os.path.join(netdir, name))
        N = oracle.relu_count(net)
        for k in range(2 ** N):
            code = format(k, '0%db' % N)
            compare_with_lrs(runner, net, code, name=name)
            compare_with_lrs(runner, net, code, [(-1, 3)] * net.input_dim, name=name)


def main():
    """Run all oracle self-checks."""
    runner = oracle.Runner(sys.argv[1] if len(sys.argv) > 1 else 'polyverify')
    rng = random.Random(20240611)
    check_lp(runner, rng, 60)
    nets = [random_net(rng, m, widths, linear_out=lin)
            for m, widths, lin in [(2, [3, 3], False), (2, [4, 3], True), (3, [4, 3], False),
                                   (3, [3, 3, 2], True)]]
    check_ray_rule(runner, rng, nets)
    check_cells(runner, rng, nets[:3])
    check_cells(runner, rng, nets[:2], box=[(-2, 2)] * 2)
    check_hand_nets(runner)
    runner.finish()


if __name__ == '__main__':
    main()
