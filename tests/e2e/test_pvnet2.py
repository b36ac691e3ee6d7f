"""End-to-end tests of the .pvnet 2 format: mixed and sparse layers, code lines.

Hand-written pvnet 2 networks whose facts are derived by hand (comments of
each network below) and checked against polyverify:
  * `code` at points: codes and zero neurons, against a forward pass written
    here directly from each network's formula (not from the file);
  * `cell` on every code, with and without a box: realised, dim, bounded,
    implicit equalities, facets (neurons / box side) and the neighbour across
    each facet, and the returned point's code (hand formula) with no zero
    pre-activation outside the implicit equalities;
  * `info` text and --json: mixed layers, sparse layers (nnz), the code layout
    from `code` lines (a MaxPool tournament included) or from the layers;
  * `convert`: a pvnet 2 network is written as the exact text expected here,
    and converting that again gives the same bytes; pvnet 1 networks (and a
    pvnet 2 file of plain dense layers) are still written as pvnet 1;
  * the fingerprint reads the dense matrix: a certificate of the original
    names the same fingerprint as one of the converted file or of the same
    network written dense, and pvcheck accepts it against either;
  * malformed pvnet 2 files (and pvnet 2 constructs in a pvnet 1 file):
    exit status 1 and a message with the file and line.

Usage: python3 tests/e2e/test_pvnet2.py /path/to/polyverify   (cwd = project root)
"""

import os
import re
import subprocess
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

F = Fraction


def relu(z):
    return z if z > 0 else F(0)


# --- residual: y = relu(relu(x1 - x2) + x1 - 1) ------------------------------
# Layer 1 (mixed, sparse): r = relu(x1 - x2) is bit 0; x1 is carried as a
# linear row (the residual connection). Layer 2: bit 1 is r + x1 - 1 > 0.
# Hyperplanes: x1 = x2 (bit 0); where r = 0 bit 1's is x1 = 1, where
# r = x1 - x2 it is x2 = 2 x1 - 1. All three meet at (1, 1).
#   00 = {x1 <= x2, x1 <= 1}, 01 = {x1 <= x2, x1 > 1},
#   10 = {x2 < x1, x2 >= 2 x1 - 1}, 11 = {x2 < x1, x2 < 2 x1 - 1}:
# all dim 2, unbounded, each with facets [0] and [1]; across [0] the code
# flips bit 0 (e.g. 00's facet x1 = x2 below (1,1) leads to x1 > x2 where
# 2 x1 - x2 - 1 < 0: 10), across [1] bit 1.
# In [-2,2]^2: 00 has vertices (-2,-2) (1,1) (1,2) (-2,2): box x1 lo, x2 hi;
# 01 the triangle (1,1) (2,2) (1,2): box x2 hi; 10 the triangle (1,1)
# (-2,-2) (-1/2,-2): box x2 lo; 11 (1,1) (2,2) (2,-2) (-1/2,-2): box x1 hi,
# x2 lo.
RESIDUAL = """\
# y = relu(relu(x1 - x2) + x1 - 1), x1 passed on linearly
pvnet 2
input 2
code 0 1 Relu 1 [1,1] /block/relu1
code 1 1 Relu 1 [1,1] /block/relu2
layer relu 1 linear 1 sparse
0:1 1:-1
0:1
bias 0 0
layer relu 1
1 1
bias -1
layer linear 1
1
bias 0
"""

# The same network, every layer dense, no code lines.
RESIDUAL_DENSE = """\
pvnet 2
input 2
layer relu 1 linear 1
1 -1
1 0
bias 0 0
layer relu 1
1 1
bias -1
layer linear 1
1
bias 0
"""

# What `convert` writes for RESIDUAL.
RESIDUAL_WRITTEN = """\
# written by polyverify; exact rationals
pvnet 2
input 2
# code layout: code FIRST NBITS OP BITS_PER_ELEMENT SHAPE NODE
code 0 1 Relu 1 [1,1] /block/relu1
code 1 1 Relu 1 [1,1] /block/relu2
layer relu 1 linear 1 sparse
0:1 1:-1
0:1
bias 0 0
layer relu 1
1 1
bias -1
layer linear 1
1
bias 0
"""


def residual_pre(x):
    x1, x2 = x
    z0 = x1 - x2
    return [z0, relu(z0) + x1 - 1]


