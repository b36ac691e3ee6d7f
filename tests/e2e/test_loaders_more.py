"""End-to-end tests of the loader work of issue 12: .nnet dialects, gzip,
Git LFS pointers, ONNX input shapes and ONNX broadcasting.

Every expected network or value below is written out by hand (or read from
the file by this script's own reader, following the reference reader's
rules), never copied from polyverify's output:

  * .nnet dialects: tests/nets/nvjl_small_nnet.nnet (NeuralVerification.jl
    dialect: numLayers alone, five skipped lines, no normalisation) and
    tests/nets/nvjl_spiky_nnet.nnet (standard header written by that
    package, flag line 'This line extraneous') are read here the way
    NeuralVerification.jl's read_nnet reads them, compared weight by weight
    with `polyverify convert`, and checked at points whose forward pass was
    computed by hand; a file mixing the dialects is refused as ambiguous;
  * gzip: `convert` of a gzipped file (by name or not, one or two members)
    writes the same .pvnet as the plain file; a real zip bomb (1 GiB + 1
    zero bytes, about 1 MB compressed) is refused with a message;
  * Git LFS pointers: the message, whatever the extension;
  * ONNX input shapes: [25, 5] is refused saying what is supported;
  * ONNX broadcasting (numpy rules): each accepted case against the network
    it computes by hand, each refused case with the node and the shapes.

Usage: python3 tests/e2e/test_loaders_more.py /path/to/polyverify  (cwd = project root)
"""

import gzip
import json
import os
import sys
import tempfile
import time
import zlib
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from test_loaders import (PV, attr_f, attr_i, check, FAILURES, model, node,  # noqa: E402
                          same_net, tensor, value_info, write)

NETS = os.path.join('tests', 'nets')
VALID = os.path.join('tests', 'bad', 'valid')
DATA = os.path.join('..', 'shared', 'data')


def convert(pv, path, tmp, name='x.pvnet'):
    """The .pvnet text `polyverify convert` writes, or None."""
    out = os.path.join(tmp, name)
    if os.path.exists(out):
        os.unlink(out)
    rc, _, err = pv.run('convert', path, '-o', out)
    if not check(rc == 0, 'convert %s: exit %d: %s' % (path, rc, err.strip())):
        return None
    with open(out) as f:
        return f.read()


def converted_net(pv, path, tmp):
    text = convert(pv, path, tmp)
    return None if text is None else oracle.parse_pvnet(text)


def forward(net, x):
    """(code, output) by an exact forward pass."""
    a, code = [F(v) for v in x], ''
    for layer in net.layers:
        z = [sum((w * v for w, v in zip(row, a)), F(0)) + b
             for row, b in zip(layer.W, layer.bias)]
        if layer.activation == 'relu':
            code += ''.join('1' if v > 0 else '0' for v in z)
            a = [max(v, F(0)) for v in z]
        else:
            a = z
    return code, a


def describe(net):
    return net and [(l.activation, l.W, l.bias) for l in net.layers]


# ---------------------------------------------------------------------------
# .nnet dialects
# ---------------------------------------------------------------------------

def content_lines(path):
    with open(path) as f:
        lines = [l.strip() for l in f]
    lines = [l for l in lines if l]
    while lines and '//' in lines[0]:      # read_nnet: skip comment lines
        lines.pop(0)
    return lines


def fields(line):
    return [t.strip() for t in line.split(',') if t.strip()]


def read_nnet_jl(path):
    """The network as NeuralVerification.jl's read_nnet reads it (exactly):
    numLayers = first field of the first line, the layer sizes, five lines
    skipped, then per layer its weight rows and one bias per line; hidden
    layers ReLU, the last linear. No normalisation."""
    lines = content_lines(path)
    nl = int(fields(lines[0])[0])
    sizes = [int(t) for t in fields(lines[1])[:nl + 1]]
    pos, layers = 7, []
    for k in range(1, nl + 1):
        W = [[F(t) for t in fields(l)] for l in lines[pos:pos + sizes[k]]]
        pos += sizes[k]
        b = [F(fields(l)[0]) for l in lines[pos:pos + sizes[k]]]
        pos += sizes[k]
        layers.append(oracle.Layer('relu' if k < nl else 'linear', W, b))
    check(pos == len(lines), '%s: %d lines left over' % (path, len(lines) - pos))
    return oracle.Net(sizes[0], layers)


