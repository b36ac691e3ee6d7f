"""End-to-end tests of `enumerate` (and `plot`, `adjacency-check
--enumerate`) on the nets and boxes it used to refuse or never finish
(issue 12, classes 3 and 5).

Every expected value comes from an independent reduction computed here
with Fractions, from the exact oracle (tests/e2e/oracle.py) or by hand;
none is copied from polyverify's output.

  * dead neurons (identically 0 on the box: a zero row and bias, deep
    neurons whose inputs are all off): the enumeration equals that of the
    same net with those neurons deleted (their rows and the next layer's
    columns), with a 0 bit inserted in every code — and every dimension
    agrees with the oracle; in 2-D the cells tile the box exactly;
  * flat boxes (lo = hi in some coordinates): the enumeration equals that
    of the net restricted here to the free coordinates (fixed coordinates
    substituted into the first layer's bias), codes and dimensions; every
    dimension agrees with `cell` on the same flat box and with the oracle;
    a one-point box has one cell of dimension 0, the point's code;
  * high dimension: one neuron in [-1,1]^m cuts the box into 2 cells (the
    hyperplane itself has code 0, like the closed negative side: by hand),
    two opposite neurons into 3 (01, 10 of dim m and 00 of dim m-1, the
    hyperplane); m up to 30 within a time bound. A 2-D hand net padded
    with 5 unused inputs has the cells of the 2-D net times [-1,1]^5
    (dimensions + 5), with and without --lp-only;
  * --max-cells 10 on a 10-64-64-1 He-initialised net returns in seconds.

Usage: python3 tests/e2e/test_enum_degenerate.py /path/to/polyverify
"""

import json
import os
import random
import sys
import tempfile
import time
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import Layer, Net, box_args, fmt  # noqa: E402
from randnet import random_net  # noqa: E402
import test_enumerate as te  # noqa: E402

NETS = os.path.join('tests', 'nets')
F = Fraction


def write_net(path, net):
    out = ['pvnet 1', 'input %d' % net.input_dim]
    for layer in net.layers:
        out.append('layer %s %d' % (layer.activation, len(layer.W)))
        out += [' '.join(fmt(w) for w in row) for row in layer.W]
        out.append('bias ' + ' '.join(fmt(b) for b in layer.bias))
    with open(path, 'w') as f:
        f.write('\n'.join(out) + '\n')


def enum(r, path, box, what, extra=(), timeout=120):
    """{code: dim} and {code: point} of `enumerate --json`, or None."""
    rc, out, err = r.run('enumerate', path, *box_args(box), '--json', *extra, timeout=timeout)
    if not r.check(rc == 0, '%s: enumerate exit %d: %s' % (what, rc, err.strip()[:300])):
        return None, None
    d = json.loads(out)
    r.equal(d['complete'], True, what + ' complete')
    cells = {c['code']: c['dim'] for c in d['cell_list']}
    return cells, {c['code']: oracle.fractions_of(c['point']) for c in d['cell_list']}


# ---------------------------------------------------------------------------
# Dead neurons
# ---------------------------------------------------------------------------

def delete_neurons(net, dead):
    """The net without the ReLU neurons in `dead` (global indices): their
    rows go, and so do the next layer's columns (their output is 0)."""
    layers, first = [], 0
    drop_cols = set()
    for layer in net.layers:
        n = len(layer.W) if layer.activation == 'relu' else 0
        keep = [i for i in range(len(layer.W))
                if layer.activation != 'relu' or first + i not in dead]
        W = [[w for j, w in enumerate(layer.W[i]) if j not in drop_cols] for i in keep]
        layers.append(Layer(layer.activation, W, [layer.bias[i] for i in keep]))
        drop_cols = {i for i in range(len(layer.W))
                     if layer.activation == 'relu' and first + i in dead}
        first += n
    return Net(net.input_dim, layers)


def insert_zero_bits(code, dead, n):
    bits, it = [], iter(code)
    for j in range(n):
        bits.append('0' if j in dead else next(it))
    return ''.join(bits)


