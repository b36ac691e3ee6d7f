"""Protobuf wire format, by hand: what the tests' ONNX writers share.

test_loaders.py, tests/bad/make_onnx.py and fuzz/onnx_seeds.py build ONNX
models byte by byte (field numbers from /usr/include/onnx/onnx.proto), so
that no Python ONNX package is needed and every byte is known.
"""
import struct


def varint(n):
    """Base-128 varint; a negative int64 is its 10-byte two's complement."""
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_int(field, n):
    """Varint field (wire type 0)."""
    return varint(field << 3) + varint(n)


def f_bytes(field, b):
    """Length-delimited field (wire type 2); str is UTF-8 encoded."""
    if isinstance(b, str):
        b = b.encode()
    return varint(field << 3 | 2) + varint(len(b)) + b


def f_fixed32(field, raw4):
    """32-bit field (wire type 5), given its 4 little-endian bytes."""
    return varint(field << 3 | 5) + raw4


def f_float(field, x):
    """float field: x rounded to float32."""
    return f_fixed32(field, struct.pack('<f', x))