def info_json(pv, path):
    rc, out, err = pv.run('info', path, '--json')
    check(rc == 0, 'info %s: exit %d: %s' % (path, rc, err.strip()))
    return json.loads(out) if rc == 0 and out else {}


def check_dialect(pv, path, want):
    """`info --json` says the dialect, once the CLI prints it (the field is
    pv_net.dialect; the CLI is not part of this change)."""
    info = info_json(pv, path)
    check(info.get('format') == 'nnet', '%s: format %s' % (path, info.get('format')))
    if 'dialect' in info:
        check(info['dialect'] == want, '%s: dialect %r, expected %r' %
              (path, info['dialect'], want))


def codes_at(pv, path, point):
    rc, out, err = pv.run('code', path, '--point', ','.join(str(v) for v in point), '--json')
    check(rc == 0, 'code %s at %s: exit %d: %s' % (path, point, rc, err.strip()))
    if rc != 0:
        return None
    res = json.loads(out)
    res = res[0] if isinstance(res, list) else res
    return res.get('code', '').replace('|', '')


def test_nvjl_small(pv, tmp):
    path = os.path.join(NETS, 'nvjl_small_nnet.nnet')
    # By hand from the file: 1 -> 2 -> 2 -> 1, W1 = [1; 1], b1 = 3/2;
    # W2 = [2 2; 2 2], b2 = 5/2; W3 = [3 3], b3 = 7/2.
    hand = oracle.Net(1, [oracle.Layer('relu', [[1], [1]], [F(3, 2)] * 2),
                          oracle.Layer('relu', [[2, 2], [2, 2]], [F(5, 2)] * 2),
                          oracle.Layer('linear', [[3, 3]], [F(7, 2)])])
    check(same_net(read_nnet_jl(path), hand), 'nvjl_small: the test\'s own reader disagrees '
          'with the weights written by hand')
    text = convert(pv, path, tmp)
    got = text and oracle.parse_pvnet(text)
    check(got is not None and same_net(got, hand), 'nvjl_small: converted %s' % describe(got))
    check(text is not None and 'default input box' not in text,
          'nvjl_small: the NeuralVerification.jl dialect has no box')
    # x = 1: z1 = 5/2, 5/2; z2 = 2*5/2*2 + 5/2 = 25/2; y = 3*25/2*2 + 7/2 = 157/2.
    # x = -2: z1 = -1/2 (off); z2 = 5/2; y = 3*5/2*2 + 7/2 = 37/2.
    for x, code, y in ((1, '1111', F(157, 2)), (-2, '0011', F(37, 2))):
        if got is not None:
            check(forward(got, [x]) == (code, [y]), 'nvjl_small at %s: %s' % (x, forward(got, [x])))
        check(codes_at(pv, path, [x]) == code, 'nvjl_small: code at %s' % x)
    check_dialect(pv, path, 'NeuralVerification.jl')
    # Without the extension, the content says .nnet (one number on line A).
    with open(path) as f:
        lines = f.read().splitlines()
    bare = write(os.path.join(tmp, 'nvjl_model'), '\n'.join(lines[3:]).encode())
    got = converted_net(pv, bare, tmp)
    check(got is not None and same_net(got, hand), 'nvjl_small without comments or extension')