RESIDUAL_CELLS = {
    None: {
        '00': (2, False, '0>10 1>01', []),
        '01': (2, False, '0>11 1>00', []),
        '10': (2, False, '0>00 1>11', []),
        '11': (2, False, '0>01 1>10', []),
    },
    ((-2, 2), (-2, 2)): {
        '00': (2, True, '0>10 1>01 box:0:lo box:1:hi', []),
        '01': (2, True, '0>11 1>00 box:1:hi', []),
        '10': (2, True, '0>00 1>11 box:1:lo', []),
        '11': (2, True, '0>01 1>10 box:0:hi box:1:lo', []),
    },
}

RESIDUAL_POINTS = [
    (['2', '1'], '11', []),       # r = 1, 1 + 2 - 1 = 2
    (['0', '1'], '00', []),       # r = 0, 0 + 0 - 1 = -1
    (['1', '1'], '00', [0, 1]),   # both pre-activations 0
    (['2', '3'], '01', []),       # r = 0, but x1 - 1 = 1: the pass-through
    (['1/2', '-1'], '11', []),    # r = 3/2, 3/2 + 1/2 - 1 = 1
    (['0', '-1/2'], '10', []),    # r = 1/2, 1/2 + 0 - 1 = -1/2
]

# --- opposite through a linear row ------------------------------------------
# Layer 1 (mixed, dense): bit 0 is d = x1 - x2 > 0, and d is carried
# linearly; layer 2 (mixed, sparse): bit 1 is -d > 0, and relu(d) is
# carried as the second output. No code lines: the layout is the layers'.
#   00: d <= 0 and -d <= 0: the line x1 = x2, dim 1, implicit [0, 1], no
#       facet, unbounded;  11: d > 0 and -d > 0: not realised;
#   10 = {x1 > x2}, 01 = {x1 < x2}: dim 2, one facet, the line, on which
#       both hyperplanes lie: neurons [0, 1], neighbour two bits away.
# In [-1,1] x [-2,2]: 00 is the segment (-1,-1)..(1,1), ending on x1 = -1
# and x1 = 1; 10 = (-1,-2) (1,-2) (1,1) (-1,-1): box x1 lo, x1 hi, x2 lo;
# 01 = (-1,-1) (1,1) (1,2) (-1,2): box x1 lo, x1 hi, x2 hi.
OPPOSITE = """\
pvnet 2
input 2
layer relu 1 linear 1
1 -1
1 -1
bias 0 0
layer relu 1 linear 1 sparse
1:-1
0:1
bias 0 0
"""


def opposite_pre(x):
    d = x[0] - x[1]
    return [d, -d]


OPPOSITE_CELLS = {
    None: {
        '00': (1, False, '', [0, 1]),
        '10': (2, False, '0,1>01', []),
        '01': (2, False, '0,1>10', []),
    },
    ((-1, 1), (-2, 2)): {
        '00': (1, True, 'box:0:lo box:0:hi', [0, 1]),
        '10': (2, True, '0,1>01 box:0:lo box:0:hi box:1:lo', []),
        '01': (2, True, '0,1>10 box:0:lo box:0:hi box:1:hi', []),
    },
}

OPPOSITE_POINTS = [(['1', '0'], '10', []), (['0', '0'], '00', [0, 1]),
                   (['0', '1'], '01', []), (['-3/2', '-3/2'], '00', [0, 1])]

# --- max(x1, x2, x3) as a MaxPool tournament ----------------------------------
# Window (x1, x2, x3): level 1 pairs (x1, x2): bit 0 is x1 > x2, value
# m = x2 + relu(x1 - x2); x3 goes up unchanged; level 2 pairs (m, x3): bit 1
# is m > x3, value x3 + relu(m - x3) = max. Layer 1 carries x2 and x3,
# layer 2 carries x3. In R^3, every code is realised with dim 3, unbounded,
# two facets: 00 = {x1 <= x2 <= x3}: across x1 = x2 (where x1 < x3) m = x1
# < x3: 10; across x2 = x3 (x1 < x2): 01.  01 = {x1 <= x2, x2 > x3}: across
# x1 = x2: m = x1 > x3: 11; across x2 = x3: 00.  10 = {x1 > x2, x1 <= x3}:
# across x1 = x2: m = x2 < x3: 00; across x1 = x3: 11.  11 = {x1 > x2,
# x1 > x3}: across x1 = x2: m = x2 > x3: 01; across x1 = x3: 10.
MAXPOOL = """\
pvnet 2
input 3
code 0 2 MaxPool 0 [1,1,1] /pool/MaxPool
layer relu 1 linear 2 sparse
0:1 1:-1
1:1
2:1
bias 0 0 0
layer relu 1 linear 1 sparse
0:1 1:1 2:-1
2:1
bias 0 0
layer linear 1 sparse
0:1 1:1
bias 0
"""


