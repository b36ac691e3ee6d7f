"""End-to-end tests of ONNX graph networks (issue 15: DAGs lowered to a chain).

Fixtures: tests/fixtures/onnx_graph, exported from torch by make_nets.py
there (README there), each NET.onnx with NET.points.json: ~20 points with
torch's float64 output and code (in the layout of the issue's design), the
code layout torch's modules give, and ONNX shape inference's tensor shapes.
The reference is onnx_oracle.py, an independent exact interpreter.

 (i)   [oracle] the oracle's output and code equal torch's at every stored
       point (codes exactly; outputs to 1e-8: a few constants are not
       dyadic), its layout equals torch's, its shapes ONNX's; residual nets
       are refused by its unroller; and on op_cases.json's single-op graphs
       its output and shape equal torch's;
 (ii)  [polyverify] `polyverify code NET --points` gives the oracle's code
       and exactly-zero bits (MaxPool ties of two ReLU zeros) at each point;
 (iii) for the plain Conv/affine + Relu chains: [oracle] the oracle's
       unrolled pvnet 1 MLP has the same codes and outputs (oracle.forward);
       [polyverify] `polyverify cell --code` on NET.onnx and on that MLP
       agree (realised, dim, bounded, implicit equalities, facets) at three
       points' codes;
 (iv)  malformed graphs (cycle, dangling input, Sin, a Sigmoid inside, an
       Add of mismatched shapes, a BatchNormalization with sqrt(2)):
       [polyverify] `info` exits non-zero, prints nothing on stdout and names
       the node; [oracle] the oracle refuses them naming the node too;
 (v)   [polyverify] `info NET` prints the code layout: per activation node,
       in order, a line with its op and its bit count; `info --json` has
       the input dimension, the head and neurons = the code length;
 (vi)  [polyverify] on the nets with 2 or 3 inputs, `enumerate --box -1,1`:
       every point's code is a full-dimensional cell, and the oracle's code
       at each full-dimensional cell's point is that cell's code.

The [polyverify] checks fail until polyverify reads every fixture; the
summary counts the two kinds apart.

Usage: python3 tests/e2e/test_onnx_graph.py /path/to/polyverify  (cwd = root)
"""

import base64
import json
import os
import re
import sys
import tempfile
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402
import onnx_oracle  # noqa: E402
from test_loaders_more import forward  # noqa: E402

FIXTURES = os.path.join(HERE, '..', 'fixtures', 'onnx_graph')
TOLERANCE = 1e-8
CELL_POINTS = 3


def fixtures():
    names = sorted(f[:-len('.points.json')] for f in os.listdir(FIXTURES)
                   if f.endswith('.points.json'))
    for name in names:
        with open(os.path.join(FIXTURES, name + '.points.json')) as f:
            yield name, os.path.join(FIXTURES, name + '.onnx'), json.load(f)


def oracle_results(orc, name, model, ref):
    """(i): the oracle at every point, checked against torch; returns
    [(x, output, code, zero bits)]."""
    res = []
    for k, p in enumerate(ref['points']):
        x = [Fraction(v) for v in p['x']]
        env, ctx = onnx_oracle.run(model, x)
        out, code = env[model.output_name].vals, ''.join(ctx.bits)
        orc.equal(code, p['code'], '[oracle] %s point %d: code' % (name, k))
        err = max(abs(float(a) - b) / (1 + abs(b)) for a, b in zip(out, p['output']))
        orc.check(len(out) == len(p['output']) and err <= TOLERANCE,
                  '[oracle] %s point %d: output %s, torch %s' %
                  (name, k, [float(v) for v in out], p['output']))
        res.append((x, out, code, ctx.zeros))
    lay = [{k: e[k] for k in ('op', 'shape', 'bits_per_element', 'bits')} for e in ctx.layout]
    orc.equal(lay, ref['layout'], '[oracle] %s: layout' % name)
    # tensors written by the dropped head nodes are not computed
    want = {t: s for t, s in ref['shapes'].items() if t in env}
    orc.equal({t: env[t].shape for t in want}, want,
              '[oracle] %s: shapes against ONNX shape inference' % name)
    orc.equal(model.heads[:1], [ref['head']] if ref['head'] else [], '[oracle] %s: head' % name)
    return res


