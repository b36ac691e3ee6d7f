"""End-to-end test of exact volumes: `cell --volume`, `enumerate --volumes`.

Every expected number comes from outside polyverify:
  1. Tiling. For random nets (tests/e2e/randnet.py, fixed seeds) with m = 2,
     3 and 4 in a box, the volumes of the full-dimensional cells add up to
     the box's volume, the product of its sides, exactly (also m = 5, 6,
     and the degenerate hand nets of tests/nets); so does
     "total_volume". Lower-dimensional cells have volume null.
  2. Each volume against lrs. The closure of each full-dimensional cell is
     built from the oracle's own layer recursion (tests/e2e/oracle.py, not
     from polyverify's .ine): lrs finds its vertices, and lrs's `volume`
     option (V-representation) gives its volume. For m = 2 also the
     shoelace formula on vertices found here (every pair of rows solved
     exactly, kept when feasible, ordered around their centroid by exact
     cross products). `cell --volume` is checked the same way on a sample.
  3. Hand values: an interval length (m = 1), a cube cut by two planes
     (m = 3: the simplex x + y + z <= 1 has volume 1/6, and the plane
     x = y halves it and its complement by symmetry), unbounded, empty and
     lower-dimensional cells (null, and the text says why), m = 7 (an error
     that says volumes go up to 6 inputs, nothing printed), the usage
     errors, and output without the option unchanged.

Usage: python3 tests/e2e/test_volume.py POLYVERIFY   (cwd = project root)
"""

import glob
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import randnet  # noqa: E402

LIGHT = bool(os.environ.get('PV_TEST_LIGHT'))


# ---------------------------------------------------------------------------
# Independent volumes
# ---------------------------------------------------------------------------

