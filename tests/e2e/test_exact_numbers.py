"""End-to-end tests: no crash on any exact number (issue 12, classes 2 and 8a).

Class 2 — numbers a double cannot hold.  Floats only search (DESIGN §2):
a weight beyond DBL_MAX (1e400, 1e309), a row whose entries span more than
the double range (1 and 1e-300), two hyperplanes 2^-512 apart, fractions of
160 digits.  Before the fix a float guess became Inf/NaN and reached
mpz_set_d (SIGFPE, exit 136).  Every answer here is known independently:
  * hand tables (the geometry is argued in the comments and re-checked by
    the Fraction oracle, tests/e2e/oracle.py), and hand nets of
    tests/nets/ with every layer scaled by 10^400 or 2^-1100 (a positive
    scale of a layer scales its pre-activations and every later one, so
    cells, dimensions and adjacency are those of the unscaled net);
  * the oracle alone for the 160-digit random net.
Each net runs through `cell` (with and without --box), `adjacency-check`,
`enumerate --graph json` and `adjacency-check --enumerate`; a box of
half-width 10^400 and one of 10^-400 too.

Class 8a — no crash inside a dependency.  cddlib 0.94m's dd_LPSolve runs a
float copy of the LP first and corrupted the heap there on LPs of nets with
two first-layer rows 2^-61 apart (tests/nets/cdd_near_parallel*.pvnet,
found by random search under valgrind).  The same commands run on them,
normally and with POLYVERIFY_EXACT_ONLY=1 (every float search fails, so
the exact LP decides everything); both must give the oracle's answer.

Usage: python3 tests/e2e/test_exact_numbers.py /path/to/polyverify
(cwd = project root).  PV_TEST_LIGHT=1 checks fewer cells.
"""

import contextlib
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import Layer, Net, box_args, fmt  # noqa: E402

F = Fraction
NETS = os.path.join('tests', 'nets')
LIGHT = bool(os.environ.get('PV_TEST_LIGHT'))
B1 = ((-1, 1), (-1, 1))


# ---------------------------------------------------------------------------
# Independent facts (Fraction oracle)
# ---------------------------------------------------------------------------

def closure_rows(net, code, box):
    return [r for _, r, _ in oracle.signed_rows(net, code, box)]


def poly_dim(m, rows):
    """dim of {rows >= 0} (-1 if empty): m minus the rank of the rows that
    vanish on it (a row is not one iff it can be made positive there)."""
    t, _ = oracle.max_slack(m, rows)       # t is free: a max < 0 is empty
    if t is None or t < 0:
        return -1
    if t > 0:
        return m
    positive = set()
    for i, r in enumerate(rows):
        if i in positive:
            continue
        t, x = oracle.max_slack(m, [r], [rows[k] for k in range(len(rows)) if k != i])
        if t is not None and t > 0:
            positive.update(k for k, rk in enumerate(rows) if oracle.evaluate(rk, x) > 0)
    implicit = [rows[i][1] for i in range(len(rows)) if i not in positive]
    return m - oracle.rank(implicit)


def cell_dim(net, code, box):
    """Dimension of the cell of code (-1 when not realised)."""
    lab = oracle.signed_rows(net, code, box)
    t, _ = oracle.max_slack(net.input_dim, [r for _, r, s in lab if s],
                            [r for _, r, s in lab if not s])
    if t is None or t <= 0:
        return -1
    return poly_dim(net.input_dim, [r for _, r, _ in lab])


def common_dim(net, a, b, box):
    return poly_dim(net.input_dim, closure_rows(net, a, box) + closure_rows(net, b, box))


def adjacent(net, cells, a, b, box):
    """DESIGN §1: equal dimensions d and dim P(a) ∩ P(b) = d - 1."""
    return cells[a] == cells[b] and common_dim(net, a, b, box) == cells[a] - 1