def test_nvjl_spiky(pv, tmp):
    path = os.path.join(NETS, 'nvjl_spiky_nnet.nnet')
    # Its means are 0 and ranges 1: both readers give the same weights.
    mine = read_nnet_jl(path)
    text = convert(pv, path, tmp)
    got = text and oracle.parse_pvnet(text)
    check(got is not None and same_net(got, mine), 'nvjl_spiky: converted %s' % describe(got))
    check(text is not None and '# default input box (lo hi per coordinate): -65500 65500' in text,
          'nvjl_spiky: the standard header\'s box -6.55e4..6.55e4')
    # By hand, x = 30: z1 = 2x-100, -2x+100, 4x-100, -4x+100, 4x-300,
    # -4x+300 = -40, 40, 20, -20, -180, 180; a1 = 0, 40, 20, 0, 0, 180;
    # z2 = -2*40+80, 40-20, -20+80, -180+80 = 0, 20, 60, -100 (bit 0 of a 0);
    # z3 = 20+30, 2*60-110, 0-110 = 50, 10, -110; y = 50+10-10 = 50.
    # x = 60: z1 = 20, -20, 140, -140, -60, 60; z2 = 40, 0, -60, 20;
    # z3 = 70, -110, -70; y = 70-10 = 60.
    for x, code, y in ((30, '011001' '0110' '110', 50), (60, '101001' '1001' '100', 60)):
        if got is not None:
            check(forward(got, [x]) == (code, [y]), 'nvjl_spiky at %s: %s' % (x, forward(got, [x])))
        check(codes_at(pv, path, [x]) == code, 'nvjl_spiky: code at %s' % x)
    check_dialect(pv, path, 'standard')


BASE_NNET_LINES = """2,2,3,3,
2,2,3,
0,
-10,-10,
10,10,
0,0,0,
1,1,1,
1,1,
-1,-1,
0,
0,
2,-1,
-1,1,
1,-1,
0,
0,
0,
""".splitlines()


def test_nnet_mixed(pv, tmp):
    # numLayers alone, but a full standard header whose normalisation is the
    # identity: both readings are the same network, read without a box.
    lines = list(BASE_NNET_LINES)
    lines[0] = '2,'
    path = write(os.path.join(tmp, 'nvjl_identity.nnet'), '\n'.join(lines).encode())
    hand = oracle.Net(2, [oracle.Layer('relu', [[1, 1], [-1, -1]], [0, 0]),
                          oracle.Layer('linear', [[2, -1], [-1, 1], [1, -1]], [0, 0, 0])])
    text = convert(pv, path, tmp)
    got = text and oracle.parse_pvnet(text)
    check(got is not None and same_net(got, hand), 'identity header, numLayers alone: %s' %
          describe(got))
    check(text is not None and 'default input box' not in text,
          'identity header, numLayers alone: read as NeuralVerification.jl (no box)')
    check_dialect(pv, path, 'NeuralVerification.jl')
    # The same with mean 1 for input 1 (x' = x - 1 in the standard
    # reading): ambiguous.
    lines[5] = '1,0,0,'
    path = write(os.path.join(tmp, 'nvjl_mean.nnet'), '\n'.join(lines).encode())
    rc, out, err = pv.run('info', path)
    check(rc == 1 and out == '' and (path + ':1: ambiguous .nnet dialect') in err and
          'different networks' in err, 'mean 1 with numLayers alone: %d %r' % (rc, err))
    # The standard file itself reads as the standard dialect, with its box.
    path = write(os.path.join(tmp, 'standard.nnet'), '\n'.join(BASE_NNET_LINES).encode())
    text = convert(pv, path, tmp)
    check(text is not None and '-10 10 -10 10' in text, 'standard .nnet: box')
    check_dialect(pv, path, 'standard')


# ---------------------------------------------------------------------------
# gzip
# ---------------------------------------------------------------------------

def gz(data, mtime=0):
    return gzip.compress(data, compresslevel=9, mtime=mtime)


def test_gzip(pv, tmp):
    nets = [os.path.join(VALID, 'base.onnx'), os.path.join(VALID, 'base.nnet'),
            os.path.join(VALID, 'base.pvnet'), os.path.join(NETS, 'nvjl_small_nnet.nnet')]
    acas = os.path.join(DATA, 'acasxu', 'ACASXU_run2a_1_1_batch_2000.onnx')
    if os.path.exists(acas):
        nets.append(acas)
    for path in nets:
        plain = convert(pv, path, tmp, 'plain.pvnet')
        with open(path, 'rb') as f:
            data = f.read()
        half = len(data) // 2
        base = os.path.basename(path)
        variants = {
            base + '.gz': gz(data),                     # the usual name
            'model_gz': gz(data),                       # no extension: magic bytes
            base + '.2.gz': gz(data[:half]) + gz(data[half:], mtime=1),   # two members
        }
        for name, blob in variants.items():
            got = convert(pv, write(os.path.join(tmp, name), blob), tmp, 'gz.pvnet')
            check(plain is not None and got == plain,
                  '%s: convert of %s differs from the uncompressed file' % (path, name))
    # The points file reader shares pv_read_file: a gzipped CSV reads too.
    pts = os.path.join(VALID, 'points.csv')
    with open(pts, 'rb') as f:
        csv = f.read()
    net = os.path.join(VALID, 'base.pvnet')
    a = pv.run('code', net, '--points', pts, '--json')
    b = pv.run('code', net, '--points', write(os.path.join(tmp, 'p.csv.gz'), gz(csv)), '--json')
    check(a[0] == 0 and a == b, 'code --points of a gzipped CSV: %s vs %s' % (a, b))


