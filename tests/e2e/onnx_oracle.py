"""Independent exact interpreter of ONNX graphs for the issue-15 tests.

Reads an ONNX ModelProto with its own protobuf decoder (onnx_proto.py; no
ONNX or protobuf package), evaluates the graph node by node
with fractions.Fraction (each float32 initializer or attribute is its exact
dyadic rational), and returns the output and the activation code in the
layout of the issue-15 design:

  * activation nodes in the graph's node order; within a node, elements of
    its output tensor row-major;
  * Relu, LeakyRelu, PRelu, Abs: one bit z > 0 per element;
  * Clip: one bit per given bound per element, (z > lo, z > hi) consecutive;
  * MaxPool: a balanced tournament over each window's real (non-padding)
    entries in row-major window order, pairs (e0, e1), (e2, e3), ... with an
    odd last entry going up unchanged; bit a > b per pair; bits level by
    level, within a level output elements row-major, within an element its
    pairs in order.

Every activation node counts, whether or not it reaches the output.
A final Softmax/LogSoftmax/Sigmoid/ArgMax head is dropped (the output is its
input); one inside the graph is refused, as are cycles, dangling inputs,
unknown operators and broadcasting mismatches: OnnxError names the node.

unroll_to_pvnet writes a plain Conv/affine + Relu chain as a dense `pvnet 1`
MLP: each affine segment between ReLUs is probed exactly at 0 and at the unit
vectors (and checked at one more point).

Usage: python3 onnx_oracle.py NET.onnx [--point X1,X2,...] [--unroll OUT.pvnet]
"""

import itertools
import math
import os
import random
import struct
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_proto import (FLOAT_TYPES, INT_TYPES, OnnxError, Tensor, exact, numel,  # noqa: E402
                        parse_model)


def f32(x):
    """The exact value of x rounded to float32 (ONNX's float attribute defaults)."""
    return exact(struct.unpack('<f', struct.pack('<f', x))[0])


def node_error(node, why):
    return OnnxError("node '%s' (%s): %s" % (node.name, node.op, why))


class Model:
    """A parsed, checked graph: nodes (final heads dropped), initializers,
    the one real input (name, shape with batch 1), the output name."""

    def __init__(self, data):
        self.opset, self.nodes, self.inits, inputs, outputs = parse_model(data)
        real = [(n, d) for n, d in inputs if n not in self.inits]
        if len(real) != 1 or len(outputs) != 1:
            raise OnnxError('%d inputs and %d outputs: one of each expected' %
                            (len(real), len(outputs)))
        self.input_name, dims = real[0]
        if not dims or any(d is None or d <= 0 for d in dims[1:]):
            raise OnnxError("input '%s' has an unknown shape %s" % (self.input_name, dims))
        self.input_shape = [dims[0] if dims[0] and dims[0] > 0 else 1] + dims[1:]   # batch 1
        self.output_name = outputs[0][0]
        check_graph(self)
        self.heads = strip_heads(self)


def load(path):
    with open(path, 'rb') as f:
        return Model(f.read())


# ---------------------------------------------------------------------------
# Graph structure
# ---------------------------------------------------------------------------

HEADS = ('Softmax', 'LogSoftmax', 'Sigmoid', 'ArgMax')
NOT_PIECEWISE_LINEAR = ('Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Softplus', 'Exp', 'Log',
                        'HardSigmoid', 'Elu', 'Selu', 'Gelu', 'Erf')


def check_graph(model):
    """Every input produced (dangling inputs), no cycle, node order
    topological (ONNX requires it; the code layout follows it)."""
    producer = {n: None for n in list(model.inits) + [model.input_name]}
    for node in model.nodes:
        for o in node.outputs:
            if o in producer:
                raise node_error(node, "output '%s' is produced twice" % o)
            producer[o] = node
    for node in model.nodes:
        for i in node.inputs:
            if i and i not in producer:
                raise node_error(node, "input '%s' is produced by no node, initializer or "
                                 'graph input (dangling)' % i)
    if model.output_name not in producer:
        raise OnnxError("graph output '%s' is produced by no node" % model.output_name)
    # Kahn's algorithm: the nodes left over lie on or after a cycle
    deps = {id(n): {id(producer[i]) for i in n.inputs if i and producer[i]} for n in model.nodes}
    done, progress = set(), True
    while progress:
        progress = False
        for n in model.nodes:
            if id(n) not in done and deps[id(n)] <= done:
                done.add(id(n))
                progress = True
    left = [n for n in model.nodes if id(n) not in done]
    if left:
        raise node_error(left[0], 'in a cycle (nodes %s)' % ', '.join("'%s'" % n.name
                                                                     for n in left))
    seen = set()
    for n in model.nodes:
        if not deps[id(n)] <= seen:
            raise node_error(n, 'reads a tensor produced by a later node (not sorted)')
        seen.add(id(n))