def dead_nets(rng, half):
    """(name, net, dead neuron indices, box) with dead neurons built in:
    a zero row and bias; a first-layer neuron off on the whole box (bias
    below -sum|w| * half) feeding a second-layer neuron that reads only it
    (bias 0: identically 0 on the box); and several of both."""
    out = []
    for seed, m, widths, kinds in [(11, 2, [3, 3], 'z'), (12, 2, [3, 2], 'd'),
                                   (13, 2, [4, 3], 'zzd'), (14, 3, [3, 3], 'zd'),
                                   (15, 2, [2, 3, 2], 'dz')]:
        r2 = random.Random(seed)
        net = random_net(r2, m, widths)
        L1, L2 = net.layers[0], net.layers[1]
        dead1, dead2 = [], []        # indices within layers 1 and 2
        for kind in kinds:
            if kind == 'z':          # a zero row and bias in layer 1
                L1.W.append([F(0)] * m)
                L1.bias.append(F(0))
                for row in L2.W:
                    row.append(F(r2.randint(-5, 5), 2))
                dead1.append(len(L1.W) - 1)
            else:                    # an off neuron feeding a dead one
                w = [F(r2.randint(-6, 6), 3) or F(1) for _ in range(m)]
                L1.W.append(w)
                L1.bias.append(-sum(abs(x) for x in w) * half - 1)
                for row in L2.W:
                    row.append(F(0))
                L2.W.append([F(0)] * (len(L1.W) - 1) + [F(r2.randint(1, 5), 2)])
                L2.bias.append(F(0))
                dead2.append(len(L2.W) - 1)
                if len(net.layers) > 2:
                    for row in net.layers[2].W:
                        row.append(F(r2.randint(-5, 5), 2))
        # a layer-2 neuron reads only the newest layer-1 neuron: later
        # layer-1 additions append columns, so keep its reads pointing at
        # its own off neuron (zero rows added later get weight 0 here)
        n1 = len(L1.W)
        for i in dead2:
            row = L2.W[i]
            row.extend([F(0)] * (n1 - len(row)))
        dead = set(dead1) | {n1 + i for i in dead2}
        out.append(('dead-s%d-%s' % (seed, kinds), net, dead,
                    tuple((-half, half) for _ in range(m))))
    return out


def check_dead(r, tmp):
    for name, net, dead, box in dead_nets(random.Random(1), 2):
        n = oracle.relu_count(net)
        # the dead neurons really are 0 on the box: at the box corners and a
        # grid (a check of the construction, by the oracle's forward pass)
        for p in te.grid(box, 4):
            pre = oracle.forward(net, p)[2]
            r.check(all(pre[j] == 0 for j in dead), '%s: a dead neuron is not 0 at %s'
                    % (name, p))
        path = os.path.join(tmp, name + '.pvnet')
        write_net(path, net)
        reduced = delete_neurons(net, dead)
        rpath = os.path.join(tmp, name + '-reduced.pvnet')
        write_net(rpath, reduced)
        got, points = enum(r, path, box, name)
        want, _ = enum(r, rpath, box, name + ' (dead neurons deleted)')
        if got is None or want is None:
            continue
        print('%s: N = %d, dead %s, %d cells' % (name, n, sorted(dead), len(got)))
        want = {insert_zero_bits(c, dead, n): d for c, d in want.items()}
        r.equal(got, want, name + ': the cells of the net with the dead neurons deleted, '
                'a 0 bit inserted')
        for code, dim in got.items():
            r.equal(te.cell_dim(net, code, box), dim, '%s: oracle dim of %s' % (name, code))
            r.equal(oracle.forward(net, points[code])[0], code,
                    '%s: the point of %s has that code' % (name, code))
        if net.input_dim == 2:
            te.check_complete_2d(r, net, path, box,
                                 {'cells': got}, name, gridk=12)
        # --lp-only agrees, and so do adjacency-check --enumerate and plot
        slow, _ = enum(r, path, box, name + ' --lp-only', extra=('--lp-only',))
        r.equal(slow, got, name + ': --lp-only agrees')
        lem = r.run_json('adjacency-check', path, '--enumerate', *box_args(box),
                         what=name + ' adjacency-check --enumerate')
        if lem:
            r.equal(lem['cells'], len(got), name + ': adjacency-check --enumerate cells')
            r.equal(lem['general_position_checks']['no_zero_preactivation']['holds'], False,
                    name + ': a dead neuron is a zero pre-activation on every cell')
        if net.input_dim == 2:
            svg = os.path.join(tmp, name + '.svg')
            rc, out, err = r.run('plot', path, *box_args(box), '-o', svg)
            r.check(rc == 0 and os.path.exists(svg), '%s: plot exit %d: %s' % (name, rc, err))
            r.check(('%d cells' % len(got)) in out + err,
                    '%s: plot reports %d cells: %r' % (name, len(got), out + err))
    # the hand net of a pruned neuron: layer 1 x1, 0, x2 -> the 4 quadrants
    path = os.path.join(tmp, 'pruned.pvnet')
    with open(path, 'w') as f:
        f.write('pvnet 1\ninput 2\nlayer relu 3\n1 0\n0 0\n0 1\nbias 0 0 0\n')
    got, _ = enum(r, path, ((-1, 1), (-1, 1)), 'pruned')
    r.equal(got, {'000': 2, '001': 2, '100': 2, '101': 2}, 'pruned: 4 quadrants, bit 1 always 0')


