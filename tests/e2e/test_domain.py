"""Input domains with general linear rows (--domain FILE: VNN-LIB linear
input constraints, cddlib .ine rows with several coefficients and
`linearity` rows), against an independent exact oracle.

The oracle is oracle.py's Fraction LP (lp_maximize, max_slack,
implicit_equalities) applied to the cell's rows plus the domain's rows,
written here from the files' own numbers; nothing is taken from polyverify's
output. Enumerations are checked against brute force: every code of the
network is decided by the oracle, the realised ones (with their dimension)
must be exactly the cells listed.

    python3 tests/e2e/test_domain.py BUILD/polyverify
"""

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

def pvnet(m, layers):
    """The .pvnet text of a net: layers as (width rows, bias) pairs, all
    ReLU."""
    out = ['pvnet 1', 'input %d' % m]
    for rows, bias in layers:
        out.append('layer relu %d' % len(rows))
        out += rows
        out.append('bias ' + bias)
    return '\n'.join(out) + '\n'


# Two inputs, N = 4: three first-layer lines and a second-layer bend.
NET2 = pvnet(2, [(['1 0', '0 1', '1 1'], '0 0 -1/2'), (['1 -1 1'], '-1/4')])

# Three inputs, N = 5.
NET3 = pvnet(3, [(['1 0 0', '0 1 0', '1 1 -1'], '0 0 0'), (['1 -1 1', '1 1 1'], '0 -1/2')])

# The triangle x0 >= -1, x1 >= -1, x0 + x1 <= 1 (no interval part: x0 and
# x1 have no upper bound of their own): domain rows 0, 1, 2 in file order.
TRI_ROWS = [(F(1), (F(1), F(0)), False), (F(1), (F(0), F(1)), False),
            (F(1), (F(-1), F(-1)), False)]
TRI_VNNLIB = """; the triangle x0 >= -1, x1 >= -1, x0 + x1 <= 1
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const Y_0 Real)
(assert (>= X_0 -1))
(assert (>= X_1 (- 1)))
(assert (<= (+ X_0 X_1) 1.0))
(assert (>= Y_0 0))
"""
TRI_INE = """* the same triangle as rows b + a.x >= 0
H-representation
begin
 3 3 rational
 1 1 0
 1 0 1
 1 -1 -1
end
"""

# The half-plane x0 - 2 x1 <= 1/2, as VNN-LIB writes it: unbounded.
HALF_ROWS = [(F(1, 2), (F(-1), F(2)), False)]
HALF_VNNLIB = """(declare-const X_0 Real)
(declare-const X_1 Real)
(assert (<= (+ X_0 (* -2 X_1)) 0.5))
"""

# The box [-1, 1]^2 with the general row x0 - 2 x1 <= 1/2 (interval part
# and one domain row, 0).
BOXHALF_BOX = [(F(-1), F(1)), (F(-1), F(1))]
BOXHALF_VNNLIB = """(declare-const X_0 Real)
(declare-const X_1 Real)
(assert (and (<= X_0 1) (>= X_0 -1) (<= -1 X_1) (<= X_1 1)))
(assert (<= (- X_0 (* 2 X_1)) 1/2))
"""

# The triangle x >= 0, x0 + x1 + x2 = 1 in R^3 (a 2-D domain: linearity).
SIMPLEX_ROWS = [(F(0), (F(1), F(0), F(0)), False), (F(0), (F(0), F(1), F(0)), False),
                (F(0), (F(0), F(0), F(1)), False), (F(-1), (F(1), F(1), F(1)), True)]
SIMPLEX_INE = """* x >= 0 and x0 + x1 + x2 = 1
H-representation
linearity 1 4
begin
 4 4 rational
 0 1 0 0
 0 0 1 0
 0 0 0 1
 -1 1 1 1
end
"""
SIMPLEX_VNNLIB = """(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const X_2 Real)
(assert (>= X_0 0))
(assert (>= X_1 0))
(assert (>= X_2 0))
(assert (= (+ X_0 X_1 X_2) 1))
"""