def oracle_cells(net, box):
    """{code: dim} of every realised code, deciding all 2^N codes."""
    N = oracle.relu_count(net)
    cells = {}
    for bits in itertools.product('01', repeat=N):
        code = ''.join(bits)
        d = cell_dim(net, code, box)
        if d >= 0:
            cells[code] = d
    return cells


def oracle_edges(net, cells, box):
    return {(a, b) for a, b in itertools.combinations(sorted(cells), 2)
            if adjacent(net, cells, a, b, box)}


def hamming(a, b):
    return sum(x != y for x, y in zip(a, b))


# ---------------------------------------------------------------------------
# Nets
# ---------------------------------------------------------------------------

def layer_text(layer, num=fmt):
    out = ['layer %s %d' % (layer.activation, len(layer.W))]
    out += [' '.join(num(w) for w in row) for row in layer.W]
    out.append('bias ' + ' '.join(num(b) for b in layer.bias))
    return out


def net_text(net, comment):
    out = ['# ' + comment, 'pvnet 1', 'input %d' % net.input_dim]
    for layer in net.layers:
        out += layer_text(layer)
    return '\n'.join(out) + '\n'


def scaled(net, c):
    """Every layer's weights times c, its bias times c^k (k = its depth):
    layer k's pre-activations become c^k times the original ones (ReLU is
    positively homogeneous), so every code has the same cell."""
    layers, s = [], F(1)
    for layer in net.layers:
        s *= c
        layers.append(Layer(layer.activation, [[w * c for w in row] for row in layer.W],
                            [b * s for b in layer.bias]))
    return Net(net.input_dim, layers)


# Three lines A, B, C of a 2-D net with a linear output: A is x = 0 tilted
# by a number a double cannot hold next to 1 (c x + y with c = 1e400 or
# 1e309, or x + 1e-300 y), B is y = x, C is x + y = 1.  They meet pairwise
# in three distinct points — A∩B = 0, B∩C = (1/2, 1/2), A∩C = (-1/(c-1),
# c/(c-1)) resp. (-1e-300/(1-1e-300), 1/(1-1e-300)) — so the plane has
# 7 regions: every sign pattern but the one opposite the bounded triangle.
# The triangle's centroid ~(1/6, 1/2) has code 100, so 011 is missing.
# In a line arrangement two regions on different sides of one line only
# share a facet, so the edges are the 9 pairs at Hamming distance 1.  In
# [-1,1]^2 region 001 (A off: x < 0 for y > 0; C on: x + y > 1) needs
# y > 1 and is gone; the 7 Hamming-1 pairs among the other 6 all share a
# segment inside the box (listed below).
TILTED = ['pvnet 1', 'input 2', 'layer relu 3', '%s', '1 -1', '1 1', 'bias 0 0 -1',
          'layer linear 1', '1 1 1', 'bias 0']
TILTED_CELLS = {c: 2 for c in ('000', '001', '010', '100', '101', '110', '111')}
TILTED_EDGES = {('000', '001'), ('000', '010'), ('000', '100'), ('001', '101'),
                ('010', '110'), ('100', '101'), ('100', '110'), ('101', '111'),
                ('110', '111')}
TILTED_BOX_CELLS = {c: 2 for c in ('000', '010', '100', '101', '110', '111')}
TILTED_BOX_EDGES = {e for e in TILTED_EDGES if '001' not in e}

# Two parallel lines 2^-512 apart and y = x: n0 = x + y - 1, n1 = x + y - 1
# - 2^-512, n2 = x - y.  n1 > 0 implies n0 > 0, so codes 01x are empty; the
# other six are the strips x + y <= 1 (00x), 1 < x + y <= 1 + 2^-512 (10x)
# and above (11x), each split by y = x — all full-dimensional, in R^2 and in
# [-1,1]^2 (the lines cross the box).  Edges: across y = x inside each strip
# (3) and across each parallel line on each side of y = x (4).  A double
# cannot tell the two lines apart: 1 + 2^-512 == 1.
OFFSET = ['pvnet 1', 'input 2', 'layer relu 3', '1 1', '1 1', '1 -1',
          'bias -1 -%s 0' % fmt(1 + F(1, 2 ** 512))]
