"""End-to-end tests of `polyverify segment`, `radius` and `explore`.

Segments: an independent exact walk (Fractions) that refines [0, 1] layer by
layer -- on an interval where every earlier ReLU layer keeps its pattern,
the next layer's pre-activations are affine in t, so two exact forward
passes give them and their roots split the interval -- then merges
neighbouring intervals whose codes and shared end point's code agree. It
shares nothing with polyverify's event walk but the definition. Every
piece's code is also checked at its midpoint with `polyverify code`.

Radii: the row formula of radius.h in Fractions (min over the cell's rows
of (g.x + h)^2 / |g|_2^2 and |g.x + h| / |g|_1), and the reported nearest
point checked: at that distance, on exactly the reported rows' hyperplanes
among the nearest, inside the closure, and the neighbour code checked by
the first-order rule along y - x.

Explore: in a bounded box, without limits, exactly the full-dimensional
cells of `enumerate`, its crossings exactly enumerate's edges between them
(decided there by dim P(a) ∩ P(b)), depths the BFS distances over those
edges, every point's code by the Fraction forward pass; the depth-1 ball
is the start and its facet neighbours from `cell`.

Slices (`enumerate --slice`, the polygon walk): codes at the cells' points
by the Fraction forward pass, polygons inside their closures, areas adding
up to the box's exactly, and on 2-input nets the same cells and dimensions
as `enumerate --box` (the LP walk).

Usage: python3 tests/e2e/test_local.py /path/to/polyverify  (cwd = root)
"""

import os
import random
import shutil
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import randnet  # noqa: E402

NETS = os.path.join('tests', 'nets')


def point_arg(x):
    return ','.join(oracle.fmt(v) for v in x)


def on_segment(x, y, t):
    return [a + t * (b - a) for a, b in zip(x, y)]


def relu_layer_preacts(net, point, upto):
    """Pre-activations of ReLU layer number `upto` (0-based among ReLU layers)."""
    a = list(point)
    k = 0
    for layer in net.layers:
        z = [sum((w * v for w, v in zip(row, a)), Fraction(0)) + b
             for row, b in zip(layer.W, layer.bias)]
        if layer.activation == 'relu':
            if k == upto:
                return z
            k += 1
            a = [max(v, Fraction(0)) for v in z]
        else:
            a = z
    return []


def oracle_segment(net, x, y):
    """(pieces, breakpoints): [(code, t_from, t_to)], [(t, code)]."""
    cuts = {Fraction(0), Fraction(1)}
    nrelu = sum(1 for l in net.layers if l.activation == 'relu')
    for k in range(nrelu):
        pts = sorted(cuts)
        for a, b in zip(pts, pts[1:]):
            t1, t2 = a + (b - a) / 3, a + 2 * (b - a) / 3
            z1 = relu_layer_preacts(net, on_segment(x, y, t1), k)
            z2 = relu_layer_preacts(net, on_segment(x, y, t2), k)
            for v1, v2 in zip(z1, z2):
                if v1 != v2:            # affine: root where v1 + s (t - t1) = 0
                    s = (v2 - v1) / (t2 - t1)
                    r = t1 - v1 / s
                    if a < r < b:
                        cuts.add(r)
    pts = sorted(cuts)
    mids = [oracle.forward(net, on_segment(x, y, (a + b) / 2))[0]
            for a, b in zip(pts, pts[1:])]
    pieces, breaks = [], []
    start = pts[0]
    for i in range(1, len(pts) - 1):
        at = oracle.forward(net, on_segment(x, y, pts[i]))[0]
        if mids[i - 1] == at == mids[i]:
            continue
        pieces.append((mids[i - 1], start, pts[i]))
        breaks.append((pts[i], at))
        start = pts[i]
    pieces.append((mids[-1], start, pts[-1]))
    return pieces, breaks


def check_segment(runner, net, path, x, y, what):
    got = runner.run_json('segment', path, '--point', point_arg(x), '--point',
                          point_arg(y), what='segment ' + what)
    if got is None:
        return
    pieces, breaks = oracle_segment(net, x, y)
    gp = [(p['code'], Fraction(p['t_from']), Fraction(p['t_to'])) for p in got['pieces']]
    gb = [(Fraction(b['t']), b['code']) for b in got['breakpoints']]
    runner.equal(gp, pieces, what + ': pieces')
    runner.equal(gb, breaks, what + ': breakpoints')
    runner.equal(got['cells'], len(pieces), what + ': cells')
    # every piece's code at its midpoint, by polyverify's own exact pass
    if gp:
        mids = [on_segment(x, y, (a + b) / 2) for _, a, b in gp]
        codes = [runner.run_json('code', path, '--point', point_arg(p), what='code')
                 for p in mids[:6]]
        for c, (code, _, _) in zip(codes, gp):
            if c is not None:
                runner.equal(c[0]['code'], code, what + ': code at a midpoint')


