#!/usr/bin/env python3
"""Writes small hand-built ONNX seeds for fuzz/corpus/onnx.

The real models in shared/data use only a few of the operations
src/onnx.c accepts, and the ones that use more are large (slow to fuzz).
These models are tiny and each exercises a different path: Constant nodes,
Identity, Flatten, Reshape with -1, Mul, Div, constant-minus-tensor Sub,
Gemm with transA/alpha/beta, MatMul on either side, two affine maps
composed without a Relu between them, float64 and raw_data tensors, int32
shapes. The protobuf is encoded by hand (field numbers from
/usr/include/onnx/onnx.proto), so no Python ONNX package is needed.

Usage: fuzz/onnx_seeds.py OUTDIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'tests', 'e2e'))
from onnxwire import varint, f_int, f_bytes, f_float  # noqa: E402


def tensor(name, dims, values, dtype=1, raw=False):
    """dtype: 1 float32, 11 float64, 6 int32, 7 int64."""
    t = b''.join(f_int(1, d) for d in dims) + f_int(2, dtype) + f_bytes(8, name)
    fmt = {1: 'f', 11: 'd', 6: 'i', 7: 'q'}[dtype]
    packed = struct.pack('<%d%s' % (len(values), fmt), *values)
    if raw:
        return t + f_bytes(9, packed)
    if dtype in (6, 7):   # int32_data / int64_data are varints
        return t + f_bytes(5 if dtype == 6 else 7,
                           b''.join(varint(v) for v in values))
    return t + f_bytes(4 if dtype == 1 else 10, packed)


def attr_int(name, i):
    return f_bytes(1, name) + f_int(3, i) + f_int(20, 2)


def attr_float(name, x):
    return f_bytes(1, name) + f_float(2, x) + f_int(20, 1)


def attr_tensor(name, t):
    return f_bytes(1, name) + f_bytes(5, t) + f_int(20, 4)


def node(op, inputs, outputs, attrs=(), name=''):
    n = b''.join(f_bytes(1, i) for i in inputs)
    n += b''.join(f_bytes(2, o) for o in outputs)
    if name:
        n += f_bytes(3, name)
    n += f_bytes(4, op)
    return n + b''.join(f_bytes(5, a) for a in attrs)


def value_info(name, dims):
    shape = b''.join(f_bytes(1, f_bytes(2, 'N') if d is None else f_int(1, d))
                     for d in dims)
    tensor_type = f_int(1, 1) + f_bytes(2, shape)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, tensor_type))


def model(nodes, inits, inp, out):
    g = b''.join(f_bytes(1, n) for n in nodes) + f_bytes(2, 'g')
    g += b''.join(f_bytes(5, t) for t in inits)
    g += f_bytes(11, value_info(*inp)) + f_bytes(12, value_info(*out))
    opset = f_bytes(1, '') + f_int(2, 13)
    return f_int(1, 7) + f_bytes(8, opset) + f_bytes(7, g)


SEEDS = {
    # Identity, Flatten, Reshape(-1) by a Constant int64 shape, then Gemm
    # with transB and a bias, Relu.
    'shapes.onnx': model(
        [node('Identity', ['x'], ['a']),
         node('Flatten', ['a'], ['b'], [attr_int('axis', 1)]),
         node('Constant', [], ['s'],
              [attr_tensor('value', tensor('', [2], [1, -1], 7))]),
         node('Reshape', ['b', 's'], ['c']),
         node('Gemm', ['c', 'W', 'B'], ['d'], [attr_int('transB', 1)]),
         node('Relu', ['d'], ['y'])],
        [tensor('W', [2, 2], [1.0, -2.0, 0.5, 3.0]),
         tensor('B', [2], [0.25, -1.0])],
        ('x', [None, 2]), ('y', [None, 2])),
    # k - x (Sub with the constant first), Mul, Div by float64 raw data,
    # then MatMul(W, x) and Add.
    'elementwise.onnx': model(
        [node('Sub', ['K', 'x'], ['a']),
         node('Mul', ['a', 'S'], ['b']),
         node('Div', ['b', 'D'], ['c']),
         node('MatMul', ['W', 'c'], ['d']),
         node('Add', ['d', 'B'], ['e']),
         node('Relu', ['e'], ['y'])],
        [tensor('K', [1], [0.5]),
         tensor('S', [3], [1.0, -1.0, 2.0]),
         tensor('D', [3], [4.0, 0.125, 3.0], 11, raw=True),
         tensor('W', [2, 3], [1, 0, -1, 0.75, 1, 1], 11),
         tensor('B', [2], [0.0, 1.0])],
        ('x', [3]), ('y', [2])),
    # Gemm with transA, alpha and beta; two affine maps (MatMul x.W, then
    # Gemm) with no Relu between: composed into one linear layer.
    'compose.onnx': model(
        [node('MatMul', ['x', 'W1'], ['a']),
         node('Relu', ['a'], ['b']),
         node('MatMul', ['b', 'W2'], ['c']),
         node('Gemm', ['W3', 'c', 'B'], ['y'],
              [attr_int('transA', 1), attr_float('alpha', 0.5),
               attr_float('beta', 2.0)])],
        [tensor('W1', [2, 3], [1, 2, 3, -1, 0, 1], raw=True),
         tensor('W2', [3, 2], [1, 0, 0, 1, 1, 1]),
         tensor('W3', [2, 1], [1.0, -1.0]),
         tensor('B', [1], [3.0])],
        ('x', [1, 2]), ('y', [1, 1])),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