OFFSET_CELLS = {c: 2 for c in ('000', '001', '100', '101', '110', '111')}
OFFSET_EDGES = {('000', '001'), ('100', '101'), ('110', '111'), ('000', '100'),
                ('001', '101'), ('100', '110'), ('101', '111')}

# Hand nets of tests/nets with their tables from tests/e2e/test_enumerate.py
# (cells, dims and adjacent pairs argued there by hand).
HAND = [
    ('cross.pvnet', None, {'00': 2, '01': 2, '10': 2, '11': 2},
     {('00', '01'), ('00', '10'), ('01', '11'), ('10', '11')}),
    ('star3.pvnet', B1, {'000': 0, '001': 2, '010': 2, '011': 2, '100': 2, '101': 2,
                         '110': 2},
     {('001', '011'), ('010', '011'), ('010', '110'), ('100', '110'), ('100', '101'),
      ('001', '101')}),
    ('dead.pvnet', None, {'000': 2, '011': 2, '101': 2, '111': 2},
     {('000', '011'), ('000', '101'), ('011', '111'), ('101', '111')}),
]


def random_big_net(rng, digits):
    """m = 2, ReLU widths 3 and 2: numerators and denominators of `digits`
    digits (DBL_MAX has 309; their ratios are ordinary, their integer rows
    are not)."""
    def num():
        n = rng.randrange(-10 ** digits, 10 ** digits)
        return F(n if n else 1, rng.randrange(10 ** (digits - 1), 10 ** digits))
    layers, win = [], 2
    for w in (3, 2):
        layers.append(Layer('relu', [[num() for _ in range(win)] for _ in range(w)],
                            [num() for _ in range(w)]))
        win = w
    return Net(2, layers)


# ---------------------------------------------------------------------------
# Running polyverify
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def exact_only(on):
    """POLYVERIFY_EXACT_ONLY=1 for the commands run inside (lp_float.c)."""
    old = os.environ.get('POLYVERIFY_EXACT_ONLY')
    if on:
        os.environ['POLYVERIFY_EXACT_ONLY'] = '1'
    try:
        yield
    finally:
        if old is None:
            os.environ.pop('POLYVERIFY_EXACT_ONLY', None)
        else:
            os.environ['POLYVERIFY_EXACT_ONLY'] = old


def check_enumerate(r, net, path, box, cells, edges, what):
    """`enumerate --graph json`: exactly these cells, dims and edges; every
    printed point has its cell's code (oracle forward pass)."""
    rc, out, err = r.run('enumerate', path, *box_args(box), '--graph', 'json', '--json',
                         timeout=300)
    if not r.check(rc == 0, '%s enumerate: exit %d: %s' % (what, rc, err.strip()[:300])):
        return
    d = json.loads(out)
    got = {c['code']: c['dim'] for c in d['cell_list']}
    r.equal(got, cells, what + ' enumerate: cells and dims')
    r.equal(d['complete'], True, what + ' enumerate: complete')
    r.equal({tuple(sorted((e['a'], e['b']))) for e in d['edges']}, edges,
            what + ' enumerate: adjacency graph')
    for c in d['cell_list']:
        p = oracle.fractions_of(c['point'])
        r.equal(oracle.forward(net, p)[0], c['code'], '%s enumerate: point of %s'
                % (what, c['code']))


def check_lemma1(r, path, box, cells, edges, what):
    """`adjacency-check --enumerate`: its counts from the known cells/edges."""
    got = r.run_json('adjacency-check', path, '--enumerate', *box_args(box),
                     what=what + ' adjacency-check --enumerate')
    if got is None:
        return
    h1 = {(a, b) for a, b in itertools.combinations(sorted(cells), 2) if hamming(a, b) == 1}
    r.equal((got['cells'], got['pairs_hamming1'], got['adjacent_pairs'],
             got['hamming1_not_adjacent'], got['adjacent_not_hamming1']),
            (len(cells), len(h1), len(edges), len(h1 - edges),
             sum(1 for a, b in edges if hamming(a, b) != 1)),
            what + ' adjacency-check --enumerate counts')


