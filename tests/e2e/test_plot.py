"""End-to-end tests of `plot`: the picture has one filled region per cell.

Cells are filled with distinct colours, so the number of distinct fill
colours in the SVG (black, used for labels and graph nodes, aside) must be
the number of full-dimensional cells, which is counted independently here:
the oracle's exact forward pass on a fine grid gives codes whose cells are
open (no pre-activation is 0 at the grid point), and tiling is checked in
test_enumerate.py. Also: PNG output, --slice (a 3-input net sliced on a
plane equals the 2-input net written by hand for that plane), --graph and
--highlight-disagreements on hand nets, and clear errors.

Markers (--points): their number and places are computed here from the
CSV (and, on a slice, from the exact projection of points built on and off
the plane with Fractions), mapped to pixels through the picture's frame,
and the PNG's pixels there are read back (a small PNG decoder, zlib). The
SVG (polyverify's own writer): valid XML, one element per cell whose ids
are the codes of an independent `enumerate` run on the same box or slice,
with titles, and the parts in their groups.

Usage: python3 tests/e2e/test_plot.py /path/to/polyverify  (cwd = root)
"""

import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import Layer, Net  # noqa: E402
from randnet import random_net, random_point, net_text  # noqa: E402

NETS = os.path.join('tests', 'nets')
SVG_NS = '{http://www.w3.org/2000/svg}'
# The marker colours of labels 0 and 1: Tableau's first two colours, as
# the README documents, 8-bit rounded.
TAB = {'0': (31, 120, 181), '1': (255, 128, 13), '2': (43, 161, 43)}
GROUPS = {'cells', 'decision-boundary', 'graph', 'codes', 'axes', 'slice-points',
          'points', 'legend'}


def svg_tree(r, path, what):
    """The parsed SVG, or None (a failure) when it is not well-formed XML."""
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        r.check(False, '%s: the SVG is not valid XML: %s' % (what, e))
        return None


def group(root, gid):
    return next((g for g in root.iter(SVG_NS + 'g') if g.get('id') == gid), None)


def cells_of(root):
    """The cell elements: (id, data-code, data-dim, title, element)."""
    out = []
    for e in root.iter():
        if e.get('class') == 'cell':
            t = e.find(SVG_NS + 'title')
            out.append((e.get('id'), e.get('data-code'), e.get('data-dim'),
                        t.text if t is not None else None, e))
    return out


def fill_colours(svg_path):
    """The distinct fills of the full-dimensional cells."""
    root = ET.parse(svg_path).getroot()
    return {e.get('fill') for (_, _, dim, _, e) in cells_of(root) if dim == '2'}


