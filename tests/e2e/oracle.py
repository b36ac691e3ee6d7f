"""Independent exact oracle for the polyverify end-to-end tests.

Everything here is computed with fractions.Fraction (or by the external lrslib
programs `lrs` and `redund`); nothing is taken from polyverify's output.

Conventions
-----------
* A network is a `Net`: `input_dim` and a list of `Layer(activation, W, bias)`
  with Fraction entries.  ReLU neurons are numbered layer by layer from 0.
* An affine function of x in R^m is a pair `(h, g)` meaning h + g.x, with h a
  Fraction and g a tuple of m Fractions.  A *row* of a half-space system is
  such a pair read as "h + g.x >= 0" (or "> 0" when strict).
* Row labels: `('neuron', j)` or `('box', i, 'lo'|'hi')` (i is 0-based).
"""

import json
import math
import os
import subprocess
import sys
import tempfile
from collections import namedtuple
from fractions import Fraction

Layer = namedtuple('Layer', 'activation W bias')
Net = namedtuple('Net', 'input_dim layers')


# ---------------------------------------------------------------------------
# Network files
# ---------------------------------------------------------------------------

def parse_number(text):
    """Parse an exact rational from '3', '-2.5e-3' or '7/3'."""
    return Fraction(text)


def parse_pvnet(text):
    """Parse the text of a .pvnet file (DESIGN 3.1) into a Net.

    This is a deliberately simple parser for the well-formed files the tests
    write themselves; it raises ValueError on anything unexpected.
    """
    lines = []
    for raw in text.splitlines():
        line = raw.split('#', 1)[0].split()
        if line:
            lines.append(line)
    if lines[0] not in (['pvnet', '1'], ['pvnet', '2']):
        raise ValueError('missing header')
    if lines[1][0] != 'input':
        raise ValueError('missing input line')
    m = int(lines[1][1])
    layers, pos, width_in = [], 2, m
    while pos < len(lines) and lines[pos][0] == 'code':
        pos += 1                  # pvnet 2's code layout: informational
    while pos < len(lines):
        words = lines[pos]
        sparse = words[-1] == 'sparse'
        if sparse:
            words = words[:-1]
        if words[0] != 'layer' or len(words) not in (3, 5):
            raise ValueError('bad layer line %r' % (lines[pos],))
        if len(words) == 5:       # pvnet 2: layer relu R linear L
            if words[1] != 'relu' or words[3] != 'linear':
                raise ValueError('bad layer line %r' % (lines[pos],))
            nrelu, width = int(words[2]), int(words[2]) + int(words[4])
            act = 'relu' if nrelu == width else ('mixed', nrelu)
        else:
            act, width = words[1], int(words[2])
            if act not in ('relu', 'linear'):
                raise ValueError('bad layer line %r' % (lines[pos],))
        rows = []
        for i in range(width):
            toks = lines[pos + 1 + i]
            if not sparse:
                rows.append([parse_number(t) for t in toks])
                continue
            row = [Fraction(0)] * width_in
            for t in toks:
                if t != '-':
                    j, w = t.split(':')
                    row[int(j)] = parse_number(w)
            rows.append(row)
        if any(len(r) != width_in for r in rows):
            raise ValueError('bad row length')
        bias_line = lines[pos + 1 + width]
        if bias_line[0] != 'bias' or len(bias_line) != width + 1:
            raise ValueError('bad bias line')
        layers.append(Layer(act, rows, [parse_number(t) for t in bias_line[1:]]))
        pos += width + 2
        width_in = width
    return Net(m, layers)


def load_pvnet(path):
    """Read and parse a .pvnet file."""
    with open(path) as f:
        return parse_pvnet(f.read())


def fmt(q):
    """Format a Fraction as 'p/q' or 'p'."""
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else '%d/%d' % (q.numerator, q.denominator)


def relu_count(net):
    """Number of ReLU neurons N (the length of a code)."""
    return sum(len(l.W) for l in net.layers if l.activation == 'relu')


# ---------------------------------------------------------------------------
# Forward passes
# ---------------------------------------------------------------------------