def check_pairs(r, net, path, box, cells, edges, pairs, what):
    """`adjacency-check --code A --code B` on the given pairs."""
    for a, b in pairs:
        got = r.run_json('adjacency-check', path, '--code', a, '--code', b, *box_args(box),
                         what='%s adjacency-check %s %s' % (what, a, b))
        if got is None:
            continue
        realised = a in cells and b in cells
        want = {'realized_a': a in cells, 'realized_b': b in cells,
                'hamming': hamming(a, b),
                'adjacent': (tuple(sorted((a, b))) in edges) if realised else None}
        r.equal({k: got.get(k) for k in want}, want, '%s adjacency-check %s %s' % (what, a, b))
        if realised:
            r.equal(got.get('common_dim'), common_dim(net, a, b, box),
                    '%s adjacency-check %s %s common_dim' % (what, a, b))


def pick_pairs(cells, edges, rng, n):
    """Some edges, some Hamming-1 non-edges and one unrealised code."""
    codes = sorted(cells)
    pairs = sorted(edges)[:n]
    pairs += [(a, b) for a, b in itertools.combinations(codes, 2)
              if (a, b) not in edges][:n]
    N = len(codes[0])
    missing = [''.join(bits) for bits in itertools.product('01', repeat=N)
               if ''.join(bits) not in cells]
    if missing:
        pairs.append((codes[0], missing[0]))
    rng.shuffle(pairs)
    return pairs


def check_net(r, net, path, box, cells, edges, what, ncells, rng):
    """Every command on one net (in one box or in R^m)."""
    check_enumerate(r, net, path, box, cells, edges, what)
    check_lemma1(r, path, box, cells, edges, what)
    check_pairs(r, net, path, box, cells, edges, pick_pairs(cells, edges, rng, 2), what)
    codes = sorted(cells)
    rng.shuffle(codes)
    N = len(codes[0])
    codes = codes[:ncells] + [c for c in (''.join(b) for b in itertools.product('01', repeat=N))
                              if c not in cells][:1]
    for code in codes:
        oracle.compare_cell(r, net, path, code, box, label=what)


# ---------------------------------------------------------------------------
# Class 2
# ---------------------------------------------------------------------------

def check_hand_tables(r, tmp, rng):
    """The three hand tables, first against the oracle, then polyverify."""
    nets = [('tilt 1e400', '\n'.join(TILTED) % '1e400 1'),
            ('tilt 1e309', '\n'.join(TILTED) % '1e309 1'),
            ('span 1 1e-300', '\n'.join(TILTED) % '1 1e-300')]
    for what, text in nets:
        path = oracle.write_file(tmp, what.replace(' ', '_') + '.pvnet', text + '\n')
        net = oracle.load_pvnet(path)
        for box, cells, edges in ((None, TILTED_CELLS, TILTED_EDGES),
                                  (B1, TILTED_BOX_CELLS, TILTED_BOX_EDGES)):
            w = what + (' box' if box else '')
            r.equal(oracle_cells(net, box), cells, 'ORACLE ' + w + ' hand cells')
            r.equal(oracle_edges(net, cells, box), edges, 'ORACLE ' + w + ' hand edges')
            check_net(r, net, path, box, cells, edges, w, 3 if LIGHT else 7, rng)
    path = oracle.write_file(tmp, 'offset.pvnet', '\n'.join(OFFSET) + '\n')
    net = oracle.load_pvnet(path)
    for box in (None, B1):
        w = 'offset 2^-512' + (' box' if box else '')
        r.equal(oracle_cells(net, box), OFFSET_CELLS, 'ORACLE ' + w + ' hand cells')
        r.equal(oracle_edges(net, OFFSET_CELLS, box), OFFSET_EDGES, 'ORACLE ' + w + ' hand edges')
        check_net(r, net, path, box, OFFSET_CELLS, OFFSET_EDGES, w, 3 if LIGHT else 6, rng)