def oracle_radius(net, x, box):
    code = oracle.forward(net, x)[0]
    rows = [(lab, row) for lab, row, _ in oracle.signed_rows(net, code, box)
            if any(c != 0 for c in row[1])]
    vals = [(lab, row, oracle.evaluate(row, x)) for lab, row in rows]
    if not vals:
        return code, None, None, rows
    l2 = min(v * v / sum(c * c for c in row[1]) for _, row, v in vals)
    linf = min(abs(v) / sum(abs(c) for c in row[1]) for _, row, v in vals)
    return code, l2, linf, rows


def label_of(lab):
    return ('n', lab[1]) if lab[0] == 'neuron' else ('b', lab[1], lab[2])


def check_nearest(runner, net, x, rows, dist, norm, got, what):
    """The reported part of the boundary in one norm, checked from scratch."""
    reported = {('n', j) for j in got['neurons']}
    reported |= {('b', i, side) for i, side in got.get('box', [])}

    def distance(row, v):
        g = row[1]
        return v * v / sum(c * c for c in g) if norm == 'l2' else abs(v) / sum(abs(c) for c in g)

    if dist == 0:
        zero = {label_of(lab) for lab, row in rows if oracle.evaluate(row, x) == 0}
        runner.equal(reported, zero, what + ': rows through the point')
        runner.check(got['point'] is None and got['neighbor'] is None,
                     what + ': no nearest point or neighbour on the boundary')
        return
    y = [Fraction(v) for v in got['point']]
    d = [a - b for a, b in zip(y, x)]
    size = sum(c * c for c in d) if norm == 'l2' else max(abs(c) for c in d)
    runner.equal(size, dist, what + ': the nearest point is at the distance')
    nearest = {label_of(lab) for lab, row in rows
               if distance(row, oracle.evaluate(row, x)) == dist
               and oracle.evaluate(row, y) == 0}
    runner.equal(reported, nearest, what + ': rows through the nearest point')
    runner.check(all(oracle.evaluate(row, y) >= 0 for _, row in rows),
                 what + ': the nearest point is in the closure')
    if any(r[0] == 'b' for r in reported):
        runner.check(got['neighbor'] is None, what + ': no neighbour beyond the box')
    else:
        runner.equal(got['neighbor'], oracle.code_along_ray(net, y, d),
                     what + ': neighbour')


def check_radius(runner, net, path, x, box, what):
    args = ['radius', path, '--point', point_arg(x)]
    if box is not None:
        args += oracle.box_args(box)
    got = runner.run_json(*args, what='radius ' + what)
    if got is None:
        return
    code, l2, linf, rows = oracle_radius(net, x, box)
    runner.equal(got['code'], code, what + ': code')
    if l2 is None:
        runner.check(got['l2_squared'] is None and got['nearest_l2'] is None,
                     what + ': no boundary')
        return
    runner.equal(Fraction(got['l2_squared']), l2, what + ': l2_squared')
    runner.equal(Fraction(got['linf']), linf, what + ': linf')
    check_nearest(runner, net, x, rows, l2, 'l2', got['nearest_l2'], what + ' l2')
    check_nearest(runner, net, x, rows, linf, 'linf', got['nearest_linf'], what + ' linf')


