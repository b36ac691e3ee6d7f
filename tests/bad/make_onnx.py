#!/usr/bin/env python3
"""Writes the malformed ONNX files of tests/bad/ (and the valid model they
are derived from, tests/bad/valid/base.onnx).

The `onnx` Python module is not needed: the protobuf wire format is written
by hand (varints and length-delimited fields; field numbers from
/usr/include/onnx/onnx.proto, the file src/onnx.c is generated from). The
output is deterministic, so the committed files can be re-made and compared:

    python3 tests/bad/make_onnx.py            # (re)write the files
    python3 tests/bad/make_onnx.py --check    # exit 1 if a committed file differs

Besides ONNX, it writes the gzip cases (*.onnx.gz) and the Git LFS pointer
cases (lfs-pointer.*), which are about any model file.

The valid base model is  x[1,2] -> Gemm(W1[3,2], b1[3], transB=1) 'dense1'
-> Relu 'relu1' -> Gemm(W2[1,3], b2[1], transB=1) 'dense2' -> y[1,1];
every bad file changes one thing in it (its name says what).
"""

import os
import struct
import sys
import zlib

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


# gzip member (RFC 1952) with mtime 0 and one stored deflate block
# (RFC 1951, BTYPE 00): deterministic bytes, unlike zlib's compressor.
GZIP_HEADER = b'\x1f\x8b\x08\x00' + bytes(4) + b'\x00\xff'


def gzip_stored(data):
    assert len(data) < 65536
    block = b'\x01' + struct.pack('<HH', len(data), len(data) ^ 0xffff) + data
    return GZIP_HEADER + block + struct.pack('<II', zlib.crc32(data), len(data))


LFS_POINTER = (b'version https://git-lfs.github.com/spec/v1\n'
               b'oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n'
               b'size 12345\n')


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

    # A Conv on a vector (not an image [1, C, ...]); a Sigmoid inside the
    # network (not piecewise linear; a final one would be an output head).
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

    # Shapes (numpy broadcasting and matmul rules, issue 12): each of these
    # computes a tensor that is not one example's vector, so reading it as
    # a layer would be a different network.
    w1t = [W1[0], W1[2], W1[4], W1[1], W1[3], W1[5]]   # W1 transposed, (2, 3)

    def bias_column(nodes, inits, inputs, outputs):
        # x[1,2] . W1t[2,3] + b[3,1] is a [3,3] tensor, not 3 neurons
        inits['W1'] = tensor('W1t', [2, 3], w1t)
        inits['b1'] = tensor('b1', [3, 1], B1)
        nodes[0:1] = [node('MatMul', ['x', 'W1t'], ['m'], 'matmul1'),
                      node('Add', ['m', 'b1'], ['h'], 'add1')]
    out['onnx-broadcast-bias-column'] = variant(bias_column)

    def mul_column(nodes, inits, inputs, outputs):
        # x[1,2] * k[2,1] is [2,2] (every x_j times every k_i), not a scaling
        inits['k'] = tensor('k', [2, 1], [2.0, 3.0])
        nodes.insert(0, node('Mul', ['x', 'k'], ['xk'], 'scale'))
        nodes[1] = node('Gemm', ['xk', 'W1', 'b1'], ['h'], 'dense1', [TRANS_B])
    out['onnx-broadcast-mul-column'] = variant(mul_column)

    def gemm_c_column(nodes, inits, inputs, outputs):
        # C must broadcast to Y[1,3] (unidirectional): [3,1] does not
        inits['b1'] = tensor('b1', [3, 1], B1)
    out['onnx-broadcast-gemm-c-column'] = variant(gemm_c_column)

    def gemm_c_rank3(nodes, inits, inputs, outputs):
        # [1,1,3] broadcasts with [1,3] to [1,1,3], but Gemm's C may not
        # add dimensions to Y
        inits['b1'] = tensor('b1', [1, 1, 3], B1)
    out['onnx-broadcast-gemm-c-rank3'] = variant(gemm_c_rank3)

    def matmul_rows(nodes, inits, inputs, outputs):
        # x reshaped to a column [2,1] times Wr[1,3]: two rows of 3 values
        inits['shape'] = tensor('shape', [2], [2, 1], dtype=INT64)
        inits['W1'] = tensor('Wr', [1, 3], [1.0, 0.0, -1.0])
        nodes[0:1] = [node('Reshape', ['x', 'shape'], ['xr'], 'to_column'),
                      node('MatMul', ['xr', 'Wr'], ['m'], 'matmul1'),
                      node('Add', ['m', 'b1'], ['h'], 'add1')]
    out['onnx-matmul-two-rows'] = variant(matmul_rows)

    def matmul_inner(nodes, inits, inputs, outputs):
        # x[1,2] . W1[3,2]: the inner dimensions 2 and 3 differ
        nodes[0:1] = [node('MatMul', ['x', 'W1'], ['m'], 'matmul1'),
                      node('Add', ['m', 'b1'], ['h'], 'add1')]
    out['onnx-matmul-inner-mismatch'] = variant(matmul_inner)

    def gemm_1d(nodes, inits, inputs, outputs):
        inputs[0] = value_info('x', [2])
    out['onnx-gemm-1d-input'] = variant(gemm_1d)

    def gemm_x_as_c(nodes, inits, inputs, outputs):
        # the input is Gemm's C: never take another operand for it
        inits['Wb'] = tensor('Wb', [2, 3], w1t)
        nodes[0] = node('Gemm', ['W1', 'Wb', 'x'], ['h'], 'dense1')
    out['onnx-gemm-input-as-c'] = variant(gemm_x_as_c)

    def flatten_axis(nodes, inits, inputs, outputs):
        nodes.insert(0, node('Flatten', ['x'], ['xf'], 'flatten', [attr_i('axis', 5)]))
        nodes[1] = node('Gemm', ['xf', 'W1', 'b1'], ['h'], 'dense1', [TRANS_B])
    out['onnx-flatten-axis-out-of-range'] = variant(flatten_axis)

    # A fixed first input dimension other than 1: 25 examples (or a 2-D
    # example), not a batch dimension of one.
    def input_rows(nodes, inits, inputs, outputs):
        inputs[0] = value_info('x', [25, 2])
    out['onnx-input-second-dimension'] = variant(input_rows)

    # gzip (read transparently; these are the broken ones). Stored deflate
    # blocks, so the bytes do not depend on the zlib version.
    gz = gzip_stored(base)
    out['onnx-gz-truncated.onnx.gz'] = gz[:len(gz) // 2]
    out['onnx-gz-trailing-garbage.onnx.gz'] = gz + b'garbage'
    out['onnx-gz-bad-crc.onnx.gz'] = gz[:-8] + bytes(4) + gz[-4:]
    # Block type 3 is reserved: "invalid block type".
    out['onnx-gz-corrupt.onnx.gz'] = GZIP_HEADER + b'\x07' + bytes(8)
    # The trailer's size is not the data's (zlib: "incorrect length check").
    # (A real zip bomb is ~1 MB: test_loaders_more.py makes one at run time.)
    out['onnx-gz-bad-length.onnx.gz'] = gz[:-4] + struct.pack('<I', 0xffffffff)

    # A Git LFS pointer where the model should be (a clone without git-lfs).
    out['lfs-pointer.onnx'] = LFS_POINTER
    out['lfs-pointer.csv'] = LFS_POINTER

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
    # names with their own extension (.onnx.gz, .csv) keep it
    files.update({os.path.join(HERE, n if '.' in n else n + '.onnx'): b
                  for n, b in bad.items()})
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