def strip_heads(model):
    """Drops final Softmax/LogSoftmax/Sigmoid/ArgMax nodes (outermost first
    in the returned list); the output becomes the head's input."""
    heads = []
    while True:
        prod = [n for n in model.nodes if model.output_name in n.outputs]
        users = [n for n in model.nodes if model.output_name in n.inputs]
        if not prod or prod[0].op not in HEADS or users:
            return heads
        heads.append(prod[0].op)
        model.nodes.remove(prod[0])
        model.output_name = prod[0].inputs[0]


# ---------------------------------------------------------------------------
# Shapes, indices, broadcasting
# ---------------------------------------------------------------------------

def strides(shape):
    st, step = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        st[i] = step
        step *= shape[i]
    return st


def broadcast_shape(node, shapes):
    """Numpy/ONNX multidirectional broadcasting of shapes."""
    rank = max(len(s) for s in shapes)
    out = []
    for k in range(rank):
        ds = {s[k - rank + len(s)] for s in shapes if k - rank + len(s) >= 0} - {1}
        if len(ds) > 1:
            raise node_error(node, 'cannot broadcast shapes %s' % ' and '.join(map(str, shapes)))
        out.append(ds.pop() if ds else 1)
    return out


def bcast_map(out_shape, shape):
    """For each row-major index of out_shape, the flat index into a tensor
    of `shape` broadcast to it."""
    pad = len(out_shape) - len(shape)
    st = [0] * pad + [s if d != 1 else 0 for s, d in zip(strides(shape), shape)]
    return [sum(i * s for i, s in zip(idx, st))
            for idx in itertools.product(*(range(d) for d in out_shape))]


def take(t, lists):
    """The sub-tensor of t with, on each axis, the indices in lists[axis]."""
    st = strides(t.shape)
    vals = [t.vals[sum(i * s for i, s in zip(idx, st))] for idx in itertools.product(*lists)]
    return Tensor([len(l) for l in lists], vals, t.kind)


def axis_of(node, a, rank):
    if not -rank <= a < rank:
        raise node_error(node, 'axis %d out of range for rank %d' % (a, rank))
    return a % rank


def ints_of(t):
    if t.kind != 'i':
        raise OnnxError('integer tensor expected')
    return list(t.vals)


def scalar(node, t):
    if numel(t.shape) != 1:
        raise node_error(node, 'a one-element tensor expected, shape %s' % t.shape)
    return t.vals[0]


# ---------------------------------------------------------------------------
# Windows of Conv and pooling
# ---------------------------------------------------------------------------