def hand_cases(runner):
    F = Fraction
    cross = oracle.load_pvnet(os.path.join(NETS, 'cross.pvnet'))
    cp = os.path.join(NETS, 'cross.pvnet')
    # along the hyperplane x1 = 0 through the origin: 00, then 01 after
    # t = 1/2, where the code 00 only reaches x2 = 0
    check_segment(runner, cross, cp, [F(0), F(-1)], [F(0), F(1)], 'cross along x1=0')
    got = runner.run_json('segment', cp, '--point', '0,-1', '--point', '0,1', what='segment')
    if got is not None:
        runner.equal([(b['t'], b['code']) for b in got['breakpoints']], [('1/2', '00')],
                     'cross along x1=0: the breakpoint (hand)')
        runner.equal([p['code'] for p in got['pieces']], ['00', '01'],
                     'cross along x1=0: the pieces (hand)')
    check_segment(runner, cross, cp, [F(-1), F(-1)], [F(1), F(1)], 'cross through the vertex')
    check_segment(runner, cross, cp, [F(1, 3), F(2)], [F(1, 3), F(2)], 'cross, X = Y')
    check_segment(runner, cross, cp, [F(0), F(0)], [F(1), F(1)], 'cross from the vertex')
    check_segment(runner, cross, cp, [F(-1), F(1)], [F(0), F(0)], 'cross to the vertex')
    # radius by hand: (1/2, 1/4) in cell 11 is 1/4 from x2 = 0 in both norms
    got = runner.run_json('radius', cp, '--point', '1/2,1/4', what='radius')
    if got is not None:
        runner.equal((got['l2_squared'], got['linf'], got['nearest_l2']['neurons'],
                      got['nearest_l2']['neighbor']), ('1/16', '1/4', [1], '10'),
                     'cross radius at (1/2,1/4) (hand)')
    for x in ([F(1, 2), F(1, 4)], [F(0), F(1, 3)], [F(0), F(0)], [F(-2), F(3)]):
        check_radius(runner, cross, cp, x, None, 'cross %s' % x)
        check_radius(runner, cross, cp, x, [(F(-4), F(4))] * 2, 'cross box %s' % x)
    for name in ('star3', 'duplicate', 'deep_coincide', 'parallel', 'dead', 'opposite'):
        path = os.path.join(NETS, name + '.pvnet')
        net = oracle.load_pvnet(path)
        m = net.input_dim
        rng = random.Random(name)
        origin = [F(0)] * m
        ends = [[F(rng.randint(-9, 9), 4) for _ in range(m)] for _ in range(3)]
        check_segment(runner, net, path, ends[0], [-v for v in ends[0]], name + ' through 0')
        check_segment(runner, net, path, ends[1], ends[2], name + ' random')
        check_segment(runner, net, path, origin, ends[2], name + ' from 0')
        for x in (ends[0], ends[1], origin):
            check_radius(runner, net, path, x, None, '%s %s' % (name, x))


def random_cases(runner, tmpdir):
    rng = random.Random(14)
    configs = [(2, [3]), (2, [4, 3]), (3, [4, 3]), (3, [3, 3, 2]), (4, [5, 4])]
    for index, (m, widths) in enumerate(configs):
        net = randnet.random_net(rng, m, widths, linear_out=index % 2 == 0,
                                 linear_hidden=2 if index == 3 else None)
        path = os.path.join(tmpdir, 'r%d.pvnet' % index)
        with open(path, 'w') as f:
            f.write(randnet.net_text(net, rng, 'random net %d' % index))
        for trial in range(4):
            x, y = randnet.random_point(rng, m), randnet.random_point(rng, m)
            check_segment(runner, net, path, x, y, 'random %d.%d' % (index, trial))
            check_radius(runner, net, path, x, None, 'random %d.%d' % (index, trial))
            check_radius(runner, net, path, x, [(F(-60), F(60))] * m,
                         'random %d.%d box' % (index, trial))


def bfs_depths(start, edges):
    """Facet-crossing distances from start over an undirected edge list."""
    nbr = {}
    for a, b in edges:
        nbr.setdefault(a, set()).add(b)
        nbr.setdefault(b, set()).add(a)
    depth, frontier = {start: 0}, [start]
    while frontier:
        nxt = []
        for c in frontier:
            for d in sorted(nbr.get(c, ())):
                if d not in depth:
                    depth[d] = depth[c] + 1
                    nxt.append(d)
        frontier = nxt
    return depth