def forward(net, x):
    """Exact forward pass at point x.

    Returns (code, zero_neurons, preacts) where preacts lists the
    pre-activation of every ReLU neuron in order.
    """
    a = [Fraction(v) for v in x]
    preacts = []
    for layer in net.layers:
        z = [sum((w * v for w, v in zip(row, a)), Fraction(0)) + b
             for row, b in zip(layer.W, layer.bias)]
        if layer.activation == 'relu':
            preacts += z
            a = [max(v, Fraction(0)) for v in z]
        else:
            a = z
    code = ''.join('1' if v > 0 else '0' for v in preacts)
    zeros = [j for j, v in enumerate(preacts) if v == 0]
    return code, zeros, preacts


def code_along_ray(net, y, d):
    """Code of y + e*d for all sufficiently small e > 0 (first-order rule).

    Along a ray every activation is piecewise linear in e, so for small e the
    value is exactly v + e*dv; a ReLU of (0 + e*dv) is e*max(dv, 0).  Bit j is
    1 iff v_j > 0, or v_j == 0 and dv_j > 0.
    """
    a = [(Fraction(v), Fraction(dv)) for v, dv in zip(y, d)]
    bits = []
    zero = Fraction(0)
    for layer in net.layers:
        z = []
        for row, b in zip(layer.W, layer.bias):
            v = sum((w * p[0] for w, p in zip(row, a)), zero) + b
            dv = sum((w * p[1] for w, p in zip(row, a)), zero)
            z.append((v, dv))
        if layer.activation == 'relu':
            nxt = []
            for v, dv in z:
                if v > 0:
                    bits.append('1')
                    nxt.append((v, dv))
                elif v < 0:
                    bits.append('0')
                    nxt.append((zero, zero))
                else:
                    bits.append('1' if dv > 0 else '0')
                    nxt.append((zero, max(dv, zero)))
            a = nxt
        else:
            a = z
    return ''.join(bits)


def cell_affine(net, code):
    """Pre-activations z_j = h + g.x of every ReLU neuron on the cell of `code`.

    Implements the layer recursion with the pattern fixed by `code`.
    Returns a list of (h, g) pairs, one per ReLU neuron.
    """
    m = net.input_dim
    # current layer inputs as affine functions of x
    acts = [(Fraction(0), tuple(Fraction(int(i == k)) for i in range(m))) for k in range(m)]
    result, pos = [], 0
    for layer in net.layers:
        z = []
        for row, b in zip(layer.W, layer.bias):
            h = b + sum((w * a[0] for w, a in zip(row, acts)), Fraction(0))
            g = tuple(sum((w * a[1][i] for w, a in zip(row, acts)), Fraction(0))
                      for i in range(m))
            z.append((h, g))
        if layer.activation == 'relu':
            result += z
            bits = code[pos:pos + len(z)]
            pos += len(z)
            zero = (Fraction(0), tuple(Fraction(0) for _ in range(m)))
            acts = [f if bit == '1' else zero for f, bit in zip(z, bits)]
        else:
            acts = z
    return result


def signed_rows(net, code, box=None):
    """Rows of the closure P(b) (and box), with labels and strictness.

    Returns a list of (label, (h, g), strict) where the row means h + g.x >= 0
    and `strict` tells whether C(b) needs it strictly (bit 1).  Box rows follow
    the neurons: x_i >= lo for every i, then x_i <= hi for every i.
    """
    m = net.input_dim
    rows = []
    for j, ((h, g), bit) in enumerate(zip(cell_affine(net, code), code)):
        s = 1 if bit == '1' else -1
        rows.append((('neuron', j), (s * h, tuple(s * c for c in g)), bit == '1'))
    if box is not None:
        for i, (lo, hi) in enumerate(box):
            e = tuple(Fraction(int(k == i)) for k in range(m))
            rows.append((('box', i, 'lo'), (-Fraction(lo), e), False))
        for i, (lo, hi) in enumerate(box):
            e = tuple(-Fraction(int(k == i)) for k in range(m))
            rows.append((('box', i, 'hi'), (Fraction(hi), e), False))
    return rows


def evaluate(row, x):
    """Value h + g.x of an affine row at point x."""
    h, g = row
    return h + sum((c * v for c, v in zip(g, x)), Fraction(0))