def run_lrs(text):
    with tempfile.NamedTemporaryFile('w', suffix='.ine', delete=False) as f:
        f.write(text)
        name = f.name
    try:
        p = subprocess.run(['lrs', name], capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(name)
    return p.stdout


def lrs_vertices(m, ineqs):
    """Vertices and rays lrs finds for rows (h, g) >= 0. lrs restarts in
    wider arithmetic on overflow and prints the header again: the last
    V-representation block is the answer."""
    out = run_lrs(oracle.ine_text(m, ineqs)).splitlines()
    lines = [l.strip() for l in out]
    k = len(lines) - 1 - lines[::-1].index('V-representation')
    while lines[k] != 'begin':
        k += 1
    verts, rays = [], []
    for l in lines[k + 2:]:
        if l == 'end':
            break
        v = [Fraction(t) for t in l.split()]
        (verts if v[0] == 1 else rays).append(tuple(v[1:]))
    return verts, rays


def lrs_volume(m, verts):
    """lrs's exact volume of the convex hull of verts (full-dimensional)."""
    text = ['pv', 'V-representation', 'begin', '%d %d rational' % (len(verts), m + 1)]
    text += ['1 ' + ' '.join(oracle.fmt(c) for c in v) for v in verts]
    text += ['end', 'volume']
    for line in run_lrs('\n'.join(text) + '\n').splitlines():
        if line.startswith('*Volume='):
            return Fraction(line[len('*Volume='):].split()[0])
    return None


def polygon_vertices(ineqs):
    """Vertices of the polygon { (h, g) >= 0 } in R^2: every pair of rows
    solved by Cramer's rule, kept when it satisfies every row."""
    found = set()
    for i in range(len(ineqs)):
        for j in range(i + 1, len(ineqs)):
            (h1, (a1, b1)), (h2, (a2, b2)) = ineqs[i], ineqs[j]
            det = a1 * b2 - a2 * b1
            if det == 0:
                continue
            x = (-h1 * b2 + h2 * b1) / det
            y = (-a1 * h2 + a2 * h1) / det
            if all(oracle.evaluate(r, (x, y)) >= 0 for r in ineqs):
                found.add((x, y))
    return list(found)


def shoelace(points):
    """Area of the convex polygon with these vertices: ordered around the
    centroid c by half-plane (above/below c) and then by the sign of the
    cross product, both exact."""
    n = len(points)
    cx = sum(p[0] for p in points) / n
    cy = sum(p[1] for p in points) / n

    def half(p):
        dx, dy = p[0] - cx, p[1] - cy
        return 0 if dy > 0 or (dy == 0 and dx > 0) else 1

    def cmp(p, q):
        if half(p) != half(q):
            return half(p) - half(q)
        cross = (p[0] - cx) * (q[1] - cy) - (p[1] - cy) * (q[0] - cx)
        return -1 if cross > 0 else (1 if cross < 0 else 0)

    import functools
    pts = sorted(points, key=functools.cmp_to_key(cmp))
    twice = sum(pts[k][0] * pts[(k + 1) % n][1] - pts[(k + 1) % n][0] * pts[k][1]
                for k in range(n))
    return abs(twice) / 2


def box_volume(box):
    v = Fraction(1)
    for lo, hi in box:
        v *= hi - lo
    return v


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

def check_against_lrs(r, net, code, box, got, what):
    """got (a Fraction) is the lrs volume of the oracle's closure of code;
    for m = 2 also its shoelace area."""
    m = net.input_dim
    ineqs = [row for _, row, _ in oracle.signed_rows(net, code, box)]
    verts, rays = lrs_vertices(m, ineqs)
    r.check(not rays, '%s: lrs finds rays in a boxed cell' % what)
    r.equal(got, lrs_volume(m, verts), '%s: volume vs lrs' % what)
    if m == 2:
        r.equal(got, shoelace(polygon_vertices(ineqs)), '%s: volume vs shoelace' % what)


def check_tiling(r, net, path, box, what):
    """enumerate --volumes on net in box: the full-dimensional cells' volumes
    add up to the box's volume, each agrees with lrs (and the shoelace),
    and lower-dimensional cells have none."""
    m = net.input_dim
    got = r.run_json('enumerate', path, *oracle.box_args(box), '--volumes', what=what)
    if got is None:
        return
    total, full, checked = Fraction(0), 0, 0
    for c in got['cell_list']:
        if c['dim'] != m:
            r.check('volume' in c and c['volume'] is None,
                    '%s cell %s (dim %d): volume null' % (what, c['code'], c['dim']))
            continue
        full += 1
        if not r.check(isinstance(c.get('volume'), str),
                       '%s cell %s: a volume string' % (what, c['code'])):
            continue
        v = Fraction(c['volume'])
        r.check(v > 0, '%s cell %s: volume > 0' % (what, c['code']))
        total += v
        if checked < (12 if LIGHT else 40):
            check_against_lrs(r, net, c['code'], box, v, '%s cell %s' % (what, c['code']))
            checked += 1
    r.equal(total, box_volume(box), '%s: the cells tile the box' % what)
    r.equal(got.get('total_volume'), oracle.fmt(box_volume(box)), '%s: total_volume' % what)
    print('%s: %d cells, %d full-dimensional, %d checked against lrs'
          % (what, len(got['cell_list']), full, checked))
    # cell --volume on a sample agrees with lrs too
    for c in [c for c in got['cell_list'] if c['dim'] == m][:2]:
        one = r.run_json('cell', path, '--code', c['code'], *oracle.box_args(box),
                         '--volume', what=what)
        if one is not None and r.check(isinstance(one.get('volume'), str),
                                       '%s: cell --volume gives a volume' % what):
            check_against_lrs(r, net, c['code'], box, Fraction(one['volume']),
                              '%s cell --volume %s' % (what, c['code']))
    return full


def test_tiling(r, tmp):
    """Random nets with m = 2, 3, 4 in a box with sides of several lengths."""
    cases = [(2, [6, 4], 11), (2, [8], 12), (2, [3, 3, 3], 13), (3, [5, 3], 21),
             (3, [6], 22), (4, [4, 2], 31), (5, [3, 2], 41), (6, [3], 51)]
    if LIGHT:
        cases = [(2, [6, 4], 11), (3, [4], 21)]
    for m, widths, seed in cases:
        rng = random.Random(seed)
        net = randnet.random_net(rng, m, widths)
        path = oracle.write_file(tmp, 'rand%d.pvnet' % seed,
                         randnet.net_text(net, rng, 'test_volume seed %d' % seed))
        box = [(Fraction(-2), Fraction(2)), (Fraction(-3, 2), Fraction(5, 2))] + \
              [(Fraction(-1), Fraction(2))] * (m - 2)
        full = check_tiling(r, net, path, box, 'seed %d (m = %d)' % (seed, m))
        r.check(full is None or full >= 6, 'seed %d: many full-dimensional cells' % seed)


def test_hand_nets(r):
    """The degenerate hand nets (coincident and parallel hyperplanes, dead
    neurons, a vertex on three lines) and the demo net, in [-2,2]^m."""
    for path in sorted(glob.glob('tests/nets/*.pvnet')) + ['examples/demo.pvnet']:
        if 'cdd_near' in path:
            continue
        net = oracle.load_pvnet(path)
        box = [(Fraction(-2), Fraction(2))] * net.input_dim
        check_tiling(r, net, path, box, path)


def volume_of_cell(r, path, code, *args):
    got = r.run_json('cell', path, '--code', code, '--volume', *args,
                     what='cell %s %s' % (path, code))
    return None if got is None else got.get('volume', 'missing')


def test_hand(r, tmp):
    # m = 1: z = x, x - 1, 2 - x (tests/nets/line1d.pvnet). In [-2, 3]:
    # code 101 is 0 < x <= 1 (length 1), 001 is -2 <= x <= 0 (length 2).
    line = 'tests/nets/line1d.pvnet'
    r.equal(volume_of_cell(r, line, '101', '--box', '-2,3'), '1', 'm = 1: (0, 1]')
    r.equal(volume_of_cell(r, line, '001', '--box', '-2,3'), '2', 'm = 1: [-2, 0]')
    r.equal(volume_of_cell(r, line, '001'), None, 'm = 1: x <= 0 is unbounded: null')
    # code 011 (x <= 0 and x > 1) is empty
    r.equal(volume_of_cell(r, line, '011'), None, 'empty cell: null')
    rc, out, _ = r.run('cell', line, '--code', '011', '--volume')
    r.check(rc == 0 and 'volume      none (the cell is empty)' in out, 'text: empty cell')
    rc, out, _ = r.run('cell', line, '--code', '001', '--volume')
    r.check(rc == 0 and 'volume      none (unbounded)' in out, 'text: unbounded cell')

    # m = 3: z0 = x + y + z - 1, z1 = x - y on [0,1]^3. The simplex
    # x + y + z <= 1 (1/6) and the rest (5/6) are each halved by x = y
    # (the swap of x and y maps the cube, the simplex and each half to the
    # other half).
    cut = oracle.write_file(tmp, 'cut3.pvnet', 'pvnet 1\ninput 3\nlayer relu 2\n1 1 1\n1 -1 0\n'
                    'bias -1 0\n')
    for code, want in (('00', '1/12'), ('01', '1/12'), ('10', '5/12'), ('11', '5/12')):
        r.equal(volume_of_cell(r, cut, code, '--box', '0,1'), want, 'cube cut: cell %s' % code)
    # one plane in the box [0,2] x [0,1] x [0,3] (volume 6), which holds the
    # whole simplex: 1/6 and 6 - 1/6
    one = oracle.write_file(tmp, 'one3.pvnet', 'pvnet 1\ninput 3\nlayer relu 1\n1 1 1\nbias -1\n')
    r.equal(volume_of_cell(r, one, '0', '--box', '0,2,0,1,0,3'), '1/6', 'simplex in a box')
    r.equal(volume_of_cell(r, one, '1', '--box', '0,2,0,1,0,3'), '35/6', 'its complement')
    got = r.run_json('enumerate', cut, '--box', '0,1', '--volumes', what='cube cut')
    if got:
        r.equal(sorted((c['code'], c['volume']) for c in got['cell_list'] if c['dim'] == 3),
                [('00', '1/12'), ('01', '1/12'), ('10', '5/12'), ('11', '5/12')],
                'enumerate --volumes: the cube cut')
        r.equal(got.get('total_volume'), '1', 'the cube cut: total 1')

    # unbounded: without a box the demo net's cell 0000|00 (x1, x2 <= 0 ...)
    demo = 'examples/demo.pvnet'
    r.equal(volume_of_cell(r, demo, '0000|00'), None, 'unbounded cell: null')
    got = r.run_json('enumerate', demo, '--volumes', what='demo without a box')
    if got:
        r.equal(got.get('total_volume'), None, 'no box: total_volume null')
    # lower-dimensional: star3's cell 000 in [-1,1]^2 is the point 0
    got = r.run_json('cell', 'tests/nets/star3.pvnet', '--code', '000', '--box', '-1,1',
                     '--volume', what='star3 000')
    if got:
        r.check(got['dim'] == 0 and got.get('volume', 'missing') is None,
                'lower-dimensional cell: null (dim %s)' % got['dim'])
    rc, out, _ = r.run('cell', 'tests/nets/star3.pvnet', '--code', '000', '--box', '-1,1',
                       '--volume')
    r.check(rc == 0 and 'volume      none (dim 0 < 2: measure zero)' in out,
            'text: lower-dimensional cell')
    # a flat box: every cell is lower-dimensional, the total is 0
    got = r.run_json('enumerate', demo, '--box', '-1,1,1/3,1/3', '--volumes', what='flat box')
    if got:
        r.check(all(c['volume'] is None for c in got['cell_list']), 'flat box: all null')
        r.equal(got.get('total_volume'), '0', 'flat box: total 0')

    # m = 7: an error saying why, nothing on stdout
    seven = oracle.write_file(tmp, 'seven.pvnet', 'pvnet 1\ninput 7\nlayer relu 1\n1 1 1 1 1 1 1\n'
                      'bias -1\n')
    for args in (['cell', seven, '--code', '0', '--box', '0,1', '--volume'],
                 ['enumerate', seven, '--box', '0,1', '--volumes']):
        rc, out, err = r.run(*args)
        r.check(rc == 1 and out == '' and 'volumes are computed for 1 to 6 inputs, not 7'
                in err, 'm = 7, %s: exit %d, %r' % (args[0], rc, err.strip()))


def test_cli(r, tmp):
    demo = 'examples/demo.pvnet'
    usage = [['cell', demo, '--code', '0000|00', '--volume', '--format', 'ine'],
             ['cell', demo, '--code', '0000|00', '--volume', '--certificate',
              os.path.join(tmp, 'c.cert')],
             ['cell', demo, '--code', '0000|00', '--volume', '--verify'],
             ['cell', demo, '--code', '0000|00', '--volumes'],
             ['enumerate', demo, '--box', '-1,1', '--volume'],
             ['enumerate', demo, '--box', '-1,1', '--volumes', '--verify'],
             ['enumerate', demo, '--box', '-1,1', '--volumes', '--graph', 'dot'],
             ['enumerate', demo, '--slice', '0,0,1,0,0,1', '--box', '0,1', '--volumes']]
    for args in usage:
        rc, _, err = r.run(*args)
        r.check(rc == 2, 'usage error %s: exit %d %s' % (args[2:], rc, err.strip()[:200]))
    # without the option the output is what it was: the same JSON less the
    # volume members, the same text less the volume lines
    for box in ([], ['--box', '-1,1']):
        base = r.run_json('cell', demo, '--code', '1000|10', *box)
        more = r.run_json('cell', demo, '--code', '1000|10', *box, '--volume')
        if base and more:
            r.check(more.pop('volume', 'missing') != 'missing' and more == base,
                    'cell --volume adds only "volume" %s' % box)
        _, t0, _ = r.run('cell', demo, '--code', '1000|10', *box)
        _, t1, _ = r.run('cell', demo, '--code', '1000|10', *box, '--volume')
        r.check(t1.startswith(t0) and t1[len(t0):].startswith('volume      '),
                'cell --volume adds one text line %s' % box)
    base = r.run_json('enumerate', demo, '--box', '-1,1')
    more = r.run_json('enumerate', demo, '--box', '-1,1', '--volumes')
    if base and more:
        r.equal(more.pop('total_volume', None), '4', 'demo in [-1,1]^2: total 4')
        for c in more['cell_list']:
            c.pop('volume')
        r.check(more == base, 'enumerate --volumes adds only volume members')
    _, t0, _ = r.run('enumerate', demo, '--box', '-1,1')
    _, t1, _ = r.run('enumerate', demo, '--box', '-1,1', '--volumes')
    l0, l1 = t0.splitlines(), t1.splitlines()
    r.check(len(l1) == len(l0) + 1 and l1[2] == 'volume      4 (total of the listed cells)'
            and all(b.startswith(a) for a, b in zip(l0[:2] + l0[2:], l1[:2] + l1[3:])),
            'enumerate --volumes text: a total line and a column')


def main():
    r = oracle.Runner(sys.argv[1])
    if not r.check(subprocess.run(['which', 'lrs'], capture_output=True).returncode == 0,
                   'lrs is installed (Debian lrslib)'):
        r.finish()
    with tempfile.TemporaryDirectory() as tmp:
        test_hand(r, tmp)
        test_cli(r, tmp)
        test_tiling(r, tmp)
    test_hand_nets(r)
    r.finish()


if __name__ == '__main__':
    main()
