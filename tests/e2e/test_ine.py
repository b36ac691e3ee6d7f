"""End-to-end test: the `.ine` files polyverify writes are read correctly by
lrslib (`lrs`, `redund`), and what those tools compute from them agrees with
an independent expectation.

For every code of the hand nets (tests/nets/*.pvnet, sampled when a net has
more than 5 neurons) and of examples/demo.pvnet, in a box and without one,
`polyverify cell --code C --format ine` is run and

  1. the file is checked for shape: the `* strict rows` comment lists the
     rows of the bits 1 (rows counted from 1), the `* equality rows` comment
     and the `linearity` line (before `begin`, as cddlib and lrs read it)
     list the same rows, and `begin`/`end` hold one row per neuron and box
     side;
  2. `lrs` reads it (exit 0, a V-representation or "No feasible solution"),
     and in a box -- where the closure is a polytope -- its vertices are
     exactly the vertices computed here from the oracle's own layer
     recursion (tests/e2e/oracle.py) by solving every m rows exactly; without
     a box every vertex lrs prints satisfies every oracle row and every ray
     r has g.r >= 0;
  3. `redund` reads it (exit 0, an H-representation), and when the file
     declares every implicit equality of the closure as a linearity (or the
     closure is full-dimensional), the number of irredundant inequalities
     it keeps is the number of facets computed here (the distinct vertex
     sets of dimension d - 1 cut out by a row), and its equations are
     m - d independent ones.
  4. Linearity: for a realised lower-dimensional cell the closure's implicit
     equalities (computed here: rows that vanish at every vertex, or by lrs
     LPs without a box) are what the linearity line must list, once
     polyverify declares them (`cell --format ine` gives them as a
     linearity line); until then this is reported as a note, not checked.

Usage: python3 tests/e2e/test_ine.py POLYVERIFY   (cwd = project root)
"""

import glob
import itertools
import math
import os
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

NETS = sorted(glob.glob(os.path.join('tests', 'nets', '*.pvnet'))) + ['examples/demo.pvnet']
# a published net whose second-layer rows need more than 64 bits (its rows
# once came out not primitive: a 128-bit gcd was truncated)
PENDULUM = os.path.join('..', 'shared', 'data', 'nn_reach', 'pendulum', 'pendulum.pvnet')
NETS += [PENDULUM] if os.path.exists(PENDULUM) else []
BOX = (Fraction(-2), Fraction(2))
BIG = (Fraction(-64), Fraction(64))
WORKERS = max(2, min(8, os.cpu_count() or 2))


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print('FAIL: ' + what)
        return cond


# ---------------------------------------------------------------------------
# The .ine file and lrslib's answers
# ---------------------------------------------------------------------------

def parse_ine(text):
    """(rows as lists of Fractions [h, g...], linearity (1-based), strict
    comment, equality comment); ValueError on a bad shape."""
    lines = [l.strip() for l in text.splitlines()]
    strict = equal = None
    lin, k = [], 0
    while lines[k] != 'begin':
        s = lines[k]
        if s.startswith('* strict rows'):
            strict = [int(t) for t in s.split(':', 1)[1].split()]
        elif s.startswith('* equality rows'):
            equal = [int(t) for t in s.split(':', 1)[1].split()]
        elif s.startswith('linearity'):
            t = [int(x) for x in s.split()[1:]]
            if t[0] != len(t) - 1:
                raise ValueError('linearity count %d, %d rows listed' % (t[0], len(t) - 1))
            lin = t[1:]
        elif s and not s.startswith('*') and s != 'H-representation':
            raise ValueError('unexpected line before begin: %r' % s)
        k += 1
    n, d, kind = lines[k + 1].split()
    if kind != 'rational':
        raise ValueError('not rational')
    rows = [[Fraction(t) for t in lines[k + 2 + i].split()] for i in range(int(n))]
    if any(len(r) != int(d) for r in rows) or lines[k + 2 + int(n)] != 'end':
        raise ValueError('bad rows')
    return rows, lin, strict, equal