# The cube [-1, 1]^3 cut by x0 + x1 + x2 <= 1 and x2 - x0 >= -3/2 (an
# interval part and domain rows 0, 1).
CUT_BOX = [(F(-1), F(1))] * 3
CUT_GENERAL = [(F(1), (F(-1), F(-1), F(-1)), False), (F(3, 2), (F(-1), F(0), F(1)), False)]
CUT_INE = """H-representation
begin
 8 4 rational
 1 1 0 0
 1 -1 0 0
 1 0 1 0
 1 0 -1 0
 1 0 0 1
 1 0 0 -1
 1 -1 -1 -1
 3/2 -1 0 1
end
"""


def domain_rows(box, general):
    """The domain's labelled rows (label, (h, g)) >= 0 in polyverify's order:
    box sides (i lo, i hi for each i), then the general rows; an equality
    row k as two opposite rows, both labelled ('domain', k)."""
    rows = []
    m = len(general[0][1]) if general else len(box)
    for i, (lo, hi) in enumerate(box or []):
        e = tuple(F(int(j == i)) for j in range(m))
        rows.append((('box', i, 'lo'), (-lo, e)))
        rows.append((('box', i, 'hi'), (hi, tuple(-c for c in e))))
    for k, (h, g, eq) in enumerate(general):
        rows.append((('domain', k), (h, g)))
        if eq:
            rows.append((('domain', k), (-h, tuple(-c for c in g))))
    return rows


def facts(net, code, drows):
    """What `cell --domain` answers, from the oracle's LP: realised, dim,
    implicit equalities (neurons, box sides, domain rows), boundedness and
    the facets (neurons, first box side, first domain row, neighbour)."""
    m = net.input_dim
    labelled = [(lab, row, strict) for lab, row, strict in oracle.signed_rows(net, code)]
    labelled += [(lab, row, False) for lab, row in drows]
    rows = [r for _, r, _ in labelled]
    strict = [r for _, r, s in labelled if s]
    weak = [r for _, r, s in labelled if not s]
    t, _ = oracle.max_slack(m, strict, weak)
    if t is None or t <= 0:
        return {'realized': False, 'dim': -1}
    E = oracle.implicit_equalities(m, rows)
    Eset = set(E)
    dim = m - oracle.rank([rows[i][1] for i in E]) if E else m
    others = [i for i in range(len(rows)) if i not in Eset]
    t, p = oracle.max_slack(m, [rows[i] for i in others], rows_eq=[rows[i] for i in E])
    evecs = [oracle.affine_vec(rows[i]) for i in E]
    facets, done = [], set()
    for i in others:
        if i in done or oracle.in_span(oracle.affine_vec(rows[i]), evecs):
            continue
        basis = evecs + [oracle.affine_vec(rows[i])]
        group = [k for k in others if oracle.in_span(oracle.affine_vec(rows[k]), basis)]
        done.update(group)
        rest = [rows[k] for k in others if k not in group]
        t2, y = oracle.max_slack(m, rest, rows_eq=[rows[k] for k in E + group])
        if t2 is None or t2 <= 0:
            continue
        labs = [labelled[k][0] for k in group]
        neurons = tuple(sorted(l[1] for l in labs if l[0] == 'neuron'))
        boxes = sorted((l[1], l[2] == 'hi') for l in labs if l[0] == 'box')
        doms = sorted(l[1] for l in labs if l[0] == 'domain')
        box = [boxes[0][0], 'hi' if boxes[0][1] else 'lo'] if boxes else None
        dom = doms[0] if doms else None
        nb = None if box or dom is not None else \
            oracle.code_along_ray(net, y, [a - b for a, b in zip(y, p)])
        facets.append((neurons, None if box is None else tuple(box), dom, nb))
    labs = [labelled[i][0] for i in E]
    return {
        'realized': True, 'dim': dim, 'rows': labelled, 'implicit': E,
        'implicit_equalities': sorted(l[1] for l in labs if l[0] == 'neuron'),
        'implicit_box': sorted(set((l[1], l[2] == 'hi') for l in labs if l[0] == 'box')),
        'implicit_domain': sorted(set(l[1] for l in labs if l[0] == 'domain')),
        'bounded': oracle.is_bounded(m, rows),
        'facets': sorted(facets, key=repr),
    }


def relint_errors(f, x):
    """x in the relative interior of the cell in the domain: the oracle's
    implicit rows vanish there, every other row is > 0."""
    errors = []
    for i, (lab, row, _) in enumerate(f['rows']):
        v = oracle.evaluate(row, x)
        if (i in f['implicit']) != (v == 0) or v < 0:
            errors.append('%s = %s' % (lab, v))
    return errors


