#!/usr/bin/env python3
"""Writes the malformed ONNX files of tests/bad/ (and the valid model they
are derived from, tests/bad/valid/base.onnx).

The `onnx` Python module is not needed: the protobuf wire format is written
by hand (varints and length-delimited fields; field numbers from
/usr/include/onnx/onnx.proto, the file src/onnx.c is generated from). The
output is deterministic, so the committed files can be re-made and compared:

    python3 tests/bad/make_onnx.py            # (re)write the files
    python3 tests/bad/make_onnx.py --check    # exit 1 if a committed file differs

The valid base model is  x[1,2] -> Gemm(W1[3,2], b1[3], transB=1) 'dense1'
-> Relu 'relu1' -> Gemm(W2[1,3], b2[1], transB=1) 'dense2' -> y[1,1];
every bad file changes one thing in it (its name says what).
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
from onnxwire import varint, f_int, f_bytes, f_fixed32  # noqa: E402

# ---------------------------------------------------------------------------
# ONNX field numbers (onnx.proto); the wire format is tests/e2e/onnxwire.py
# ---------------------------------------------------------------------------


MODEL_IR_VERSION, MODEL_OPSET, MODEL_GRAPH = 1, 8, 7
OPSET_VERSION = 2
GRAPH_NODE, GRAPH_NAME, GRAPH_INIT, GRAPH_INPUT, GRAPH_OUTPUT = 1, 2, 5, 11, 12
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP, NODE_ATTR, NODE_DOMAIN = 1, 2, 3, 4, 5, 7
ATTR_NAME, ATTR_F, ATTR_I, ATTR_TYPE = 1, 2, 3, 20
ATTR_FLOAT, ATTR_INT = 1, 2
T_DIMS, T_TYPE, T_FLOAT, T_INT64, T_NAME, T_RAW, T_DOUBLE, T_LOCATION = 1, 2, 4, 7, 8, 9, 10, 14
FLOAT, INT64, DOUBLE = 1, 7, 11
VI_NAME, VI_TYPE = 1, 2
TYPE_TENSOR = 1
TT_ELEM, TT_SHAPE = 1, 2
SHAPE_DIM = 1
DIM_VALUE, DIM_PARAM = 1, 2


def f32(x):
    return struct.pack('<f', x)


def f64(x):
    return struct.pack('<d', x)


NAN32 = struct.pack('<I', 0x7fc00000)
INF32 = struct.pack('<I', 0x7f800000)
NEG_INF64 = struct.pack('<Q', 0xfff0000000000000)
NAN64 = struct.pack('<Q', 0x7ff8000000000000)


def tensor(name, dims, values, dtype=FLOAT, raw=False, data_bytes=None, extra=b''):
    """TensorProto. values: floats (or ints for INT64); data_bytes, when
    given, are the element bytes as stored (to write NaN/Inf bit patterns)."""
    out = b''.join(f_int(T_DIMS, d) for d in dims) + f_int(T_TYPE, dtype)
    out += f_bytes(T_NAME, name)
    if data_bytes is None:
        fmt = {FLOAT: 'f', DOUBLE: 'd', INT64: 'q'}[dtype]
        data_bytes = struct.pack('<%d%s' % (len(values), fmt), *values)
    if raw:
        out += f_bytes(T_RAW, data_bytes)
    elif dtype == INT64:
        vals = struct.unpack('<%dq' % (len(data_bytes) // 8), data_bytes)
        out += f_bytes(T_INT64, b''.join(varint(v) for v in vals))
    else:
        out += f_bytes(T_DOUBLE if dtype == DOUBLE else T_FLOAT, data_bytes)
    return out + extra


def attr_i(name, v):
    return f_bytes(ATTR_NAME, name) + f_int(ATTR_I, v) + f_int(ATTR_TYPE, ATTR_INT)


def attr_f_bits(name, raw4):
    return f_bytes(ATTR_NAME, name) + f_fixed32(ATTR_F, raw4) + f_int(ATTR_TYPE, ATTR_FLOAT)


def node(op, inputs, outputs, name, attrs=(), domain=None):
    out = b''.join(f_bytes(NODE_INPUT, i) for i in inputs)
    out += b''.join(f_bytes(NODE_OUTPUT, o) for o in outputs)
    out += f_bytes(NODE_NAME, name) + f_bytes(NODE_OP, op)
    out += b''.join(f_bytes(NODE_ATTR, a) for a in attrs)
    if domain is not None:
        out += f_bytes(NODE_DOMAIN, domain)
    return out


def value_info(name, dims, elem=FLOAT):
    """dims: ints, or strings for symbolic dimensions; None: no shape."""
    tt = f_int(TT_ELEM, elem)
    if dims is not None:
        shape = b''.join(f_bytes(SHAPE_DIM, f_bytes(DIM_PARAM, d) if isinstance(d, str)
                                 else f_int(DIM_VALUE, d)) for d in dims)
        tt += f_bytes(TT_SHAPE, shape)
    return f_bytes(VI_NAME, name) + f_bytes(VI_TYPE, f_bytes(TYPE_TENSOR, tt))


def graph(nodes, inits, inputs, outputs):
    g = b''.join(f_bytes(GRAPH_NODE, n) for n in nodes) + f_bytes(GRAPH_NAME, 'g')
    g += b''.join(f_bytes(GRAPH_INIT, t) for t in inits)
    g += b''.join(f_bytes(GRAPH_INPUT, v) for v in inputs)
    g += b''.join(f_bytes(GRAPH_OUTPUT, v) for v in outputs)
    return g


def model(g):
    return (f_int(MODEL_IR_VERSION, 7) + f_bytes(MODEL_OPSET, f_int(OPSET_VERSION, 13))
            + f_bytes(MODEL_GRAPH, g))


# ---------------------------------------------------------------------------
# The valid base model and its variants
# ---------------------------------------------------------------------------

W1 = [1.0, 0.0, 0.0, 1.0, 1.0, -1.0]      # 3 x 2
B1 = [0.0, 0.0, -0.5]
W2 = [1.0, -1.0, 2.0]                     # 1 x 3
B2 = [0.25]
TRANS_B = attr_i('transB', 1)


def base_parts():
    """(nodes, initializers, inputs, outputs) of the valid base model, as
    dicts/lists that variants copy and change."""
    inits = {
        'W1': tensor('W1', [3, 2], W1),
        'b1': tensor('b1', [3], B1),
        'W2': tensor('W2', [1, 3], W2, raw=True),
        'b2': tensor('b2', [1], B2, dtype=DOUBLE, raw=True),
    }
    nodes = [
        node('Gemm', ['x', 'W1', 'b1'], ['h'], 'dense1', [TRANS_B]),
        node('Relu', ['h'], ['r'], 'relu1'),
        node('Gemm', ['r', 'W2', 'b2'], ['y'], 'dense2', [TRANS_B]),
    ]
    return nodes, inits, [value_info('x', [1, 2])], [value_info('y', [1, 1])]


def build(nodes, inits, inputs, outputs):
    return model(graph(nodes, list(inits.values()), inputs, outputs))


def variant(change):
    """The base model after change(nodes, inits, inputs, outputs) edits the
    lists in place (or returns a new 4-tuple)."""
    parts = base_parts()
    got = change(*parts)
    return build(*(got if got is not None else parts))


def cases():
    """name (without .onnx) -> bytes."""
    base = variant(lambda *p: None)
    out = {}

    # Truncated protobuf at several offsets: inside the first tag's value,
    # inside the graph's nodes, initializers, inputs and outputs, and one
    # byte short of the end. None of them ends on a field boundary of the
    # ModelProto, so none decodes.
    for at in (1, 20, 100, 200, len(base) - 1):
        out['onnx-truncated-at-%d' % at] = base[:at]

    # Operators that are not affine maps or ReLU.
    def conv(nodes, inits, inputs, outputs):
        nodes[0] = node('Conv', ['x', 'W1', 'b1'], ['h'], 'conv1')
    out['onnx-conv-op'] = variant(conv)

    def sigmoid(nodes, inits, inputs, outputs):
        nodes[1] = node('Sigmoid', ['h'], ['r'], 'sigmoid1')
    out['onnx-sigmoid-op'] = variant(sigmoid)

    def custom_domain(nodes, inits, inputs, outputs):
        nodes[1] = node('Relu', ['h'], ['r'], 'relu1', domain='com.example')
    out['onnx-custom-domain-op'] = variant(custom_domain)

    # Graph inputs and outputs.
    def second_input(nodes, inits, inputs, outputs):
        inputs.append(value_info('x2', [1, 2]))
    out['onnx-second-input'] = variant(second_input)

    def dynamic(nodes, inits, inputs, outputs):
        inputs[0] = value_info('x', ['N', 'M'])
    out['onnx-dynamic-shape'] = variant(dynamic)

    def input_zero(nodes, inits, inputs, outputs):
        inputs[0] = value_info('x', [1, 0])
    out['onnx-input-dim-zero'] = variant(input_zero)

    def no_shape(nodes, inits, inputs, outputs):
        inputs[0] = value_info('x', None)
    out['onnx-input-no-shape'] = variant(no_shape)

    def int_input(nodes, inits, inputs, outputs):
        inputs[0] = value_info('x', [1, 2], elem=INT64)
    out['onnx-input-int64'] = variant(int_input)

    def no_input(nodes, inits, inputs, outputs):
        inputs.clear()
    out['onnx-no-input'] = variant(no_input)

    def two_outputs(nodes, inits, inputs, outputs):
        outputs.append(value_info('r', [1, 3]))
    out['onnx-two-outputs'] = variant(two_outputs)

    out['onnx-no-graph'] = f_int(MODEL_IR_VERSION, 7) + f_bytes(MODEL_OPSET,
                                                                 f_int(OPSET_VERSION, 13))

    # Graph structure.
    def branch(nodes, inits, inputs, outputs):
        nodes.append(node('Relu', ['h'], ['r2'], 'relu_branch'))
    out['onnx-branch'] = variant(branch)

    def computed_weight(nodes, inits, inputs, outputs):
        nodes[2] = node('MatMul', ['r', 'r'], ['y'], 'matmul_self')
    out['onnx-computed-weight'] = variant(computed_weight)

    def missing_init(nodes, inits, inputs, outputs):
        del inits['W2']
    out['onnx-missing-initializer'] = variant(missing_init)

    # Initializers: NaN/Inf as float bits, wrong counts and shapes.
    def nan_float_data(nodes, inits, inputs, outputs):
        inits['W1'] = tensor('W1', [3, 2], None, data_bytes=f32(1) + NAN32 + f32(0) * 4)
    out['onnx-nan-float32-weight'] = variant(nan_float_data)

    def inf_raw(nodes, inits, inputs, outputs):
        inits['b1'] = tensor('b1', [3], None, raw=True, data_bytes=f32(0) + INF32 + f32(0))
    out['onnx-inf-float32-raw-bias'] = variant(inf_raw)

    def neg_inf_double(nodes, inits, inputs, outputs):
        inits['b2'] = tensor('b2', [1], None, dtype=DOUBLE, raw=True, data_bytes=NEG_INF64)
    out['onnx-neg-inf-float64-bias'] = variant(neg_inf_double)

    def nan_double_data(nodes, inits, inputs, outputs):
        inits['W2'] = tensor('W2', [1, 3], None, dtype=DOUBLE,
                             data_bytes=f64(1) + NAN64 + f64(2))
    out['onnx-nan-float64-weight'] = variant(nan_double_data)

    def alpha_nan(nodes, inits, inputs, outputs):
        nodes[0] = node('Gemm', ['x', 'W1', 'b1'], ['h'], 'dense1',
                        [TRANS_B, attr_f_bits('alpha', NAN32)])
    out['onnx-gemm-alpha-nan'] = variant(alpha_nan)

    def too_few_values(nodes, inits, inputs, outputs):
        inits['W1'] = tensor('W1', [3, 2], W1[:5])
    out['onnx-too-few-weights'] = variant(too_few_values)

    def too_many_values(nodes, inits, inputs, outputs):
        inits['W2'] = tensor('W2', [1, 3], W2 + [7.0], raw=True)
    out['onnx-too-many-weights'] = variant(too_many_values)

    def sizes_disagree(nodes, inits, inputs, outputs):
        inits['W2'] = tensor('W2', [1, 4], W2 + [7.0], raw=True)
    out['onnx-layer-sizes-disagree'] = variant(sizes_disagree)

    def bias_count(nodes, inits, inputs, outputs):
        inits['b1'] = tensor('b1', [2], B1[:2])
    out['onnx-bias-wrong-count'] = variant(bias_count)

    def add_count(nodes, inits, inputs, outputs):
        # x . W1t (MatMul, W1t of shape (in, out)) + b (Add) with 2 values for 3
        inits['W1'] = tensor('W1t', [2, 3], [W1[0], W1[2], W1[4], W1[1], W1[3], W1[5]])
        inits['b1'] = tensor('b1', [2], B1[:2])
        nodes[0:1] = [node('MatMul', ['x', 'W1t'], ['m'], 'matmul1'),
                      node('Add', ['m', 'b1'], ['h'], 'add1')]
    out['onnx-add-wrong-count'] = variant(add_count)

    def zero_width(nodes, inits, inputs, outputs):
        inits['W1'] = tensor('W1', [0, 2], [])
    out['onnx-zero-width-layer'] = variant(zero_width)

    def negative_dim(nodes, inits, inputs, outputs):
        inits['W1'] = tensor('W1', [-3, 2], W1)
    out['onnx-negative-dim'] = variant(negative_dim)

    def int_weight(nodes, inits, inputs, outputs):
        inits['W1'] = tensor('W1', [3, 2], [1, 0, 0, 1, 1, -1], dtype=INT64)
    out['onnx-int64-weight'] = variant(int_weight)

    def external(nodes, inits, inputs, outputs):
        inits['W1'] = tensor('W1', [3, 2], W1, extra=f_int(T_LOCATION, 1))
    out['onnx-external-data'] = variant(external)

    # Div by a constant with a zero element: the ONNX form of 1/0.
    def div_zero(nodes, inits, inputs, outputs):
        inits['s'] = tensor('s', [2], [2.0, 0.0])
        nodes.insert(0, node('Div', ['x', 's'], ['xs'], 'scale'))
        nodes[1] = node('Gemm', ['xs', 'W1', 'b1'], ['h'], 'dense1', [TRANS_B])
    out['onnx-div-by-zero'] = variant(div_zero)

    # Not a protobuf at all, but starting like one (so that it is sniffed as
    # ONNX even without the extension: see bin-garbage for the other case).
    garbage = bytearray(b'\x08\x07')
    x = 12345
    for _ in range(300):
        x = (x * 1103515245 + 12345) & 0x7fffffff
        garbage.append(x >> 16 & 0xff)
    out['onnx-garbage'] = bytes(garbage)
    return base, out


def main():
    check = sys.argv[1:] == ['--check']
    if sys.argv[1:] and not check:
        print(__doc__)
        return 2
    base, bad = cases()
    files = {os.path.join(HERE, 'valid', 'base.onnx'): base}
    files.update({os.path.join(HERE, n + '.onnx'): b for n, b in bad.items()})
    differ = 0
    for path, data in sorted(files.items()):
        if check:
            try:
                with open(path, 'rb') as f:
                    same = f.read() == data
            except OSError:
                same = False
            if not same:
                print('differs: %s' % os.path.relpath(path))
                differ += 1
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)
    if check:
        print('%d files, %d differ' % (len(files), differ))
        return 1 if differ else 0
    print('wrote %d files' % len(files))
    return 0


if __name__ == '__main__':
    sys.exit(main())