def maxpool_pre(x):
    x1, x2, x3 = x
    m = x2 + relu(x1 - x2)
    return [x1 - x2, m - x3]


MAXPOOL_CELLS = {
    None: {
        '00': (3, False, '0>10 1>01', []),
        '01': (3, False, '0>11 1>00', []),
        '10': (3, False, '0>00 1>11', []),
        '11': (3, False, '0>01 1>10', []),
    },
}

MAXPOOL_POINTS = [(['3', '1', '2'], '11', []), (['1', '3', '2'], '01', []),
                  (['1', '2', '3'], '00', []), (['2', '1', '3'], '10', []),
                  (['1', '1', '1'], '00', [0, 1])]

NETS = {
    'residual': (RESIDUAL, residual_pre, RESIDUAL_CELLS, RESIDUAL_POINTS),
    'opposite': (OPPOSITE, opposite_pre, OPPOSITE_CELLS, OPPOSITE_POINTS),
    'maxpool': (MAXPOOL, maxpool_pre, MAXPOOL_CELLS, MAXPOOL_POINTS),
}


def hand_code(pre, x):
    """(code, zero neurons) of point x from a hand pre-activation function."""
    z = pre(x)
    return ''.join('1' if v > 0 else '0' for v in z), [j for j, v in enumerate(z) if v == 0]


def facet_set(spec):
    """'0,1>01 box:0:lo' -> {((0, 1), ()): '01', ((), (0, 'lo')): None}."""
    out = {}
    for item in spec.split():
        if item.startswith('box:'):
            _, i, side = item.split(':')
            out[((), (int(i), side))] = None
        else:
            neurons, neighbor = item.split('>')
            out[(tuple(int(j) for j in neurons.split(',')), ())] = neighbor
    return out


def reported_facets(facets):
    out = {}
    for f in facets or []:
        neurons = tuple(sorted(f.get('neurons') or []))
        box = tuple(f['box']) if not neurons and f.get('box') else ()
        out[(neurons, box)] = f.get('neighbor')
    return out


def check_cells(r, name, path, pre, tables):
    m = int(re.search(r'^input (\d+)$', NETS[name][0], re.M).group(1))
    n = len(pre([F(0)] * m))
    for box, table in tables.items():
        for k in range(2 ** n):
            code = format(k, '0%db' % n)
            what = '%s cell %s box %s' % (name, code, box)
            got = r.run_json('cell', path, '--code', code, *oracle.box_args(box), what=what)
            if got is None:
                continue
            if code not in table:
                r.equal(got.get('realized'), False, what + ' realized')
                continue
            dim, bounded, facets, implicit = table[code]
            r.equal((got.get('realized'), got.get('dim'), got.get('bounded')),
                    (True, dim, bounded), what + ' (realized, dim, bounded)')
            r.equal(sorted(got.get('implicit_equalities') or []), implicit,
                    what + ' implicit equalities')
            r.equal(reported_facets(got.get('facets')), facet_set(facets), what + ' facets')
            point = oracle.fractions_of(got.get('point'))
            if r.check(point is not None, what + ' point %r' % (got.get('point'),)):
                c, zeros = hand_code(pre, point)
                r.equal((c, zeros), (code, implicit), what + ' code of the returned point')


def check_points(r, name, path, pre, points):
    for point, code, zeros in points:
        r.equal(hand_code(pre, [F(p) for p in point]), (code, zeros),
                'HAND %s at %s' % (name, point))
        got = r.run_json('code', path, '--point', ','.join(point), what='code %s' % name)
        if got is not None and r.equal(len(got), 1, 'code %s: one object' % name):
            r.equal((got[0].get('code'), sorted(got[0].get('zero_neurons') or [])),
                    (code, zeros), 'code %s at %s' % (name, point))