def got_facets(cell):
    out = []
    for fa in cell['facets']:
        box = tuple(fa['box']) if 'box' in fa else None
        out.append((tuple(fa['neurons']), box, fa.get('domain'), fa['neighbor']))
    return sorted(out, key=repr)


def compare_cell(runner, net, path, code, dom, drows, what):
    """cell --domain on one code against the oracle; returns the JSON."""
    got = runner.run_json('cell', path, '--code', code, '--domain', dom, what=what)
    if got is None:
        return None
    f = facts(net, code, drows)
    runner.equal((got['realized'], got['dim']), (f['realized'], f['dim']),
                 '%s: realised, dim' % what)
    if not f['realized'] or not got['realized']:
        return got
    x = oracle.fractions_of(got['point'])
    runner.check(x is not None and not relint_errors(f, x),
                 '%s: point %s not in the relative interior: %s'
                 % (what, got['point'], x and relint_errors(f, x)))
    runner.equal(got['implicit_equalities'], f['implicit_equalities'], what + ': implicit neurons')
    runner.equal(sorted((b[0], b[1] == 'hi') for b in got.get('implicit_box', [])),
                 f['implicit_box'], what + ': implicit box sides')
    runner.equal(got.get('implicit_domain', []), f['implicit_domain'],
                 what + ': implicit domain rows')
    runner.equal(got['bounded'], f['bounded'], what + ': bounded')
    runner.equal(got_facets(got), f['facets'], what + ': facets')
    return got


def codes_of(net):
    return [''.join(b) for b in itertools.product('01', repeat=oracle.relu_count(net))]


def compare_enumeration(runner, net, path, dom, drows, what, verify=True):
    """enumerate --domain against every code decided by the oracle."""
    args = ['enumerate', path, '--domain', dom, '--graph', 'json']
    if verify:
        args.append('--verify')
    got = runner.run_json(*args, what=what)
    if got is None:
        return None
    want, by_code = {}, {}
    for code in codes_of(net):
        f = facts(net, code, drows)
        if f['realized']:
            want[code] = f['dim']
            by_code[code] = f
    listed = {c['code']: c['dim'] for c in got['cell_list']}
    runner.equal(listed, want, what + ': the cells and their dimensions')
    runner.check(got['complete'], what + ': complete')
    for c in got['cell_list']:
        f = by_code.get(c['code'])
        x = oracle.fractions_of(c['point'])
        if f and x:
            runner.check(not relint_errors(f, x), '%s: point of %s: %s'
                         % (what, c['code'], relint_errors(f, x)))
    return got