def check_explore(runner, path, m, x, box, what):
    """explore in a bounded box against enumerate's full-dimensional cells and
    edges (the enumeration decides pairs by dim P(a) ∩ P(b), a different
    computation from crossing facets), and the depth-1 ball against the
    start cell's facet neighbours (cell --json)."""
    bargs = oracle.box_args(box)
    enum = runner.run_json('enumerate', path, *bargs, '--graph', 'json', what='enumerate ' + what)
    got = runner.run_json('explore', path, '--point', point_arg(x), *bargs, '--graph', 'json',
                          what='explore ' + what)
    if enum is None or got is None:
        return
    full = {c['code'] for c in enum['cell_list'] if c['dim'] == m}
    edges = {tuple(sorted((e['a'], e['b']))) for e in enum['edges']
             if e['a'] in full and e['b'] in full}
    runner.equal(sorted(c['code'] for c in got['cells']), sorted(full), what + ': explored cells')
    runner.equal({tuple(sorted(e)) for e in got['edges']}, edges, what + ': crossings')
    runner.check(got['complete'], what + ': complete')
    depth = bfs_depths(got['start'], edges)
    runner.equal({c['code']: c['depth'] for c in got['cells']}, depth, what + ': depths')
    order = [c['depth'] for c in got['cells']]
    runner.equal(order, sorted(order), what + ': breadth-first order')
    for c in got['cells']:
        pt = [Fraction(v) for v in c['point']]
        runner.equal(oracle.forward(oracle.load_pvnet(path), pt)[0], c['code'],
                     what + ': the point of ' + c['code'])
    one = runner.run_json('explore', path, '--point', point_arg(x), *bargs, '--max-depth', '1',
                          what='explore depth 1 ' + what)
    cell = runner.run_json('cell', path, '--code', got['start'], *bargs, what='cell ' + what)
    if one is not None and cell is not None:
        ball = {got['start']} | {f['neighbor'] for f in cell['facets'] if f['neighbor']}
        runner.equal({c['code'] for c in one['cells']}, ball, what + ': depth-1 ball')
        runner.equal(one['complete'], ball == full, what + ': depth-1 complete flag')
    if len(full) > 2:
        rc, out, _ = runner.run('explore', path, '--point', point_arg(x), *bargs,
                                '--max-cells', '2', '--json')
        part = None
        try:
            part = __import__('json').loads(out)
        except ValueError:
            pass
        runner.check(rc == 3 and part is not None and len(part['cells']) == 2
                     and not part['complete'], what + ': --max-cells 2 stops at 2, exit 3')


def explore_cases(runner, tmpdir):
    check_explore(runner, 'examples/demo.pvnet', 2, [F(1), F(1)], [(F(-2), F(2))] * 2, 'demo')
    for name in ('cross', 'star3', 'duplicate', 'parallel', 'opposite'):
        path = os.path.join(NETS, name + '.pvnet')
        m = oracle.load_pvnet(path).input_dim
        check_explore(runner, path, m, [F(1, 7)] * m, [(F(-3), F(3))] * m, name)
    rng = random.Random(41)
    for index, (m, widths) in enumerate([(2, [4, 3]), (3, [4, 3]), (2, [3, 3, 2])]):
        net = randnet.random_net(rng, m, widths)
        path = os.path.join(tmpdir, 'e%d.pvnet' % index)
        with open(path, 'w') as f:
            f.write(randnet.net_text(net, rng, 'random net %d' % index))
        x = [F(rng.randint(-100, 100), 97) for _ in range(m)]
        if 0 in oracle.forward(net, x)[2]:
            continue
        check_explore(runner, path, m, x, [(F(-2), F(2))] * m, 'random e%d' % index)


def shoelace2(poly):
    """Twice the signed area of a polygon [(x, y), ...]."""
    return sum(a[0] * b[1] - a[1] * b[0] for a, b in zip(poly, poly[1:] + poly[:1]))