def check_info(r, paths):
    got = r.run_json('info', paths['residual'], what='info residual')
    if got is not None:
        r.equal([(l.get('activation'), l.get('width'), l.get('relus'), l.get('sparse'),
                  l.get('nnz')) for l in got.get('layers') or []],
                [('mixed', 2, 1, True, 3), ('relu', 1, 1, False, 2),
                 ('linear', 1, 0, False, 1)], 'info residual --json layers')
        r.equal(got.get('neurons'), 2, 'info residual --json neurons')
        r.equal(got.get('code_layout'),
                [{'first': 0, 'last': 0, 'op': 'Relu', 'per_element': 1, 'shape': '[1, 1]',
                  'node': '/block/relu1', 'layer': None},
                 {'first': 1, 'last': 1, 'op': 'Relu', 'per_element': 1, 'shape': '[1, 1]',
                  'node': '/block/relu2', 'layer': None}], 'info residual --json code_layout')
    rc, out, err = r.run('info', paths['residual'])
    r.check(rc == 0 and re.search(r'^layers +relu 1 \+ linear 1 \(sparse, 3 weights\), '
                                  r'relu 1, linear 1$', out, re.M),
            'info residual: the layers line: %r' % out)
    r.check(re.search(r'^code +bits 0\.\.0: Relu, 1 bit \(1 per element\), \[1, 1\], '
                      r'/block/relu1\n +bits 1\.\.1: Relu, 1 bit \(1 per element\), \[1, 1\], '
                      r'/block/relu2$', out, re.M), 'info residual: the code layout: %r' % out)
    # Without code lines the layout is the layers with ReLU rows.
    got = r.run_json('info', paths['opposite'], what='info opposite')
    if got is not None:
        r.equal([(e.get('first'), e.get('last'), e.get('op'), e.get('per_element'),
                  e.get('shape'), e.get('node'), e.get('layer')) for e in got.get('code_layout')],
                [(0, 0, 'Relu', 1, '[1]', None, 1), (1, 1, 'Relu', 1, '[1]', None, 2)],
                'info opposite --json code_layout')
    rc, out, err = r.run('info', paths['opposite'])
    r.check(rc == 0 and re.search(r'^code +bits 0\.\.0: layer 1 relu 1 \+ linear 1\n'
                                  r' +bits 1\.\.1: layer 2 relu 1 \+ linear 1$', out, re.M),
            'info opposite: the layout from the layers: %r' % out)
    rc, out, err = r.run('info', paths['maxpool'])
    r.check(rc == 0 and re.search(r'^code +bits 0\.\.1: MaxPool, 2 bits \(tournament\), \[1, 1, 1\], '
                                  r'/pool/MaxPool$', out, re.M),
            'info maxpool: a tournament: %r' % out)
    got = r.run_json('info', paths['maxpool'], what='info maxpool')
    if got is not None:
        r.equal([(e['first'], e['last'], e['per_element']) for e in got['code_layout']],
                [(0, 1, 0)], 'info maxpool --json: per_element 0 (a tournament)')
    # A pvnet 1 network: the layers line as always, the layout from the layers.
    rc, out, err = r.run('info', 'examples/demo.pvnet')
    r.check(rc == 0 and re.search(r'^layers +relu 4 relu 2 linear 1$', out, re.M) and
            re.search(r'^code +bits 0\.\.3: layer 1 relu 4\n +bits 4\.\.5: layer 2 relu 2$',
                      out, re.M), 'info demo: %r' % out)


def read(path):
    with open(path) as f:
        return f.read()