def triangle_cases(runner, tmpdir, net, path):
    """A triangle given as VNN-LIB and as .ine: every code's cell (facets on
    domain rows report "domain": k, nothing beyond them), the same answers
    from both files, the enumeration, explore, adjacency and radius."""
    vn = oracle.write_file(tmpdir, 'tri.vnnlib', TRI_VNNLIB)
    ine = oracle.write_file(tmpdir, 'tri.ine', TRI_INE)
    drows = domain_rows(None, TRI_ROWS)
    info = runner.run_json('info', path, '--domain', vn, what='info --domain tri.vnnlib')
    if info:
        runner.equal((info['kind'], info['intervals'], info['rows'], info['lo'],
                      info['output_constraints_ignored'], info['constraints']),
                     ('polyhedron', False, 3, None, 1, 3), 'info --domain: a polyhedron')
        runner.equal([([F(a) for a in r['a']], F(r['c']), r['eq']) for r in info['row_list']],
                     [(list(g), h, eq) for h, g, eq in TRI_ROWS], 'info --domain: the rows, exactly')
    seen_domain_facet = False
    for code in codes_of(net):
        a = compare_cell(runner, net, path, code, vn, drows, 'triangle cell ' + code)
        b = runner.run_json('cell', path, '--code', code, '--domain', ine, what='cell .ine')
        runner.check(a is not None and a == b, 'triangle %s: .vnnlib and .ine answers differ' % code)
        seen_domain_facet |= bool(a and any('domain' in fa for fa in a.get('facets', [])))
    runner.check(seen_domain_facet, 'triangle: some facet lies on a domain row')
    for code in ('1100', '0010'):
        rc, out, err = runner.run('cell', path, '--code', code, '--domain', vn, '--verify')
        runner.check(rc == 0 and 'all verified' in err, 'cell --verify %s: %r' % (code, err[-200:]))
    e1 = compare_enumeration(runner, net, path, vn, drows, 'triangle enumerate')
    e2 = runner.run_json('enumerate', path, '--domain', ine, '--graph', 'json', what='enum .ine')
    runner.check(e1 is not None and e1 == e2, 'triangle: enumerate .vnnlib = .ine')
    # explore from the cell of a point reaches every full-dimensional cell
    full = sorted(c['code'] for c in (e1 or {}).get('cell_list', []) if c['dim'] == 2)
    ex = runner.run_json('explore', path, '--point', '-1/2,-1/2', '--domain', ine, what='explore')
    if ex:
        runner.equal(sorted(c['code'] for c in ex['cells']), full, 'explore in the triangle')
    # adjacency of two cells across a neuron line, in the domain
    adj = runner.run_json('adjacency-check', path, '--code', '1100', '--code', '0100',
                          '--domain', ine, what='adjacency')
    if adj:
        rows = [r for _, r, _ in oracle.signed_rows(net, '1100') + oracle.signed_rows(net, '0100')]
        rows += [r for _, r in drows]
        E = oracle.implicit_equalities(2, rows)
        runner.equal(adj['common_dim'], 2 - oracle.rank([rows[i][1] for i in E]),
                     'adjacency-check --domain: common_dim')
    radius_case(runner, net, path, ine, drows)


def radius_case(runner, net, path, dom, drows):
    """radius from a point inside the triangle: the least distance to a row
    of its cell or of the domain; a point outside is refused."""
    x = (F(3, 4), F(1, 8))
    code = oracle.forward(net, x)[0]
    rows = [r for _, r, _ in oracle.signed_rows(net, code)] + [r for _, r in drows]
    l2 = min(oracle.evaluate(r, x) ** 2 / sum(c * c for c in r[1]) for r in rows if any(r[1]))
    linf = min(oracle.evaluate(r, x) / sum(abs(c) for c in r[1]) for r in rows if any(r[1]))
    got = runner.run_json('radius', path, '--point', '3/4,1/8', '--domain', dom, what='radius')
    if got:
        runner.equal((F(got['l2_squared']), F(got['linf'])), (l2, linf), 'radius --domain')
    rc, out, err = runner.run('radius', path, '--point', '1,1', '--domain', dom)
    runner.check(rc == 1 and out == '' and 'violates domain row 2' in err,
                 'radius outside the triangle: %r' % err)


def half_plane_cases(runner, tmpdir, net, path):
    """An unbounded domain: cells are bounded or not by the oracle, and the
    enumeration of the half-plane is complete."""
    vn = oracle.write_file(tmpdir, 'half.vnnlib', HALF_VNNLIB)
    drows = domain_rows(None, HALF_ROWS)
    for code in codes_of(net):
        compare_cell(runner, net, path, code, vn, drows, 'half-plane cell ' + code)
    e = compare_enumeration(runner, net, path, vn, drows, 'half-plane enumerate')
    for c in (e or {}).get('cell_list', [])[:4]:     # unbounded cells: a direction
        rc, out, err = runner.run('cell', path, '--code', c['code'], '--domain', vn, '--verify')
        runner.check(rc == 0 and 'all verified' in err,
                     'half-plane cell --verify %s: %r' % (c['code'], err[-200:]))
    rc, out, err = runner.run('cell', path, '--code', '1111', '--domain', vn, '--format', 'ine')
    runner.check(rc == 0 and '\n1 -2 4\n' in out, 'cell --format ine: the domain row '
                 '1/2 - x0 + 2 x1 >= 0 as the integer row 1 -2 4: %r' % out[-200:])