# ---------------------------------------------------------------------------
# Exact linear algebra and linear programming
# ---------------------------------------------------------------------------

def rank(vectors):
    """Rank of a list of Fraction vectors (exact Gaussian elimination)."""
    rows = [list(v) for v in vectors]
    r = 0
    ncols = len(rows[0]) if rows else 0
    for c in range(ncols):
        piv = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c] / rows[r][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        r += 1
    return r


def in_span(vec, basis):
    """True iff vec is a linear combination of the vectors in basis."""
    return rank(list(basis) + [vec]) == rank(basis)


def affine_vec(row):
    """An affine row (h, g) as the vector (h, g_1, ..., g_m)."""
    return (row[0],) + tuple(row[1])


def _reduce(row):
    """Divide an integer row by the gcd of its entries (keeps the sign)."""
    g = 0
    for v in row:
        if v:
            g = math.gcd(g, v)
            if g == 1:
                return row
    return [v // g for v in row] if g > 1 else row


def _integer_row(values):
    """Scale a list of Fractions by the lcm of their denominators -> ints."""
    l = 1
    for v in values:
        l = l * v.denominator // math.gcd(l, v.denominator)
    return [int(v * l) for v in values]


class _Tableau:
    """Fraction-free simplex tableau over the integers.

    Every constraint row i stands for (sum_j T[i][j] x_j = T[i][-1]) up to a
    positive factor, with the basic variable's coefficient positive.  The
    objective row `obj` (reduced costs, value last) is scaled by 1/`scale`.
    """

    def __init__(self, rows, basis, ncol):
        self.T = [_reduce(r) for r in rows]
        self.basis = basis
        self.ncol = ncol
        self.obj = [0] * (ncol + 1)
        self.scale = 1

    def set_objective(self, costs):
        """Set 'maximise costs.x' (costs: ints, length ncol) and price it out."""
        self.obj = [-c for c in costs] + [0]
        self.scale = 1
        for i, b in enumerate(self.basis):
            self._eliminate_obj(i, b)

    def _eliminate_obj(self, r, c):
        f = self.obj[c]
        if f:
            p = self.T[r][c]
            self.obj = [p * a - f * b for a, b in zip(self.obj, self.T[r])]
            self.scale *= p
            red = _reduce(self.obj + [self.scale])
            self.obj, self.scale = red[:-1], red[-1]

    def pivot(self, r, c):
        """Pivot on (r, c); negates row r first if needed (only when rhs is 0)."""
        T = self.T
        if T[r][c] < 0:
            T[r] = [-v for v in T[r]]
        p, row = T[r][c], T[r]
        nz = [j for j, v in enumerate(row) if v]
        for i in range(len(T)):
            f = T[i][c]
            if i != r and f:
                Ti = [p * v for v in T[i]]
                for j in nz:
                    Ti[j] -= f * row[j]
                T[i] = _reduce(Ti)
        self._eliminate_obj(r, c)
        self.basis[r] = c

    def optimise(self, ncols):
        """Primal simplex with Bland's rule over columns < ncols."""
        T = self.T
        while True:
            c = next((j for j in range(ncols) if self.obj[j] < 0), None)
            if c is None:
                return 'optimal'
            best = None
            for i in range(len(T)):
                a = T[i][c]
                if a > 0:
                    if best is None:
                        best = i
                        continue
                    lhs, rhs = T[i][-1] * T[best][c], T[best][-1] * a
                    if lhs < rhs or (lhs == rhs and self.basis[i] < self.basis[best]):
                        best = i
            if best is None:
                return 'unbounded'
            self.pivot(best, c)

    def value(self):
        """Current objective value."""
        return Fraction(self.obj[-1], self.scale)

    def solution(self, ncols):
        """Values of the first ncols variables in the current basic solution."""
        val = [Fraction(0)] * ncols
        for i, b in enumerate(self.basis):
            if b < ncols:
                val[b] = Fraction(self.T[i][-1], self.T[i][b])
        return val


def lp_maximize(n, objective, ineqs, eqs=()):
    """Exact LP: maximise objective.x over x in R^n.

    ineqs: list of (h, g) meaning h + g.x >= 0; eqs: list of (h, g) meaning
    h + g.x == 0.  Returns (status, value, x) with status 'optimal',
    'infeasible' or 'unbounded' (value and x are None unless optimal).
    Two-phase simplex on x = u - v with slack variables, artificial
    variables only where the slack cannot start in the basis, Bland's rule,
    exact integer (fraction-free) arithmetic.
    """
    cons = [(_integer_row([-Fraction(c) for c in g] + [Fraction(h)]), True) for h, g in ineqs]
    cons += [(_integer_row([-Fraction(c) for c in g] + [Fraction(h)]), False) for h, g in eqs]
    k = sum(1 for c in cons if c[1])
    need_art = [i for i, (a, is_ineq) in enumerate(cons) if not is_ineq or a[-1] < 0]
    real = 2 * n + k
    ncol = real + len(need_art)
    rows, basis, si = [], [], 0
    for i, (a, is_ineq) in enumerate(cons):
        row = [0] * (ncol + 1)
        for j in range(n):
            row[j] = a[j]
            row[n + j] = -a[j]
        slack = None
        if is_ineq:
            slack = 2 * n + si
            row[slack] = 1
            si += 1
        row[-1] = a[-1]
        if a[-1] < 0:
            row = [-v for v in row]
        if i in need_art:
            col = real + need_art.index(i)
            row[col] = 1
            basis.append(col)
        else:
            basis.append(slack)
        rows.append(row)
    tab = _Tableau(rows, basis, ncol)
    if need_art:
        tab.set_objective([0] * real + [-1] * len(need_art))
        tab.optimise(ncol)
        if tab.value() != 0:
            return 'infeasible', None, None
        # drive artificials out of the basis; drop redundant rows
        i = 0
        while i < len(tab.T):
            if tab.basis[i] >= real:
                c = next((j for j in range(real) if tab.T[i][j] != 0), None)
                if c is None:
                    del tab.T[i]
                    del tab.basis[i]
                    continue
                tab.pivot(i, c)
            i += 1
        tab.T = [row[:real] + [row[-1]] for row in tab.T]
        tab.ncol = real
    obj = _integer_row([Fraction(c) for c in objective])
    tab.set_objective(obj + [-c for c in obj] + [0] * k)
    if tab.optimise(real) == 'unbounded':
        return 'unbounded', None, None
    val = tab.solution(real)
    x = tuple(val[j] - val[n + j] for j in range(n))
    value = sum((Fraction(c) * v for c, v in zip(objective, x)), Fraction(0))
    return 'optimal', value, x


def max_slack(m, rows_t, rows_ge=(), rows_eq=()):
    """Maximise t subject to r >= t (rows_t), r >= 0 (rows_ge), r == 0 (rows_eq), t <= 1.

    Returns (t, x) or (None, None) if infeasible.  A positive t proves a point
    satisfying rows_t strictly.
    """
    def lift(row, tcoef):
        h, g = row
        return (h, tuple(g) + (Fraction(tcoef),))
    ineqs = [lift(r, -1) for r in rows_t] + [lift(r, 0) for r in rows_ge]
    ineqs.append((Fraction(1), tuple([Fraction(0)] * m) + (Fraction(-1),)))
    eqs = [lift(r, 0) for r in rows_eq]
    status, val, x = lp_maximize(m + 1, [0] * m + [1], ineqs, eqs)
    if status == 'infeasible':
        return None, None
    assert status == 'optimal'
    return val, x[:m]


# ---------------------------------------------------------------------------
# Cell geometry
# ---------------------------------------------------------------------------

def implicit_equalities(m, rows):
    """Indices of rows (h, g) >= 0 that vanish on the whole polyhedron.

    The polyhedron must be non-empty.  Rows seen positive at some feasible
    point are non-implicit; every other row i is tested by maximising it
    (capped at 1) over the polyhedron.
    """
    t, x = max_slack(m, rows)
    assert t is not None, 'implicit_equalities called on an empty polyhedron'
    if t > 0:
        return []
    # rows positive at that point are not implicit; the others vanish there,
    # so the point satisfies every cap r <= 1 below (the LPs are feasible)
    positive = set(k for k, rk in enumerate(rows) if evaluate(rk, x) > 0)
    for i, r in enumerate(rows):
        if i in positive:
            continue
        cap = (Fraction(1) - r[0], tuple(-c for c in r[1]))     # r <= 1
        status, val, x = lp_maximize(m, r[1], list(rows) + [cap])
        assert status == 'optimal'
        if val + r[0] > 0:
            positive.update(k for k, rk in enumerate(rows) if evaluate(rk, x) > 0)
    return [i for i in range(len(rows)) if i not in positive]


def is_bounded(m, rows):
    """True iff the non-empty polyhedron {h + g.x >= 0} is bounded.

    Its recession cone {d : g.d >= 0} is {0} iff the g's have rank m and
    some strictly positive combination of them is 0 (Stiemke's lemma); the
    latter is one feasibility LP in the multipliers.
    """
    gs = [r[1] for r in rows]
    if not gs or rank(gs) < m:
        return False
    R = len(gs)
    ones = [(Fraction(-1), tuple(Fraction(int(k == i)) for k in range(R))) for i in range(R)]
    eqs = [(Fraction(0), tuple(g[c] for g in gs)) for c in range(m)]
    return lp_maximize(R, [0] * R, ones, eqs)[0] == 'optimal'


CellFacts = namedtuple('CellFacts', 'code realized dim point bounded implicit rows facets')
Facet = namedtuple('Facet', 'neurons box neighbor point')


def cell_facts(net, code, box=None, want_bounded=True):
    """Everything the `cell` command reports, computed independently.

    Returns a CellFacts.  `implicit` lists the neuron indices that are implicit
    equalities; `facets` is a list of Facet(neurons, box, neighbor, point)
    where `box` lists the box labels of the facet's rows and `point` is an
    exact relative-interior point of the facet.
    """
    m = net.input_dim
    labelled = signed_rows(net, code, box)
    rows = [r for _, r, _ in labelled]
    strict = [r for _, r, s in labelled if s]
    weak = [r for _, r, s in labelled if not s]
    t, p = max_slack(m, rows)
    if t is None or t <= 0:
        # not full-dimensional: decide realisability with the strict rows only
        t, _ = max_slack(m, strict, weak)
        if t is None or t <= 0:
            return CellFacts(code, False, -1, None, None, [], labelled, [])
        E = implicit_equalities(m, rows)
    else:
        E = []
    Eset = set(E)
    assert not any(labelled[i][2] for i in E), 'strict row cannot be implicit'
    dim = m - rank([rows[i][1] for i in E])
    others = [i for i in range(len(rows)) if i not in Eset]
    if E:
        t, p = max_slack(m, [rows[i] for i in others], rows_eq=[rows[i] for i in E])
        assert t is not None and t > 0
    evecs = [affine_vec(rows[i]) for i in E]
    facets, done = [], set()
    for i in others:
        if i in done or in_span(affine_vec(rows[i]), evecs):
            continue
        basis = evecs + [affine_vec(rows[i])]
        group = [k for k in others if in_span(affine_vec(rows[k]), basis)]
        done.update(group)
        rest = [rows[k] for k in others if k not in group]
        t, y = max_slack(m, rest, rows_eq=[rows[k] for k in E + group])
        if t is None or t <= 0:
            continue
        neurons = sorted(labelled[k][0][1] for k in group if labelled[k][0][0] == 'neuron')
        boxes = [labelled[k][0][1:] for k in group if labelled[k][0][0] == 'box']
        neighbor = None
        if neurons:
            neighbor = code_along_ray(net, y, [a - b for a, b in zip(y, p)])
        facets.append(Facet(neurons, boxes, neighbor, y))
    bounded = True if box is not None else (is_bounded(m, rows) if want_bounded else None)
    implicit = sorted(labelled[i][0][1] for i in E if labelled[i][0][0] == 'neuron')
    return CellFacts(code, True, dim, p, bounded, implicit, labelled, facets)


def point_in_relint(facts, x):
    """Check that x lies in the relative interior of the realised cell.

    Returns a list of failure messages (empty when x is fine): rows that are
    implicit equalities of the closure (recomputed here, box rows included)
    must be 0 at x, every other row > 0.
    """
    rows = [r for _, r, _ in facts.rows]
    implicit = set(implicit_equalities(len(x), rows))
    errors = []
    for i, (label, row, strict) in enumerate(facts.rows):
        v = evaluate(row, x)
        if i in implicit:
            if v != 0:
                errors.append('%s should be 0 on the cell, is %s' % (label, v))
        elif v <= 0:
            errors.append('%s should be > 0 in the relative interior, is %s' % (label, v))
    return errors


def facet_key(neurons, box):
    """Sortable identity of a facet: (sorted neurons, sorted box labels)."""
    return (tuple(sorted(neurons)), tuple(sorted(tuple(b) for b in box)))


# ---------------------------------------------------------------------------
# lrslib helpers (independent second opinion)
# ---------------------------------------------------------------------------

def ine_text(m, ineqs, linearity=(), extra=''):
    """An lrs H-representation with rows (h, g) >= 0; linearity = row indices."""
    out = ['pv', 'H-representation']
    if linearity:
        out.append('linearity %d %s' % (len(linearity), ' '.join(str(i + 1) for i in linearity)))
    out += ['begin', '%d %d rational' % (len(ineqs), m + 1)]
    out += [' '.join(fmt(v) for v in affine_vec(r)) for r in ineqs]
    out.append('end')
    if extra:
        out.append(extra)
    return '\n'.join(out) + '\n'


def _run_lrslib(prog, text):
    """Run lrs or redund on the given .ine text, returning stdout."""
    with tempfile.NamedTemporaryFile('w', suffix='.ine', delete=False) as f:
        f.write(text)
        name = f.name
    try:
        res = subprocess.run([prog, name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(name)
    return res.stdout


def lrs_maximize(m, objective, ineqs):
    """Maximise objective.x subject to rows >= 0 using `lrs` (lponly).

    Returns ('optimal', value), ('infeasible', None) or ('unbounded', None).
    """
    # lrs ignores a lineality space in LP mode, so make the polyhedron pointed
    # by writing x = u - v with u, v >= 0.
    zero, one = Fraction(0), Fraction(1)
    split = [(h, tuple(g) + tuple(-c for c in g)) for h, g in ineqs]
    split += [(zero, tuple(one if k == i else zero for k in range(2 * m))) for i in range(2 * m)]
    obj = list(objective) + [-c for c in objective]
    extra = 'maximize 0 %s\nlponly' % ' '.join(fmt(c) for c in obj)
    out = _run_lrslib('lrs', ine_text(2 * m, split, extra=extra))
    if 'No feasible solution' in out:
        return 'infeasible', None
    if 'Unbounded' in out:
        return 'unbounded', None
    for line in out.splitlines():
        if line.startswith('*Obj='):
            # "*Obj=p/q ..." or, for long values, "*Obj= p/q ..."
            return 'optimal', Fraction(line[len('*Obj='):].split()[0])
    raise RuntimeError('cannot parse lrs output:\n' + out)


def lrs_realized(m, strict, weak):
    """Is {strict > 0, weak >= 0} non-empty?  Decided by lrs: max t, strict >= t, t <= 1."""
    def lift(row, tcoef):
        return (row[0], tuple(row[1]) + (Fraction(tcoef),))
    ineqs = [lift(r, -1) for r in strict] + [lift(r, 0) for r in weak]
    ineqs.append((Fraction(1), tuple([Fraction(0)] * m) + (Fraction(-1),)))
    status, val = lrs_maximize(m + 1, [0] * m + [1], ineqs)
    return status == 'optimal' and val > 0


def lrs_implicit_equalities(m, rows):
    """Indices of rows that vanish on the (non-empty) polyhedron, via one lrs LP per row."""
    result = []
    for i, r in enumerate(rows):
        status, val = lrs_maximize(m, r[1], rows)
        if status == 'optimal' and val + r[0] == 0:
            result.append(i)
    return result


def redund_inequality_count(m, rows, linearity):
    """Number of irredundant inequality rows that `redund` keeps.

    All-zero rows are dropped first; `linearity` are indices into rows that
    are declared equations.  For a non-empty polyhedron whose implicit
    equalities are all declared, this is its number of facets.
    """
    keep = [i for i, r in enumerate(rows) if any(affine_vec(r))]
    sub = [rows[i] for i in keep]
    lin = [keep.index(i) for i in linearity if i in keep]
    if not sub:
        return 0
    out = _run_lrslib('redund', ine_text(m, sub, lin))
    body = out.split('begin', 1)[1].split('end', 1)[0].split('\n')
    nrows = int(body[1].split()[0])
    nlin = 0
    head = out.split('begin', 1)[0]
    for line in head.splitlines():
        if line.startswith('linearity'):
            nlin = int(line.split()[1])
    return nrows - nlin


def parse_ine(text):
    """Parse an H-representation; returns (rows as (h, g), linearity indices)."""
    lines = [l.strip() for l in text.splitlines()]
    lines = [l for l in lines if l and not l.startswith('*')]
    lin = []
    i = 0
    while lines[i] != 'begin':
        if lines[i].startswith('linearity'):
            lin = [int(t) - 1 for t in lines[i].split()[2:]]
        i += 1
    nrows, ncols, kind = lines[i + 1].split()
    rows = []
    for k in range(int(nrows)):
        vals = [Fraction(t) for t in lines[i + 2 + k].split()]
        if len(vals) != int(ncols):
            raise ValueError('row %d has %d entries, expected %s' % (k, len(vals), ncols))
        rows.append((vals[0], tuple(vals[1:])))
    if lines[i + 2 + int(nrows)] != 'end':
        raise ValueError('missing end')
    return rows, lin


def same_up_to_positive_scaling(r1, r2):
    """True iff affine rows r1 = lambda * r2 for some lambda > 0 (or both zero)."""
    v1, v2 = affine_vec(r1), affine_vec(r2)
    k = next((i for i, v in enumerate(v2) if v != 0), None)
    if k is None:
        return not any(v1)
    lam = v1[k] / v2[k]
    return lam > 0 and all(a == lam * b for a, b in zip(v1, v2))


# ---------------------------------------------------------------------------
# Running polyverify and reporting
# ---------------------------------------------------------------------------

class Runner:
    """Runs the polyverify binary and records pass/fail of checks."""

    def __init__(self, binary):
        self.binary = binary
        self.passed = 0
        self.failed = 0

    def run(self, *args, timeout=60):
        """Run polyverify with args; returns (returncode, stdout, stderr)."""
        try:
            res = subprocess.run([self.binary] + [str(a) for a in args],
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return -999, '', 'TIMEOUT'
        except OSError as e:
            return -998, '', 'cannot run: %s' % e
        # Under the sanitizer build a memory or UB error must fail the test
        # even where a non-zero exit status is the expected outcome.
        for marker in ('AddressSanitizer', 'LeakSanitizer', 'runtime error:'):
            if marker in res.stderr:
                self.check(False, '%s: sanitizer report: %s'
                           % (list(args)[:3], res.stderr[:500]))
        return res.returncode, res.stdout, res.stderr

    def run_json(self, *args, what=''):
        """Run with --json; returns parsed JSON or None (recording a failure)."""
        rc, out, err = self.run(*args, '--json')
        if rc != 0:
            self.check(False, '%s: exit status %d, stderr: %s' % (what or args, rc, err.strip()[:300]))
            return None
        try:
            return json.loads(out)
        except ValueError:
            self.check(False, '%s: output is not JSON: %r' % (what or args, out[:300]))
            return None

    def check(self, cond, message):
        """Record one check; print it when it fails."""
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print('FAIL: ' + message)
        return cond

    def equal(self, got, expected, message):
        """Record a check that got == expected."""
        return self.check(got == expected, '%s: got %r, expected %r' % (message, got, expected))

    def finish(self):
        """Print the summary line and exit with the right status."""
        print('%d passed, %d failed' % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def write_file(directory, name, text):
    """Write text to directory/name; returns the path."""
    path = os.path.join(directory, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def fractions_of(strings):
    """Parse a JSON list of exact rational strings into Fractions (None on error)."""
    try:
        return [Fraction(s) for s in strings]
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def box_args(box):
    """Command-line --box argument list for a box [(lo, hi), ...] or None."""
    if box is None:
        return []
    return ['--box', ','.join('%s,%s' % (fmt(lo), fmt(hi)) for lo, hi in box)]


def compare_cell(runner, net, path, code, box=None, facts=None, label=''):
    """Run `cell` on one code and compare every reported field with the oracle.

    Returns the oracle's CellFacts.
    """
    if facts is None:
        facts = cell_facts(net, code, box)
    what = '%s cell %s%s' % (label or path, code, ' box %s' % (box,) if box else '')
    got = runner.run_json('cell', path, '--code', code, *box_args(box), what=what)
    if got is None:
        return facts
    runner.equal(got.get('code'), code, what + ' code')
    runner.equal(got.get('realized'), facts.realized, what + ' realized')
    runner.equal(got.get('dim'), facts.dim, what + ' dim')
    if not facts.realized:
        return facts
    point = fractions_of(got.get('point'))
    if runner.check(point is not None and len(point) == net.input_dim,
                    what + ' point malformed: %r' % (got.get('point'),)):
        runner.equal(forward(net, point)[0], code, what + ' code of the returned point')
        for err in point_in_relint(facts, point):
            runner.check(False, what + ' returned point %s: %s' % (got.get('point'), err))
    if facts.bounded is not None:
        runner.equal(got.get('bounded'), facts.bounded, what + ' bounded')
    runner.equal(sorted(got.get('implicit_equalities') or []), facts.implicit,
                 what + ' implicit_equalities')
    if facts.facets is None:        # facets deliberately not checked
        return facts
    expected = {}
    for f in facts.facets:
        expected[facet_key(f.neurons, f.box if not f.neurons else [])] = f.neighbor
    reported = {}
    for f in got.get('facets') or []:
        neurons = f.get('neurons') or []
        box = [f['box']] if not neurons and f.get('box') else []
        reported[facet_key(neurons, box)] = f.get('neighbor')
    runner.equal(sorted(reported), sorted(expected), what + ' facets (neurons, box)')
    for key, neighbor in expected.items():
        if key in reported:
            runner.equal(reported[key], neighbor, what + ' neighbor across facet %s' % (key,))
    return facts


def compare_ine(runner, net, path, code, box=None, label=''):
    """Run `cell --format ine` and compare its rows with the oracle's system.

    Neuron rows must match in order, each up to a positive factor; the 2m box
    rows (if any) must match the oracle's box rows one-to-one, in any order.
    """
    what = '%s cell %s --format ine%s' % (label or path, code, ' box %s' % (box,) if box else '')
    rc, out, err = runner.run('cell', path, '--code', code, '--format', 'ine', *box_args(box))
    if not runner.check(rc == 0, '%s: exit status %d, stderr: %s' % (what, rc, err.strip()[:300])):
        return
    try:
        rows, lin = parse_ine(out)
    except (ValueError, IndexError, ZeroDivisionError) as e:
        runner.check(False, '%s: cannot parse output (%s): %r' % (what, e, out[:300]))
        return
    expected = [r for _, r, _ in signed_rows(net, code, box)]
    N = relu_count(net)
    if not runner.equal(len(rows), len(expected), what + ' number of rows'):
        return
    # the linearity rows: exactly the rows vanishing on all of P(b)
    m = net.input_dim
    if max_slack(m, [], expected)[0] is None:
        want_lin = []
    else:
        want_lin = [expected[i] for i in implicit_equalities(m, expected)]
    got_lin = [rows[i] for i in lin]
    runner.equal(len(got_lin), len(want_lin), what + ' number of linearity rows')
    for r in want_lin:
        runner.check(any(same_up_to_positive_scaling(u, r) for u in got_lin),
                     '%s: implicit equality %s not on the linearity line'
                     % (what, [fmt(v) for v in affine_vec(r)]))
    for j in range(N):
        runner.check(same_up_to_positive_scaling(rows[j], expected[j]),
                     '%s: row of neuron %d is %s, expected a positive multiple of %s'
                     % (what, j, [fmt(v) for v in affine_vec(rows[j])],
                        [fmt(v) for v in affine_vec(expected[j])]))
    unmatched = list(rows[N:])
    for r in expected[N:]:
        k = next((i for i, u in enumerate(unmatched) if same_up_to_positive_scaling(u, r)), None)
        if runner.check(k is not None, '%s: no row matches box row %s'
                        % (what, [fmt(v) for v in affine_vec(r)])):
            del unmatched[k]