def frame(root):
    """The drawn box in pixels: (left, top, right, bottom), from the first
    path of the axes group (the frame, drawn from its top left)."""
    d = group(root, 'axes').find(SVG_NS + 'path').get('d')
    v = [float(t) for t in re.findall(r'-?[0-9.]+', d)]
    xs, ys = v[0::2], v[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def to_pixel(fr, box, p):
    (x0, x1), (y0, y1) = box
    left, top, right, bottom = fr
    return (left + float((p[0] - x0) / (x1 - x0)) * (right - left),
            bottom - float((p[1] - y0) / (y1 - y0)) * (bottom - top))


def paeth(a, b, c):
    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    pos, idat, width = 8, b'', 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            pred = (0, a, b, (a + b) // 2)[kind] if kind < 4 else paeth(a, b, c)
            line[i] = (line[i] + pred) & 255
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return width, height, rows


def hexrgb(t):
    return '#%02x%02x%02x' % t


def open_codes(net, box, k=60):
    """Codes of grid points where no pre-activation is 0 (full-dim cells)."""
    (x0, x1), (y0, y1) = box
    codes = set()
    for i in range(k + 1):
        for j in range(k + 1):
            p = (Fraction(x0) + (Fraction(x1) - Fraction(x0)) * Fraction(2 * i + 1, 2 * k + 2),
                 Fraction(y0) + (Fraction(y1) - Fraction(y0)) * Fraction(2 * j + 1, 2 * k + 2))
            code, zeros, _ = oracle.forward(net, p)
            if not zeros:
                codes.add(code)
    return codes


def plot(r, *args):
    rc, out, err = r.run('plot', *args)
    r.check(rc == 0, 'plot %s: exit %d, %s' % (args, rc, err.strip()[:300]))
    return out


def check_cross(r, tmp):
    svg = os.path.join(tmp, 'cross.svg')
    out = plot(r, os.path.join(NETS, 'cross.pvnet'), '--box', '-1,1', '-o', svg)
    r.check('4 cells' in out, 'cross: message %r' % out)
    r.equal(len(fill_colours(svg)), 4, 'cross: distinct fill colours = 4 quadrants')
    png = os.path.join(tmp, 'cross.png')
    plot(r, os.path.join(NETS, 'cross.pvnet'), '--box', '-1,1', '-o', png, '--graph')
    with open(png, 'rb') as f:
        r.equal(f.read(8), b'\x89PNG\r\n\x1a\n', 'PNG signature')
    out = plot(r, os.path.join(NETS, 'duplicate.pvnet'), '--box', '-2,2', '-o', svg,
               '--highlight-disagreements')
    # duplicate: the only adjacent pair is at Hamming distance 2
    r.check('1 adjacent pairs, 1 disagreements' in out, 'duplicate: message %r' % out)
    out = plot(r, os.path.join(NETS, 'star3.pvnet'), '--box', '-1,1', '-o', svg,
               '--graph', '--highlight-disagreements')
    # star3: 6 sectors (6 adjacent pairs) and the origin cell at d_H = 1 from 3
    r.check('7 cells (dim 2: 6, dim 1: 0, dim 0: 1), 6 adjacent pairs, 3 disagreements'
            in out, 'star3: message %r' % out)


def check_random(r, tmp):
    for seed, widths in [(401, [4, 3]), (402, [3, 3, 2])]:
        rng = random.Random(seed)
        net = random_net(rng, 2, widths)
        path = os.path.join(tmp, 'p%d.pvnet' % seed)
        with open(path, 'w') as f:
            f.write(net_text(net, rng, 'plot test %d' % seed))
        box = ((-2, 2), (-2, 2))
        svg = os.path.join(tmp, 'p%d.svg' % seed)
        out = plot(r, path, '--box', '-2,2', '-o', svg)
        m = re.search(r'dim 2: (\d+)', out)
        full = int(m.group(1)) if m else -1
        fills = len(fill_colours(svg))
        r.equal(fills, full, 'random %d: distinct fill colours = full-dimensional cells' % seed)
        # every open cell met by a fine grid is drawn (no more can be drawn
        # than exist; test_enumerate checks the tiling exactly)
        r.check(len(open_codes(net, box)) <= fills,
                'random %d: fewer colours than open cells on a grid' % seed)


def check_slice(r, tmp):
    """A 3-input net on the plane x3 = 1/2 is a 2-input net with bias b + w3/2."""
    rng = random.Random(501)
    net2 = random_net(rng, 2, [4, 3])
    first = net2.layers[0]
    w3 = [Fraction(rng.randint(-9, 9), 4) for _ in first.W]
    net3 = Net(3, [Layer(first.activation, [row + [c] for row, c in zip(first.W, w3)],
                         first.bias)] + net2.layers[1:])
    plane = Net(2, [Layer(first.activation, first.W,
                          [b + c / 2 for b, c in zip(first.bias, w3)])] + net2.layers[1:])
    p3, pp = os.path.join(tmp, 'n3.pvnet'), os.path.join(tmp, 'plane.pvnet')
    with open(p3, 'w') as f:
        f.write(net_text(net3, rng, 'three inputs'))
    with open(pp, 'w') as f:
        f.write(net_text(plane, rng, 'its plane x3 = 1/2'))
    a, b = os.path.join(tmp, 'slice.svg'), os.path.join(tmp, 'plane.svg')
    out_a = plot(r, p3, '--box', '-2,2', '--slice', '0,0,1/2,1,0,0,0,1,0', '-o', a)
    out_b = plot(r, pp, '--box', '-2,2', '-o', b)
    r.equal(out_a.split(':', 1)[-1], out_b.split(':', 1)[-1], 'slice = the plane net')
    r.equal(len(fill_colours(a)), len(fill_colours(b)), 'slice colours = plane colours')
    rc, out, err = r.run('plot', p3, '--box', '-2,2', '-o', a)
    r.check(rc == 1 and '--slice' in err, '3 inputs without --slice: %d %r' % (rc, err))


def csv_points(path, label_column=None):
    """The rows of a CSV file as (Fractions, label): '#' lines, blank lines
    and a first line without numbers (a header) skipped."""
    rows = []
    with open(path) as f:
        for line in f:
            t = line.strip()
            if not t or t.startswith('#'):
                continue
            fields = [x.strip() for x in t.split(',')]
            try:
                x = [Fraction(v) for k, v in enumerate(fields) if k != label_column]
            except ValueError:
                if rows:
                    raise
                continue
            rows.append((x, fields[label_column] if label_column is not None else None))
    return rows


def enumerate_codes(r, *args):
    """{code without '|': dim} from an independent run of enumerate."""
    got = r.run_json('enumerate', *args)
    if got is None:
        return {}
    return {c['code'].replace('|', ''): c['dim'] for c in got['cell_list']}


def check_cells_svg(r, root, expected, what):
    """One element per cell, ids = c- and the codes of `enumerate`, data-dim
    its dimensions, a title naming the code; the parts in known groups."""
    cells = cells_of(root)
    ids = [i for (i, _, _, _, _) in cells]
    r.equal(len(ids), len(set(ids)), '%s: cell ids are distinct' % what)
    r.equal({i[2:] for i in ids if i and i.startswith('c-')}, set(expected),
            '%s: cell ids = the codes of enumerate' % what)
    r.equal({i[2:]: int(d) for (i, _, d, _, _) in cells}, expected,
            '%s: data-dim = the dimensions of enumerate' % what)
    r.check(all(t and t.startswith('code ' + c) and c.replace('|', '') == i[2:]
                for (i, c, _, t, _) in cells), '%s: titles name the codes' % what)
    tops = [g.get('id') for g in root if g.tag == SVG_NS + 'g']
    r.check(set(tops) <= GROUPS and len(tops) == len(set(tops)) and 'cells' in tops
            and 'axes' in tops, '%s: top-level groups %r' % (what, tops))
    return cells


def check_svg_cells(r, tmp):
    """The SVG's cells against enumerate on a box (with a vertex cell) and
    with --color class (a segment cell; the classes by hand)."""
    svg = os.path.join(tmp, 'star3.svg')
    star3 = os.path.join(NETS, 'star3.pvnet')
    plot(r, star3, '--box', '-1,1', '-o', svg)
    root = svg_tree(r, svg, 'star3')
    if root is not None:
        check_cells_svg(r, root, enumerate_codes(r, star3, '--box', '-1,1'), 'star3')
    # opposite: z0 = x1 + x2, z1 = -z0, outputs (2, -1, 1) z0+ and
    # (-1, 1, -1) z1+: cell 10 is class 0, cell 01 class 1, 00 the line
    opp = os.path.join('examples', 'walkthrough', 'opposite.pvnet')
    svg = os.path.join(tmp, 'opposite.svg')
    plot(r, opp, '--box', '-2,2', '--color', 'class', '-o', svg)
    root = svg_tree(r, svg, 'opposite')
    if root is not None:
        cells = check_cells_svg(r, root, enumerate_codes(r, opp, '--box', '-2,2'), 'opposite')
        titles = sorted(t for (_, _, _, t, _) in cells)
        r.equal(titles, ['code 00 (dim 1)', 'code 01 (class 1)', 'code 10 (class 0)'],
                'opposite: titles with the classes')
        r.check(group(root, 'decision-boundary') is not None and group(root, 'legend') is not None,
                'opposite: decision boundary and legend groups')


def markers_of(root):
    g = group(root, 'points')
    return [] if g is None else list(g.iter(SVG_NS + 'circle'))


def check_marker_pixels(r, png, markers, colour, what):
    """The PNG's pixel at each marker's centre has its colour (None: skip)."""
    w, h, rows = read_png(png)
    for e in markers:
        want = colour(e)
        if want is None:
            continue
        cx, cy = float(e.get('cx')), float(e.get('cy'))
        got = rows[int(cy)][int(cx)]
        r.check(got != want[1] if want[0] == 'not' else got == want,
                '%s: pixel at marker %s (%.1f, %.1f): %r, expected %s'
                % (what, e.get('data-row'), cx, cy, got, want))


def check_points_2d(r, tmp):
    """examples/demo_points.csv on the demo net: a marker per point in the
    box at its place, coloured by label, in the SVG and in the PNG."""
    net, csv = os.path.join('examples', 'demo.pvnet'), os.path.join('examples', 'demo_points.csv')
    box = ((Fraction(-3, 2), Fraction(3, 2)),) * 2
    pts = csv_points(csv, 2)
    inside = [(k, x, lab) for k, (x, lab) in enumerate(pts)
              if all(lo <= v <= hi for v, (lo, hi) in zip(x, box))]
    outs = {}
    for ext in ('svg', 'png'):
        outs[ext] = os.path.join(tmp, 'points.' + ext)
        rc, out, err = r.run('plot', net, '--box', '-3/2,3/2', '--points', csv,
                             '--label-column', '2', '-o', outs[ext])
        r.check(rc == 0 and ('%d of %d points lie outside the box' % (len(pts) - len(inside), len(pts)))
                in err, 'points: exit %d, stderr %r' % (rc, err[:300]))
    got = r.run_json('plot', net, '--box', '-3/2,3/2', '--points', csv, '--label-column', '2',
                     '-o', outs['svg'])
    if got:
        r.equal((got['points'], got['points_outside'], got['points_off_plane']),
                (len(pts), len(pts) - len(inside), 0), 'points: JSON counts')
    root = svg_tree(r, outs['svg'], 'points')
    if root is None:
        return
    markers, fr = markers_of(root), frame(root)
    r.equal([int(e.get('data-row')) for e in markers], [k for (k, _, _) in inside],
            'points: a marker per point in the box, in order')
    for e, (k, x, lab) in zip(markers, inside):
        ex, ey = to_pixel(fr, box, x)
        r.check(abs(float(e.get('cx')) - ex) < 0.02 and abs(float(e.get('cy')) - ey) < 0.02,
                'points: row %d at (%s, %s), expected (%.2f, %.2f)'
                % (k, e.get('cx'), e.get('cy'), ex, ey))
        r.equal((e.get('fill'), e.get('data-label')), (hexrgb(TAB[lab]), lab),
                'points: row %d colour and label' % k)
    colour = lambda e: TAB[e.get('data-label')]
    check_marker_pixels(r, outs['png'], markers, colour, 'points PNG')
    legend = [t.text for t in group(root, 'legend').iter(SVG_NS + 'text')]
    r.equal(legend, ['label 0', 'label 1'], 'points: the legend')
    if shutil.which('rsvg-convert'):        # the SVG shows the same markers
        png = os.path.join(tmp, 'points-rsvg.png')
        subprocess.run(['rsvg-convert', '-b', 'white', '-o', png, outs['svg']], check=True)
        check_marker_pixels(r, png, markers, colour, 'points SVG rendered by rsvg-convert')


def cross(u, v):
    return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]


def check_points_slice(r, tmp):
    """A 3-input net on the plane through rows 0, 1, 2 of the CSV: points
    built as A + s D1 + t D2 (+ a multiple of the normal D1 x D2, off the
    plane) are drawn at (s, t), filled on the plane, hollow off it."""
    rng = random.Random(601)
    net = random_net(rng, 3, [5, 4])
    path = os.path.join(tmp, 'slice3.pvnet')
    with open(path, 'w') as f:
        f.write(net_text(net, rng, 'points on a slice'))
    while True:
        A, B, C = (random_point(rng, 3) for _ in range(3))
        D1 = [b - a for a, b in zip(A, B)]
        D2 = [c - a for a, c in zip(A, C)]
        n = cross(D1, D2)
        if any(n):
            break
    # (s, t, multiple of n, label); the plane's box is [-1/4, 5/4]^2
    rows = [(0, 0, 0, '0'), (1, 0, 0, '1'), (0, 1, 0, '2'), (Fraction(1, 2), Fraction(1, 3), 0, '0'),
            (Fraction(1, 4), Fraction(3, 4), Fraction(1, 5), '1'), (3, 3, 0, '2'),
            (Fraction(-1, 8), Fraction(1, 2), 1, '0')]
    csv = os.path.join(tmp, 'slice3.csv')
    with open(csv, 'w') as f:
        f.write('x1,x2,x3,label\n')
        for s_, t_, c_, lab in rows:
            x = [a + s_ * d1 + t_ * d2 + c_ * nn for a, d1, d2, nn in zip(A, D1, D2, n)]
            f.write(','.join(oracle.fmt(v) for v in x) + ',' + lab + '\n')
    box = ((Fraction(-1, 4), Fraction(5, 4)),) * 2
    args = ['--slice-points', csv + ':0,1,2', '--label-column', '3']
    outs = {ext: os.path.join(tmp, 'slice3.' + ext) for ext in ('svg', 'png')}
    for o in outs.values():
        plot(r, path, *args, '--points', csv, '-o', o)
    got = r.run_json('plot', path, *args, '--points', csv, '-o', outs['svg'])
    if got:
        r.equal((got['points'], got['points_outside'], got['points_off_plane']), (7, 1, 2),
                'slice points: JSON counts')
    root = svg_tree(r, outs['svg'], 'slice points')
    if root is None:
        return
    check_cells_svg(r, root, enumerate_codes(r, path, *args), 'slice points')
    markers, fr = markers_of(root), frame(root)
    drawn = [k for k, (s_, t_, _, _) in enumerate(rows) if max(s_, t_) <= Fraction(5, 4)]
    r.equal([int(e.get('data-row')) for e in markers], drawn, 'slice points: markers')
    for e, k in zip(markers, drawn):
        s_, t_, c_, lab = rows[k]
        ex, ey = to_pixel(fr, box, (s_, t_))
        r.check(abs(float(e.get('cx')) - ex) < 0.02 and abs(float(e.get('cy')) - ey) < 0.02,
                'slice points: row %d at (%s, %s), expected (%.2f, %.2f)'
                % (k, e.get('cx'), e.get('cy'), ex, ey))
        r.equal((e.get('class'), e.get('fill') == 'none'),
                ('point off-plane' if c_ else 'point', bool(c_)), 'slice points: row %d hollow' % k)
    # filled: the label's colour at the centre; hollow: the cell shows through
    colour = lambda e: ('not', TAB[e.get('data-label')]) if e.get('fill') == 'none' \
        else TAB[e.get('data-label')]
    check_marker_pixels(r, outs['png'], markers, colour, 'slice points PNG')


def check_points_errors(r, tmp):
    """Bad --points: a clear error, exit 1, no picture."""
    out = os.path.join(tmp, 'never.svg')
    demo = os.path.join('examples', 'demo.pvnet')
    three = os.path.join(tmp, 'three.csv')
    with open(three, 'w') as f:
        f.write('1,2,3\n4,5,6\n')
    two = os.path.join(tmp, 'two.csv')
    with open(two, 'w') as f:
        f.write('1,2\n')
    cases = [([demo, '--box', '-1,1', '--points', three], 'expected 2 columns'),
             ([demo, '--box', '-1,1', '--points', os.path.join(tmp, 'missing.csv')], 'missing.csv'),
             ([os.path.join(NETS, 'cdd_near_parallel1.pvnet'), '--slice-points',
               '0,0,0,1,0,0,0,1,0', '--points', two], 'expected 3 columns')]
    for args, why in cases:
        rc, o, err = r.run('plot', *args, '-o', out)
        r.check(rc == 1 and why in err and o == '' and not os.path.exists(out),
                'bad --points %s: exit %d, %r' % (args[-1], rc, err[:200]))


def check_odd_labels(r, tmp):
    """Labels are the user's text: XML specials escaped, a byte that is no
    UTF-8 (and a control character) drawn as '?'; both outputs written."""
    csv = os.path.join(tmp, 'odd.csv')
    with open(csv, 'wb') as f:
        f.write(b'0.5,0.5,a<&"b\n-0.5,0.5,\xff\x01z\n')
    for ext in ('svg', 'png'):
        out = os.path.join(tmp, 'odd.' + ext)
        rc, o, err = r.run('plot', os.path.join('examples', 'demo.pvnet'), '--box', '-1,1',
                           '--points', csv, '--label-column', '2', '-o', out)
        r.check(rc == 0 and os.path.exists(out), 'odd labels %s: exit %d, %r' % (ext, rc, err[:200]))
    root = svg_tree(r, os.path.join(tmp, 'odd.svg'), 'odd labels')
    if root is not None:
        r.equal(sorted(e.get('data-label') for e in markers_of(root)), ['??z', 'a<&"b'],
                'odd labels: the labels in the SVG')


def check_errors(r, tmp):
    path = os.path.join(NETS, 'cross.pvnet')
    rc, out, err = r.run('plot', path, '--box', '-1,1')
    r.equal(rc, 2, 'plot without -o is a usage error')
    rc, out, err = r.run('plot', path, '-o', os.path.join(tmp, 'x.svg'))
    r.equal(rc, 2, 'plot without --box is a usage error')
    rc, out, err = r.run('plot', path, '--box', '-1,1', '-o', os.path.join(tmp, 'x.jpg'))
    r.check(rc == 1 and '.svg or .png' in err, 'bad suffix: %r' % err)
    rc, out, err = r.run('plot', '--help')
    r.check(rc == 0 and '--slice' in out, 'plot --help')


def main():
    r = oracle.Runner(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        check_cross(r, tmp)
        check_random(r, tmp)
        check_slice(r, tmp)
        check_errors(r, tmp)
        check_svg_cells(r, tmp)
        check_points_2d(r, tmp)
        check_points_slice(r, tmp)
        check_points_errors(r, tmp)
        check_odd_labels(r, tmp)
    r.finish()


if __name__ == '__main__':
    main()