def test_zip_bomb(pv, tmp):
    """1 GiB + 1 zero bytes (the network size limit is 1 GiB), ~1 MB
    compressed: refused with a message, without allocating the gigabyte
    (the reader counts the bytes before allocating them)."""
    # 16 gzip members of 64 MiB of zeros, then one of a single zero byte
    # (a multi-member file is one file, as with `cat a.gz b.gz`).
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + 15)
    member = c.compress(bytes(64 << 20)) + c.flush()
    path = write(os.path.join(tmp, 'bomb.onnx.gz'), member * 16 + gz(b'\0'))
    t = time.time()
    rc, out, err = pv.run('info', path)
    check(rc != 0 and out == '' and path in err and 'decompresses to more than 1073741824 bytes'
          in err and 'zip bomb' in err, 'zip bomb: exit %d, %r' % (rc, err))
    print('zip bomb refused in %.1f s' % (time.time() - t))


# ---------------------------------------------------------------------------
# Git LFS pointers
# ---------------------------------------------------------------------------

LFS = ('version https://git-lfs.github.com/spec/v1\n'
       'oid sha256:0f343b0931126a20f133d67c2b018a3b5e7a8a7c6a8b2d1a5b6f8e4a2c9d7e11\n'
       'size 1077894\n')


def test_lfs(pv, tmp):
    for name in ('mnist.onnx', 'net.nnet', 'net.pvnet', 'model'):
        path = write(os.path.join(tmp, name), LFS.encode())
        rc, out, err = pv.run('info', path)
        check(rc == 1 and out == '' and err.startswith('polyverify: %s: this is a Git LFS '
                                                       'pointer, not the file itself' % path)
              and '1077894 bytes' in err and 'git lfs' in err,
              'LFS pointer %s: exit %d, %r' % (name, rc, err))
    # Without its size line it is still named for what it is.
    path = write(os.path.join(tmp, 'short.onnx'), LFS.split('size')[0].encode())
    rc, out, err = pv.run('info', path)
    check(rc == 1 and 'Git LFS pointer' in err, 'LFS pointer without size: %r' % err)


# ---------------------------------------------------------------------------
# ONNX input shapes and broadcasting
# ---------------------------------------------------------------------------

def onnx_file(tmp, name, nodes, inits, in_dims, out_name='y'):
    data = model(nodes, inits, [value_info('x', in_dims)], [value_info(out_name, [1, 1])])
    return write(os.path.join(tmp, name + '.onnx'), data)


def refused(pv, path, wanted):
    rc, out, err = pv.run('info', path)
    ok = rc == 1 and out == '' and err.startswith('polyverify: %s: ' % path) and \
        all(w in err for w in wanted) and 'Sanitizer' not in err and len(err.splitlines()) == 1
    check(ok, '%s: exit %d, stderr %r (wanted %s)' % (os.path.basename(path), rc, err, wanted))