def check_slice(runner, net, path, p, d1, d2, box, what, compare_enumerate):
    """enumerate --slice (the polygon walk): every cell's point has its code
    (Fraction forward pass on x = p + s d1 + t d2), each 2-cell's polygon
    vertices lie in its closure, the 2-cells' areas add up to the box's
    exactly, and for the identity slice of a 2-input net the cells and
    dimensions equal those of `enumerate --box` (the LP walk)."""
    arg = ','.join(oracle.fmt(v) for v in p + d1 + d2)
    bargs = oracle.box_args(box)
    got = runner.run_json('enumerate', path, '--slice', arg, *bargs, what='slice ' + what)
    if got is None:
        return
    m = net.input_dim

    def at(s, t):
        return [a + s * b + t * c for a, b, c in zip(p, d1, d2)]
    area = Fraction(0)
    for c in got['cell_list']:
        s, t = (Fraction(v) for v in c['point'])
        runner.equal(oracle.forward(net, at(s, t))[0], c['code'], what + ': code at the point of '
                     + c['code'])
        poly = [(Fraction(x), Fraction(y)) for x, y in c['polygon']]
        runner.equal(len(poly), {2: len(poly) if len(poly) >= 3 else -1, 1: 2, 0: 1}[c['dim']],
                     what + ': vertices of a dim-%d cell' % c['dim'])
        if c['dim'] == 2:
            area += shoelace2(poly)
            rows = oracle.signed_rows(net, c['code'])
            ok = all(oracle.evaluate(r, at(x, y)) >= 0 for x, y in poly for _, r, _ in rows)
            runner.check(ok, what + ': polygon of %s inside its closure' % c['code'])
    (lo0, hi0), (lo1, hi1) = box
    runner.equal(area, 2 * (hi0 - lo0) * (hi1 - lo1), what + ': the 2-cells tile the box')
    if compare_enumerate:
        ref = runner.run_json('enumerate', path, *bargs, what='enumerate ' + what)
        if ref is not None:
            runner.equal({c['code']: c['dim'] for c in got['cell_list']},
                         {c['code']: c['dim'] for c in ref['cell_list']},
                         what + ': cells and dimensions as enumerate --box')


def slice_cases(runner, tmpdir):
    ident = ([F(0), F(0)], [F(1), F(0)], [F(0), F(1)])
    for name in ('cross', 'star3', 'duplicate', 'parallel', 'opposite', 'dead', 'central',
                 'deep_coincide', 'fc223'):
        path = os.path.join(NETS, name + '.pvnet')
        net = oracle.load_pvnet(path)
        if net.input_dim == 2:
            for box in ([(F(-3), F(3))] * 2, [(F(-1, 2), F(2)), (F(-1), F(1, 3))]):
                check_slice(runner, net, path, *ident, box, '%s %s' % (name, box), True)
    check_slice(runner, oracle.load_pvnet('examples/demo.pvnet'), 'examples/demo.pvnet', *ident,
                [(F(-2), F(2))] * 2, 'demo', True)
    rng = random.Random(2024)
    for index, (m, widths) in enumerate([(2, [5, 4]), (2, [4, 4, 3]), (3, [5, 4]), (4, [4, 3])]):
        net = randnet.random_net(rng, m, widths, linear_out=True)
        path = os.path.join(tmpdir, 's%d.pvnet' % index)
        with open(path, 'w') as f:
            f.write(randnet.net_text(net, rng, 'random net %d' % index))
        if m == 2:
            check_slice(runner, net, path, *ident, [(F(-4), F(4))] * 2, 'random s%d' % index, True)
        pts = [randnet.random_point(rng, m) for _ in range(3)]
        p, d1, d2 = pts[0], [b - a for a, b in zip(pts[0], pts[1])], \
            [c - a for a, c in zip(pts[0], pts[2])]
        check_slice(runner, net, path, p, d1, d2, [(F(-1, 4), F(5, 4))] * 2,
                    'random s%d plane' % index, False)
        # --slice-points A,B,C is the same plane with the default box
        a = runner.run_json('enumerate', path, '--slice-points',
                            ','.join(oracle.fmt(v) for v in pts[0] + pts[1] + pts[2]),
                            what='slice-points')
        b = runner.run_json('enumerate', path, '--slice',
                            ','.join(oracle.fmt(v) for v in p + d1 + d2), '--box', '-1/4,5/4',
                            what='slice')
        runner.check(a is not None and a == b, 'random s%d: --slice-points = --slice' % index)