def box_and_row_cases(runner, tmpdir, net, path):
    """A VNN-LIB box with one linear input constraint: the interval part and
    domain row 0 (facets report "box" and "domain")."""
    vn = oracle.write_file(tmpdir, 'boxhalf.vnnlib', BOXHALF_VNNLIB)
    drows = domain_rows(BOXHALF_BOX, HALF_ROWS)
    info = runner.run_json('info', path, '--domain', vn, what='info boxhalf')
    if info:
        runner.equal((info['kind'], info['intervals'], info['lo'], info['hi'], info['rows']),
                     ('polyhedron', True, ['-1', '-1'], ['1', '1'], 1), 'info: box and a row')
    for code in codes_of(net):
        compare_cell(runner, net, path, code, vn, drows, 'box+row cell ' + code)
    compare_enumeration(runner, net, path, vn, drows, 'box+row enumerate')


def simplex_cases(runner, tmpdir, net, path):
    """A 2-D triangle in R^3 (a `linearity` row): implicit equalities on
    domain row 3, and the enumeration in the domain's affine hull."""
    ine = oracle.write_file(tmpdir, 'simplex.ine', SIMPLEX_INE)
    vn = oracle.write_file(tmpdir, 'simplex.vnnlib', SIMPLEX_VNNLIB)
    drows = domain_rows(None, SIMPLEX_ROWS)
    for code in codes_of(net):
        a = compare_cell(runner, net, path, code, ine, drows, 'simplex cell ' + code)
        b = runner.run_json('cell', path, '--code', code, '--domain', vn, what='simplex .vnnlib')
        runner.check(a is not None and a == b, 'simplex %s: .ine and .vnnlib answers differ' % code)
        if a and a['realized']:
            runner.check(3 in a.get('implicit_domain', []),
                         'simplex %s: the linearity row is an implicit equality' % code)
    e1 = compare_enumeration(runner, net, path, ine, drows, 'simplex enumerate')
    e2 = runner.run_json('enumerate', path, '--domain', vn, '--graph', 'json', what='enum vnnlib')
    runner.check(e1 is not None and e1 == e2, 'simplex: enumerate .ine = .vnnlib')
    # certificates of cells on an equality row (its multipliers of any sign)
    for c in (e1 or {}).get('cell_list', []):
        rc, out, err = runner.run('cell', path, '--code', c['code'], '--domain', ine, '--verify')
        runner.check(rc == 0 and 'all verified' in err,
                     'simplex cell --verify %s: %r' % (c['code'], err[-200:]))


def cut_cube_cases(runner, tmpdir, net, path):
    """The cube cut by two general rows (3-D, a bounded polytope)."""
    ine = oracle.write_file(tmpdir, 'cut.ine', CUT_INE)
    drows = domain_rows(CUT_BOX, CUT_GENERAL)
    for code in codes_of(net)[::3]:
        compare_cell(runner, net, path, code, ine, drows, 'cut cube cell ' + code)
    compare_enumeration(runner, net, path, ine, drows, 'cut cube enumerate')


def certificate_case(runner, tmpdir, path, pvcheck):
    """The checker reads the domain rows: a certificate with one of them
    moved is rejected."""
    ine = oracle.write_file(tmpdir, 'tri2.ine', TRI_INE)
    cert = os.path.join(tmpdir, 'c.cert')
    # cell 1110 has a facet on domain row 2 (x0 + x1 <= 1): moving the row
    # changes that facet, so the claims no longer hold
    rc, out, err = runner.run('cell', path, '--code', '1110', '--domain', ine,
                              '--certificate', cert)
    runner.check(rc == 0, 'cell --certificate: %r' % err[-200:])
    if rc != 0:
        return
    with open(cert) as f:
        text = f.read()
    runner.check('domain ge 1 -1 -1\n' in text, 'the certificate states domain row 2')
    res = subprocess.run([pvcheck, path, cert], capture_output=True, text=True)
    runner.check(res.returncode == 0, 'pvcheck accepts: %r' % res.stdout[-300:])
    bad = os.path.join(tmpdir, 'bad.cert')
    with open(bad, 'w') as f:
        f.write(text.replace('domain ge 1 -1 -1\n', 'domain ge 2 -1 -1\n'))
    res = subprocess.run([pvcheck, path, bad], capture_output=True, text=True)
    runner.check(res.returncode == 1 and 'FAIL' in res.stdout,
                 'pvcheck rejects a changed domain row: %d %r' % (res.returncode, res.stdout[-300:]))