def check_op_cases(orc):
    """(i) for single-op graphs (attribute variants, broadcasting, opset 9
    attributes vs later inputs): the oracle's output and shape equal
    torch's (op_cases.json; shapes also ONNX shape inference's)."""
    with open(os.path.join(FIXTURES, 'op_cases.json')) as f:
        cases = json.load(f)['cases']
    for c in cases:
        try:
            model = onnx_oracle.Model(base64.b64decode(c['model']))
            env, _ = onnx_oracle.run(model, [Fraction(v) for v in c['x']])
        except onnx_oracle.OnnxError as e:
            orc.check(False, '[oracle] op case %s: %s' % (c['name'], e))
            continue
        y = env[model.output_name]
        orc.check(y.shape == c['shape'] and len(y.vals) == len(c['output']) and all(
            abs(float(a) - b) <= TOLERANCE * (1 + abs(b)) for a, b in zip(y.vals, c['output'])),
            '[oracle] op case %s: %s %s, torch %s %s' % (
                c['name'], y.shape, [float(v) for v in y.vals], c['shape'], c['output']))


def check_codes(pv, tmp, name, path, res):
    """(ii)"""
    csv = oracle.write_file(tmp, name + '.csv', ''.join(
        ','.join(oracle.fmt(v) for v in x) + '\n' for x, _, _, _ in res))
    got = pv.run_json('code', path, '--points', csv, what='[polyverify] %s: code' % name)
    if got is None or not pv.check(isinstance(got, list) and len(got) == len(res),
                                   '[polyverify] %s: code --points: %d answers' % (name, len(res))):
        return
    for k, (g, (_, _, code, zeros)) in enumerate(zip(got, res)):
        pv.equal(g.get('code'), code, '[polyverify] %s point %d: code' % (name, k))
        pv.equal(g.get('zero_neurons'), zeros, '[polyverify] %s point %d: zero_neurons' % (name, k))


def cell_facts(d):
    return {'realized': d['realized'], 'dim': d['dim'], 'bounded': d.get('bounded'),
            'implicit_equalities': sorted(d.get('implicit_equalities', [])),
            'facets': sorted((sorted(f['neurons']), f['neighbor']) for f in d.get('facets', []))}


def check_unrolled(orc, pv, tmp, name, path, res):
    """(iii)"""
    mlp = os.path.join(tmp, name + '.pvnet')
    onnx_oracle.unroll_to_pvnet(path, mlp)
    net = oracle.load_pvnet(mlp)
    for k, (x, out, code, _) in enumerate(res):
        orc.equal(forward(net, x), (code, out), '[oracle] %s point %d: unrolled code, output'
                  % (name, k))
    for k, (_, _, code, _) in enumerate(res[:CELL_POINTS]):
        want = pv.run_json('cell', mlp, '--code', code, what='[polyverify] %s: cell MLP' % name)
        got = pv.run_json('cell', path, '--code', code, what='[polyverify] %s: cell' % name)
        if want is not None and got is not None:
            pv.equal(cell_facts(got), cell_facts(want),
                     '[polyverify] %s point %d: cell of the .onnx vs the unrolled MLP' % (name, k))


def check_info(pv, name, path, ref, model):
    """(v)"""
    code_len = sum(e['bits'] for e in ref['layout'])
    info = pv.run_json('info', path, what='[polyverify] %s: info --json' % name)
    if info is not None:
        pv.equal([info.get('input_dim'), info.get('output_head'), info.get('neurons')],
                 [onnx_oracle.numel(model.input_shape), ref['head'], code_len],
                 '[polyverify] %s: info --json input_dim, output_head, neurons' % name)
    rc, out, err = pv.run('info', path)
    if not pv.check(rc == 0, '[polyverify] %s: info: exit %d: %s' % (name, rc, err.strip())):
        return
    lines, pos = out.splitlines(), 0
    for e in onnx_oracle.layout(model):
        pat = re.compile(r'(?i)\b%s\b.*\b%d\b|\b%d\b.*\b%s\b' % (e['op'], e['bits'], e['bits'],
                                                               e['op']))
        while pos < len(lines) and not pat.search(lines[pos]):
            pos += 1
        if not pv.check(pos < len(lines), "[polyverify] %s: info: no line for %s '%s' (%d bits)"
                        ' after the previous entry\'s:\n%s' % (name, e['op'], e['node'],
                                                               e['bits'], out)):
            return
        pos += 1