def arrangement_case(runner, tmpdir):
    """One ReLU layer of L lines in a box: the cells are the regions of a line
    arrangement, 1 + (lines through the open box) + (crossings inside it; over 3600 here) in
    general position (checked: no three lines concurrent, no crossing on the
    box boundary). Also the picture of those ~3000 cells (plot once crashed
    when its palette of distinct colours ran out)."""
    rng = random.Random(7)
    L, half = 130, Fraction(1)
    lines = [(Fraction(rng.randint(-9999, 9999), 997), Fraction(rng.randint(-9999, 9999), 991),
              Fraction(rng.randint(-5000, 5000), 7919)) for _ in range(L)]
    through = sum(1 for a, b, c in lines
                  if min(a * x + b * y + c for x in (-half, half) for y in (-half, half)) < 0
                  < max(a * x + b * y + c for x in (-half, half) for y in (-half, half)))
    crossings, generic = [], True
    for i in range(L):
        for j in range(i + 1, L):
            a1, b1, c1 = lines[i]
            a2, b2, c2 = lines[j]
            det = a1 * b2 - a2 * b1
            if det == 0:
                generic = False
                continue
            x, y = (b1 * c2 - b2 * c1) / det, (a2 * c1 - a1 * c2) / det
            if abs(x) == half or abs(y) == half:
                generic = False
            if abs(x) < half and abs(y) < half:
                crossings.append((x, y))
    generic = generic and len(set(crossings)) == len(crossings)
    net = oracle.Net(2, [oracle.Layer('relu', [[a, b] for a, b, _ in lines], [c for *_, c in lines])])
    path = os.path.join(tmpdir, 'lines.pvnet')
    with open(path, 'w') as f:
        f.write(randnet.net_text(net, rng, '%d random lines' % L))
    got = runner.run_json('enumerate', path, '--slice', '0,0,1,0,0,1', '--box', '-1,1',
                          what='arrangement')
    if got is not None and runner.check(generic, 'arrangement: the random lines are generic'):
        runner.equal(got['cells_by_dim'].get('2'), 1 + through + len(crossings),
                     'arrangement: regions = 1 + lines + crossings')
        runner.check(got['cells'] > 3600, 'arrangement: more cells than the old palette')
    png = os.path.join(tmpdir, 'lines.png')
    rc, out, err = runner.run('plot', path, '--box', '-1,1', '-o', png)
    runner.check(rc == 0 and os.path.getsize(png) > 1000,
                 'plot of %d lines: exit %d, %s' % (L, rc, err[:200]))


def plot_cases(runner, tmpdir):
    """plot --color class on a net with three outputs (and a slice of a
    3-input net with marked points), --size, and the refusal of a net
    without a final linear layer."""
    rng = random.Random(5)
    net = randnet.random_net(rng, 3, [5, 4])
    net = oracle.Net(3, net.layers + [oracle.Layer('linear', [[randnet.random_weight(rng)
                     for _ in range(4)] for _ in range(3)], [F(0)] * 3)])
    path = os.path.join(tmpdir, 'classes.pvnet')
    with open(path, 'w') as f:
        f.write(randnet.net_text(net, rng, 'three classes'))
    png = os.path.join(tmpdir, 'classes.png')
    pts = ','.join(oracle.fmt(v) for v in sum((randnet.random_point(rng, 3) for _ in range(3)), []))
    rc, out, err = runner.run('plot', path, '--slice-points', pts, '--color', 'class',
                              '--size', '640x480', '-o', png)
    runner.check(rc == 0 and 'wrote' in out, 'plot --color class: exit %d %r' % (rc, err[:200]))
    if rc == 0:
        with open(png, 'rb') as f:
            head = f.read(24)
        runner.equal((int.from_bytes(head[16:20], 'big'), int.from_bytes(head[20:24], 'big')),
                     (640, 480), 'plot --size 640x480')
    rc, out, err = runner.run('plot', 'examples/demo.pvnet', '--box', '-1,1', '--color', 'class',
                              '-o', png)
    runner.check(rc == 1 and 'final linear layer' in err, 'plot --color class refused: %r' % err)


VNNLIB = """; a property of a 2-input net
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const Y_0 Real)
(assert (<= X_0 0.75))
(assert (>= X_0 (- 0.5)))   ; a negative number, written as in SMT-LIB
(assert (and (<= -1/4 X_1) (<= X_1 1e-1)))
(assert (>= X_0 -2))        ; looser than -0.5: the tighter bound wins
(assert (or (and (>= Y_0 0.0))))
"""

INE = """* the box [-1/2, 3/4] x [-1/4, 1/10] as cddlib rows b + a.x >= 0
H-representation
begin
 4 3 rational
 1/2 1 0
 3/4 -1 0
 1/4 0 1
 1/10 0 -1
end
"""


