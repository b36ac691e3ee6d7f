"""End-to-end tests of `enumerate`, `adjacency-check --enumerate` and
`adjacency-check --flips`.

Every expected value is either derived by hand (the comment header of each
network in tests/nets says how) or computed here independently with the
exact oracle (tests/e2e/oracle.py: Fraction LPs, an exact forward pass) and
lrs; nothing is copied from polyverify's output.

  * hand nets: cells, dimensions, adjacent pairs, Lemma 1 counts and the
    general-position conditions (crossing lines, duplicated, opposite and
    dead neurons, three lines through one point, a 1-D net in a box);
  * published ground truth: quadratic.pvnet has 202 full-dimensional cells
    in [-1,1]^2 and pendulum.pvnet 18 in [-pi/2,pi/2]^2 (RPM's exact PWA
    decompositions, shared/data/README.md section 7);
  * completeness in 2-D: the exact areas of the enumerated cells (polygons
    clipped here in Fractions) add up to the box area, and the code of every
    point of a dense rational grid is an enumerated cell;
  * random 2-3 layer nets: every cell's dimension, every reported adjacent
    pair (oracle: dim P(a) ∩ P(b) and a common point of both closures), all
    pairs of the smallest nets, pairs at Hamming distance 1 and sampled
    non-adjacent pairs cross-checked with lrs; the fast vertex path against
    --lp-only;
  * --max-cells, --graph dot, --no-points (the same answer less the
    points), exit statuses.

Usage: python3 tests/e2e/test_enumerate.py /path/to/polyverify  (cwd = root)
"""

import itertools
import json
import os
import random
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import box_args  # noqa: E402
from randnet import random_net, net_text  # noqa: E402

NETS = os.path.join('tests', 'nets')
DATA = os.path.join('..', 'shared', 'data', 'nn_reach')
F = Fraction


# ---------------------------------------------------------------------------
# Independent facts (oracle)
# ---------------------------------------------------------------------------

def closure_rows(net, code, box):
    return [r for _, r, _ in oracle.signed_rows(net, code, box)]


def implicit_rows(m, rows):
    """Rows vanishing on the non-empty polyhedron {rows >= 0}: row i is not
    one iff max t s.t. row_i >= t, the others >= 0 (t <= 1) is positive.
    (oracle.implicit_equalities caps each row at 1 and then fails on
    polyhedra where a row is > 1 everywhere, hence this variant.)"""
    positive = set()
    for i, r in enumerate(rows):
        if i in positive:
            continue
        t, x = oracle.max_slack(m, [r], [rows[k] for k in range(len(rows)) if k != i])
        if t is not None and t > 0:
            positive.update(k for k, rk in enumerate(rows) if oracle.evaluate(rk, x) > 0)
    return [i for i in range(len(rows)) if i not in positive]


def poly_dim(m, rows):
    """Dimension of {rows >= 0} (-1 if empty) and a relative-interior point."""
    t, p = oracle.max_slack(m, rows)
    if t is None or t < 0:      # the best margin is negative: empty
        return -1, None
    if t > 0:
        return m, p
    E = implicit_rows(m, rows)
    Es = set(E)
    d = m - oracle.rank([rows[i][1] for i in E])
    others = [rows[i] for i in range(len(rows)) if i not in Es]
    t, p = oracle.max_slack(m, others, rows_eq=[rows[i] for i in E])
    return d, p


def cell_dim(net, code, box):
    """Dimension of the cell of code (-1 when not realised)."""
    m = net.input_dim
    lab = oracle.signed_rows(net, code, box)
    strict = [r for _, r, s in lab if s]
    weak = [r for _, r, s in lab if not s]
    t, _ = oracle.max_slack(m, strict, weak)
    if t is None or t <= 0:
        return -1
    return poly_dim(m, [r for _, r, _ in lab])[0]


def common_dim(net, a, b, box):
    """dim P(a) ∩ P(b) and a relative-interior point of it."""
    return poly_dim(net.input_dim, closure_rows(net, a, box) + closure_rows(net, b, box))


def lrs_common_dim(net, a, b, box):
    """dim P(a) ∩ P(b) decided by lrs (a second, external opinion)."""
    m = net.input_dim
    rows = closure_rows(net, a, box) + closure_rows(net, b, box)
    if oracle.lrs_maximize(m, [0] * m, rows)[0] == 'infeasible':
        return -1
    E = oracle.lrs_implicit_equalities(m, rows)
    return m - oracle.rank([rows[i][1] for i in E])