def spatial_pads(node, ins, k, s, d):
    """(begin pads, end pads) from pads or auto_pad (SAME_UPPER puts the
    odd padding at the end, SAME_LOWER at the beginning)."""
    n = len(ins)
    auto = node.attr('auto_pad', 'NOTSET')
    if auto in ('SAME_UPPER', 'SAME_LOWER'):
        pb, pe = [], []
        for i in range(n):
            out = -(-ins[i] // s[i])
            total = max(0, (out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - ins[i])
            b = total // 2 if auto == 'SAME_UPPER' else total - total // 2
            pb.append(b)
            pe.append(total - b)
        return pb, pe
    if auto not in ('NOTSET', 'VALID'):
        raise node_error(node, 'auto_pad %s' % auto)
    pads = node.attr('pads', [0] * 2 * n) if auto == 'NOTSET' else [0] * 2 * n
    if len(pads) != 2 * n or min(pads) < 0:
        raise node_error(node, 'pads %s for %d spatial axes' % (pads, n))
    return pads[:n], pads[n:]


def windows(node, ins, k, s, d, pb, pe, ceil=False):
    """Output spatial shape and, per output position (row-major), the
    window: (real entries [(kernel flat index, input spatial flat index)] in
    window order, number of entries inside the padded input)."""
    outs = []
    for i in range(len(ins)):
        span = ins[i] + pb[i] + pe[i] - d[i] * (k[i] - 1) - 1
        if span < 0:
            raise node_error(node, 'window larger than the padded input')
        o = (-(-span // s[i]) if ceil else span // s[i]) + 1
        if ceil and (o - 1) * s[i] >= ins[i] + pb[i]:   # a window starting in the end pad
            o -= 1
        outs.append(o)
    ist, kst = strides(ins), strides(k)
    res = []
    for o in itertools.product(*(range(x) for x in outs)):
        real, counted = [], 0
        for kk in itertools.product(*(range(x) for x in k)):
            p = [o[i] * s[i] - pb[i] + kk[i] * d[i] for i in range(len(ins))]
            if all(-pb[i] <= p[i] < ins[i] + pe[i] for i in range(len(ins))):
                counted += 1
            if all(0 <= p[i] < ins[i] for i in range(len(ins))):
                real.append((sum(a * b for a, b in zip(kk, kst)),
                             sum(a * b for a, b in zip(p, ist))))
        res.append((real, counted))
    return outs, res


def window_geometry(node, x, kernel):
    sp = x.shape[2:]
    n = len(sp)
    s = node.attr('strides', [1] * n)
    d = node.attr('dilations', [1] * n)
    if len(kernel) != n or len(s) != n or len(d) != n:
        raise node_error(node, 'kernel/strides/dilations do not match %d spatial axes' % n)
    pb, pe = spatial_pads(node, sp, kernel, s, d)
    return sp, s, d, pb, pe


# ---------------------------------------------------------------------------
# Affine and layout operators: f(node, inputs) -> list of outputs
# ---------------------------------------------------------------------------

def op_conv(node, ins):
    x, w = ins[0], ins[1]
    if len(x.shape) < 3 or len(w.shape) != len(x.shape):
        raise node_error(node, 'input %s and weight %s' % (x.shape, w.shape))
    C, M, cg = x.shape[1], w.shape[0], w.shape[1]
    g = node.attr('group', 1)
    kernel = node.attr('kernel_shape', w.shape[2:])
    if C != cg * g or M % g or kernel != w.shape[2:]:
        raise node_error(node, 'channels %d, weight %s, group %d' % (C, w.shape, g))
    sp, s, d, pb, pe = window_geometry(node, x, kernel)
    outs, wins = windows(node, sp, kernel, s, d, pb, pe)
    b = ins[2].vals if len(ins) > 2 and ins[2] is not None else [Fraction(0)] * M
    S, K, mg = numel(sp), numel(kernel), M // g
    vals = []
    for m in range(M):
        for real, _ in wins:
            acc = b[m]
            for c in range(cg):
                xo, wo = ((m // mg) * cg + c) * S, (m * cg + c) * K
                for kf, xi in real:
                    acc += w.vals[wo + kf] * x.vals[xo + xi]
            vals.append(acc)
    return [Tensor([1, M] + outs, vals)]


def op_conv_transpose(node, ins):
    x, w = ins[0], ins[1]
    C, sp = x.shape[1], x.shape[2:]
    n, g = len(sp), node.attr('group', 1)
    if len(w.shape) != n + 2 or w.shape[0] != C or C % g:
        raise node_error(node, 'input %s and weight %s' % (x.shape, w.shape))
    k = node.attr('kernel_shape', w.shape[2:])
    s = node.attr('strides', [1] * n)
    d = node.attr('dilations', [1] * n)
    op = node.attr('output_padding', [0] * n)
    auto = node.attr('auto_pad', 'NOTSET')
    full = [s[i] * (sp[i] - 1) + op[i] + (k[i] - 1) * d[i] + 1 for i in range(n)]
    want = node.attr('output_shape')
    if want is None and auto in ('SAME_UPPER', 'SAME_LOWER'):
        want = [sp[i] * s[i] for i in range(n)]
    if want is not None:
        want = want[-n:]
        total = [full[i] - want[i] for i in range(n)]
        pb = [t // 2 if auto == 'SAME_UPPER' else t - t // 2 for t in total]
    else:
        pads = node.attr('pads', [0] * 2 * n) if auto == 'NOTSET' else [0] * 2 * n
        pb, want = pads[:n], [full[i] - pads[i] - pads[n + i] for i in range(n)]
    M, cg = w.shape[1] * g, C // g
    K, ost = numel(k), strides(want)
    b = ins[2].vals if len(ins) > 2 and ins[2] is not None else [Fraction(0)] * M
    vals = [b[m] for m in range(M) for _ in range(numel(want))]
    kpos = list(itertools.product(*(range(v) for v in k)))
    for c in range(C):
        grp = c // cg
        for ii, pos in enumerate(itertools.product(*(range(v) for v in sp))):
            xv = x.vals[c * numel(sp) + ii]
            if not xv:
                continue
            for kf, kk in enumerate(kpos):
                o = [pos[i] * s[i] + kk[i] * d[i] - pb[i] for i in range(n)]
                if all(0 <= o[i] < want[i] for i in range(n)):
                    of = sum(a * b for a, b in zip(o, ost))
                    for mm in range(w.shape[1]):
                        m = grp * w.shape[1] + mm
                        vals[m * numel(want) + of] += xv * w.vals[(c * w.shape[1] + mm) * K + kf]
    return [Tensor([1, M] + want, vals)]


def sqrt_exact(q):
    """The rational square root of q, or None."""
    if q < 0:
        return None
    a, b = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(a, b) if a * a == q.numerator and b * b == q.denominator else None


def op_batchnorm(node, ins):
    if node.attr('training_mode', 0) or any(node.outputs[1:]):
        raise node_error(node, 'training mode is not supported')
    x, scale, bias, mean, var = ins[:5]
    eps = node.attr('epsilon', f32(1e-5))
    C, per = x.shape[1], numel(x.shape[2:])
    coef, shift = [], []
    for c in range(C):
        r = sqrt_exact(var.vals[c] + eps)
        if r is None or r == 0:
            raise node_error(node, 'sqrt(var + epsilon) = sqrt(%s) is irrational (or 0) for '
                             'channel %d' % (var.vals[c] + eps, c))
        coef.append(scale.vals[c] / r)
        shift.append(bias.vals[c] - mean.vals[c] * scale.vals[c] / r)
    return [Tensor(x.shape, [v * coef[i // per] + shift[i // per] for i, v in enumerate(x.vals)])]


def op_avgpool(node, ins):
    x = ins[0]
    k = node.attr('kernel_shape')
    sp, s, d, pb, pe = window_geometry(node, x, k)
    outs, wins = windows(node, sp, k, s, d, pb, pe, node.attr('ceil_mode', 0))
    incl, S = node.attr('count_include_pad', 0), numel(sp)
    vals = []
    for c in range(x.shape[1]):
        for real, counted in wins:
            tot = sum((x.vals[c * S + xi] for _, xi in real), Fraction(0))
            vals.append(tot / (counted if incl else len(real)))
    return [Tensor(x.shape[:2] + outs, vals)]


def op_global_avgpool(node, ins):
    x = ins[0]
    S = numel(x.shape[2:])
    vals = [sum(x.vals[c * S:(c + 1) * S], Fraction(0)) / S for c in range(x.shape[1])]
    return [Tensor(x.shape[:2] + [1] * (len(x.shape) - 2), vals)]


def binary(fn):
    def op(node, ins):
        a, b = ins
        shape = broadcast_shape(node, [a.shape, b.shape])
        ia, ib = bcast_map(shape, a.shape), bcast_map(shape, b.shape)
        kind = 'i' if a.kind == b.kind == 'i' else 'f'
        try:
            vals = [fn(a.vals[i], b.vals[j], kind) for i, j in zip(ia, ib)]
        except ZeroDivisionError:
            raise node_error(node, 'division by zero')
        return [Tensor(shape, vals, kind)]
    return op


def divide(a, b, kind):
    if kind == 'i':
        q = abs(a) // abs(b)       # integer Div truncates toward zero
        return q if (a < 0) == (b < 0) else -q
    return Fraction(a) / b


def op_concat(node, ins):
    rank = len(ins[0].shape)
    a = axis_of(node, node.attr('axis'), rank)
    for t in ins:
        if len(t.shape) != rank or t.shape[:a] + t.shape[a + 1:] != \
                ins[0].shape[:a] + ins[0].shape[a + 1:]:
            raise node_error(node, 'shapes %s do not concatenate on axis %d' %
                             (' and '.join(str(t.shape) for t in ins), a))
    outer, vals = numel(ins[0].shape[:a]), []
    for o in range(outer):
        for t in ins:
            inner = numel(t.shape[a:])
            vals += t.vals[o * inner:(o + 1) * inner]
    shape = list(ins[0].shape)
    shape[a] = sum(t.shape[a] for t in ins)
    return [Tensor(shape, vals, ins[0].kind)]


def op_split(node, ins):
    x = ins[0]
    a = axis_of(node, node.attr('axis', 0), len(x.shape))
    n, dim = len(node.outputs), x.shape[a]
    sizes = node.attr('split') or (ints_of(ins[1]) if len(ins) > 1 and ins[1] else None)
    if sizes is None:
        chunk = -(-dim // node.attr('num_outputs', n))
        sizes = [min(chunk, dim - i * chunk) for i in range(n)]
    if len(sizes) != n or sum(sizes) != dim or min(sizes) < 0:
        raise node_error(node, 'split %s of a dimension %d into %d outputs' % (sizes, dim, n))
    out, start = [], 0
    for sz in sizes:
        lists = [range(v) for v in x.shape]
        lists[a] = range(start, start + sz)
        out.append(take(x, lists))
        start += sz
    return out


def op_slice(node, ins):
    x = ins[0]
    rank = len(x.shape)
    if 'starts' in node.attrs:      # opset 1-9: attributes
        starts, ends = node.attr('starts'), node.attr('ends')
        axes, steps = node.attr('axes', list(range(len(starts)))), [1] * len(starts)
    else:
        starts, ends = ints_of(ins[1]), ints_of(ins[2])
        axes = ints_of(ins[3]) if len(ins) > 3 and ins[3] else list(range(len(starts)))
        steps = ints_of(ins[4]) if len(ins) > 4 and ins[4] else [1] * len(starts)
    lists = [range(v) for v in x.shape]
    for st, en, ax, sp in zip(starts, ends, axes, steps):
        ax = axis_of(node, ax, rank)
        dim = x.shape[ax]
        if sp == 0:
            raise node_error(node, 'step 0')
        st, en = st + dim if st < 0 else st, en + dim if en < 0 else en
        if sp > 0:
            st, en = min(max(st, 0), dim), min(max(en, 0), dim)
        else:
            st, en = min(max(st, 0), dim - 1), min(max(en, -1), dim - 1)
        lists[ax] = range(st, en, sp)
    return [take(x, lists)]


def op_gather(node, ins):
    x, ind = ins
    a = axis_of(node, node.attr('axis', 0), len(x.shape))
    dim = x.shape[a]
    idx = []
    for i in ints_of(ind):
        if not -dim <= i < dim:
            raise node_error(node, 'index %d out of range %d' % (i, dim))
        idx.append(i % dim)
    lists = [range(v) for v in x.shape]
    lists[a] = idx
    t = take(x, lists)
    t.shape = x.shape[:a] + ind.shape + x.shape[a + 1:]
    return [t]


def op_transpose(node, ins):
    x = ins[0]
    rank = len(x.shape)
    perm = node.attr('perm', list(range(rank))[::-1])
    if sorted(perm) != list(range(rank)):
        raise node_error(node, 'perm %s for rank %d' % (perm, rank))
    shape, st = [x.shape[p] for p in perm], strides(x.shape)
    vals = [x.vals[sum(idx[a] * st[perm[a]] for a in range(rank))]
            for idx in itertools.product(*(range(v) for v in shape))]
    return [Tensor(shape, vals, x.kind)]


def reshaped(node, x, shape):
    if numel(shape) != len(x.vals):
        raise node_error(node, 'cannot reshape %s to %s' % (x.shape, shape))
    return [Tensor(shape, x.vals, x.kind)]


def op_reshape(node, ins):
    x, want = ins[0], ints_of(ins[1])
    shape = [x.shape[i] if v == 0 and not node.attr('allowzero', 0) else v
             for i, v in enumerate(want)]
    if shape.count(-1) == 1:
        rest = numel([v for v in shape if v != -1])
        shape[shape.index(-1)] = len(x.vals) // rest if rest else 0
    return reshaped(node, x, shape)


def op_flatten(node, ins):
    x = ins[0]
    a = node.attr('axis', 1)
    a = a + len(x.shape) if a < 0 else a
    return reshaped(node, x, [numel(x.shape[:a]), numel(x.shape[a:])])


def axes_arg(node, ins):
    if 'axes' in node.attrs:
        return node.attr('axes')
    return ints_of(ins[1]) if len(ins) > 1 and ins[1] else None


def op_squeeze(node, ins):
    x, axes = ins[0], axes_arg(node, ins)
    rank = len(x.shape)
    axes = [axis_of(node, a, rank) for a in axes] if axes is not None else \
        [i for i, d in enumerate(x.shape) if d == 1]
    if any(x.shape[a] != 1 for a in axes):
        raise node_error(node, 'squeezing axes %s of shape %s' % (axes, x.shape))
    return reshaped(node, x, [d for i, d in enumerate(x.shape) if i not in axes])


def op_unsqueeze(node, ins):
    x, axes = ins[0], axes_arg(node, ins)
    rank = len(x.shape) + len(axes)
    axes = sorted(axis_of(node, a, rank) for a in axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return reshaped(node, x, shape)


def op_pad(node, ins):
    x = ins[0]
    if node.attr('mode', 'constant') != 'constant':
        raise node_error(node, 'mode %s (only constant)' % node.attr('mode'))
    if 'pads' in node.attrs:        # opset 1-10
        pads, value = node.attr('pads'), node.attr('value', Fraction(0))
    else:
        pads = ints_of(ins[1])
        value = scalar(node, ins[2]) if len(ins) > 2 and ins[2] else 0
        if len(ins) > 3 and ins[3]:   # opset 18: pads of the listed axes only
            axes = [axis_of(node, a, len(x.shape)) for a in ints_of(ins[3])]
            full = [0] * 2 * len(x.shape)
            for j, a in enumerate(axes):
                full[a], full[a + len(x.shape)] = pads[j], pads[j + len(axes)]
            pads = full
    n = len(x.shape)
    if len(pads) != 2 * n:
        raise node_error(node, 'pads %s for rank %d' % (pads, n))
    shape = [x.shape[i] + pads[i] + pads[i + n] for i in range(n)]
    st, vals = strides(x.shape), []
    for idx in itertools.product(*(range(v) for v in shape)):
        src = [idx[i] - pads[i] for i in range(n)]
        inside = all(0 <= s < d for s, d in zip(src, x.shape))
        vals.append(x.vals[sum(a * b for a, b in zip(src, st))] if inside else value)
    return [Tensor(shape, vals, x.kind)]


def op_dropout(node, ins):
    x = ins[0]
    return [x, Tensor(x.shape, [1] * len(x.vals), 'i')][:len(node.outputs)]


def op_cast(node, ins):
    x, to = ins[0], node.attr('to')
    if to in FLOAT_TYPES or to == 16:          # exact: a cast between float types is the identity
        return [Tensor(x.shape, [Fraction(v) for v in x.vals], 'f')]
    if to == 9:
        return [Tensor(x.shape, [1 if v else 0 for v in x.vals], 'i')]
    if to in INT_TYPES:
        return [Tensor(x.shape, [int(v) for v in x.vals], 'i')]   # truncation toward 0
    raise node_error(node, 'cast to type %s' % to)


def op_constant(node, ins):
    a = node.attrs
    if 'value' in a:
        return [a['value']]
    if 'value_float' in a:
        return [Tensor([], [a['value_float']])]
    if 'value_floats' in a:
        return [Tensor([len(a['value_floats'])], a['value_floats'])]
    if 'value_int' in a:
        return [Tensor([], [a['value_int']], 'i')]
    if 'value_ints' in a:
        return [Tensor([len(a['value_ints'])], a['value_ints'], 'i')]
    raise node_error(node, 'no supported value attribute')


def op_shape(node, ins):
    shape = ins[0].shape
    start, end = node.attr('start', 0), node.attr('end', len(shape))
    sl = shape[slice(start, end)]
    return [Tensor([len(sl)], sl, 'i')]


def op_constant_of_shape(node, ins):
    shape = ints_of(ins[0])
    v = node.attr('value', Tensor([1], [Fraction(0)]))
    return [Tensor(shape, [v.vals[0]] * numel(shape), v.kind)]


def matmul2(a, b, n, k, p, ao=0, bo=0):
    return [sum((a[ao + i * k + j] * b[bo + j * p + c] for j in range(k)), Fraction(0))
            for i in range(n) for c in range(p)]


def op_matmul(node, ins):
    a, b = ins
    sa = [1] + a.shape if len(a.shape) == 1 else a.shape
    sb = b.shape + [1] if len(b.shape) == 1 else b.shape
    (n, k), (k2, p) = sa[-2:], sb[-2:]
    if k != k2:
        raise node_error(node, 'MatMul of shapes %s and %s' % (a.shape, b.shape))
    batch = broadcast_shape(node, [sa[:-2], sb[:-2]])
    ia = bcast_map(batch, sa[:-2])
    ib = bcast_map(batch, sb[:-2])
    vals = []
    for i, j in zip(ia, ib):
        vals += matmul2(a.vals, b.vals, n, k, p, i * n * k, j * k * p)
    shape = batch + ([n] if len(a.shape) > 1 else []) + ([p] if len(b.shape) > 1 else [])
    return [Tensor(shape, vals)]


def op_gemm(node, ins):
    a, b = ins[0], ins[1]
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise node_error(node, 'Gemm of shapes %s and %s' % (a.shape, b.shape))
    if node.attr('transA', 0):
        a = op_transpose(node, [a])[0]
    if node.attr('transB', 0):
        b = op_transpose(node, [b])[0]
    (n, k), (k2, p) = a.shape, b.shape
    if k != k2:
        raise node_error(node, 'Gemm of shapes %s and %s' % (a.shape, b.shape))
    alpha, beta = node.attr('alpha', Fraction(1)), node.attr('beta', Fraction(1))
    vals = [alpha * v for v in matmul2(a.vals, b.vals, n, k, p)]
    if len(ins) > 2 and ins[2] is not None:
        c = ins[2]
        broadcast_shape(node, [[n, p], c.shape])
        vals = [v + beta * c.vals[j] for v, j in zip(vals, bcast_map([n, p], c.shape))]
    return [Tensor([n, p], vals)]


# ---------------------------------------------------------------------------
# Activations: values and code bits (recorded in ctx in node order)
# ---------------------------------------------------------------------------

class Ctx:
    """The code so far: bits, the bits whose pre-activation is exactly 0,
    and the layout (one entry per activation node)."""

    def __init__(self):
        self.bits, self.zeros, self.layout = [], [], []

    def record(self, node, shape, per, pre):
        """pre: the pre-activation of each bit (z, z - lo, z - hi, a - b)."""
        self.layout.append({'node': node.name, 'op': node.op, 'shape': list(shape),
                            'bits_per_element': per, 'first': len(self.bits), 'bits': len(pre)})
        self.zeros += [len(self.bits) + i for i, v in enumerate(pre) if v == 0]
        self.bits += ['1' if v > 0 else '0' for v in pre]


def op_relu_like(node, ins, ctx):
    """Relu, LeakyRelu, PRelu, Abs: one bit z > 0 per element."""
    x = ins[0]
    if node.op == 'Relu':
        vals = [v if v > 0 else Fraction(0) for v in x.vals]
    elif node.op == 'Abs':
        vals = [abs(v) for v in x.vals]
    else:
        if node.op == 'LeakyRelu':
            slope = [node.attr('alpha', f32(0.01))]
            slopes = [slope[0]] * len(x.vals)
        else:
            s = ins[1]
            if broadcast_shape(node, [x.shape, s.shape]) != x.shape:
                raise node_error(node, 'slope %s does not broadcast to %s' % (s.shape, x.shape))
            slopes = [s.vals[j] for j in bcast_map(x.shape, s.shape)]
        vals = [v if v >= 0 else a * v for v, a in zip(x.vals, slopes)]
    ctx.record(node, x.shape, 1, x.vals)
    return [Tensor(x.shape, vals)]


def op_clip(node, ins, ctx):
    x = ins[0]
    if 'min' in node.attrs or 'max' in node.attrs:   # opset 6-10: attributes
        lo, hi = node.attr('min'), node.attr('max')
    else:
        lo = scalar(node, ins[1]) if len(ins) > 1 and ins[1] else None
        hi = scalar(node, ins[2]) if len(ins) > 2 and ins[2] else None
    if lo is not None and hi is not None and lo > hi:
        raise node_error(node, 'min %s > max %s' % (lo, hi))
    bounds = [b for b in (lo, hi) if b is not None]
    vals = list(x.vals)
    if lo is not None:
        vals = [max(v, lo) for v in vals]
    if hi is not None:
        vals = [min(v, hi) for v in vals]
    ctx.record(node, x.shape, len(bounds), [v - b for v in x.vals for b in bounds])
    return [Tensor(x.shape, vals)]


def tournament(vals):
    """(max, pre-activations a - b per level) of the spec's balanced
    tournament."""
    levels = []
    while len(vals) > 1:
        pre, up = [], []
        for i in range(0, len(vals) - 1, 2):
            a, b = vals[i], vals[i + 1]
            pre.append(a - b)
            up.append(b + max(a - b, Fraction(0)))
        levels.append(pre)
        vals = up + vals[len(vals) - len(vals) % 2:]
    return vals[0], levels


def op_maxpool(node, ins, ctx):
    x = ins[0]
    if any(node.outputs[1:]):
        raise node_error(node, 'the Indices output is not supported')
    k = node.attr('kernel_shape')
    sp, s, d, pb, pe = window_geometry(node, x, k)
    outs, wins = windows(node, sp, k, s, d, pb, pe, node.attr('ceil_mode', 0))
    S, vals, per_elem = numel(sp), [], []
    for c in range(x.shape[1]):
        for real, _ in wins:
            if not real:
                raise node_error(node, 'a window of padding only')
            m, levels = tournament([x.vals[c * S + xi] for _, xi in real])
            vals.append(m)
            per_elem.append(levels)
    pre = [v for lv in range(max(len(e) for e in per_elem)) for e in per_elem if lv < len(e)
           for v in e[lv]]
    shape = x.shape[:2] + outs
    ctx.record(node, shape, None, pre)
    return [Tensor(shape, vals)]


AFFINE = {
    'Conv': op_conv, 'ConvTranspose': op_conv_transpose, 'BatchNormalization': op_batchnorm,
    'AveragePool': op_avgpool, 'GlobalAveragePool': op_global_avgpool,
    'Add': binary(lambda a, b, k: a + b), 'Sub': binary(lambda a, b, k: a - b),
    'Mul': binary(lambda a, b, k: a * b), 'Div': binary(divide),
    'Concat': op_concat, 'Split': op_split, 'Slice': op_slice, 'Gather': op_gather,
    'Transpose': op_transpose, 'Reshape': op_reshape, 'Flatten': op_flatten,
    'Squeeze': op_squeeze, 'Unsqueeze': op_unsqueeze, 'Pad': op_pad, 'Dropout': op_dropout,
    'Identity': lambda node, ins: [ins[0]], 'Cast': op_cast, 'Constant': op_constant,
    'Shape': op_shape, 'ConstantOfShape': op_constant_of_shape, 'MatMul': op_matmul,
    'Gemm': op_gemm,
}
ACTIVATIONS = {'Relu': op_relu_like, 'LeakyRelu': op_relu_like, 'PRelu': op_relu_like,
               'Abs': op_relu_like, 'Clip': op_clip, 'MaxPool': op_maxpool}


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------

def run_node(node, env, ctx):
    if node.domain not in ('', 'ai.onnx'):
        raise node_error(node, 'operator domain %s' % node.domain)
    ins = [env[i] if i else None for i in node.inputs]
    try:
        if node.op in AFFINE:
            outs = AFFINE[node.op](node, ins)
        elif node.op in ACTIVATIONS:
            outs = ACTIVATIONS[node.op](node, ins, ctx)
        elif node.op in HEADS + NOT_PIECEWISE_LINEAR:
            raise node_error(node, '%s inside the network: not piecewise linear%s' % (
                node.op, ' (only as the final op)' if node.op in HEADS else ''))
        else:
            raise node_error(node, 'unsupported operator %s' % node.op)
    except OnnxError as e:
        raise e if str(e).startswith('node ') else node_error(node, str(e))
    except (IndexError, TypeError, AttributeError, ValueError) as e:
        raise node_error(node, 'malformed (%s: %s)' % (type(e).__name__, e))
    for name, t in zip(node.outputs, outs):
        if name:
            env[name] = t


def initial_env(model, x):
    x = [Fraction(v) for v in x]
    if len(x) != numel(model.input_shape):
        raise OnnxError('%d coordinates for an input of shape %s' % (len(x), model.input_shape))
    env = dict(model.inits)
    env[model.input_name] = Tensor(model.input_shape, x)
    return env


def run(model, x):
    """(every tensor by name, Ctx) at the point x (flat, row-major)."""
    env, ctx = initial_env(model, x), Ctx()
    for node in model.nodes:
        run_node(node, env, ctx)
    return env, ctx


def evaluate(model, x):
    """(output values, code string, layout) at the point x."""
    env, ctx = run(model, x)
    return env[model.output_name].vals, ''.join(ctx.bits), ctx.layout


def layout(model):
    return evaluate(model, [0] * numel(model.input_shape))[2]


# ---------------------------------------------------------------------------
# Unrolling a plain Conv/affine + Relu chain into a pvnet 1 MLP
# ---------------------------------------------------------------------------

def relu_chain(model):
    """The Relu nodes in order, after checking the net is a chain: only
    affine ops and Relu, no node reading two tensors that depend on x, no
    x-dependent tensor read by two nodes (Shape reads only the shape)."""
    live, readers = {model.input_name}, {}
    for node in model.nodes:
        if node.op not in AFFINE and node.op != 'Relu':
            raise node_error(node, 'not an affine op or Relu: not a plain chain')
        if node.op == 'Shape':
            continue
        used = [i for i in node.inputs if i in live]
        if len(used) > 1:
            raise node_error(node, 'reads two computed tensors (residual/concat): '
                             'not a plain chain')
        for i in used:
            readers[i] = readers.get(i, 0) + 1
            if readers[i] > 1:
                raise node_error(node, "'%s' is read twice (fan-out): not a plain chain" % i)
        if used:
            live.update(o for o in node.outputs if o)
    return [n for n in model.nodes if n.op == 'Relu']


def segment(model, base, start, v, stop):
    """Value of tensor `stop` when tensor `start` is v (flat): re-runs the
    nodes that depend on start, in order, on the constants and shapes of
    `base` (a full run at 0; a Shape node's output does not change)."""
    if stop == start:
        return v
    env, hit = dict(base), {start}
    env[start] = Tensor(base[start].shape, v)
    for node in model.nodes:
        if node.op != 'Shape' and any(i in hit for i in node.inputs):
            run_node(node, env, Ctx())
            hit.update(node.outputs)
            if stop in node.outputs:
                return env[stop].vals
    raise OnnxError("'%s' does not depend on '%s'" % (stop, start))


def affine_map(model, base, start, stop):
    """(rows, bias) of the affine map from tensor start to tensor stop."""
    n = numel(base[start].shape)
    zero = [Fraction(0)] * n
    bias = segment(model, base, start, zero, stop)
    cols = []
    for j in range(n):
        e = list(zero)
        e[j] = Fraction(1)
        cols.append([a - b for a, b in zip(segment(model, base, start, e, stop), bias)])
    rng = random.Random(n)
    x = [Fraction(rng.randint(-99, 99), rng.randint(1, 9)) for _ in range(n)]
    want = [b + sum((cols[j][i] * x[j] for j in range(n)), Fraction(0))
            for i, b in enumerate(bias)]
    if segment(model, base, start, x, stop) != want:
        raise OnnxError("the map from '%s' to '%s' is not affine" % (start, stop))
    return [[cols[j][i] for j in range(n)] for i in range(len(bias))], bias


def fmt(q):
    return str(q.numerator) if q.denominator == 1 else '%d/%d' % (q.numerator, q.denominator)


def unroll_to_pvnet(model_path, out_path):
    """Writes the net at model_path (a plain Conv/affine + Relu chain) as a
    dense pvnet 1 MLP at out_path; same input layout, same code."""
    model = load(model_path)
    relus = relu_chain(model)
    base = run(model, [0] * numel(model.input_shape))[0]
    cuts = [model.input_name] + [r.outputs[0] for r in relus]
    ends = [r.inputs[0] for r in relus] + [model.output_name]
    lines = ['pvnet 1', '# unrolled from %s by onnx_oracle.py' % model_path.split('/')[-1],
             'input %d' % numel(model.input_shape)]
    for k, (a, b) in enumerate(zip(cuts, ends)):
        if k == len(relus) and b == a:          # the graph ends with a Relu
            break
        rows, bias = affine_map(model, base, a, b)
        lines.append('layer %s %d' % ('relu' if k < len(relus) else 'linear', len(rows)))
        lines += [' '.join(fmt(v) for v in row) for row in rows]
        lines.append('bias ' + ' '.join(fmt(v) for v in bias))
    with open(out_path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main(argv):
    model = load(argv[1])
    args = dict(zip(argv[2::2], argv[3::2]))
    print('input %s, heads dropped: %s' % (model.input_shape, model.heads or 'none'))
    for e in layout(model):
        print('code %d %d %s %s %s %s' % (e['first'], e['bits'], e['op'], e['bits_per_element'],
                                          e['shape'], e['node']))
    if '--point' in args:
        out, code, _ = evaluate(model, [Fraction(t) for t in args['--point'].split(',')])
        print('code', code)
        print('output', ' '.join(fmt(v) for v in out))
    if '--unroll' in args:
        unroll_to_pvnet(argv[1], args['--unroll'])


if __name__ == '__main__':
    main(sys.argv)