def domain_cases(runner, tmpdir):
    """--domain from VNN-LIB and .ine files: the bounds read exactly (info
    --domain), cell --domain = cell --box with the same bounds, and clear
    refusals (file, line, what was expected) of what is not read. Domains
    with general linear rows: test_domain.py."""
    cp = os.path.join(NETS, 'cross.pvnet')
    expect_lo, expect_hi = ['-1/2', '-1/4'], ['3/4', '1/10']
    box = '-1/2,3/4,-1/4,1/10'
    for name, text in (('p.vnnlib', VNNLIB), ('p.ine', INE)):
        path = os.path.join(tmpdir, name)
        with open(path, 'w') as f:
            f.write(text)
        got = runner.run_json('info', cp, '--domain', path, what='info --domain ' + name)
        if got is not None:
            runner.equal((got['lo'], got['hi']), (expect_lo, expect_hi), name + ': bounds')
            runner.equal(got['output_constraints_ignored'], 1 if name.endswith('vnnlib') else 0,
                         name + ': output constraints counted')
        for code in ('11', '01', '00'):
            a = runner.run_json('cell', cp, '--code', code, '--domain', path, what='cell --domain')
            b = runner.run_json('cell', cp, '--code', code, '--box', box, what='cell --box')
            runner.check(a is not None and a == b, name + ': cell --domain = cell --box ' + code)
    bad = [
        ('(assert (<= X_0 1))\n(assert (>= X_0 0)\n', 'end of file', 'a missing parenthesis'),
        ('(assert (<= X_0 1))\n(assert (>= X_0 0))\n(assert (<= (* X_0 X_1) 1))\n', ':3:',
         'a nonlinear term'),
        ('(assert (<= X_7 1))\n', 'X_7', 'an input the net does not have'),
        ('(assert (<= X_0 abc))\n', ':1:', 'not a number'),
        ('(assert (< X_0 1))\n', ':1:', 'a strict comparison'),
        ('begin\n 1 3 rational\n 1 1\nend\n', ':3:', 'an .ine row with too few numbers'),
    ]
    for k, (text, needle, why) in enumerate(bad):
        path = os.path.join(tmpdir, 'bad%d.%s' % (k, 'ine' if text.startswith('begin') else 'vnnlib'))
        with open(path, 'w') as f:
            f.write(text)
        rc, out, err = runner.run('cell', cp, '--code', '11', '--domain', path)
        runner.check(rc == 1 and out == '' and needle in err and path in err,
                     'domain with %s: exit %d, %r' % (why, rc, err[:200]))
    rc, out, err = runner.run('cell', cp, '--code', '11', '--domain', path, '--box', '0,1')
    runner.check(rc != 0 and 'not both' in err, '--box and --domain together: %r' % err)


def csv_row_cases(runner, tmpdir):
    """--point FILE.csv:ROW counts rows as --points does: no header, blank or
    # lines; the label column skipped; --scale applied."""
    path = os.path.join(tmpdir, 'rows.csv')
    with open(path, 'w') as f:
        f.write('label,x1,x2\n# a comment\n\n7,1,2\n8,3,-4\n')
    cp = os.path.join(NETS, 'cross.pvnet')
    got = runner.run_json('radius', cp, '--point', path + ':1', '--label-column', '0',
                          '--scale', '1/2', what='radius FILE.csv:ROW')
    if got is not None:   # the point (3/2, -2): code 10, nearest x1 = 0 at 9/4
        runner.equal((got['code'], got['l2_squared']), ('10', '9/4'), 'FILE.csv:1 read as (3/2, -2)')
    rc, out, err = runner.run('radius', cp, '--point', path + ':2', '--label-column', '0')
    runner.check(rc == 1 and 'no row 2' in err and 'has 2 rows' in err, 'FILE.csv:2: %r' % err)


def cell_point_cases(runner, tmpdir):
    """cell --point X (x a search aid for the interior point, pulled towards
    the box's centre when it lies on box sides) states the facts of
    cell --code C for C the Fraction code of X, and its point is in the
    cell: the same code, no zero neuron, strictly inside the box."""
    rng = random.Random(1414)
    configs = [(2, [4, 3]), (3, [4, 3]), (4, [5, 4]), (3, [3, 3, 2])]
    keys = ('realized', 'dim', 'bounded', 'implicit_equalities', 'facets')
    for index, (m, widths) in enumerate(configs):
        net = randnet.random_net(rng, m, widths, linear_out=True)
        path = oracle.write_file(tmpdir, 'cp%d.pvnet' % index,
                                 randnet.net_text(net, rng, 'random net %d' % index))
        for trial in range(6):
            x = randnet.random_point(rng, m)
            code, zeros, _ = oracle.forward(net, x)
            if zeros:
                continue
            box = [(F(-60), F(60))] * m
            if trial % 2:           # x on the lower side of coordinate 0
                box = [(x[0], x[0] + 5)] + box[1:]
            bargs = oracle.box_args(box)
            what = 'cell --point, net %d trial %d' % (index, trial)
            got = runner.run_json('cell', path, '--point', point_arg(x), *bargs, what=what)
            ref = runner.run_json('cell', path, '--code', code, *bargs, what=what + ' (--code)')
            if got is None or ref is None:
                continue
            runner.equal(got['code'], code, what + ': the code of x')
            runner.equal({k: got[k] for k in keys}, {k: ref[k] for k in keys},
                         what + ': the facts of --code')
            p = [Fraction(v) for v in got['point']]
            pc, pz, _ = oracle.forward(net, p)
            runner.check(pc == code and not pz and
                         all(a < v < b for v, (a, b) in zip(p, box)),
                         what + ': its point %s is interior' % got['point'])