BAD = [
    # (name, text, the line named, a piece of the message)
    ('nonlinear.vnnlib', '(declare-const X_0 Real)\n(declare-const X_1 Real)\n'
     '(assert (<= (* X_0 X_1) 1))\n', 3, 'not linear'),
    ('or.vnnlib', '(declare-const X_0 Real)\n(declare-const X_1 Real)\n'
     '(assert (<= X_0 1))\n(assert (or (<= X_0 0)\n        (>= X_1 0)))\n', 5, 'not a convex domain'),
    ('unknown.vnnlib', '(assert (<= (+ X_0 Z_1) 1))\n', 1, "'Z_1'"),
    ('undeclared.vnnlib', '(declare-const X_0 Real)\n(assert (<= X_1 1))\n', 2, 'not declared'),
    ('toomany.vnnlib', '(assert (>= X_0 0))\n(assert (<= X_2 1))\n', 2, 'X_2'),
    ('syntax.vnnlib', '(assert (<= X_0 1))\n(assert (>= (+ X_0 X_1) 0)\n', 2, 'end of file'),
    ('strict.vnnlib', '(assert (< (+ X_0 X_1) 1))\n', 1, 'strict'),
    ('mixed.vnnlib', '(assert (<= (+ X_0 Y_0) 1))\n', 1, 'mixing inputs and outputs'),
    ('division.vnnlib', '(assert (<= (/ 1 X_0) 1))\n', 1, 'not linear'),
    ('empty.vnnlib', '(assert (<= 3 (- 1)))\n', 1, 'holds for no input'),
    ('short.ine', 'begin\n 2 3 rational\n 1 1 1\n 1 1\nend\n', 4, 'expected 3'),
    ('word.ine', 'begin\n 1 3 rational\n 1 x 1\nend\n', 3, ''),
    ('linearity.ine', 'H-representation\nlinearity 1 5\nbegin\n 1 3 rational\n 1 1 1\nend\n',
     2, 'names row 5'),
]


def bad_cases(runner, tmpdir, path):
    """Bad domain files: exit 1, nothing on stdout, the file and the line
    named with what was expected."""
    for name, text, line, needle in BAD:
        f = oracle.write_file(tmpdir, name, text)
        for cmd in (['cell', path, '--code', '0000'], ['enumerate', path]):
            rc, out, err = runner.run(*cmd, '--domain', f)
            runner.check(rc == 1 and out == '' and '%s:%d:' % (f, line) in err and needle in err,
                         '%s (%s): exit %d, stdout %r, stderr %r' % (name, cmd[0], rc, out[:80], err[:300]))
    vn = oracle.write_file(tmpdir, 'tri3.vnnlib', TRI_VNNLIB)
    rc, out, err = runner.run('enumerate', path, '--domain', vn, '--slice', '0,0,1,0,0,1',
                              '--box', '0,1')
    runner.check(rc == 2 and out == '' and '--domain' in err, '--slice with --domain: %r' % err)
    infeasible = oracle.write_file(tmpdir, 'infeasible.ine', 'begin\n 2 3 rational\n -1 1 1\n -1 -1 -1\nend\n')
    rc, out, err = runner.run('enumerate', path, '--domain', infeasible)
    runner.check(rc == 1 and out == '' and 'domain is empty' in err, 'an empty domain: %r' % err)


def main():
    runner = oracle.Runner(sys.argv[1])
    pvcheck = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), 'verify', 'pvcheck')
    tmpdir = tempfile.mkdtemp(prefix='pv_domain_')
    try:
        p2 = oracle.write_file(tmpdir, 'net2.pvnet', NET2)
        p3 = oracle.write_file(tmpdir, 'net3.pvnet', NET3)
        n2, n3 = oracle.parse_pvnet(NET2), oracle.parse_pvnet(NET3)
        triangle_cases(runner, tmpdir, n2, p2)
        half_plane_cases(runner, tmpdir, n2, p2)
        box_and_row_cases(runner, tmpdir, n2, p2)
        simplex_cases(runner, tmpdir, n3, p3)
        cut_cube_cases(runner, tmpdir, n3, p3)
        certificate_case(runner, tmpdir, p2, pvcheck)
        bad_cases(runner, tmpdir, p2)
    finally:
        shutil.rmtree(tmpdir)
    runner.finish()


if __name__ == '__main__':
    main()