# ---------------------------------------------------------------------------
# Flat boxes
# ---------------------------------------------------------------------------

def restrict(net, box):
    """The net on the free coordinates of box, fixed ones in the bias."""
    free = [i for i, (lo, hi) in enumerate(box) if F(lo) != F(hi)]
    L = net.layers[0]
    W = [[row[j] for j in free] for row in L.W]
    b = [L.bias[i] + sum(L.W[i][j] * F(box[j][0]) for j in range(net.input_dim)
                         if j not in free) for i in range(len(L.W))]
    return Net(len(free), [Layer(L.activation, W, b)] + net.layers[1:]), \
        tuple(box[j] for j in free)


def check_flat(r, tmp):
    cases = [(os.path.join(NETS, 'cross.pvnet'), ((0, 0), (-1, 1))),
             (os.path.join(NETS, 'star3.pvnet'), ((0, 0), (-1, 1))),
             (os.path.join(NETS, 'star3.pvnet'), ((-1, 1), (F(1, 2), F(1, 2)))),
             (os.path.join(NETS, 'opposite.pvnet'), ((-1, 1), (0, 0))),
             (os.path.join(NETS, 'dead.pvnet'), ((-1, 1), (0, 0)))]
    for seed, m, widths, fixed in [(21, 3, [3, 3], {1: F(1, 3)}), (22, 3, [4, 2], {0: F(-1, 2)}),
                                   (23, 4, [3, 3], {0: F(1, 4), 2: F(0)})]:
        net = random_net(random.Random(seed), m, widths)
        path = os.path.join(tmp, 'flat%d.pvnet' % seed)
        write_net(path, net)
        cases.append((path, tuple((fixed[i], fixed[i]) if i in fixed else (-2, 2)
                                  for i in range(m))))
    for path, box in cases:
        net = oracle.load_pvnet(path)
        what = '%s box %s' % (os.path.basename(path), box)
        got, points = enum(r, path, box, what)
        sub, subbox = restrict(net, box)
        spath = os.path.join(tmp, 'restricted.pvnet')
        write_net(spath, sub)
        want, _ = enum(r, spath, subbox, what + ' (restricted net)')
        if got is None or want is None:
            continue
        r.equal(got, want, what + ': the cells of the net restricted to the free coordinates')
        for code, dim in got.items():
            r.equal(te.cell_dim(net, code, box), dim, '%s: oracle dim of %s' % (what, code))
            p = points[code]
            r.check(all(F(lo) <= x <= F(hi) for x, (lo, hi) in zip(p, box)),
                    '%s: the point of %s is in the box' % (what, code))
            r.equal(oracle.forward(net, p)[0], code, '%s: the point of %s has that code'
                    % (what, code))
            c = r.run_json('cell', path, '--code', code, *box_args(box), what=what + ' cell')
            if c:
                r.equal(c['dim'], dim, '%s: `cell` on %s gives the same dim' % (what, code))
        if net.input_dim == 2:
            svg = os.path.join(tmp, 'flat.svg')
            rc, out, err = r.run('plot', path, *box_args(box), '-o', svg)
            r.check(rc == 0, '%s: plot on a flat box exit %d: %s' % (what, rc, err))
    # a one-point box: one cell, dim 0, the code of the point
    path = os.path.join(NETS, 'star3.pvnet')
    net = oracle.load_pvnet(path)
    for p in [(F(1, 3), F(-1, 5)), (F(0), F(0))]:
        box = tuple((x, x) for x in p)
        got, points = enum(r, path, box, 'star3 point box %s' % (p,))
        if got is not None:
            r.equal(got, {oracle.forward(net, list(p))[0]: 0}, 'star3 one-point box')
    rc, out, err = r.run('enumerate', path, '--box', '1,0,0,1')
    r.check(rc == 1 and err.startswith('polyverify:') and out == '',
            'LO > HI is still an error: %r' % err)


# ---------------------------------------------------------------------------
# High dimension
# ---------------------------------------------------------------------------

def one_neuron(m, opposite):
    w = [F((i % 5 + 1) * (-1 if i % 2 else 1)) for i in range(m)]
    c = F(1, 3)
    W, b = [w], [c]
    if opposite:
        W.append([-x for x in w])
        b.append(-c)
    return Net(m, [Layer('relu', W, b)])