def high_dim_box_cases(runner, tmpdir):
    """Cells in a box in 40 and 90 dimensions (where the bent-ray probes and
    their float filter prove most box sides): the facet count is the number
    of irredundant rows lrslib's redund keeps of the closure, built by the
    oracle from the code (full-dimensional cells: no equations)."""
    if shutil.which('redund') is None:
        runner.check(False, 'redund (lrslib) is needed')
        return
    rng = random.Random(784)
    for index, (m, widths, half) in enumerate([(40, [12], 1), (90, [16, 6], 2)]):
        net = randnet.random_net(rng, m, widths)
        path = oracle.write_file(tmpdir, 'hd%d.pvnet' % index,
                                 randnet.net_text(net, rng, 'random net %d' % index))
        for trial in range(2):
            x = [Fraction(rng.randint(-90, 90), 100) * half for _ in range(m)]
            code, zeros, _ = oracle.forward(net, x)
            if zeros:
                continue
            box = [(F(-half), F(half))] * m
            what = 'm=%d box cell %d' % (m, trial)
            got = runner.run_json('cell', path, '--point', point_arg(x),
                                  *oracle.box_args(box), what=what)
            if got is None or got['dim'] != m:
                continue
            rows = [r for _, r, _ in oracle.signed_rows(net, code, box)]
            runner.equal(len(got['facets']), oracle.redund_inequality_count(m, rows, []),
                         what + ': facets = irredundant rows')


def bad_input(runner):
    cp = os.path.join(NETS, 'cross.pvnet')
    for args, why in (
            (['segment', cp, '--point', '1,2'], 'one point'),
            (['segment', cp, '--point', '1,2,3', '--point', '0,0'], 'wrong dimension'),
            (['radius', cp, '--point', '9,9', '--box', '-1,1'], 'outside the domain'),
            (['radius', cp, '--point', 'tests/nets/nope.csv:0'], 'missing CSV'),
            (['radius', cp, '--point', '1,x'], 'not a number'),
            (['explore', cp, '--code', '11', '--box', '-1,-1/2'], 'start not realised'),
            (['explore', cp, '--point', '1,1', '--code', '11'], 'two starts'),
            (['enumerate', cp, '--slice', '0,0,1,0,0,1'], 'slice without a box'),
            (['enumerate', cp, '--slice', '0,0,1,0'], 'slice too short'),
            (['enumerate', cp, '--slice-points', '0,0,1,0,0,1', '--certificate', '/tmp/x'],
             'slice with a certificate')):
        rc, out, err = runner.run(*args)
        runner.check(rc != 0 and out == '' and err.strip() != '',
                     'bad input (%s): exit %s, stdout %r, stderr %r' % (why, rc, out[:80], err[:200]))


F = Fraction


def main():
    runner = oracle.Runner(sys.argv[1])
    tmpdir = tempfile.mkdtemp(prefix='pv_local_')
    try:
        hand_cases(runner)
        random_cases(runner, tmpdir)
        explore_cases(runner, tmpdir)
        slice_cases(runner, tmpdir)
        arrangement_case(runner, tmpdir)
        plot_cases(runner, tmpdir)
        domain_cases(runner, tmpdir)
        csv_row_cases(runner, tmpdir)
        cell_point_cases(runner, tmpdir)
        high_dim_box_cases(runner, tmpdir)
        bad_input(runner)
    finally:
        shutil.rmtree(tmpdir)
    runner.finish()


if __name__ == '__main__':
    main()
