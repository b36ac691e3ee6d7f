"""End-to-end tests of ONNX graphs of affine operators (issue 15, phase 1).

Models are written byte by byte (onnxwire via test_loaders' helpers):
Conv (1-D and 2-D, strides, pads, dilations, groups, auto_pad, bias or
not), BatchNormalization (var + epsilon a perfect square), AveragePool,
GlobalAveragePool, Transpose, Pad, Slice, Gather, Dropout, Cast, a
Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain and final heads.
Each is also evaluated here by an INDEPENDENT Fraction implementation of
the ONNX operators (direct loops over the NCHW indices, written from the
ONNX operator documents), and compared with

  * the network `polyverify convert` writes, run by an exact forward pass
    at random points (outputs and codes equal, Fraction for Fraction);
  * `polyverify code --point` at those points (the code);
  * `polyverify info --json` (input_dim, input_shape, output_head).

Refusals (fan-out into a residual Add, MaxPool, LeakyRelu, a Sigmoid
inside, a BatchNormalization whose var + epsilon is not a square) exit 1
with nothing on stdout and the node named.

Usage: python3 tests/e2e/test_onnx_affine.py /path/to/polyverify  (cwd = project root)
"""

import json
import os
import random
import struct
import sys
import tempfile
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from onnxwire import f_bytes, f_int  # noqa: E402
from test_loaders_more import forward  # noqa: E402
from test_loaders import PV, attr_f, attr_i, check, FAILURES, model, node, tensor, value_info  # noqa: E402

INT64_MAX = (1 << 63) - 1


def attr_ints(name, vs):
    return f_bytes(1, name) + b''.join(f_int(8, v) for v in vs) + f_int(20, 7)


def attr_s(name, s):
    return f_bytes(1, name) + f_bytes(4, s) + f_int(20, 3)


def f32(x):
    """The exact value of x rounded to float32."""
    return F(struct.unpack('<f', struct.pack('<f', x))[0])


def rnd_weights(rng, n, scale=1.0):
    """n float32 weights (quarters, so that hand checks stay readable)."""
    return [rng.randint(-8, 8) / 4 * scale for _ in range(n)]


# ---------------------------------------------------------------------------
# The reference: tensors are (shape, row-major list of Fractions)
# ---------------------------------------------------------------------------

def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def strides(shape):
    st, step = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        st[i] = step
        step *= shape[i]
    return st


def indices(shape):
    """Every multi-index of shape, row-major."""
    if not shape:
        yield ()
        return
    for i in range(shape[0]):
        for rest in indices(shape[1:]):
            yield (i,) + rest


def at(t, idx):
    shape, v = t
    return v[sum(i * s for i, s in zip(idx, strides(shape)))]