def test_input_shape(pv, tmp):
    gemm = node('Gemm', ['x', 'W', 'b'], ['y'], name='dense1', attrs=[attr_i('transB', 1)])
    W, b = tensor('W', [1, 5], [1.0] * 5), tensor('b', [1], [0.0])
    refused(pv, onnx_file(tmp, 'rows25', [gemm], [W, b], [25, 5]),
            ["input 'x' has shape [25, 5]", 'first dimension 25 is fixed', '125 values',
             'one example', '[m]', '[1, ...]', '[N, ...]'])
    # Supported: [N, 5], [1, 5], and [1, 25, 5] flattened (125 inputs).
    for dims in (['N', 5], [1, 5]):
        info = info_json(pv, onnx_file(tmp, 'ok', [gemm], [W, b], dims))
        check(info.get('input_dim') == 5, 'input %s: %s' % (dims, info))
    flat = [node('Flatten', ['x'], ['f'], name='flat'),
            node('Gemm', ['f', 'W', 'b'], ['y'], name='dense1', attrs=[attr_i('transB', 1)])]
    info = info_json(pv, onnx_file(tmp, 'ok3', flat, [tensor('W', [1, 125], [1.0] * 125), b],
                                   [1, 25, 5]))
    check(info.get('input_dim') == 125, 'input [1, 25, 5] flattened: %s' % info)


def lin(W, b):
    return oracle.Layer('linear', W, b)