def run_tool(prog, text):
    with tempfile.NamedTemporaryFile('w', suffix='.ine', delete=False) as f:
        f.write(text)
        name = f.name
    try:
        p = subprocess.run([prog, name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(name)
    return p.returncode, p.stdout, p.stderr


def representation(out, kind):
    """Rows after `begin` of lrs/redund output, and the linearity indices.
    lrs restarts in wider arithmetic on overflow (64 bit, 128 bit, GMP),
    printing the header again each time: the last one is the answer."""
    lines = [l.strip() for l in out.splitlines()]
    k = len(lines) - 1 - lines[::-1].index(kind)
    lin = []
    while lines[k] != 'begin':
        if lines[k].startswith('linearity'):
            lin = [int(t) for t in lines[k].split()[2:]]
        k += 1
    rows = []
    for l in lines[k + 2:]:
        if l == 'end':
            return rows, lin
        rows.append([Fraction(t) for t in l.split()])
    raise ValueError('no end')


# ---------------------------------------------------------------------------
# Independent expectations (exact, from the oracle's rows)
# ---------------------------------------------------------------------------

def solve(A, b):
    """The unique x with A x = b (square, Fractions), or None."""
    n = len(A)
    M = [list(A[i]) + [b[i]] for i in range(n)]
    for c in range(n):
        p = next((r for r in range(c, n) if M[r][c] != 0), None)
        if p is None:
            return None
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [x - f * y for x, y in zip(M[r], M[c])]
    return tuple(M[i][n] / M[i][i] for i in range(n))


def value(row, x):
    h, g = row
    return h + sum((a * v for a, v in zip(g, x)), Fraction(0))


def vertices(m, rows):
    """Every vertex of {x : rows >= 0}: the feasible unique solutions of m
    rows at equality."""
    out = set()
    for idx in itertools.combinations(range(len(rows)), m):
        x = solve([rows[i][1] for i in idx], [-rows[i][0] for i in idx])
        if x is not None and all(value(r, x) >= 0 for r in rows):
            out.add(x)
    return out


def affine_dim(points):
    pts = list(points)
    if not pts:
        return -1
    return oracle.rank([[a - b for a, b in zip(p, pts[0])] for p in pts[1:]]) if len(pts) > 1 else 0


def facet_count(m, rows, verts, implicit):
    """The facets of the polytope conv(verts): distinct vertex sets of
    dimension d - 1 on which a row (not an implicit equality) vanishes."""
    d = affine_dim(verts)
    if d <= 0:
        return 0
    faces = set()
    for i, r in enumerate(rows):
        if i in implicit:
            continue
        on = frozenset(v for v in verts if value(r, v) == 0)
        if affine_dim(on) == d - 1:
            faces.add(on)
    return len(faces)


def closure_rows(net, code, box):
    """The oracle's rows of P(b) (and the box) in polyverify's .ine order:
    the neurons, then lo_i, hi_i for each coordinate i."""
    rows = [r for _, r, _ in oracle.signed_rows(net, code, None)]
    for i in range(net.input_dim if box else 0):
        e = tuple(Fraction(int(k == i)) for k in range(net.input_dim))
        rows.append((-box[0], e))
        rows.append((box[1], tuple(-v for v in e)))
    return rows


# ---------------------------------------------------------------------------

def codes_of(net, rng):
    N = oracle.relu_count(net)
    if N <= 5:
        return [format(i, '0%db' % N) for i in range(2 ** N)]
    codes = {oracle.forward(net, [Fraction(rng.randint(-20, 20), 10) for _ in range(net.input_dim)])[0]
             for _ in range(12)}
    codes |= {''.join(rng.choice('01') for _ in range(N)) for _ in range(8)}
    return sorted(codes)


def one_case(polyverify, net_path, net, code, box):
    """Every check of one .ine file; a list of (condition, message)."""
    m, N = net.input_dim, oracle.relu_count(net)
    what = '%s cell %s --format ine%s' % (net_path, code, ' --box -2,2' if box else '')
    args = [polyverify, 'cell', net_path, '--code', code, '--format', 'ine'] + (['--box', '-2,2'] if box else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    res = []
    if p.returncode != 0:
        return [(False, '%s: exit %d %s' % (what, p.returncode, p.stderr))], None
    try:
        rows, lin, strict, equal = parse_ine(p.stdout)
    except (ValueError, IndexError) as e:
        return [(False, '%s: cannot parse (%s):\n%s' % (what, e, p.stdout))], None
    nrows = N + (2 * m if box else 0)
    # every row is a primitive integer vector (README, "The half-space
    # system"): the certificates' scales rest on it
    def primitive(r):
        return all(x.denominator == 1 for x in r) and \
            math.gcd(*[int(x) for x in r]) in (0, 1)
    res.append((all(primitive(r) for r in rows[:N]),
                '%s: a neuron row is not a primitive integer vector: %s'
                % (what, [r for r in rows[:N] if not primitive(r)][:1])))
    res.append((len(rows) == nrows and all(len(r) == m + 1 for r in rows),
                '%s: %d rows of %d numbers, expected %d of %d' % (what, len(rows), len(rows[0]) if rows else 0,
                                                                   nrows, m + 1)))
    res.append((strict == [j + 1 for j in range(N) if code[j] == '1'],
                '%s: strict rows comment %s' % (what, strict)))
    res.append((equal is not None and equal == lin and all(1 <= i <= nrows for i in lin),
                '%s: equality comment %s, linearity %s' % (what, equal, lin)))
    # lrs
    rc, out, err = run_tool('lrs', p.stdout)
    expect = closure_rows(net, code, box)
    verts = vertices(m, expect) if box else None
    if not (rc == 0 and ('V-representation' in out or 'No feasible solution' in out)):
        return res + [(False, '%s: lrs exit %d\n%s%s' % (what, rc, out, err))], None
    infeasible = 'No feasible solution' in out
    if infeasible:
        res.append((not box or not verts, '%s: lrs finds no point, the closure has vertices %s' % (what, verts)))
        return res, None
    vrows, vlin = representation(out, 'V-representation')
    got = {tuple(r[1:]) for r in vrows if r[0] == 1}
    rays = [r[1:] for i, r in enumerate(vrows) if r[0] == 0 and i + 1 not in vlin]
    lines = [r[1:] for i, r in enumerate(vrows) if r[0] == 0 and i + 1 in vlin]
    if box:
        res.append((got == verts and not rays, '%s: lrs vertices %s, expected %s'
                    % (what, sorted(got), sorted(verts))))
    else:
        res.append((all(value(r, v) >= 0 for r in expect for v in got),
                    '%s: an lrs vertex violates a row' % what))
        res.append((all(sum(a * b for a, b in zip(r[1], d)) >= 0 for r in expect for d in rays) and
                    all(sum(a * b for a, b in zip(r[1], d)) == 0 for r in expect for d in lines),
                    '%s: an lrs ray or line leaves the closure' % what))
    # the closure's implicit equalities, independently: the rows vanishing
    # at every vertex in the box; without a box, in the box [-64, 64]^m,
    # which has the same affine hull as the closure when no side of it is
    # an implicit equality (a point of P inside the open box gives a
    # relative-interior point of P there)
    big = verts if box else vertices(m, closure_rows(net, code, BIG))
    implicit = {i for i, r in enumerate(closure_rows(net, code, box or BIG))
                if all(value(r, v) == 0 for v in big)}
    d = affine_dim(big)
    if not big or (not box and any(i >= N for i in implicit)):
        return res, None     # not decided here
    declared = {i - 1 for i in lin}
    # redund
    rc, out, err = run_tool('redund', p.stdout)
    ok = rc == 0 and 'H-representation' in out
    res.append((ok, '%s: redund exit %d\n%s%s' % (what, rc, out, err)))
    if not ok:
        return res, None
    hrows, hlin = representation(out, 'H-representation')
    if box and (d == m or declared == implicit):
        nfac = facet_count(m, expect, verts, implicit)
        res.append((len(hrows) - len(hlin) == nfac and len(hlin) == m - d,
                    '%s: redund keeps %d inequalities and %d equations, the closure has %d facets and '
                    'dimension %d' % (what, len(hrows) - len(hlin), len(hlin), nfac, d)))
    # C(b) is non-empty iff no strict row vanishes on all of P(b): at a
    # relative-interior point of P(b) every other row is > 0
    realized = not any(code[j] == '1' for j in implicit if j < N)
    return res, (realized, realized and d < m, declared == implicit, declared <= implicit, what)


def main():
    if len(sys.argv) != 2:
        print('usage: test_ine.py POLYVERIFY')
        return 2
    polyverify = os.path.abspath(sys.argv[1])
    checks = Checks()
    for tool in ('lrs', 'redund'):
        if not checks.check(subprocess.run(['sh', '-c', 'command -v ' + tool], capture_output=True).returncode == 0,
                            '%s is installed (Debian lrslib)' % tool):
            return 1
    rng = random.Random(12)
    jobs = []
    for net_path in NETS:
        net = oracle.load_pvnet(net_path)
        for code in codes_of(net, rng):
            for box in (None, BOX):
                jobs.append((net_path, net, code, box))
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda j: one_case(polyverify, *j), jobs))
    realised = []
    for res, lin in results:
        for cond, what in res:
            checks.check(cond, what)
        if lin and lin[0]:
            realised.append(lin)
    # linearity: declared rows are always implicit equalities of the
    # closure; once a lower-dimensional cell declares them, every realised
    # cell must declare them all
    for _, _, _, subset, what in realised:
        checks.check(subset, '%s: a linearity row is not an implicit equality of the closure' % what)
    lower = [x for x in realised if x[1]]
    declaring = [x for x in lower if x[2]]
    if declaring:
        for _, _, exact, _, what in realised:
            checks.check(exact, '%s: the linearity line must list every implicit equality' % what)
    else:
        print('note: polyverify declares no implicit equality of the %d lower-dimensional cells as a '
              'linearity yet; redund counts checked on full-dimensional closures only' % len(lower))
    print('%d .ine files read by lrs and redund (%d of realised lower-dimensional cells, %d with their '
          'implicit equalities as linearities)' % (len(jobs), len(lower), len(declaring)))
    print('%d passed, %d failed' % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == '__main__':
    sys.exit(main())
