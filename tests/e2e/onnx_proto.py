"""ONNX ModelProto decoding for onnx_oracle.py, by hand.

The protobuf wire format and the few ONNX messages the interpreter needs
(field numbers from onnx.proto): tensors (raw_data or the typed fields;
float32/float16/float64 as exact Fractions, integer types as ints), node
attributes, graph inputs/outputs with their dims. No ONNX or protobuf
package is used, so the tests share nothing with polyverify's protobuf-c
reader but the file format.
"""

import math
import struct
from fractions import Fraction


class OnnxError(Exception):
    pass


# ---------------------------------------------------------------------------
# Protobuf wire format
# ---------------------------------------------------------------------------

def read_varint(buf, pos):
    n, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise OnnxError('truncated varint')
        b = buf[pos]
        pos += 1
        n |= (b & 0x7f) << shift
        if not b & 0x80:
            return n, pos
        shift += 7


def fields(buf):
    """(field number, wire type, value) of each field of a message: an int
    for varints, bytes for the other wire types."""
    pos, out = 0, []
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = read_varint(buf, pos)
        elif wt == 1:
            val, pos = buf[pos:pos + 8], pos + 8
        elif wt == 2:
            n, pos = read_varint(buf, pos)
            val, pos = buf[pos:pos + n], pos + n
        elif wt == 5:
            val, pos = buf[pos:pos + 4], pos + 4
        else:
            raise OnnxError('unsupported wire type %d' % wt)
        if pos > len(buf):
            raise OnnxError('truncated message')
        out.append((num, wt, val))
    return out


def signed(n):
    return n - (1 << 64) if n >= 1 << 63 else n


def repeated_ints(wt, val):
    """A repeated int64 field's values: one varint, or a packed run."""
    if wt == 0:
        return [signed(val)]
    out, pos = [], 0
    while pos < len(val):
        n, pos = read_varint(val, pos)
        out.append(signed(n))
    return out


def repeated_fixed(val, fmt):
    """A repeated float/double field: one value, or a packed run."""
    if len(val) % struct.calcsize(fmt):
        raise OnnxError('truncated packed field')
    return [v for (v,) in struct.iter_unpack('<' + fmt, val)]


def text(val):
    return val.decode('utf-8')


# ---------------------------------------------------------------------------
# ONNX messages
# ---------------------------------------------------------------------------

FLOAT_TYPES = {1: 'f', 10: 'e', 11: 'd'}                  # FLOAT, FLOAT16, DOUBLE
INT_TYPES = {2: 'B', 3: 'b', 4: 'H', 5: 'h', 6: 'i', 7: 'q', 9: '?', 12: 'I', 13: 'Q'}


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Tensor:
    """A tensor: shape (list of ints), row-major values; kind 'f' (Fractions)
    or 'i' (ints: shapes, indices, booleans)."""
    __slots__ = ('shape', 'vals', 'kind')

    def __init__(self, shape, vals, kind='f'):
        self.shape, self.vals, self.kind = list(shape), list(vals), kind
        if numel(self.shape) != len(self.vals):
            raise OnnxError('tensor of shape %s holds %d values' % (self.shape, len(self.vals)))


def exact(v):
    if math.isnan(v) or math.isinf(v):
        raise OnnxError('a NaN or infinite value')
    return Fraction(v)


def parse_tensor(buf):
    dims, dtype, name, raw, loc = [], 1, '', None, 0
    data = {4: [], 5: [], 7: [], 10: [], 11: []}
    for num, wt, val in fields(buf):
        if num == 1:
            dims += repeated_ints(wt, val)
        elif num == 2:
            dtype = val
        elif num == 8:
            name = text(val)
        elif num == 9:
            raw = val
        elif num == 14:
            loc = val
        elif num == 4:
            data[4] += repeated_fixed(val, 'f')
        elif num == 10:
            data[10] += repeated_fixed(val, 'd')
        elif num in (5, 7, 11):
            data[num] += repeated_ints(wt, val)
    if loc:
        raise OnnxError("tensor '%s': external data is not supported" % name)
    if dtype in FLOAT_TYPES:
        fmt = FLOAT_TYPES[dtype]
        if raw is not None:
            vals = [v for (v,) in struct.iter_unpack('<' + fmt, raw)]
        elif dtype == 10:      # float16 bit patterns in int32_data
            vals = [struct.unpack('<e', struct.pack('<H', v & 0xffff))[0] for v in data[5]]
        else:
            vals = data[4] if dtype == 1 else data[10]
        return name, Tensor(dims, [exact(v) for v in vals], 'f')
    if dtype in INT_TYPES:
        if raw is not None:
            vals = [int(v) for (v,) in struct.iter_unpack('<' + INT_TYPES[dtype], raw)]
        else:
            vals = data[7] if dtype == 7 else data[11] if dtype in (12, 13) else data[5]
            if dtype not in (7, 13):   # int32_data holds the 32-bit two's complement
                vals = [v - (1 << 32) if v >= 1 << 31 and dtype != 12 else v
                        for v in (u & 0xffffffff for u in vals)]
        return name, Tensor(dims, vals, 'i')
    raise OnnxError("tensor '%s': data type %d is not supported" % (name, dtype))