def clip_polygon(net, code, box):
    """P(code) ∩ box for m = 2 as a list of exact vertices (Sutherland-Hodgman)."""
    (x0, x1), (y0, y1) = box
    poly = [(F(x0), F(y0)), (F(x1), F(y0)), (F(x1), F(y1)), (F(x0), F(y1))]
    for h, g in closure_rows(net, code, None):
        out = []
        for a, b in zip(poly, poly[1:] + poly[:1]):
            va = h + g[0] * a[0] + g[1] * a[1]
            vb = h + g[0] * b[0] + g[1] * b[1]
            if va >= 0:
                out.append(a)
            if va * vb < 0:
                f = va / (va - vb)
                out.append((a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
        poly = out
        if not poly:
            break
    return poly


def area(poly):
    """Exact area (shoelace)."""
    s = F(0)
    for a, b in zip(poly, poly[1:] + poly[:1]):
        s += a[0] * b[1] - b[0] * a[1]
    return abs(s) / 2


def grid(box, k):
    """A (k+1)^m grid of rational points of the box, boundary included."""
    axes = [[F(lo) + (F(hi) - F(lo)) * i / k for i in range(k + 1)] for lo, hi in box]
    return itertools.product(*axes)


def hamming(a, b):
    return sum(x != y for x, y in zip(a, b))


# ---------------------------------------------------------------------------
# Running polyverify
# ---------------------------------------------------------------------------

def enumerate_json(r, path, box=None, extra=(), what=''):
    """`enumerate --graph json`: {code: dim} and the set of edges."""
    rc, out, err = r.run('enumerate', path, *box_args(box), '--graph', 'json', *extra,
                         timeout=120)
    if not r.check(rc == 0, '%s: enumerate exit %d: %s' % (what or path, rc, err.strip()[:300])):
        return None
    d = json.loads(out)
    cells = {c['code']: c['dim'] for c in d['cell_list']}
    r.equal(d['cells'], len(cells), what + ' cells field')
    by = {}
    for dim in cells.values():
        by[str(dim)] = by.get(str(dim), 0) + 1
    r.equal(d['cells_by_dim'], by, what + ' cells_by_dim')
    r.equal(d['complete'], True, what + ' complete')
    codes = [c['code'] for c in d['cell_list']]
    r.equal(codes, sorted(codes), what + ' sorted by code')
    edges = {tuple(sorted((e['a'], e['b']))) for e in d['edges']}
    for e in d['edges']:
        r.equal(e['hamming'], hamming(e['a'], e['b']), what + ' edge hamming')
    return {'cells': cells, 'edges': edges, 'points': {c['code']: c['point'] for c in d['cell_list']}}


def lemma1_json(r, path, box=None, what=''):
    return r.run_json('adjacency-check', path, '--enumerate', *box_args(box),
                      what=what + ' adjacency-check --enumerate')


# ---------------------------------------------------------------------------
# Hand nets
# ---------------------------------------------------------------------------

# name, box, {code: dim}, adjacent pairs, Lemma 1 counts
# (pairs_hamming1, hamming1_not_adjacent, adjacent_not_hamming1),
# general-position conditions that FAIL.
B1 = ((-1, 1), (-1, 1))
HAND = [
    # crossing lines: 4 quadrants; the diagonal pairs (d_H = 2) only meet at 0
    ('cross.pvnet', None, {'00': 2, '01': 2, '10': 2, '11': 2},
     {('00', '01'), ('00', '10'), ('01', '11'), ('10', '11')}, (4, 0, 0), set()),
    ('cross.pvnet', B1, {'00': 2, '01': 2, '10': 2, '11': 2},
     {('00', '01'), ('00', '10'), ('01', '11'), ('10', '11')}, (4, 0, 0), set()),
    # duplicated neuron: the two cells are adjacent at d_H = 2
    ('duplicate.pvnet', None, {'00': 2, '11': 2}, {('00', '11')}, (0, 0, 1),
     {'no_shared_facets'}),
    # opposite neurons: 00 only on the line x1 = 0 (dim 1)
    ('opposite.pvnet', None, {'00': 1, '01': 2, '10': 2}, {('01', '10')}, (2, 2, 1),
     {'no_shared_facets'}),
    # ... and in the box the line meets the sides x2 = +-1 where two neurons
    # and a box side vanish: 3 hyperplanes through a vertex in the plane
    ('opposite.pvnet', B1, {'00': 1, '01': 2, '10': 2}, {('01', '10')}, (2, 2, 1),
     {'no_shared_facets', 'vertices_on_m_hyperplanes'}),
    ('fc223.pvnet', None, {'00': 1, '01': 2, '10': 2}, {('01', '10')}, (2, 2, 1),
     {'no_shared_facets'}),
    # dead neuron: z2 == 0 on cell 000; 000-011 and 000-101 share a line at d_H 2
    ('dead.pvnet', None, {'000': 2, '011': 2, '101': 2, '111': 2},
     {('000', '011'), ('000', '101'), ('011', '111'), ('101', '111')}, (2, 0, 2),
     {'no_zero_preactivation', 'no_shared_facets'}),
    # three lines through the origin; the origin is the cell 000 (dim 0)
    ('star3.pvnet', B1, {'000': 0, '001': 2, '010': 2, '011': 2, '100': 2, '101': 2,
                         '110': 2},
     {('001', '011'), ('011', '010'), ('010', '110'), ('110', '100'), ('100', '101'),
      ('101', '001')}, (9, 3, 0), {'vertices_on_m_hyperplanes'}),
    # central: three lines through 0, all six sectors full-dimensional
    ('central.pvnet', B1, {'000': 2, '001': 2, '010': 2, '101': 2, '110': 2, '111': 2},
     {('111', '110'), ('110', '010'), ('010', '000'), ('000', '001'), ('001', '101'),
      ('101', '111')}, (6, 0, 0), {'vertices_on_m_hyperplanes'}),
    # 1-D, box [0,3]: 001 shrinks to the point 0, where neuron 0 and the box
    # side x >= 0 both vanish (2 hyperplanes through a vertex, m = 1)
    ('line1d.pvnet', ((0, 3),), {'001': 0, '101': 1, '111': 1, '110': 1},
     {('101', '111'), ('111', '110')}, (3, 1, 0), {'vertices_on_m_hyperplanes'}),
]


def check_hand(r):
    for name, box, cells, adjacent, counts, failing in HAND:
        path = os.path.join(NETS, name)
        net = oracle.load_pvnet(path)
        what = '%s%s' % (name, ' box %s' % (box,) if box else '')
        # the hand table against the oracle first
        for code, dim in cells.items():
            if box is not None or net.input_dim == 2:
                r.equal(cell_dim(net, code, box), dim, what + ' oracle dim of ' + code)
        got = enumerate_json(r, path, box, what=what)
        if got is None:
            continue
        r.equal(got['cells'], cells, what + ' cells and dims')
        want = {tuple(sorted(p)) for p in adjacent}
        r.equal(got['edges'], want, what + ' adjacent pairs')
        lem = lemma1_json(r, path, box, what)
        if lem is None:
            continue
        h1 = sum(1 for a, b in itertools.combinations(cells, 2) if hamming(a, b) == 1)
        r.equal(lem['pairs_hamming1'], h1, what + ' pairs_hamming1 (from the bits)')
        r.equal((lem['pairs_hamming1'], lem['hamming1_not_adjacent'],
                 lem['adjacent_not_hamming1']), counts, what + ' Lemma 1 counts')
        r.equal(lem['adjacent_pairs'], len(want), what + ' adjacent_pairs')
        checks = lem['general_position_checks']
        got_failing = {k for k, v in checks.items() if not v['holds']}
        r.equal(got_failing, failing, what + ' failing general-position conditions')
        r.equal(lem['general_position'], not failing, what + ' general_position')
        dis = {(d['a'], d['b']) for d in lem['disagreements']}
        expect = {tuple(sorted(p)) for p in want if hamming(*p) != 1}
        expect |= {(a, b) for a, b in itertools.combinations(sorted(cells), 2)
                   if hamming(a, b) == 1 and (a, b) not in want}
        r.equal(dis, expect, what + ' disagreements')


def check_flips(r):
    """--flips on hand nets (facts from the net comments)."""
    path = os.path.join(NETS, 'duplicate.pvnet')
    got = r.run_json('adjacency-check', path, '--code', '11', '--flips', what='flips duplicate 11')
    if got:
        r.equal([(f['neuron'], f['code'], f['realized']) for f in got['flips']],
                [(0, '01', False), (1, '10', False)], 'duplicate 11 flips unrealised')
        r.equal([(f['code'], f['hamming'], f['adjacent']) for f in got['other_neighbors']],
                [('00', 2, True)], 'duplicate 11 neighbour beyond its facet')
    path = os.path.join(NETS, 'cross.pvnet')
    got = r.run_json('adjacency-check', path, '--code', '11', '--flips', what='flips cross 11')
    if got:
        r.equal([(f['code'], f['realized'], f['adjacent']) for f in got['flips']],
                [('01', True, True), ('10', True, True)], 'cross 11 flips adjacent')
        r.equal(got['other_neighbors'], [], 'cross 11 no other neighbours')
    got = r.run_json('adjacency-check', os.path.join(NETS, 'duplicate.pvnet'), '--code', '10',
                     '--flips', what='flips unrealised')
    if got:
        r.equal((got['realized'], got['dim']), (False, -1), 'unrealised code reported')
    # a last-layer hyperplane that misses the box: decided by the face's
    # Farkas multipliers (flips.c), without the flip's own LP
    path = os.path.join(NETS, 'far_plane.pvnet')
    got = r.run_json('adjacency-check', path, '--code', '110', '--flips', '--box', '0,1',
                     what='flips far_plane 110 in the box')
    if got:
        f = got['flips'][2]
        r.equal((f['code'], f['realized'], f['dim'], f['common_dim'], f['adjacent']),
                ('111', False, -1, None, None), 'far_plane 110: flip 111 misses the box '
                '(adjacency is not defined for an unrealised flip: null)')
    got = r.run_json('adjacency-check', path, '--code', '110', '--flips',
                     what='flips far_plane 110 in R^2')
    if got:
        f = got['flips'][2]
        r.equal((f['code'], f['realized'], f['dim'], f['common_dim'], f['adjacent']),
                ('111', True, 2, 1, True), 'far_plane 110: flip 111 across the facet in R^2')
    got = r.run_json('adjacency-check', os.path.join(NETS, 'opposite.pvnet'), '--code', '00',
                     '--flips', what='flips opposite 00')
    if got:
        r.equal([(f['code'], f['realized'], f['dim'], f['adjacent']) for f in got['flips']],
                [('10', True, 2, False), ('01', True, 2, False)],
                'opposite 00 (a line): flips are realised, not adjacent')


# ---------------------------------------------------------------------------
# Published ground truth and completeness
# ---------------------------------------------------------------------------

def check_complete_2d(r, net, path, box, got, what, gridk=30):
    """Areas add up to the box; every grid point's code is a cell."""
    total = F(0)
    for code, dim in got['cells'].items():
        a = area(clip_polygon(net, code, box))
        if dim == 2:
            r.check(a > 0, '%s: full-dimensional cell %s has area 0' % (what, code))
        else:
            r.equal(a, 0, '%s: area of the dim-%d cell %s' % (what, dim, code))
        total += a
    (x0, x1), (y0, y1) = box
    r.equal(total, (F(x1) - F(x0)) * (F(y1) - F(y0)), what + ' areas add up to the box')
    seen = {oracle.forward(net, p)[0] for p in grid(box, gridk)}
    r.equal(seen - set(got['cells']), set(), what + ' grid codes missing from the cells')


def check_published(r):
    for name, half, want in [('quadratic/quadratic.pvnet', None, 202),
                             ('pendulum/pendulum.pvnet', F('1.5707963267948966'), 18)]:
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            r.check(False, 'missing ' + path)
            continue
        box = ((-1, 1), (-1, 1)) if half is None else ((-half, half), (-half, half))
        got = enumerate_json(r, path, box, what=name)
        if got is None:
            continue
        dims = list(got['cells'].values())
        r.equal(dims.count(2), want, name + ' full-dimensional cells (RPM ground truth)')
        net = oracle.load_pvnet(path)
        check_complete_2d(r, net, path, box, got, name, gridk=24)


# ---------------------------------------------------------------------------
# Random nets
# ---------------------------------------------------------------------------

# (seed, m, relu widths, box half-width, all pairs by the oracle)
RANDOM = [
    (301, 2, [4, 3], 2, True),
    (302, 2, [3, 3, 2], 3, False),
    (303, 2, [5, 4], 2, False),
    (304, 3, [3, 3], 2, False),
]


def check_random(r, tmp):
    for seed, m, widths, half, allpairs in RANDOM:
        rng = random.Random(seed)
        net = random_net(rng, m, widths)
        path = os.path.join(tmp, 'rand%d.pvnet' % seed)
        with open(path, 'w') as f:
            f.write(net_text(net, rng, 'random net seed %d' % seed))
        box = tuple((-half, half) for _ in range(m))
        what = 'random %d' % seed
        got = enumerate_json(r, path, box, what=what)
        slow = enumerate_json(r, path, box, extra=('--lp-only',), what=what + ' --lp-only')
        if got is None or slow is None:
            continue
        r.equal((slow['cells'], slow['edges']), (got['cells'], got['edges']),
                what + ': fast vertex path and --lp-only agree')
        cells = got['cells']
        for code, dim in cells.items():
            r.equal(cell_dim(net, code, box), dim, '%s dim of %s' % (what, code))
            p = oracle.fractions_of(got['points'][code])
            r.equal(oracle.forward(net, p)[0], code, '%s point of %s has that code' % (what, code))
        if m == 2:
            check_complete_2d(r, net, path, box, got, what)
        else:
            seen = {oracle.forward(net, p)[0] for p in grid(box, 8)}
            r.equal(seen - set(cells), set(), what + ' grid codes missing')
        # every reported adjacent pair: equal dims, a common point, dim - 1
        for a, b in sorted(got['edges']):
            d, p = common_dim(net, a, b, box)
            r.check(cells[a] == cells[b] and d == cells[a] - 1,
                    '%s: %s-%s reported adjacent, oracle: dims %d,%d common %d'
                    % (what, a, b, cells[a], cells[b], d))
            if p is not None:
                ok = all(oracle.evaluate(row, p) >= 0 for row in
                         closure_rows(net, a, box) + closure_rows(net, b, box))
                r.check(ok, '%s: common point of %s-%s not in both closures' % (what, a, b))
        # Hamming-1 pairs from the bits, decided by the oracle
        h1 = [(a, b) for a, b in itertools.combinations(sorted(cells), 2) if hamming(a, b) == 1]
        not_adj = [(a, b) for a, b in h1 if (a, b) not in got['edges']]
        for a, b in h1:
            d, _ = common_dim(net, a, b, box)
            adj = cells[a] == cells[b] and d == cells[a] - 1
            r.equal(adj, (a, b) in got['edges'], '%s: adjacency of d_H=1 pair %s-%s' % (what, a, b))
        lem = lemma1_json(r, path, box, what)
        if lem:
            r.equal(lem['pairs_hamming1'], len(h1), what + ' pairs_hamming1')
            r.equal(lem['hamming1_not_adjacent'], len(not_adj), what + ' hamming1_not_adjacent')
            r.equal(lem['adjacent_pairs'], len(got['edges']), what + ' adjacent_pairs')
            r.equal(lem['adjacent_not_hamming1'],
                    sum(1 for a, b in got['edges'] if hamming(a, b) != 1),
                    what + ' adjacent_not_hamming1')
        # non-adjacent pairs, cross-checked with lrs (a sample)
        others = [p for p in itertools.combinations(sorted(cells), 2) if p not in got['edges']]
        rng.shuffle(others)
        for a, b in (not_adj + others)[:6]:
            d = lrs_common_dim(net, a, b, box)
            r.check(not (cells[a] == cells[b] and d == cells[a] - 1),
                    '%s: %s-%s reported not adjacent, lrs: common dim %d' % (what, a, b, d))
        if allpairs:
            adj = set()
            for a, b in itertools.combinations(sorted(cells), 2):
                d, _ = common_dim(net, a, b, box)
                if cells[a] == cells[b] and d == cells[a] - 1:
                    adj.add((a, b))
            r.equal(got['edges'], adj, what + ' the adjacency graph, all pairs by the oracle')


# (seed, m, relu widths): small enough that every one of the 2^n codes is
# decided by the oracle
NOBOX = [
    (311, 2, [4, 3]),
    (312, 2, [3, 2, 2]),
    (313, 3, [4, 3]),
]


def check_nobox(r, tmp):
    """All of R^m: the unbounded cells take the vertex-and-ray fast path;
    the cells are every code the oracle realises (all 2^n tried), with its
    dimension, and the graph agrees with --lp-only and with the oracle's
    common dimension of every pair at Hamming distance 1."""
    for seed, m, widths in NOBOX:
        rng = random.Random(seed)
        net = random_net(rng, m, widths)
        path = os.path.join(tmp, 'nobox%d.pvnet' % seed)
        with open(path, 'w') as f:
            f.write(net_text(net, rng, 'random net seed %d' % seed))
        what = 'no box, random %d' % seed
        got = enumerate_json(r, path, None, what=what)
        slow = enumerate_json(r, path, None, extra=('--lp-only',), what=what + ' --lp-only')
        if got is None or slow is None:
            continue
        r.equal((slow['cells'], slow['edges']), (got['cells'], got['edges']),
                what + ': fast path and --lp-only agree')
        n = sum(widths)
        want = {}
        for bits in itertools.product('01', repeat=n):
            code = ''.join(bits)
            d = cell_dim(net, code, None)
            if d >= 0:
                want[code] = d
        r.equal(got['cells'], want, what + ': every realised code (oracle, all 2^%d)' % n)
        for code in got['cells']:
            p = oracle.fractions_of(got['points'][code])
            r.equal(oracle.forward(net, p)[0], code, '%s point of %s has that code' % (what, code))
        cells = got['cells']
        for a, b in itertools.combinations(sorted(cells), 2):
            if hamming(a, b) != 1 and (a, b) not in got['edges']:
                continue
            d, _ = common_dim(net, a, b, None)
            adj = cells[a] == cells[b] and d == cells[a] - 1
            r.equal(adj, (a, b) in got['edges'], '%s: adjacency of %s-%s' % (what, a, b))


def check_limits(r):
    path = os.path.join(DATA, 'quadratic', 'quadratic.pvnet')
    rc, out, err = r.run('enumerate', path, '--box', '-1,1', '--max-cells', '10', '--json')
    r.equal(rc, 3, '--max-cells exit status')
    r.check('stopped at --max-cells 10: the enumeration is incomplete' in err,
            '--max-cells message: %r' % err)
    try:
        d = json.loads(out)
        r.equal((d['cells'], d['complete']), (10, False), '--max-cells partial output')
    except ValueError:
        r.check(False, '--max-cells output is not JSON: %r' % out[:200])
    rc, out, err = r.run('enumerate', os.path.join(NETS, 'cross.pvnet'), '--graph', 'dot')
    r.equal(rc, 0, '--graph dot exit status')
    r.equal(out.count(' -- '), 4, 'DOT edges of cross')
    r.check(out.startswith('graph cells {'), 'DOT header')
    # --no-points: the same cells and edges, without the points
    cross = os.path.join(NETS, 'cross.pvnet')
    rc, full, _ = r.run('enumerate', cross, '--graph', 'json')
    rc2, bare, _ = r.run('enumerate', cross, '--graph', 'json', '--no-points')
    try:
        full, bare = json.loads(full), json.loads(bare)
        r.check(all('point' not in c for c in bare['cell_list']), '--no-points: no point')
        for c in full['cell_list']:
            del c['point']
        r.equal((rc2, bare), (rc, full), '--no-points: the same answer, less the points')
    except ValueError:
        r.check(False, '--no-points output is not JSON')
    rc, out, err = r.run('enumerate', cross, '--no-points')
    r.check(rc == 0 and '\ncode  dim\n' in out, '--no-points text header: %r' % out[:200])
    rc, out, err = r.run('enumerate', cross, '--no-points', '--graph', 'dot')
    r.equal(rc, 2, '--no-points with --graph dot is a usage error')
    rc, out, err = r.run('enumerate', os.path.join(NETS, 'cross.pvnet'), '--graph', 'svg')
    r.equal(rc, 2, '--graph svg is a usage error')
    rc, out, err = r.run('enumerate', '--help')
    r.check(rc == 0 and '--graph' in out, 'enumerate --help')
    rc, out, err = r.run('enumerate', os.path.join(NETS, 'cross.pvnet'), '--box', '1,0')
    r.check(rc == 1 and err.startswith('polyverify:'), 'bad box is a clear error: %r' % err)
    # without a terminal, no progress on stderr
    rc, out, err = r.run('enumerate', path, '--box', '-1,1')
    r.equal(err, '', 'no progress output when stderr is not a terminal')


def main():
    r = oracle.Runner(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        check_hand(r)
        check_flips(r)
        check_published(r)
        check_limits(r)
        check_random(r, tmp)
        check_nobox(r, tmp)
    r.finish()


if __name__ == '__main__':
    main()