def check_convert(r, tmp, paths):
    out2 = os.path.join(tmp, 'residual2.pvnet')
    out3 = os.path.join(tmp, 'residual3.pvnet')
    rc, _, err = r.run('convert', paths['residual'], '-o', out2)
    if r.check(rc == 0, 'convert residual: %s' % err.strip()):
        r.equal(read(out2), RESIDUAL_WRITTEN, 'convert residual: the pvnet 2 text')
        rc, _, err = r.run('convert', out2, '-o', out3)
        r.check(rc == 0 and read(out3) == read(out2),
                'convert pvnet 2 -> pvnet 2 gives the same bytes: %s' % err.strip())
    for name in ('opposite', 'maxpool'):
        a, b = os.path.join(tmp, name + '2.pvnet'), os.path.join(tmp, name + '3.pvnet')
        ok = r.run('convert', paths[name], '-o', a)[0] == 0 and \
            r.run('convert', a, '-o', b)[0] == 0
        r.check(ok and read(a) == read(b) and '\npvnet 2\n' in read(a),
                'convert %s twice: the same pvnet 2 bytes' % name)
        if ok:
            check_points(r, name + ' converted', a, NETS[name][1], NETS[name][3])
    # pvnet 1 still: a hand net's exact text, and a pvnet 2 file of plain layers.
    p1 = os.path.join(tmp, 'cross1.pvnet')
    rc, _, err = r.run('convert', 'tests/nets/cross.pvnet', '-o', p1)
    r.check(rc == 0 and read(p1) == '# written by polyverify; exact rationals\npvnet 1\n'
            'input 2\nlayer relu 2\n1 0\n0 1\nbias 0 0\n',
            'convert cross.pvnet: pvnet 1 as before: %r' % (read(p1) if rc == 0 else err))
    plain = oracle.write_file(tmp, 'plain.pvnet', 'pvnet 2\ninput 1\nlayer relu 1\n2\nbias 0\n'
                              'layer linear 1\n1/3\nbias 1\n')
    p2 = os.path.join(tmp, 'plain1.pvnet')
    rc, _, err = r.run('convert', plain, '-o', p2)
    r.check(rc == 0 and read(p2) == '# written by polyverify; exact rationals\npvnet 1\n'
            'input 1\nlayer relu 1\n2\nbias 0\nlayer linear 1\n1/3\nbias 1\n',
            'convert a pvnet 2 file of plain layers: pvnet 1')
    p3 = os.path.join(tmp, 'demo1.pvnet')
    p4 = os.path.join(tmp, 'demo2.pvnet')
    ok = r.run('convert', 'examples/demo.pvnet', '-o', p3)[0] == 0 and \
        r.run('convert', p3, '-o', p4)[0] == 0
    r.check(ok and read(p3) == read(p4) and '\npvnet 1\n' in read(p3),
            'convert demo twice: the same pvnet 1 bytes')


def fingerprint(r, path, tmp, name):
    cert = os.path.join(tmp, name + '.cert')
    rc, _, err = r.run('cell', path, '--code', '10', '--box', '-2,2', '--certificate', cert)
    if not r.check(rc == 0, 'cell %s --certificate: %s' % (name, err.strip())):
        return None, None
    m = re.search(r'^fingerprint (\S+)$', read(cert), re.M)
    return (m.group(1) if m else None), cert


def check_fingerprint(r, tmp, paths, pvcheck):
    dense = oracle.write_file(tmp, 'residual_dense.pvnet', RESIDUAL_DENSE)
    converted = os.path.join(tmp, 'residual_conv.pvnet')
    r.run('convert', paths['residual'], '-o', converted)
    f0, cert = fingerprint(r, paths['residual'], tmp, 'orig')
    f1, _ = fingerprint(r, converted, tmp, 'conv')
    f2, _ = fingerprint(r, dense, tmp, 'dense')
    r.check(f0 is not None and f0 == f1 == f2,
            'fingerprints of the original, converted and dense residual: %s %s %s'
            % (f0, f1, f2))
    if cert is None or not os.path.exists(pvcheck):
        r.check(os.path.exists(pvcheck), 'pvcheck at %s' % pvcheck)
        return
    for net in (converted, dense):
        res = subprocess.run([pvcheck, net, cert], capture_output=True, text=True, timeout=60)
        r.check(res.returncode == 0, 'pvcheck %s on the original\'s certificate: exit %d %s'
                % (os.path.basename(net), res.returncode, (res.stdout + res.stderr)[:300]))