def parse_attribute(buf):
    """(name, value): a Fraction, int, str, Tensor or list of them."""
    name, atype, one, many = '', 0, {}, {6: [], 7: [], 8: [], 9: []}
    for num, wt, val in fields(buf):
        if num == 1:
            name = text(val)
        elif num == 20:
            atype = val
        elif num == 2:
            one[1] = exact(struct.unpack('<f', val)[0])
        elif num == 3:
            one[2] = signed(val)
        elif num == 4:
            one[3] = text(val)
        elif num == 5:
            one[4] = parse_tensor(val)[1]
        elif num == 7:
            many[6] += [exact(v) for v in repeated_fixed(val, 'f')]
        elif num == 8:
            many[7] += repeated_ints(wt, val)
        elif num == 9:
            many[8].append(text(val))
    if not atype:           # writers before IR 3 may omit the type
        atype = next(iter(one), None) or next((k for k, v in many.items() if v), 7)
    return name, one.get(atype) if atype in one else many.get(atype)


class Node:
    __slots__ = ('op', 'name', 'inputs', 'outputs', 'attrs', 'domain')

    def __init__(self, buf, index):
        self.inputs, self.outputs, self.attrs = [], [], {}
        self.op, self.name, self.domain = '', None, ''
        for num, _, val in fields(buf):
            if num == 1:
                self.inputs.append(text(val))
            elif num == 2:
                self.outputs.append(text(val))
            elif num == 3:
                self.name = text(val)
            elif num == 4:
                self.op = text(val)
            elif num == 7:
                self.domain = text(val)
            elif num == 5:
                k, v = parse_attribute(val)
                self.attrs[k] = v
        if not self.name:
            self.name = '#%d' % index

    def attr(self, key, default=None):
        return self.attrs.get(key, default)

    def input(self, i):
        """The name of input i, or None when absent or ''."""
        return self.inputs[i] if i < len(self.inputs) and self.inputs[i] else None


def parse_value_info(buf):
    """(name, dims): dims are ints, or None for a symbolic or unknown one."""
    name, dims = '', []
    for num, _, val in fields(buf):
        if num == 1:
            name = text(val)
        elif num == 2:
            for n2, _, v2 in fields(val):              # TypeProto
                if n2 == 1:                            # tensor_type
                    for n3, _, v3 in fields(v2):
                        if n3 == 2:                    # shape
                            for n4, _, v4 in fields(v3):
                                if n4 == 1:            # dim
                                    d = [v5 for n5, _, v5 in fields(v4) if n5 == 1]
                                    dims.append(signed(d[0]) if d else None)
    return name, dims




def parse_model(data):
    """(opset, nodes, initializers by name, inputs, outputs) of a
    ModelProto; inputs and outputs as (name, dims)."""
    graph, opset = None, None
    for num, _, val in fields(data):
        if num == 7:
            graph = val
        elif num == 8:
            f = dict((n, v) for n, _, v in fields(val))
            if text(f.get(1, b'')) in ('', 'ai.onnx'):
                opset = signed(f.get(2, 0))
    if graph is None:
        raise OnnxError('no graph')
    nodes, inits, inputs, outputs = [], {}, [], []
    for num, _, val in fields(graph):
        if num == 1:
            nodes.append(Node(val, len(nodes)))
        elif num == 5:
            name, t = parse_tensor(val)
            inits[name] = t
        elif num == 11:
            inputs.append(parse_value_info(val))
        elif num == 12:
            outputs.append(parse_value_info(val))
        elif num == 15:
            raise OnnxError('sparse initializers are not supported')
    return opset, nodes, inits, inputs, outputs