def broadcast_cases():
    """name -> (nodes, initializers, input dims, expected net or the
    fragments of the refusal message). The expected nets are by hand."""
    W23 = tensor('W', [2, 3], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])     # x . W, K=2, N=3
    Wt = [[1, 4], [2, 5], [3, 6]]                                 # its layer matrix
    ones21 = tensor('S', [2, 1], [1.0, 1.0])                      # sums a row of 2
    mm_add = [node('MatMul', ['x', 'W'], ['m'], name='mm'), node('Add', ['m', 'B'], ['y'], name='add')]
    cases = {}
    # MatMul(x[1,2], W[2,3]) + B: B of shape [3], [1,3], [1,1,3] is a bias
    # per neuron; [1] and [] one bias for all; [3,1] is a [3,3] tensor.
    for tag, dims, vals, bias in (('3', [3], [1.0, -1.0, 0.5], [1, -1, F(1, 2)]),
                                  ('1x3', [1, 3], [1.0, -1.0, 0.5], [1, -1, F(1, 2)]),
                                  ('1x1x3', [1, 1, 3], [1.0, -1.0, 0.5], [1, -1, F(1, 2)]),
                                  ('1', [1], [2.0], [2, 2, 2]), ('scalar', [], [2.0], [2, 2, 2])):
        cases['bias_' + tag] = (mm_add, [W23, tensor('B', dims, vals)], [1, 2],
                                oracle.Net(2, [lin(Wt, bias)]))
    cases['bias_3x1'] = (mm_add, [W23, tensor('B', [3, 1], [1.0, -1.0, 0.5])], [1, 2],
                         ["ONNX node 'add' (op Add)", "'B' of shape [3, 1]", "'m' of shape [1, 3]",
                          'to shape [3, 3]'])
    cases['bias_2'] = (mm_add, [W23, tensor('B', [2], [1.0, 2.0])], [1, 2],
                       ["ONNX node 'add' (op Add)", "'B' of shape [2] does not broadcast",
                        "'m' of shape [1, 3]"])
    # Mul, Sub (constant first), Div, each then summed by x . S[2,1].
    then_sum = [node('MatMul', ['t', 'S'], ['y'], name='sum')]
    for op, first, dims, vals, W, b in (
            ('Mul', False, [2], [2.0, 3.0], [[2, 3]], [0]),
            ('Mul', False, [1, 2], [2.0, 3.0], [[2, 3]], [0]),
            ('Mul', False, [], [0.5], [[F(1, 2), F(1, 2)]], [0]),
            ('Sub', True, [1, 2], [1.0, 2.0], [[-1, -1]], [3]),     # k - x
            ('Sub', False, [2], [1.0, 2.0], [[1, 1]], [-3]),        # x - k
            ('Div', False, [1, 2], [2.0, 4.0], [[F(1, 2), F(1, 4)]], [0])):
        ins = ['K', 'x'] if first else ['x', 'K']
        name = '%s_%s%s' % (op.lower(), 'x'.join(map(str, dims)) or 'scalar', '_kfirst' if first else '')
        cases[name] = ([node(op, ins, ['t'], name='op')] + then_sum,
                       [tensor('K', dims, vals), ones21], [1, 2], oracle.Net(2, [lin(W, b)]))
    cases['mul_2x1'] = ([node('Mul', ['x', 'K'], ['t'], name='op')] + then_sum,
                        [tensor('K', [2, 1], [2.0, 3.0]), ones21], [1, 2],
                        ["ONNX node 'op' (op Mul)", "'K' of shape [2, 1]", "'x' of shape [1, 2]",
                         'to shape [2, 2]'])
    # A real broadcast of a [2,1] constant along the last axis of x[1,2,2]
    # (x0 x1 / x2 x3): + [10; 20] per row, * [1, -2] per column, Flatten,
    # then Gemm with [1, 2, 3, 4] (transB). By hand: the values are x0+10,
    # -2(x1+10), x2+20, -2(x3+20); times 1, 2, 3, 4 and summed,
    # y = x0 - 4 x1 + 3 x2 - 8 x3 + (10 - 40 + 60 - 160), the bias -130.
    cases['channel_broadcast'] = (
        [node('Add', ['x', 'R'], ['a'], name='rows'), node('Mul', ['a', 'C'], ['m'], name='cols'),
         node('Flatten', ['m'], ['f'], name='flat'),
         node('Gemm', ['f', 'G', 'g'], ['y'], name='dense', attrs=[attr_i('transB', 1)])],
        [tensor('R', [2, 1], [10.0, 20.0]), tensor('C', [2], [1.0, -2.0]),
         tensor('G', [1, 4], [1.0, 2.0, 3.0, 4.0]), tensor('g', [1], [0.0])], [1, 2, 2],
        oracle.Net(4, [lin([[1, -4, 3, -8]], [-130])]))
    # Reshape with 0 (copy the input's dimension) and -1; the same row bias:
    # values x0+10, x1+10, x2+20, x3+20, times 1..4: + 10+20+60+80 = 170.
    cases['reshape_zero'] = (
        [node('Reshape', ['x', 'shape1'], ['r'], name='r1'), node('Add', ['r', 'R'], ['a'], name='rows'),
         node('Reshape', ['a', 'shape2'], ['f'], name='r2'),
         node('Gemm', ['f', 'G'], ['y'], name='dense', attrs=[attr_i('transB', 1)])],
        [tensor('shape1', [3], [0, 2, 2], dtype=7), tensor('shape2', [2], [1, -1], dtype=7),
         tensor('R', [2, 1], [10.0, 20.0]), tensor('G', [1, 4], [1.0, 2.0, 3.0, 4.0])], [1, 4],
        oracle.Net(4, [lin([[1, 2, 3, 4]], [170])]))
    # 1-D tensors: W[3,2] @ x[2] is [3]; + B[3]; Relu; r[3] @ w[3] a scalar.
    W32 = tensor('W', [3, 2], [1.0, 0.0, 0.0, 1.0, 1.0, -1.0])
    cases['matmul_1d'] = (
        [node('MatMul', ['W', 'x'], ['m'], name='mm'), node('Add', ['m', 'B'], ['h'], name='add'),
         node('Relu', ['h'], ['r'], name='relu'), node('MatMul', ['r', 'w'], ['y'], name='dot')],
        [W32, tensor('B', [3], [0.0, 0.0, -0.5]), tensor('w', [3], [1.0, -1.0, 2.0])], [2],
        oracle.Net(2, [oracle.Layer('relu', [[1, 0], [0, 1], [1, -1]], [0, 0, F(-1, 2)]),
                       lin([[1, -1, 2]], [0])]))
    # [3] + B[3, 1] after W @ x[2]: [3, 3].
    cases['matmul_1d_bias_3x1'] = (
        [node('MatMul', ['W', 'x'], ['m'], name='mm'), node('Add', ['m', 'B'], ['y'], name='add')],
        [W32, tensor('B', [3, 1], [0.0, 0.0, -0.5])], [2],
        ["ONNX node 'add' (op Add)", "'B' of shape [3, 1]", "'m' of shape [3]", 'to shape [3, 3]'])
    # W[3,2] @ x[1,2]: the inner dimensions 2 and 1 differ (numpy matmul).
    cases['matmul_w_x_row'] = ([node('MatMul', ['W', 'x'], ['y'], name='mm')], [W32], [1, 2],
                               ["ONNX node 'mm' (op MatMul)", "'W' of shape [3, 2]",
                                "'x' of shape [1, 2]", 'inner dimensions differ'])
    # Gemm(x[1,2], W[3,2], C, transB=1): C of shape [3], [1,3], [1], [].
    Wg = tensor('W', [3, 2], [1.0, 0.0, 0.0, 1.0, 1.0, -1.0])
    gemm = [node('Gemm', ['x', 'W', 'C'], ['y'], name='dense', attrs=[attr_i('transB', 1)])]
    for tag, dims, vals, bias in (('3', [3], [1.0, 2.0, 3.0], [1, 2, 3]),
                                  ('1x3', [1, 3], [1.0, 2.0, 3.0], [1, 2, 3]),
                                  ('1', [1], [4.0], [4, 4, 4]), ('scalar', [], [4.0], [4, 4, 4])):
        cases['gemm_c_' + tag] = (gemm, [Wg, tensor('C', dims, vals)], [1, 2],
                                  oracle.Net(2, [lin([[1, 0], [0, 1], [1, -1]], bias)]))
    cases['gemm_c_3x1'] = (gemm, [Wg, tensor('C', [3, 1], [1.0, 2.0, 3.0])], [1, 2],
                           ["ONNX node 'dense' (op Gemm)", "'C' of shape [3, 1]",
                            "'y' of shape [1, 3]", 'to shape [3, 3]', "Gemm's C"])
    # The input as B: Gemm(W[3,2], x[1,2], C[3,1], transB=1, alpha=2,
    # beta=1/2): B' = x^T is a column, Y = 2 W x + C/2 is [3, 1]; Relu;
    # Flatten(axis=0) to a row [1, 3]; Gemm with V[1,3] (transB).
    col = [node('Gemm', ['W', 'x', 'C'], ['h'], name='dense',
                attrs=[attr_i('transB', 1), attr_f('alpha', 2.0), attr_f('beta', 0.5)]),
           node('Relu', ['h'], ['r'], name='relu'),
           node('Flatten', ['r'], ['f'], name='flat', attrs=[attr_i('axis', 0)]),
           node('Gemm', ['f', 'V'], ['y'], name='out', attrs=[attr_i('transB', 1)])]
    V = tensor('V', [1, 3], [1.0, -1.0, 2.0])
    cases['gemm_x_as_b'] = (col, [Wg, tensor('C', [3, 1], [2.0, 4.0, -6.0]), V], [1, 2],
                            oracle.Net(2, [oracle.Layer('relu', [[2, 0], [0, 2], [2, -2]], [1, 2, -3]),
                                           lin([[1, -1, 2]], [0])]))
    # There Y is [3, 1]: C of shape [3] broadcasts to [3, 3].
    cases['gemm_x_as_b_c_3'] = (col, [Wg, tensor('C', [3], [2.0, 4.0, -6.0]), V], [1, 2],
                                ["ONNX node 'dense' (op Gemm)", "'C' of shape [3]",
                                 "'h' of shape [3, 1]", 'to shape [3, 3]'])
    return cases


def test_broadcast(pv, tmp):
    for name, (nodes, inits, dims, want) in broadcast_cases().items():
        path = onnx_file(tmp, name, nodes, inits, dims)
        if isinstance(want, list):
            refused(pv, path, want)
            continue
        got = converted_net(pv, path, tmp)
        check(got is not None and same_net(got, want), 'broadcast %s: got %s, expected %s' %
              (name, describe(got), describe(want)))


def timed(f, *args):
    t = time.time()
    f(*args)
    print('%s: %.1f s' % (f.__name__, time.time() - t))


def main():
    pv = PV(os.path.abspath(sys.argv[1]))
    with tempfile.TemporaryDirectory() as tmp:
        for f in (test_nvjl_small, test_nvjl_spiky, test_nnet_mixed, test_gzip, test_zip_bomb,
                  test_lfs, test_input_shape, test_broadcast):
            timed(f, pv, tmp)
    if FAILURES:
        print('%d failure(s)' % len(FAILURES))
        return 1
    print('test_loaders_more: all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