# (text, line, message regex): each `polyverify info` must exit 1 with
# "polyverify: FILE:LINE: message".
BAD = [
    ('pvnet 1\ninput 2\nlayer relu 1 linear 1\n1 1\n1 1\nbias 0 0\n', 3,
     r"mixed layers \('layer relu R linear L'\) need 'pvnet 2' \(the header on line 1 "
     r"says 'pvnet 1'\)"),
    ('pvnet 1\ninput 2\nlayer relu 1 sparse\n0:1\nbias 0\n', 3, r"sparse layers .* need 'pvnet 2'"),
    ('# a comment\npvnet 1\ninput 2\ncode 0 1 Relu 1 [1] a\nlayer relu 1\n1 1\nbias 0\n', 4,
     r"'code' lines need 'pvnet 2' \(the header on line 2"),
    ('pvnet 3\ninput 2\n', 1, r"unsupported pvnet version '3' \(expected 'pvnet 1' or 'pvnet 2'\)"),
    ('pvnet 2\ninput 2\nlayer relu 1 linear 1 sparse\n0:1 2:1\n0:1\nbias 0 0\n', 4,
     r"column 2 out of range in row 1 of layer 1: layer 1 reads 2 values \(columns 0\.\.1\)"),
    ('pvnet 2\ninput 3\nlayer relu 1 sparse\n# row 1:\n\n2:1 1:1\nbias 0\n', 6,
     r"column 1 after column 2 in row 1 of layer 1: columns must increase"),
    ('pvnet 2\ninput 2\nlayer relu 2 sparse\n0:1\n0=1\nbias 0 0\n', 5,
     r"bad entry '0=1' in row 2 of layer 1: expected COLUMN:WEIGHT"),
    ('pvnet 2\ninput 2\nlayer relu 2 sparse\n0:1\n1:0x1\nbias 0 0\n', 5,
     r"bad number '0x1' in row 2 of layer 1"),
    ('pvnet 2\ninput 2\nlayer relu 2 sparse\n0:1\nbias 0 0\n', 5,
     r"expected row 2 of layer 1 \('j:w' entries or '-'\), found 'bias'"),
    ('pvnet 2\ninput 2\nlayer relu 1 linear 1 sparse\n0:1\n-\n1:1\nbias 0 0\n', 6,
     r"expected 'bias' and 2 numbers for layer 1, found another row"),
    ('pvnet 2\ninput 2\nlayer relu 1 linear 1\n1 1\n1 1\nbias 0\n', 6,
     r"expected 2 numbers in the bias of layer 1, found 1"),
    ('pvnet 2\ninput 2\ncode 0 2 Relu 1 [2] a\ncode 1 1 Relu 1 [1] b\nlayer relu 2\n1 0\n0 1\n'
     'bias 0 0\n', 4, r"code part starts at bit 1, inside or before the part on line 3 "
     r"\(bits 0\.\.1\)"),
    ('pvnet 2\ninput 2\ncode 0 1 Relu 1 [1] a\ncode 1 2 Relu 1 [2] b\nlayer relu 2\n1 0\n0 1\n'
     'bias 0 0\n', 4, r"code part covers bits 1\.\.2, but the network has 2 ReLU neurons "
     r"\(bits 0\.\.1\)"),
    ('pvnet 2\ninput 2\ncode 0 2 Relu 1 [1,3] a\nlayer relu 2\n1 0\n0 1\nbias 0 0\n', 3,
     r"code part of 2 bits, but shape \[1, 3\] has 3 elements of 1 bit each"),
    ('pvnet 2\ninput 2\nlayer linear 1 relu 1\n1 1\n1 1\nbias 0 0\n', 3,
     r"the ReLU rows of a mixed layer come first"),
]


def check_bad(r, tmp):
    for i, (text, line, message) in enumerate(BAD):
        path = oracle.write_file(tmp, 'bad%d.pvnet' % i, text)
        rc, out, err = r.run('info', path)
        r.check(rc == 1 and out == '' and
                re.search(r'^polyverify: %s:%d: %s' % (re.escape(path), line, message), err),
                'bad pvnet %d: exit %d, stderr %r (want line %d: %s)'
                % (i, rc, err.strip(), line, message))


def main():
    r = oracle.Runner(sys.argv[1])
    pvcheck = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), 'verify', 'pvcheck')
    with tempfile.TemporaryDirectory() as tmp:
        paths = {name: oracle.write_file(tmp, name + '.pvnet', spec[0])
                 for name, spec in NETS.items()}
        for name, (_, pre, cells, points) in NETS.items():
            check_points(r, name, paths[name], pre, points)
            check_cells(r, name, paths[name], pre, cells)
        check_info(r, paths)
        check_convert(r, tmp, paths)
        check_fingerprint(r, tmp, paths, pvcheck)
        check_bad(r, tmp)
    r.finish()


if __name__ == '__main__':
    main()