def check_enumerate(pv, name, path, model, res):
    """(vi) low-dimensional inputs: `enumerate --box -1,1` lists every
    point's code as a full-dimensional cell, and at each full-dimensional
    cell's reported point the oracle's code is that cell's, no bit 0."""
    m = onnx_oracle.numel(model.input_shape)
    got = pv.run_json('enumerate', path, '--box', '-1,1', what='[polyverify] %s: enumerate' % name)
    if got is None:
        return
    full = {c['code']: c['point'] for c in got.get('cell_list', []) if c['dim'] == m}
    for k, (_, _, code, _) in enumerate(res):
        pv.check(code in full, '[polyverify] %s point %d: code %s is not among enumerate\'s '
                 '%d-dimensional cells' % (name, k, code, m))
    for code, point in sorted(full.items()):
        env, ctx = onnx_oracle.run(model, [Fraction(v) for v in point])
        pv.check(''.join(ctx.bits) == code and not ctx.zeros,
                 '[polyverify] %s: enumerate\'s cell %s: the oracle gives %s (zero bits %s) at '
                 'its point %s' % (name, code, ''.join(ctx.bits), ctx.zeros, point))


def check_malformed(orc, pv):
    """(iv)"""
    with open(os.path.join(FIXTURES, 'malformed.json')) as f:
        cases = json.load(f)
    for fname, case in sorted(cases.items()):
        path = os.path.join(FIXTURES, fname)
        named = lambda msg: any("'%s'" % n in msg or n in msg for n in case['nodes'])  # noqa: E731
        try:
            onnx_oracle.layout(onnx_oracle.load(path))
            orc.check(False, '[oracle] %s (%s): not refused' % (fname, case['why']))
        except onnx_oracle.OnnxError as e:
            orc.check(named(str(e)), '[oracle] %s: message %r names none of %s' %
                      (fname, str(e), case['nodes']))
        rc, out, err = pv.run('info', path)
        pv.check(rc not in (0, -999, -998) and out == '' and named(err),
                 '[polyverify] %s (%s): exit %d, stdout %r, stderr %r; wanted a non-zero exit '
                 'naming one of %s' % (fname, case['why'], rc, out[:200], err.strip()[:300],
                                       case['nodes']))


def main():
    orc, pv = oracle.Runner(sys.argv[1]), oracle.Runner(sys.argv[1])
    check_op_cases(orc)
    with tempfile.TemporaryDirectory(prefix='pv_onnx_graph_') as tmp:
        for name, path, ref in fixtures():
            model = onnx_oracle.load(path)
            res = oracle_results(orc, name, model, ref)
            check_codes(pv, tmp, name, path, res)
            check_info(pv, name, path, ref, model)
            if onnx_oracle.numel(model.input_shape) <= 3:
                check_enumerate(pv, name, path, model, res)
            if ref['unrollable']:
                check_unrolled(orc, pv, tmp, name, path, res)
            elif 'Add' in ref['ops'] or 'Concat' in ref['ops']:
                try:
                    onnx_oracle.unroll_to_pvnet(path, os.path.join(tmp, 'x.pvnet'))
                    orc.check(False, '[oracle] %s: unrolled, but it is not a plain chain' % name)
                except onnx_oracle.OnnxError as e:
                    orc.check('not a plain chain' in str(e), '[oracle] %s: %s' % (name, e))
        check_malformed(orc, pv)
    print('[oracle] %d passed, %d failed; [polyverify] %d passed, %d failed' %
          (orc.passed, orc.failed, pv.passed, pv.failed))
    sys.exit(1 if orc.failed or pv.failed else 0)


if __name__ == '__main__':
    main()