def check_scaled_hand_nets(r, tmp, rng):
    """tests/nets hand nets scaled by 10^400 and by 2^-1100: the hand table."""
    scales = [F(10) ** 400, F(1, 2 ** 1100)]
    for name, box, cells, edges in HAND:
        base = oracle.load_pvnet(os.path.join(NETS, name))
        for c in scales[:1] if LIGHT else scales:
            net = scaled(base, c)
            tag = '10^400' if c > 1 else '2^-1100'
            what = '%s x %s%s' % (name, tag, ' box' if box else '')
            path = oracle.write_file(tmp, '%s_%s.pvnet' % (name[:-6], tag.replace('^', '')),
                         net_text(net, '%s, every layer scaled by %s' % (name, tag)))
            edges = {tuple(sorted(e)) for e in edges}
            check_net(r, net, path, box, cells, edges, what, 2 if LIGHT else 4, rng)


def check_huge_boxes(r, rng):
    """cross.pvnet (two lines through 0) in the boxes [-10^400, 10^400]^2
    and [-10^-400, 10^-400]^2: any box centred at 0 holds its four
    quadrants, adjacent across the two axes (the hand table)."""
    name, _, cells, edges = HAND[0]
    path = os.path.join(NETS, name)
    net = oracle.load_pvnet(path)
    for c in (F(10) ** 400, F(1, 10 ** 400)):
        box = ((-c, c), (-c, c))
        what = '%s box +-10^%d' % (name, 400 if c > 1 else -400)
        check_net(r, net, path, box, cells, edges, what, 2 if LIGHT else 4, rng)


def check_random_160_digits(r, tmp, rng):
    """A random net of 160-digit fractions: the oracle decides every code."""
    for seed in (1201,):          # the oracle's all-pairs adjacency costs ~20 s
        net = random_big_net(random.Random(seed), 160)
        path = oracle.write_file(tmp, 'digits%d.pvnet' % seed, net_text(net, '160-digit fractions'))
        for box in (None, ((-2, 2), (-2, 2))):
            what = '160 digits seed %d%s' % (seed, ' box' if box else '')
            cells = oracle_cells(net, box)
            edges = oracle_edges(net, cells, box)
            check_net(r, net, path, box, cells, edges, what, 3 if LIGHT else 6, rng)


# ---------------------------------------------------------------------------
# Class 8a
# ---------------------------------------------------------------------------

def check_cdd_nets(r, rng):
    """Near-parallel nets that made cddlib's float phase corrupt the heap:
    normally and with the exact path forced; the oracle's answer both ways
    (enumerate without a box: all 2^N codes decided by the oracle)."""
    names = sorted(n for n in os.listdir(NETS) if n.startswith('cdd_near_parallel'))
    r.check(len(names) >= 4, 'the cdd_near_parallel nets are in tests/nets')
    for name in names[:2] if LIGHT else names:
        path = os.path.join(NETS, name)
        net = oracle.load_pvnet(path)
        cells = oracle_cells(net, None)
        edges = oracle_edges(net, cells, None)
        for forced in (False, True):
            with exact_only(forced):
                what = name + (' exact-only' if forced else '')
                check_net(r, net, path, None, cells, edges, what, 3 if LIGHT else 5, rng)


def main():
    # enumerate's points in a box of the 160-digit net run to 10^4 digits
    if hasattr(sys, 'set_int_max_str_digits'):
        sys.set_int_max_str_digits(0)
    r = oracle.Runner(sys.argv[1])
    rng = random.Random(12)
    tmp = tempfile.mkdtemp(prefix='pv_exact_numbers_')
    try:
        check_hand_tables(r, tmp, rng)
        check_scaled_hand_nets(r, tmp, rng)
        check_huge_boxes(r, rng)
        check_random_160_digits(r, tmp, rng)
        check_cdd_nets(r, rng)
    finally:
        shutil.rmtree(tmp)
    r.finish()


if __name__ == '__main__':
    main()