def conv(t, W, Wshape, B, strides_=None, pads=None, dil=None, group=1, auto=None):
    """ONNX Conv on [1, C, H, W] or [1, C, L] by direct loops."""
    shape, _ = t
    one_d = len(shape) == 3
    if one_d:   # [1, C, L] as [1, C, 1, L]
        t = ([1, shape[1], 1, shape[2]], t[1])
        Wshape = [Wshape[0], Wshape[1], 1, Wshape[2]]
        strides_ = [1] + (strides_ or [1])
        dil = [1] + (dil or [1])
        pads = [0, pads[0], 0, pads[1]] if pads else None
    _, C, H, Wd = t[0]
    M, cg, kh, kw = Wshape
    sh, sw = strides_ or [1, 1]
    dh, dw = dil or [1, 1]
    pt, pl, pb, pr = pads or [0, 0, 0, 0]
    if auto in ('SAME_UPPER', 'SAME_LOWER'):
        outs = []
        for n_, s_, d_, k_ in ((H, sh, dh, kh), (Wd, sw, dw, kw)):
            o = -(-n_ // s_)
            tot = max(0, (o - 1) * s_ + d_ * (k_ - 1) + 1 - n_)
            lo = tot // 2 if auto == 'SAME_UPPER' else tot - tot // 2
            outs.append((lo, tot - lo))
        (pt, pb), (pl, pr) = outs
        if one_d:
            pt = pb = 0
    OH = (H + pt + pb - dh * (kh - 1) - 1) // sh + 1
    OW = (Wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    out = []
    mg = M // group
    for m in range(M):
        for oh in range(OH):
            for ow in range(OW):
                s = B[m] if B else F(0)
                for c in range(cg):
                    cin = (m // mg) * cg + c
                    for i in range(kh):
                        for j in range(kw):
                            h, w = oh * sh - pt + i * dh, ow * sw - pl + j * dw
                            if 0 <= h < H and 0 <= w < Wd:
                                s += W[((m * cg + c) * kh + i) * kw + j] * at(t, (0, cin, h, w))
                out.append(s)
    return ([1, M, OW] if one_d else [1, M, OH, OW]), out


def avgpool(t, k, strides_, pads, count_pad=False):
    shape, _ = t
    C, H, Wd = shape[1], shape[2], shape[3]
    kh, kw = k
    sh, sw = strides_
    pt, pl, pb, pr = pads
    OH = (H + pt + pb - kh) // sh + 1
    OW = (Wd + pl + pr - kw) // sw + 1
    out = []
    for c in range(C):
        for oh in range(OH):
            for ow in range(OW):
                vals = [at(t, (0, c, oh * sh - pt + i, ow * sw - pl + j))
                        for i in range(kh) for j in range(kw)
                        if 0 <= oh * sh - pt + i < H and 0 <= ow * sw - pl + j < Wd]
                out.append(sum(vals, F(0)) / (kh * kw if count_pad else len(vals)))
    return [1, C, OH, OW], out


def batchnorm(t, scale, bias, mean, var, eps, sqrt):
    shape, v = t
    per = numel(shape[2:])
    return shape, [(x - mean[i // per]) * scale[i // per] / sqrt[i // per] + bias[i // per]
                   for i, x in enumerate(v)]


def transpose(t, perm):
    shape, _ = t
    r = [shape[p] for p in perm]
    return r, [at(t, tuple(idx[perm.index(a)] for a in range(len(shape)))) for idx in indices(r)]


def pad(t, pads):
    shape, _ = t
    n = len(shape)
    r = [shape[i] + pads[i] + pads[i + n] for i in range(n)]
    out = []
    for idx in indices(r):
        src = tuple(idx[i] - pads[i] for i in range(n))
        out.append(at(t, src) if all(0 <= s < d for s, d in zip(src, shape)) else F(0))
    return r, out


def relu(t):
    return t[0], [max(x, F(0)) for x in t[1]]


def matvec(t, W, rows, b):
    """Flattened t times W^T (rows x len) plus b."""
    v = t[1]
    return [1, rows], [sum((W[r * len(v) + j] * v[j] for j in range(len(v))), F(0)) + b[r]
                       for r in range(rows)]


def code_of(pre_relus):
    return ''.join('1' if x > 0 else '0' for t in pre_relus for x in t[1])


def run_case(pv, tmp, name, data, m, shape, head, ref, rng, points=6):
    """Loads the model, compares info, the converted net and codes with ref."""
    path = os.path.join(tmp, name + '.onnx')
    with open(path, 'wb') as f:
        f.write(data)
    rc, out, err = pv.run('info', path, '--json')
    if not check(rc == 0, '%s: info exit %d: %s' % (name, rc, err.strip())):
        return
    info = json.loads(out)
    check(info['input_dim'] == m, '%s: input_dim %s, expected %d' % (name, info['input_dim'], m))
    check(info['input_shape'] == shape, '%s: input_shape %r, expected %r' %
          (name, info['input_shape'], shape))
    check(info['output_head'] == head, '%s: output_head %r' % (name, info['output_head']))
    pvnet = os.path.join(tmp, name + '.pvnet')
    rc, _, err = pv.run('convert', path, '-o', pvnet)
    if not check(rc == 0, '%s: convert: %s' % (name, err.strip())):
        return
    with open(pvnet) as f:
        net = oracle.parse_pvnet(f.read())
    for _ in range(points):
        x = [F(rng.randint(-12, 12), 4) for _ in range(m)]
        want_code, want_out = ref(x)
        got_code, got_out = forward(net, x)
        check(got_out == want_out, '%s: outputs at %s differ: %s vs %s' %
              (name, x, got_out, want_out))
        check(got_code == want_code, '%s: codes at %s differ: %s vs %s' %
              (name, x, got_code, want_code))
        rc, out, err = pv.run('code', path, '--point', ','.join(str(v) for v in x), '--json')
        if check(rc == 0, '%s: code: %s' % (name, err.strip())):
            got = json.loads(out)
            got = got[0] if isinstance(got, list) else got
            check(got.get('code') == want_code, '%s: code --point %s: %r, expected %s' %
                  (name, x, got.get('code'), want_code))


def test_conv2d(pv, tmp, rng):
    """Conv 2-D, groups 2, strides [2, 1], pads, dilations [1, 2], bias;
    Relu; Flatten; Gemm; a final Softmax."""
    W = rnd_weights(rng, 4 * 1 * 3 * 3)
    B = rnd_weights(rng, 4)
    conv_out = 4 * 3 * 3     # OH = (5+1+1-3)//2+1 = 3, OW = (5+0+2-5)//1+1 = 3
    G = rnd_weights(rng, 3 * conv_out)
    gb = rnd_weights(rng, 3)
    nodes = [node('Conv', ['x', 'W', 'B'], ['c'], name='conv1',
                  attrs=[attr_i('group', 2), attr_ints('strides', [2, 1]),
                         attr_ints('pads', [1, 0, 1, 2]), attr_ints('dilations', [1, 2]),
                         attr_ints('kernel_shape', [3, 3])]),
             node('Relu', ['c'], ['r']),
             node('Flatten', ['r'], ['f']),
             node('Gemm', ['f', 'G', 'gb'], ['y'], attrs=[attr_i('transB', 1)]),
             node('Softmax', ['y'], ['p'], attrs=[attr_i('axis', 1)])]
    inits = [tensor('W', [4, 1, 3, 3], W), tensor('B', [4], B),
             tensor('G', [3, conv_out], G), tensor('gb', [3], gb)]
    data = model(nodes, inits, [value_info('x', ['N', 2, 5, 5])], [value_info('p', ['N', 3])])
    Wq, Bq, Gq, gq = ([F(v) for v in a] for a in (W, B, G, gb))

    def ref(x):
        c = conv(([1, 2, 5, 5], x), Wq, [4, 1, 3, 3], Bq, [2, 1], [1, 0, 1, 2], [1, 2], 2)
        check(c[0] == [1, 4, 3, 3], 'conv2d: reference shape %s' % c[0])
        return code_of([c]), matvec(relu(c), Gq, 3, gq)[1]
    run_case(pv, tmp, 'conv2d', data, 50, '[1, 2, 5, 5]', 'Softmax', ref, rng)


def test_conv1d_bn_pool(pv, tmp, rng):
    """Conv 1-D (auto_pad SAME_UPPER, stride 2, no bias) -> BatchNorm with
    var + eps perfect squares -> Relu -> Conv 1-D SAME_LOWER -> Relu ->
    AveragePool (as a 2-D net's would be) -> GlobalAveragePool -> Gemm."""
    W1 = rnd_weights(rng, 2 * 3 * 3)
    W2 = rnd_weights(rng, 2 * 2 * 2)
    # epsilon 1/4; var + eps = 1 and 9/4: square roots 1 and 3/2
    scale, bias, mean, var = [1.5, -0.5], [0.25, 1.0], [0.5, -1.0], [0.75, 2.0]
    nodes = [node('Conv', ['x', 'W1'], ['c1'], name='conv_a',
                  attrs=[attr_s('auto_pad', 'SAME_UPPER'), attr_ints('strides', [2])]),
             node('BatchNormalization', ['c1', 'sc', 'bi', 'mu', 'va'], ['bn'], name='bn1',
                  attrs=[attr_f('epsilon', 0.25)]),
             node('Relu', ['bn'], ['r1']),
             node('Conv', ['r1', 'W2'], ['c2'], name='conv_b',
                  attrs=[attr_s('auto_pad', 'SAME_LOWER')]),
             node('Relu', ['c2'], ['r2']),
             node('Unsqueeze', ['r2', 'ax'], ['u']),            # [1, 2, 1, L]
             node('AveragePool', ['u'], ['ap'], name='pool',
                  attrs=[attr_ints('kernel_shape', [1, 2]), attr_ints('strides', [1, 1]),
                         attr_ints('pads', [0, 1, 0, 0])]),
             node('GlobalAveragePool', ['ap'], ['gp']),
             node('Flatten', ['gp'], ['fl']),
             node('Gemm', ['fl', 'G', 'gb'], ['y'], attrs=[attr_i('transB', 1)])]
    G, gb = rnd_weights(rng, 2 * 2), rnd_weights(rng, 2)
    inits = [tensor('W1', [2, 3, 3], W1), tensor('W2', [2, 2, 2], W2),
             tensor('sc', [2], scale), tensor('bi', [2], bias), tensor('mu', [2], mean),
             tensor('va', [2], var), tensor('ax', [1], [2], dtype=7),
             tensor('G', [2, 2], G), tensor('gb', [2], gb)]
    data = model(nodes, inits, [value_info('x', [1, 3, 7])], [value_info('y', [1, 2])])
    q = lambda a: [F(v) for v in a]  # noqa: E731

    def ref(x):
        c1 = conv(([1, 3, 7], x), q(W1), [2, 3, 3], None, [2], auto='SAME_UPPER')
        bn = batchnorm(c1, q(scale), q(bias), q(mean), q(var), F(1, 4), [F(1), F(3, 2)])
        c2 = conv(relu(bn), q(W2), [2, 2, 2], None, auto='SAME_LOWER')
        r2 = relu(c2)
        ap = avgpool(([1, 2, 1, r2[0][2]], r2[1]), [1, 2], [1, 1], [0, 1, 0, 0])
        per = numel(ap[0][2:])
        gp = ([1, 2], [sum(ap[1][c * per:(c + 1) * per], F(0)) / per for c in range(2)])
        return code_of([bn, c2]), matvec(gp, q(G), 2, q(gb))[1]
    run_case(pv, tmp, 'conv1d_bn_pool', data, 21, '[1, 3, 7]', None, ref, rng)


def test_layout_ops(pv, tmp, rng):
    """NHWC input -> Transpose -> Pad (pads as an input) -> Relu -> Slice ->
    Gather (constant indices) -> Dropout -> Cast -> x.view(x.size(0), -1)
    as torch writes it (Shape, Gather, Unsqueeze, Concat, Reshape) ->
    MatMul + Add -> a final LogSoftmax."""
    nodes = [node('Transpose', ['x'], ['t'], attrs=[attr_ints('perm', [0, 3, 1, 2])]),
             node('Pad', ['t', 'pads'], ['p'], name='pad1'),
             node('Relu', ['p'], ['r']),
             node('Slice', ['r', 'st', 'en', 'axs'], ['s']),
             node('Gather', ['s', 'gi'], ['g'], attrs=[attr_i('axis', 1)]),
             node('Dropout', ['g'], ['d']),
             node('Cast', ['d'], ['cst'], attrs=[attr_i('to', 1)]),
             node('Shape', ['cst'], ['shp']),
             node('Gather', ['shp', 'zero'], ['n0'], attrs=[attr_i('axis', 0)]),
             node('Unsqueeze', ['n0', 'ax0'], ['n1']),
             node('Concat', ['n1', 'minus1'], ['newshape'], attrs=[attr_i('axis', 0)]),
             node('Reshape', ['cst', 'newshape'], ['flat']),
             node('MatMul', ['flat', 'M'], ['mm']),
             node('Add', ['mm', 'b'], ['y']),
             node('LogSoftmax', ['y'], ['ls'])]
    # x [1, 3, 4, 2] NHWC: H 3, W 4, C 2 -> [1, 2, 3, 4] -> pad H by (1, 0), W by (0, 1)
    # -> [1, 2, 4, 5] -> slice H from 1 -> [1, 2, 3, 5] -> gather channels [1, 0, 1]
    # -> [1, 3, 3, 5] -> 45 values
    Mw, bw = rnd_weights(rng, 45 * 2), rnd_weights(rng, 2)
    inits = [tensor('pads', [8], [0, 0, 1, 0, 0, 0, 0, 1], dtype=7),
             tensor('st', [1], [1], dtype=7), tensor('en', [1], [INT64_MAX], dtype=7),
             tensor('axs', [1], [2], dtype=7), tensor('gi', [3], [1, 0, -1], dtype=7),
             tensor('zero', [], [0], dtype=7), tensor('ax0', [1], [0], dtype=7),
             tensor('minus1', [1], [-1], dtype=7), tensor('M', [45, 2], Mw),
             tensor('b', [2], bw)]
    data = model(nodes, inits, [value_info('x', ['batch', 3, 4, 2])], [value_info('ls', ['batch', 2])])
    Mq, bq = [F(v) for v in Mw], [F(v) for v in bw]
    MT = [Mq[j * 2 + r] for r in range(2) for j in range(45)]

    def ref(x):
        t = transpose(([1, 3, 4, 2], x), [0, 3, 1, 2])
        p = pad(t, [0, 0, 1, 0, 0, 0, 0, 1])
        r = relu(p)
        sh = r[0]
        s = ([1, 2, 3, 5], [at(r, (0, c, h, w)) for c in range(2) for h in range(1, 4)
                            for w in range(5)])
        check(sh == [1, 2, 4, 5], 'layout: reference shape %s' % sh)
        g = ([1, 3, 3, 5], [at(s, (0, c, h, w)) for c in (1, 0, 1) for h in range(3)
                            for w in range(5)])
        return code_of([p]), matvec(g, MT, 2, bq)[1]
    run_case(pv, tmp, 'layout', data, 24, '[1, 3, 4, 2]', 'LogSoftmax', ref, rng)


def refused(pv, tmp, name, data, wanted):
    path = os.path.join(tmp, name + '.onnx')
    with open(path, 'wb') as f:
        f.write(data)
    rc, out, err = pv.run('info', path)
    check(rc == 1 and out == '' and all(w in err for w in wanted),
          'refused %s: rc %d, stdout %r, stderr %r (wanted %s)' % (name, rc, out, err.strip(),
                                                                   wanted))


def test_refusals(pv, tmp, rng):
    W = tensor('W', [2, 2], [1.0, 2.0, 3.0, 4.0])
    inp, out = [value_info('x', [1, 2])], [value_info('y', [1, 2])]
    img = [value_info('x', [1, 1, 4, 4])]
    refused(pv, tmp, 'max_of_two', model(
        [node('Relu', ['x'], ['r'], name='relu0'),
         node('MatMul', ['r', 'W'], ['h'], name='dense'),
         node('Max', ['h', 'r'], ['y'], name='mx')], [W], inp, out),
        ["'mx'", 'Max', 'not supported'])
    refused(pv, tmp, 'sigmoid_inside', model(
        [node('MatMul', ['x', 'W'], ['h']), node('Sigmoid', ['h'], ['s'], name='sig'),
         node('MatMul', ['s', 'W'], ['y'])], [W], inp, out),
        ["'sig'", 'Sigmoid', 'not piecewise linear'])
    # var + eps = 1 + float32(1e-5): not the square of a rational
    bn = [tensor(n_, [1], [v]) for n_, v in (('sc', 1.0), ('bi', 0.0), ('mu', 0.0), ('va', 1.0))]
    refused(pv, tmp, 'bn_not_square', model(
        [node('BatchNormalization', ['x', 'sc', 'bi', 'mu', 'va'], ['y'], name='bn_x')],
        bn, [value_info('x', [1, 1, 2, 2])], [value_info('y', [1, 1, 2, 2])]),
        ["'bn_x'", 'BatchNormalization', 'square'])
    refused(pv, tmp, 'conv_computed_weight', model(
        [node('Conv', ['x', 'x'], ['y'], name='cw')], [], img, [value_info('y', [1, 1, 1, 1])]),
        ["'cw'", 'Conv'])


def test_matmul_rows(pv, tmp, rng):
    """x [1, 2, 3] @ W [3, 4] -> Relu -> @ V [4, 1]: the same product on each
    of the example's two rows (numpy matmul), as sequence models write it;
    then W2 [2, 2] @ the [1, 2, 1] column per batch entry."""
    Ww, Vw, Uw = rnd_weights(rng, 12), rnd_weights(rng, 4), rnd_weights(rng, 4)
    nodes = [node('MatMul', ['x', 'W'], ['h']), node('Relu', ['h'], ['r']),
             node('MatMul', ['r', 'V'], ['c']), node('MatMul', ['U', 'c'], ['y'])]
    inits = [tensor('W', [3, 4], Ww), tensor('V', [4, 1], Vw), tensor('U', [2, 2], Uw)]
    data = model(nodes, inits, [value_info('x', [1, 2, 3])], [value_info('y', [1, 2, 1])])
    W, V, U = [F(v) for v in Ww], [F(v) for v in Vw], [F(v) for v in Uw]

    def ref(x):
        h = [sum((x[i * 3 + k] * W[k * 4 + j] for k in range(3)), F(0))
             for i in range(2) for j in range(4)]
        c = [sum((max(h[i * 4 + k], F(0)) * V[k] for k in range(4)), F(0)) for i in range(2)]
        y = [U[i * 2] * c[0] + U[i * 2 + 1] * c[1] for i in range(2)]
        return code_of([([1, 2, 4], h)]), y
    run_case(pv, tmp, 'matmul_rows', data, 6, '[1, 2, 3]', None, ref, rng)


def main():
    pv = PV(os.path.abspath(sys.argv[1]))
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        for f in (test_conv2d, test_conv1d_bn_pool, test_layout_ops, test_matmul_rows,
                  test_refusals):
            f(pv, tmp, rng)
    if FAILURES:
        print('%d failure(s)' % len(FAILURES))
        return 1
    print('test_onnx_affine: all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
