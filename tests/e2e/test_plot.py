"""End-to-end tests of `plot`: the picture has one filled region per cell.

Cells are filled with distinct colours, so the number of distinct fill
colours in the SVG (black, used for labels and graph nodes, aside) must be
the number of full-dimensional cells, which is counted independently here:
the oracle's exact forward pass on a fine grid gives codes whose cells are
open (no pre-activation is 0 at the grid point), and tiling is checked in
test_enumerate.py. Also: PNG output, --slice (a 3-input net sliced on a
plane equals the 2-input net written by hand for that plane), --graph and
--highlight-disagreements on hand nets, and clear errors.

Usage: python3 tests/e2e/test_plot.py /path/to/polyverify  (cwd = root)
"""

import os
import random
import re
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import Layer, Net  # noqa: E402
from randnet import random_net, net_text  # noqa: E402

NETS = os.path.join('tests', 'nets')
BLACK = 'rgb(0%,0%,0%)'


def fill_colours(svg_path):
    with open(svg_path) as f:
        text = f.read()
    return set(re.findall(r'fill:(rgb\([^)]*\))', text)) - {BLACK}


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
    r.finish()


if __name__ == '__main__':
    main()