def check_high_dim(r, tmp):
    times = []
    for m in [12, 13, 14, 16, 20, 25, 30]:
        for opposite in (False, True):
            path = os.path.join(tmp, 'one%d%s.pvnet' % (m, 'o' if opposite else ''))
            write_net(path, one_neuron(m, opposite))
            box = tuple((-1, 1) for _ in range(m))
            t = time.time()
            got, points = enum(r, path, box, 'one neuron m=%d%s' % (m, ' (+opposite)'
                               if opposite else ''), timeout=60)
            t = time.time() - t
            times.append('m=%d%s %.2fs' % (m, '+opp' if opposite else '', t))
            if got is None:
                continue
            # by hand: the hyperplane crosses the interior (|c| = 1/3 < sum |w|)
            want = {'01': m, '10': m, '00': m - 1} if opposite else {'0': m, '1': m}
            r.equal(got, want, 'one neuron m=%d%s: cells by hand' % (m, ' +opposite' if opposite else ''))
            r.check(t < 10, 'one neuron m=%d: %.1f s (bound 10 s)' % (m, t))
            if opposite and '00' in points:
                p = points['00']
                r.equal(sum(w * x for w, x in zip(one_neuron(m, False).layers[0].W[0], p)) + F(1, 3),
                        0, 'm=%d: the point of 00 is on the hyperplane' % m)
    print('one-neuron timings: ' + ', '.join(times))
    # 2-D hand nets padded with 5 inputs of weight 0: cells x [-1,1]^5
    for name in ['opposite', 'star3', 'dead', 'fc223', 'central', 'line1d']:
        src = os.path.join(NETS, name + '.pvnet')
        net = oracle.load_pvnet(src)
        box2 = tuple((-1, 1) for _ in range(net.input_dim))
        want, _ = enum(r, src, box2, name)
        L = net.layers[0]
        padded = Net(net.input_dim + 5, [Layer(L.activation, [row + [F(0)] * 5 for row in L.W],
                                               L.bias)] + net.layers[1:])
        path = os.path.join(tmp, 'pad_' + name + '.pvnet')
        write_net(path, padded)
        box = box2 + tuple((-1, 1) for _ in range(5))
        for extra in ((), ('--lp-only',)):
            got, _ = enum(r, path, box, 'padded ' + name + ' '.join(extra), extra=extra)
            if got is not None and want is not None:
                r.equal(got, {c: d + 5 for c, d in want.items()},
                        'padded %s %s: the 2-D cells times [-1,1]^5' % (name, ' '.join(extra)))


def he_net(rng, m, widths):
    layers, win = [], m
    for k, w in enumerate(widths + [1]):
        s = (2.0 / win) ** 0.5
        W = [[F(round(rng.gauss(0, s) * 1000), 1000) for _ in range(win)] for _ in range(w)]
        b = [F(round(rng.gauss(0, 0.1) * 1000), 1000) for _ in range(w)]
        layers.append(Layer('relu' if k < len(widths) else 'linear', W, b))
        win = w
    return Net(m, layers)


def check_max_cells(r, tmp):
    path = os.path.join(tmp, 'he10.pvnet')
    write_net(path, he_net(random.Random(7), 10, [64, 64]))
    for box in (tuple((-1, 1) for _ in range(10)), None):
        t = time.time()
        rc, out, err = r.run('enumerate', path, *box_args(box), '--max-cells', '10', '--json',
                             timeout=60)
        t = time.time() - t
        print('10-64-64-1 --max-cells 10%s: %.2f s' % (' in [-1,1]^10' if box else '', t))
        r.equal(rc, 3, '10-64-64-1 --max-cells 10 exit status (%s)' % err.strip()[:200])
        r.check(t < 30, '10-64-64-1 --max-cells 10 took %.1f s' % t)
        try:
            d = json.loads(out)
            r.equal((d['cells'], d['complete']), (10, False), '--max-cells 10 partial output')
            net = oracle.load_pvnet(path)
            for c in d['cell_list']:
                r.equal(oracle.forward(net, oracle.fractions_of(c['point']))[0], c['code'],
                        'a kept cell\'s point has its code')
        except ValueError:
            r.check(False, '--max-cells output is not JSON: %r' % out[:200])


def main():
    r = oracle.Runner(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        check_dead(r, tmp)
        check_flat(r, tmp)
        check_high_dim(r, tmp)
        check_max_cells(r, tmp)
    r.finish()


if __name__ == '__main__':
    main()
