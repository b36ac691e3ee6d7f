#!/usr/bin/env python3
"""Theorem-validation suite: the claims of Shepeleva et al., "ReLU Code Space"
(ICLR 2020 workshop), run as experiments on a corpus of networks.

    python3 verify/suite.py [--quick | --full] [--out DIR] [--jobs J]
                            [--polyverify EXE] [--pvcheck EXE]

(run from the project root; default --quick, the executables default to
build/polyverify and build/verify/pvcheck).  The suite drives the CLI through
its JSON output only and recomputes what it can on its own, in exact rational
arithmetic (fractions.Fraction / Python integers, standard library only), so it
does not depend on the C internals.

Corpus (every net is taken inside a box, so every cell is a bounded polytope):
  random     random nets (tests/e2e/randnet.py) written at run time from fixed
             seeds: input dim 2-4, 1-4 ReLU layers of widths 2-8, some with a
             final linear layer; box [-2,2]^m
  hand       the degenerate hand-built nets tests/nets/*.pvnet; box [-2,2]^m
  published  Neural-Network-Reach nets from ../shared/data/nn_reach on small
             boxes (pendulum, vanderpol; quadratic in --full)

Claims and how each is checked, for every net:
  Theorem 1  (a) every enumerated code is realised and dim C(b) (`cell`) ==
             dim P(b) (`adjacency-check --code b --code b`: common_dim) ==
             the affine dimension of the vertices of P(b) computed here from
             the `cell --format ine` rows;
             (b) C(b) is a disjoint union of relative interiors of faces of
             P(b): every face F of P(b) (here: of P(b) within the box) is
             enumerated exactly from the .ine rows (vertices, then faces as
             vertex sets); at two relative-interior points of F (the vertex
             average and a second positive combination) the exact code
             (`code --points`) must be b iff no strict row (bit-1 neuron)
             vanishes on F;
             (c) the cells tile the box: exact lengths/areas/volumes (m <= 3)
             of the full-dimensional cells add up to the box's, and every
             point computed in (b) plus random points of the box has a code
             that is an enumerated cell (nothing is missing).
  Lemma 1    both directions separately, from `adjacency-check --enumerate`:
             (=>) d_H = 1 implies adjacent, (<=) adjacent implies d_H = 1;
             rows split by the general_position that polyverify reports.
  Theorem 2  d_A against min(d_H, 2) on all pairs of cells: d_A is read off
             the adjacency graph of `enumerate --graph json` (0 same code, 1 an
             edge, 2 otherwise); it is re-derived independently for every
             pair in m <= 2 (exact clipping of the cells' polygons, computed
             here) and by `adjacency-check --code A --code B` on every
             violating pair and a seeded sample of other pairs.

Every violation is written to DIR/violations.json with a certificate written
by polyverify (`adjacency-check ... --certificate` for pairs, `cell ...
--certificate` for cells) and the verdict of pvcheck on it.  Disagreements of
the tool with itself or with the exact recomputation here are *not* theorem
violations; they are listed as tool_inconsistencies.  The tables go to
stdout and to DIR/tables.md; DIR/results.json has the per-network numbers.

Exit status: 0 when the suite ran, every certificate was accepted and no
tool inconsistency was found (whatever it found about the paper); 1
otherwise; 2 on bad usage or a failing CLI call.
"""

import argparse
import functools
import itertools
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'e2e'))
from randnet import random_net, net_text  # noqa: E402  (standard library only)

HAND_DIR = os.path.join(ROOT, 'tests', 'nets')
NN_REACH = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data', 'nn_reach'))
PI_2 = '1.5707963267948966'

# Random nets: (seed, m, ReLU widths, final linear layer).  Box [-2,2]^m.
QUICK_RANDOM = [
    (1, 2, [6], False),
    (2, 2, [5, 4], True),
    (3, 2, [4, 4, 3], False),
    (4, 2, [3, 3, 3, 3], False),
    (5, 2, [8, 6], False),
    (6, 3, [5, 4], False),
    (7, 3, [4, 3, 3], True),
    (8, 4, [4, 3], False),
    (9, 4, [3, 3, 2], False),
    (10, 3, [6], False),
]
FULL_RANDOM = QUICK_RANDOM + [
    (seed, m, widths, lin)
    for base, (m, widths, lin) in enumerate([
        (2, [8], False), (2, [6, 5], True), (2, [5, 4, 4], False), (2, [4, 4, 3, 3], True),
        (2, [2, 8, 4], False), (3, [6], False), (3, [5, 4, 3], False), (3, [3, 3, 3, 3], True),
        (4, [5, 3], False), (4, [4, 3, 2], True), (2, [7, 7], False), (3, [6, 5], False),
    ])
    for seed in (100 + 10 * base + k for k in range(3))
]
HAND_NETS = ['duplicate', 'opposite', 'dead', 'parallel', 'central', 'deep_coincide',
             'cross', 'star3', 'fc223', 'line1d']
QUICK_PUBLISHED = [('pendulum', '-%s,%s' % (PI_2, PI_2)), ('vanderpol', '-1,1')]
FULL_PUBLISHED = QUICK_PUBLISHED + [('quadratic', '-1,1'), ('vanderpol', '-2,2')]

# Theorem 2 / pair checks
QUICK_PAIR_SAMPLE, FULL_PAIR_SAMPLE = 12, 60
RANDOM_POINTS = 150


class SuiteError(Exception):
    pass


# ---------------------------------------------------------------------------
# Running the CLI
# ---------------------------------------------------------------------------

class Tool:
    def __init__(self, exe, pvcheck):
        self.exe, self.pvcheck_exe = exe, pvcheck
        self.calls = 0
        self.lock = threading.Lock()

    def run(self, args, ok=(0,)):
        with self.lock:
            self.calls += 1
        for attempt in range(3):    # an executable being relinked under us: retry
            try:
                proc = subprocess.run([self.exe] + list(args), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, universal_newlines=True,
                                      timeout=1800)
                break
            except OSError as exc:
                if attempt == 2:
                    raise SuiteError('cannot run %s: %s' % (self.exe, exc))
                time.sleep(2)
        if proc.returncode not in ok:
            raise SuiteError('polyverify %s: exit %d: %s' % (' '.join(args), proc.returncode,
                                                             proc.stderr.strip()[:500]))
        return proc.stdout

    def json(self, args):
        out = self.run(list(args) + ['--json'])
        try:
            return json.loads(out)
        except ValueError as exc:
            raise SuiteError('polyverify %s: bad JSON (%s)' % (' '.join(args), exc))

    def pvcheck(self, net, cert):
        proc = subprocess.run([self.pvcheck_exe, net, cert], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)
        lines = proc.stdout.strip().splitlines()
        return {'accepted': proc.returncode == 0, 'exit': proc.returncode,
                'summary': lines[-1] if lines else ''}


# ---------------------------------------------------------------------------
# Exact geometry (m <= 4): rows (h, g) mean h + g.x >= 0, integer coefficients
# ---------------------------------------------------------------------------

def fmt(q):
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else '%d/%d' % (q.numerator, q.denominator)


def parse_ine(text, m):
    rows, strict, inside = [], None, False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith('* strict rows'):
            strict = [int(t) - 1 for t in s.split(':', 1)[1].split()]
        elif s == 'begin':
            inside = 'header'
        elif s == 'end':
            inside = False
        elif inside == 'header':
            n, d, _ = s.split()
            if int(d) != m + 1:
                raise SuiteError('.ine has %s columns, expected %d' % (d, m + 1))
            inside = True
        elif inside and s:
            vals = [Fraction(t) for t in s.split()]
            den = 1
            for v in vals:
                den = den * v.denominator // math.gcd(den, v.denominator)
            ints = [int(v * den) for v in vals]
            rows.append((ints[0], tuple(ints[1:])))
    return rows, strict


def det_int(M):
    """Determinant of a square integer matrix (Bareiss, exact)."""
    M = [list(r) for r in M]
    n, sign, prev = len(M), 1, 1
    for k in range(n - 1):
        if M[k][k] == 0:
            for i in range(k + 1, n):
                if M[i][k] != 0:
                    M[k], M[i] = M[i], M[k]
                    sign = -sign
                    break
            else:
                return 0
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                M[i][j] = (M[i][j] * M[k][k] - M[i][k] * M[k][j]) // prev
        prev = M[k][k]
    return sign * M[n - 1][n - 1]


def row_value(row, x):
    h, g = row
    return h + sum(gi * xi for gi, xi in zip(g, x))


def vertices_of(rows, cand, m):
    """Vertices of {x : rows[i](x) >= 0 for i in cand} (bounded), exact."""
    found = set()
    for sub in itertools.combinations(cand, m):
        A = [rows[i][1] for i in sub]
        d = det_int(A)
        if d == 0:
            continue
        b = [-rows[i][0] for i in sub]
        x = []
        for k in range(m):
            Ak = [list(r) for r in A]
            for i in range(m):
                Ak[i][k] = b[i]
            x.append(Fraction(det_int(Ak), d))
        x = tuple(x)
        if x in found:
            continue
        if all(row_value(rows[i], x) >= 0 for i in cand):
            found.add(x)
    return sorted(found)


def affine_dim(points):
    if not points:
        return -1
    p0 = points[0]
    vecs = [[a - b for a, b in zip(p, p0)] for p in points[1:]]
    rank, cols = 0, len(p0)
    for c in range(cols):
        piv = next((i for i in range(rank, len(vecs)) if vecs[i][c] != 0), None)
        if piv is None:
            continue
        vecs[rank], vecs[piv] = vecs[piv], vecs[rank]
        for i in range(len(vecs)):
            if i != rank and vecs[i][c] != 0:
                f = vecs[i][c] / vecs[rank][c]
                vecs[i] = [a - f * b for a, b in zip(vecs[i], vecs[rank])]
        rank += 1
    return rank


def faces_of(verts, tight):
    """All non-empty faces of the polytope conv(verts) = {rows >= 0}, as
    frozensets of vertex indices.  tight[v] = rows vanishing at vertex v."""
    full = frozenset(range(len(verts)))
    faces, todo = {full}, [full]
    while todo:
        F = todo.pop()
        common = frozenset.intersection(*(tight[v] for v in F))
        for r in set().union(*(tight[v] for v in F)) - common:
            G = frozenset(v for v in F if r in tight[v])
            if G not in faces:
                faces.add(G)
                todo.append(G)
    return faces


def _angle_cmp(c):
    def half(v):
        return 0 if (v[1] > 0 or (v[1] == 0 and v[0] > 0)) else 1

    def cmp(p, q):
        u = (p[0] - c[0], p[1] - c[1])
        w = (q[0] - c[0], q[1] - c[1])
        hu, hw = half(u), half(w)
        if hu != hw:
            return hu - hw
        cross = u[0] * w[1] - u[1] * w[0]
        return -1 if cross > 0 else (1 if cross < 0 else 0)
    return cmp


def order_polygon(pts):
    """Vertices of a convex polygon (in R^2) in counter-clockwise order."""
    if len(pts) < 3:
        return list(pts)
    c = tuple(sum(p[i] for p in pts) / len(pts) for i in range(2))
    return sorted(pts, key=functools.cmp_to_key(_angle_cmp(c)))


def polygon_area(poly):
    n = len(poly)
    s = sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1]
            for i in range(n))
    return abs(s) / 2


def polytope_volume(verts, faces, dim_of):
    """Exact length/area/volume of a full-dimensional polytope in R^1..R^3."""
    m = len(verts[0])
    if m == 1:
        return max(v[0] for v in verts) - min(v[0] for v in verts)
    if m == 2:
        return polygon_area(order_polygon(verts))
    if m != 3:
        return None
    c = tuple(sum(v[i] for v in verts) / len(verts) for i in range(3))
    vol = Fraction(0)
    for F in faces:
        if dim_of[F] != 2:
            continue
        pts = [verts[v] for v in F]
        g = tuple(sum(p[i] for p in pts) / len(pts) for i in range(3))
        a, b = [[p[i] - pts[0][i] for i in range(3)] for p in pts[1:3]]
        k = 1
        while True:   # a normal of the facet from three non-collinear vertices
            nrm = (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
            if any(nrm):
                break
            k += 1
            b = [pts[k + 1][i] - pts[0][i] for i in range(3)]
        drop = max(range(3), key=lambda i: abs(nrm[i]))
        keep = [i for i in range(3) if i != drop]
        proj = {(p[keep[0]], p[keep[1]]): p for p in pts}
        ring = [proj[q] for q in order_polygon(list(proj))]
        for i in range(len(ring)):
            u, w = ring[i], ring[(i + 1) % len(ring)]
            M = [[g[j] - c[j] for j in range(3)], [u[j] - c[j] for j in range(3)],
                 [w[j] - c[j] for j in range(3)]]
            d = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1])
                 - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0])
                 + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]))
            vol += abs(d) / 6
    return vol


def clip(ring, row):
    """Sutherland-Hodgman: the convex ring (m <= 2, ordered) cut by row >= 0."""
    out = []
    n = len(ring)
    for i in range(n):
        cur, prev = ring[i], ring[i - 1]
        vc, vp = row_value(row, cur), row_value(row, prev)
        if vc >= 0:
            if vp < 0:
                t = vp / (vp - vc)
                out.append(tuple(p + t * (q - p) for p, q in zip(prev, cur)))
            out.append(cur)
        elif vp > 0:
            t = vp / (vp - vc)
            out.append(tuple(p + t * (q - p) for p, q in zip(prev, cur)))
    return out


# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------

def parse_box(text, m):
    vals = [Fraction(t) for t in text.split(',')]
    if len(vals) == 2:
        vals = vals * m
    if len(vals) != 2 * m:
        raise SuiteError('box %s does not fit input dimension %d' % (text, m))
    return [(vals[2 * i], vals[2 * i + 1]) for i in range(m)]


def build_corpus(full, netdir):
    corpus = []
    for seed, m, widths, lin in (FULL_RANDOM if full else QUICK_RANDOM):
        rng = random.Random(seed)
        net = random_net(rng, m, widths, linear_out=lin)
        name = 'rand-s%d-m%d-%s%s' % (seed, m, 'x'.join(map(str, widths)), '-lin' if lin else '')
        path = os.path.join(netdir, name + '.pvnet')
        with open(path, 'w') as f:
            f.write(net_text(net, rng, 'polyverify theorem-validation suite: random net\n'
                             'random_net(random.Random(%d), %d, %r, linear_out=%r)'
                             % (seed, m, widths, lin)))
        corpus.append({'name': name, 'group': 'random', 'path': path, 'box': '-2,2'})
    for name in HAND_NETS:
        corpus.append({'name': name, 'group': 'hand',
                       'path': os.path.join(HAND_DIR, name + '.pvnet'), 'box': '-2,2'})
    for name, box in (FULL_PUBLISHED if full else QUICK_PUBLISHED):
        path = os.path.join(NN_REACH, name, name + '.pvnet')
        if os.path.exists(path):
            corpus.append({'name': '%s[%s]' % (name, box.replace(PI_2, 'pi/2')),
                           'group': 'published', 'path': path, 'box': box})
        else:
            print('note: %s not found, skipped' % path, file=sys.stderr)
    return corpus


# ---------------------------------------------------------------------------
# One network
# ---------------------------------------------------------------------------

def hamming(a, b):
    return sum(x != y for x, y in zip(a, b))


class NetRun:
    def __init__(self, suite, entry):
        self.s, self.e = suite, entry
        self.tool = suite.tool
        self.path, self.boxtext = entry['path'], entry['box']
        self.violations, self.inconsistencies = [], []
        self.res = {'name': entry['name'], 'group': entry['group'], 'box': entry['box']}

    def bad(self, what, **kw):
        d = {'net': self.e['name'], 'file': self.path, 'box': self.boxtext, 'what': what}
        d.update(kw)
        self.inconsistencies.append(d)

    def violation(self, claim, what, a=None, b=None, **kw):
        d = {'claim': claim, 'net': self.e['name'], 'file': self.path, 'box': self.boxtext,
             'general_position': self.res.get('general_position'), 'what': what}
        if a is not None:
            d['a'] = a
        if b is not None:
            d['b'] = b
        d.update(kw)
        self.violations.append(d)

    def boxargs(self):
        return ['--box', self.boxtext]

    # -- the run ------------------------------------------------------------
    def run(self):
        t0 = time.time()
        info = self.tool.json(['info', self.path])
        self.m, self.N = info['input_dim'], info['neurons']
        self.box = parse_box(self.boxtext, self.m)
        self.res.update(m=self.m, neurons=self.N,
                        relu_layers=sum(1 for l in info['layers'] if l['activation'] == 'relu'))
        en = self.tool.json(['enumerate', self.path] + self.boxargs() + ['--graph', 'json'])
        ad = self.tool.json(['adjacency-check', self.path, '--enumerate'] + self.boxargs())
        if not en.get('complete', True) or not ad.get('complete', True):
            raise SuiteError('%s: enumeration incomplete' % self.path)
        self.cells = {c['code']: c for c in en['cell_list']}
        self.codes = sorted(self.cells)
        self.edges = {}
        for e in en['edges']:
            self.edges[frozenset((e['a'], e['b']))] = e
        self.adj = ad
        gp = bool(ad['general_position'])
        self.res.update(cells=len(self.codes), cells_by_dim=en['cells_by_dim'],
                        general_position=gp,
                        general_position_checks={k: v.get('holds') for k, v in
                                                 ad.get('general_position_checks', {}).items()})
        if en['cells'] != len(self.codes) or ad['cells'] != len(self.codes):
            self.bad('cell counts differ: enumerate %s, cell_list %d, adjacency-check %s'
                     % (en['cells'], len(self.codes), ad['cells']))
        self.theorem1()
        self.lemma1()
        self.theorem2()
        self.res['seconds'] = round(time.time() - t0, 2)
        return self

    # -- Theorem 1 ------------------------------------------------------------
    def cell_facts(self, code):
        c = self.tool.json(['cell', self.path, '--code', code] + self.boxargs())
        ine = self.tool.run(['cell', self.path, '--code', code] + self.boxargs()
                            + ['--format', 'ine'])
        bb = self.tool.json(['adjacency-check', self.path, '--code', code, '--code', code]
                            + self.boxargs())
        return code, c, ine, bb

    def polytope(self, code, cjson, ine):
        """Vertices, tight sets and faces of P(b) within the box, exactly."""
        m, N = self.m, self.N
        rows, strict_comment = parse_ine(ine, m)
        if len(rows) != N + 2 * m:
            raise SuiteError('%s %s: .ine has %d rows, expected %d' % (self.path, code,
                                                                      len(rows), N + 2 * m))
        strict = [j for j in range(N) if code[j] == '1']
        if strict_comment is not None and sorted(strict_comment) != strict:
            self.bad('.ine strict rows %s differ from the bits of %s' % (strict_comment, code))
        # candidate rows: polyverify's facets and implicit equalities, plus the box;
        # the result is then checked against every row (P' = P iff all its vertices are in P)
        cand = set(range(N, N + 2 * m)) | set(cjson.get('implicit_equalities', []))
        for f in cjson.get('facets', []):
            cand |= set(f.get('neurons', []))
        cand = sorted(cand)
        verts = vertices_of(rows, cand, m)
        if any(row_value(r, v) < 0 for v in verts for r in rows) or not verts:
            self.bad('facets and implicit equalities of %s do not describe P(b); '
                     'recomputed from all rows' % code)
            verts = vertices_of(rows, list(range(len(rows))), m)
        tight = [frozenset(i for i, r in enumerate(rows) if row_value(r, v) == 0) for v in verts]
        faces = faces_of(verts, tight) if verts else set()
        return rows, strict, verts, tight, faces

    def theorem1(self):
        m, N = self.m, self.N
        facts = list(self.s.pool.map(self.cell_facts, self.codes))
        self.poly = {}
        points, expect = [], []     # points to code, and what to expect of each
        t1 = {'cells': len(self.codes), 'dim_violations': 0, 'faces': 0, 'face_points': 0,
              'face_violations': 0, 'tiling_checked': False, 'tiling_ok': None,
              'coverage_points': 0, 'coverage_violations': 0}
        volume_sum = Fraction(0)
        volume_ok = m <= 3
        for code, cj, ine, bb in facts:
            en_dim = self.cells[code]['dim']
            rows, strict, verts, tight, faces = self.polytope(code, cj, ine)
            dim_of = {F: affine_dim([verts[v] for v in F]) for F in faces}
            full = frozenset(range(len(verts)))
            pdim = dim_of.get(full, -1)
            self.poly[code] = {'verts': verts, 'dim': cj.get('dim'), 'rows': rows}
            ok = (cj.get('realized') is True and bb.get('realized_a') is True
                  and cj.get('dim') == en_dim == bb.get('dim_a')
                  and bb.get('common_dim') == cj.get('dim'))
            if cj.get('realized') is True and pdim != bb.get('common_dim'):
                self.bad('dim P(%s): adjacency-check says %s, its vertices span %d'
                         % (code, bb.get('common_dim'), pdim))
            if not ok:
                t1['dim_violations'] += 1
                self.violation('Theorem 1a', 'enumerated code not realised or dim C(b) != dim P(b)',
                               a=code, cell=cj.get('realized'), dim_C=cj.get('dim'),
                               dim_enumerate=en_dim, dim_P=bb.get('common_dim'),
                               dim_P_vertices=pdim)
            # a point of the cell from enumerate and from cell: both must have code b
            for p in (self.cells[code].get('point'), cj.get('point')):
                if p:
                    points.append(tuple(Fraction(t) for t in p))
                    expect.append(('point', code, None))
            # (b) every face
            for F in faces:
                vs = [verts[v] for v in F]
                on = frozenset.intersection(*(tight[v] for v in F))
                vanishing_strict = sorted(j for j in strict if j in on)
                k = len(vs)
                cen = tuple(sum(v[i] for v in vs) / k for i in range(m))
                wsum = k * (k + 1) // 2
                wpt = tuple(sum((idx + 1) * v[i] for idx, v in enumerate(vs)) / wsum
                            for i in range(m))
                t1['faces'] += 1
                for p in {cen, wpt}:
                    points.append(p)
                    expect.append(('face', code, (dim_of[F], vanishing_strict)))
            if cj.get('dim') == m and verts:
                vol = polytope_volume(verts, faces, dim_of)
                if vol is None:
                    volume_ok = False
                else:
                    volume_sum += vol
        # random points of the box: their codes must be enumerated cells
        rng = random.Random(sum(map(ord, self.e['name'])) * 7919 + self.m)
        for _ in range(RANDOM_POINTS):
            points.append(tuple(lo + (hi - lo) * Fraction(rng.randint(0, 10007), 10007)
                                for lo, hi in self.box))
            expect.append(('random', None, None))
        got = self.code_points(points)
        for p, (kind, code, extra), g in zip(points, expect, got):
            gcode = g['code']
            if gcode not in self.cells:
                t1['coverage_violations'] += 1
                self.violation('Theorem 1c', 'a point of the box has a code that enumerate did '
                               'not list', a=gcode, point=[fmt(x) for x in p])
                self.cert_cell(self.violations[-1], gcode)
            t1['coverage_points'] += 1
            if kind == 'point' and gcode != code:
                self.bad('the relative-interior point of %s has code %s' % (code, gcode),
                         point=[fmt(x) for x in p])
            elif kind == 'face':
                t1['face_points'] += 1
                fdim, vanishing = extra
                if (gcode == code) != (not vanishing):
                    t1['face_violations'] += 1
                    self.violation('Theorem 1b', 'relint of a face of P(b) is neither inside C(b) '
                                   'nor disjoint from it (predicted %s)'
                                   % ('inside' if not vanishing else 'outside'),
                                   a=code, face_dim=fdim, strict_rows_vanishing=vanishing,
                                   point=[fmt(x) for x in p], code_at_point=gcode)
                    self.cert_cell(self.violations[-1], code)
        box_vol = Fraction(1)
        for lo, hi in self.box:
            box_vol *= hi - lo
        if volume_ok:
            t1['tiling_checked'] = True
            t1['tiling_ok'] = volume_sum == box_vol
            t1['volume_sum'], t1['box_volume'] = fmt(volume_sum), fmt(box_vol)
            if volume_sum != box_vol:
                self.violation('Theorem 1c', 'the volumes of the full-dimensional cells add up '
                               'to %s, the box has %s' % (fmt(volume_sum), fmt(box_vol)))
        self.res['theorem1'] = t1

    def code_points(self, points):
        csv = os.path.join(self.s.work, '%s.points.csv' % safe(self.e['name']))
        with open(csv, 'w') as f:
            f.write(''.join(','.join(fmt(x) for x in p) + '\n' for p in points))
        got = self.tool.json(['code', self.path, '--points', csv])
        if len(got) != len(points):
            raise SuiteError('%s: code --points returned %d codes for %d points'
                             % (self.path, len(got), len(points)))
        return got

    # -- certificates ---------------------------------------------------------
    def cert_cell(self, v, code):
        name = '%s__cell_%s.cert' % (safe(self.e['name']), code)
        v['certificate'] = self.s.cert_job(self.path, name, ['cell', self.path, '--code', code]
                                           + self.boxargs())

    def cert_pair(self, v, a, b):
        name = '%s__%s__%s.cert' % (safe(self.e['name']), a, b)
        v['certificate'] = self.s.cert_job(self.path, name, ['adjacency-check', self.path,
                                                             '--code', a, '--code', b]
                                           + self.boxargs())

    # -- Lemma 1 ----------------------------------------------------------------
    def lemma1(self):
        ad, codes = self.adj, self.codes
        h1 = [(a, b) for a, b in itertools.combinations(codes, 2) if hamming(a, b) == 1]
        adjacent = {k for k in self.edges}
        if ad['pairs_hamming1'] != len(h1):
            self.bad('pairs_hamming1 = %s, the cell list has %d' % (ad['pairs_hamming1'], len(h1)))
        if ad['adjacent_pairs'] != len(adjacent):
            self.bad('adjacent_pairs = %s, enumerate --graph has %d edges'
                     % (ad['adjacent_pairs'], len(adjacent)))
        dis = {frozenset((d['a'], d['b'])): d for d in ad['disagreements']}
        expected = {frozenset(p) for p in h1 if frozenset(p) not in adjacent}
        expected |= {k for k, e in self.edges.items() if hamming(*sorted(k)) != 1}
        if set(dis) != expected:
            self.bad('adjacency-check --enumerate disagreements differ from the enumerate graph',
                     only_adjacency_check=[sorted(k) for k in set(dis) - expected][:10],
                     only_graph=[sorted(k) for k in expected - set(dis)][:10])
        fwd = {'pairs': len(h1), 'violations': 0, 'full_dim': 0, 'dims_differ': 0,
               'lower_dim': 0, 'without_box': 0}
        bwd = {'pairs': len(adjacent), 'violations': 0, 'full_dim': 0, 'lower_dim': 0,
               'without_box': 0}
        self.pair_violation = {}
        for k, d in sorted(dis.items(), key=lambda kv: sorted(kv[0])):
            a, b = sorted(k)
            da, db = self.cells[a]['dim'], self.cells[b]['dim']
            if d['hamming'] == 1 and not d['adjacent']:
                fwd['violations'] += 1
                kind = ('full_dim' if da == db == self.m else
                        'dims_differ' if da != db else 'lower_dim')
                fwd[kind] += 1
                self.violation('Lemma 1 (=>)', 'd_H = 1 but not adjacent (%s)' % (
                    'both cells full-dimensional' if kind == 'full_dim' else
                    'dims %d and %d' % (da, db)), a=a, b=b, hamming=1, dim_a=da, dim_b=db,
                    common_dim=d.get('common_dim'))
            elif d['adjacent'] and d['hamming'] != 1:
                bwd['violations'] += 1
                bwd['full_dim' if da == self.m else 'lower_dim'] += 1
                self.violation('Lemma 1 (<=)', 'adjacent but d_H = %d' % d['hamming'], a=a, b=b,
                               hamming=d['hamming'], dim_a=da, dim_b=db,
                               common_dim=d.get('common_dim'))
            else:
                self.bad('a disagreement that is not one', pair=[a, b], entry=d)
                continue
            self.cert_pair(self.violations[-1], a, b)
            self.pair_violation[k] = self.violations[-1]
        # is the violation an effect of the box?  The same pair in R^m, without it
        nobox = list(self.s.pool.map(
            lambda k: self.tool.json(['adjacency-check', self.path] + sum(
                (['--code', c] for c in sorted(k)), [])), list(self.pair_violation)))
        for k, c in zip(list(self.pair_violation), nobox):
            v = self.pair_violation[k]
            v['without_box'] = {x: c.get(x) for x in ('dim_a', 'dim_b', 'common_dim', 'adjacent')}
            persists = bool(c.get('adjacent')) != (v['hamming'] == 1)
            v['also_without_box'] = persists
            side = fwd if v['claim'] == 'Lemma 1 (=>)' else bwd
            side['without_box'] += persists
        self.res['lemma1_forward'], self.res['lemma1_backward'] = fwd, bwd

    # -- Theorem 2 ------------------------------------------------------------
    def d_A_graph(self, a, b):
        if a == b:
            return 0
        return 1 if frozenset((a, b)) in self.edges else 2

    def theorem2(self):
        codes, m = self.codes, self.m
        pairs = list(itertools.combinations(codes, 2))
        t2 = {'pairs': len(pairs), 'independent': 0, 'pair_checks': 0, 'agree': 0,
              'violations': 0, 'dA1_dH_ge2': 0, 'dA2_dH1': 0, 'without_box': 0, 'method': ''}
        # independent d_A: exact clipping of the cells' polytopes (m <= 2)
        indep = {}
        if m <= 2:
            t2['method'] = 'all pairs: exact polygon clipping (here)'
            rings, bbox = {}, {}
            for c in codes:
                vs = self.poly[c]['verts']
                rings[c] = order_polygon(vs) if m == 2 else sorted(vs)
                bbox[c] = [(min(v[i] for v in vs), max(v[i] for v in vs)) for i in range(m)]
            for a, b in pairs:
                if any(bbox[a][i][1] < bbox[b][i][0] or bbox[b][i][1] < bbox[a][i][0]
                       for i in range(m)):
                    common = -1
                else:
                    ring = rings[a]
                    for r in self.poly[b]['rows']:
                        ring = clip(ring, r)
                        if not ring:
                            break
                    common = affine_dim(list(set(ring)))
                da, db = self.poly[a]['dim'], self.poly[b]['dim']
                indep[(a, b)] = 1 if (da == db and da >= 1 and common == da - 1) else 2
            t2['independent'] = len(pairs)
        else:
            t2['method'] = 'violations + %d sampled pairs: adjacency-check' % self.s.sample
        # pair checks by the CLI: every violating pair and a seeded sample
        rng = random.Random(len(codes) * 1009 + self.N)
        sample = set(rng.sample(pairs, min(self.s.sample, len(pairs))))
        sample |= {tuple(sorted(k)) for k in self.pair_violation}
        near = [p for p in pairs if hamming(*p) <= 2 and p not in sample]
        sample |= set(rng.sample(near, min(self.s.sample, len(near))))
        checks = dict(zip(sorted(sample), self.s.pool.map(
            lambda p: self.tool.json(['adjacency-check', self.path, '--code', p[0], '--code', p[1]]
                                     + self.boxargs()), sorted(sample))))
        t2['pair_checks'] = len(checks)
        for a, b in pairs:
            dA = self.d_A_graph(a, b)
            dH2 = min(hamming(a, b), 2)
            if (a, b) in indep and indep[(a, b)] != dA:
                self.bad('d_A(%s, %s): enumerate graph %d, exact clipping here %d'
                         % (a, b, dA, indep[(a, b)]))
            if (a, b) in checks:
                c = checks[(a, b)]
                if c.get('d_A') != dA or c.get('hamming') != hamming(a, b) \
                        or c.get('agrees') != (dA == dH2):
                    self.bad('d_A(%s, %s): enumerate graph %d, adjacency-check %s'
                             % (a, b, dA, c.get('d_A')))
            if dA == dH2:
                t2['agree'] += 1
                continue
            t2['violations'] += 1
            t2['dA1_dH_ge2' if dA == 1 else 'dA2_dH1'] += 1
            k = frozenset((a, b))
            v = {'claim': 'Theorem 2', 'net': self.e['name'], 'file': self.path,
                 'box': self.boxtext, 'general_position': self.res['general_position'],
                 'what': 'd_A = %d but min(d_H, 2) = %d' % (dA, dH2), 'a': a, 'b': b,
                 'd_A': dA, 'd_H': hamming(a, b)}
            if k in self.pair_violation:
                v['same_as'] = 'Lemma 1'
                v['certificate'] = self.pair_violation[k].get('certificate')
                v['also_without_box'] = self.pair_violation[k].get('also_without_box')
                t2['without_box'] += bool(v['also_without_box'])
            else:
                self.cert_pair(v, a, b)
            self.violations.append(v)
        if m > 2:
            t2['independent'] = len(checks)
        self.res['theorem2'] = t2


def safe(name):
    return ''.join(ch if ch.isalnum() or ch in '-_.' else '_' for ch in name)


# ---------------------------------------------------------------------------
# The suite
# ---------------------------------------------------------------------------

class Suite:
    def __init__(self, args):
        self.tool = Tool(args.polyverify, args.pvcheck)
        self.out = args.out
        self.full = args.full
        self.sample = FULL_PAIR_SAMPLE if args.full else QUICK_PAIR_SAMPLE
        self.pool = ThreadPoolExecutor(max_workers=args.jobs)
        self.certpool = ThreadPoolExecutor(max_workers=args.jobs)
        self.work = os.path.join(self.out, 'work')
        self.certdir = os.path.join(self.out, 'certificates')
        self.netdir = os.path.join(self.out, 'nets')
        for d in (self.out, self.work, self.certdir, self.netdir):
            os.makedirs(d, exist_ok=True)
        self.certs = {}

    def cert_job(self, net, name, args):
        """Write a certificate with polyverify and check it with pvcheck (async)."""
        path = os.path.join(self.certdir, name)
        if path not in self.certs:
            def job():
                self.tool.run(list(args) + ['--json', '--certificate', path])
                return self.tool.pvcheck(net, path)
            self.certs[path] = self.certpool.submit(job)
        return os.path.relpath(path, self.out)

    def run(self):
        t0 = time.time()
        corpus = build_corpus(self.full, self.netdir)
        runs = []
        for entry in corpus:
            t = time.time()
            runs.append(NetRun(self, entry).run())
            print('  %-34s %4d cells  gp=%-3s %5.1fs' % (
                entry['name'], runs[-1].res['cells'],
                'yes' if runs[-1].res['general_position'] else 'no', time.time() - t),
                file=sys.stderr)
        violations = [v for r in runs for v in r.violations]
        inconsistencies = [v for r in runs for v in r.inconsistencies]
        rejected = 0
        for v in violations:
            c = v.get('certificate')
            if c:
                verdict = self.certs[os.path.join(self.out, c)].result()
                v['pvcheck'] = verdict
                rejected += not verdict['accepted']
        elapsed = time.time() - t0
        results = [r.res for r in runs]
        tables = make_tables(results, self.full, elapsed, self.tool.calls, len(violations),
                             sum(1 for v in violations if v.get('certificate')), rejected,
                             len(inconsistencies))
        with open(os.path.join(self.out, 'tables.md'), 'w') as f:
            f.write(tables)
        with open(os.path.join(self.out, 'results.json'), 'w') as f:
            json.dump({'mode': 'full' if self.full else 'quick', 'seconds': round(elapsed, 1),
                       'cli_calls': self.tool.calls, 'networks': results}, f, indent=1)
        with open(os.path.join(self.out, 'violations.json'), 'w') as f:
            json.dump({'mode': 'full' if self.full else 'quick',
                       'certificates_rejected': rejected,
                       'violations': violations,
                       'tool_inconsistencies': inconsistencies}, f, indent=1)
        print(tables)
        print('wrote %s/{tables.md,violations.json,results.json}, certificates in %s'
              % (self.out, self.certdir))
        return 0 if rejected == 0 and not inconsistencies else 1


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

GROUPS = ['random', 'hand', 'published']


def grouped(results):
    out = []
    for g in GROUPS:
        for gp in (True, False):
            rs = [r for r in results if r['group'] == g and r['general_position'] == gp]
            if rs:
                out.append((g, 'yes' if gp else 'no', rs))
    out.append(('**all**', '', results))
    return out


def violators(rs, key):
    names = [r['name'] for r in rs if key(r)]
    return ', '.join(names) if names else '-'


def md_table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join('---' for _ in header) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def make_tables(results, full, elapsed, calls, nviol, ncert, rejected, ninc):
    S = lambda rs, f: sum(f(r) for r in rs)  # noqa: E731
    out = ['# Theorem-validation suite (%s corpus)' % ('full' if full else 'quick'), '',
           'Command: `python3 verify/suite.py %s`; %d networks, %d cells, %.0f s, %d CLI calls.'
           % ('--full' if full else '--quick', len(results), S(results, lambda r: r['cells']),
              elapsed, calls),
           'Every net is taken inside its box ([-2,2]^m unless named). "gp" is polyverify\'s '
           'general_position (all of its checks hold).', '']
    rows = []
    for g, gp, rs in grouped(results):
        t = [r['theorem1'] for r in rs]
        tiled = [x for x in t if x['tiling_checked']]
        rows.append([g, gp, len(rs), S(t, lambda x: x['cells']), S(t, lambda x: x['faces']),
                     S(t, lambda x: x['face_points']) + S(t, lambda x: x['coverage_points']),
                     S(t, lambda x: x['dim_violations']), S(t, lambda x: x['face_violations']),
                     '%d/%d' % (sum(1 for x in tiled if not x['tiling_ok']), len(tiled)),
                     S(t, lambda x: x['coverage_violations'])])
    out += ['## Theorem 1: codes <-> cells, closure = P(b), C(b) = union of relints of faces, '
            'tiling', '',
            md_table(['corpus', 'gp', 'networks', 'cells', 'faces checked', 'points coded',
                      '(a) dim C != dim P', '(b) face violations',
                      '(c) volume sum != box (nets violating/checked)',
                      '(c) points outside every cell'], rows), '']
    rows = []
    for g, gp, rs in grouped(results):
        f = [r['lemma1_forward'] for r in rs]
        rows.append([g, gp, len(rs), S(rs, lambda r: r['cells']), S(f, lambda x: x['pairs']),
                     S(f, lambda x: x['violations']), S(f, lambda x: x['full_dim']),
                     S(f, lambda x: x['dims_differ']), S(f, lambda x: x['lower_dim']),
                     S(f, lambda x: x['without_box']),
                     violators(rs, lambda r: r['lemma1_forward']['violations'])])
    out += ['## Lemma 1 (=>): d_H = 1 implies adjacent', '',
            md_table(['corpus', 'gp', 'networks', 'cells', 'pairs with d_H = 1', 'violations',
                      'of which both full-dim', 'dims differ', 'both lower-dim',
                      'also without box', 'networks violating'], rows), '']
    rows = []
    for g, gp, rs in grouped(results):
        b = [r['lemma1_backward'] for r in rs]
        rows.append([g, gp, len(rs), S(rs, lambda r: r['cells']), S(b, lambda x: x['pairs']),
                     S(b, lambda x: x['violations']), S(b, lambda x: x['full_dim']),
                     S(b, lambda x: x['lower_dim']), S(b, lambda x: x['without_box']),
                     violators(rs, lambda r: r['lemma1_backward']['violations'])])
    out += ['## Lemma 1 (<=): adjacent implies d_H = 1', '',
            md_table(['corpus', 'gp', 'networks', 'cells', 'adjacent pairs', 'violations',
                      'of which full-dim', 'lower-dim', 'also without box',
                      'networks violating'], rows), '',
            '"also without box": the same pair, checked in R^m by `adjacency-check` without '
            '`--box`, still violates (otherwise the box cut the cells apart or together).', '']
    rows = []
    for g, gp, rs in grouped(results):
        t = [r['theorem2'] for r in rs]
        rows.append([g, gp, len(rs), S(rs, lambda r: r['cells']), S(t, lambda x: x['pairs']),
                     S(t, lambda x: x['independent']), S(t, lambda x: x['agree']),
                     S(t, lambda x: x['violations']), S(t, lambda x: x['dA1_dH_ge2']),
                     S(t, lambda x: x['dA2_dH1']), S(t, lambda x: x['without_box']),
                     violators(rs, lambda r: r['theorem2']['violations'])])
    out += ['## Theorem 2: d_A = min(d_H, 2) on all pairs of cells', '',
            md_table(['corpus', 'gp', 'networks', 'cells', 'pairs', 'd_A re-derived',
                      'agree', 'violations', 'd_A = 1, d_H >= 2', 'd_A = 2, d_H = 1',
                      'also without box', 'networks violating'], rows), '',
            'd_A comes from the adjacency graph of `enumerate --graph json`; "d_A re-derived" '
            'counts pairs whose d_A was decided again, independently (m <= 2: every pair, by exact '
            'clipping of the cells\' polygons in the suite; m >= 3: violating and sampled pairs, '
            'by `adjacency-check --code A --code B`).', '']
    rows = []
    rand = [r for r in results if r['group'] == 'random']
    for depth in sorted({r['relu_layers'] for r in rand}):
        for gp in (True, False):
            rs = [r for r in rand if r['relu_layers'] == depth and r['general_position'] == gp]
            if not rs:
                continue
            f = [r['lemma1_forward'] for r in rs]
            b = [r['lemma1_backward'] for r in rs]
            rows.append([depth, 'yes' if gp else 'no', len(rs), S(rs, lambda r: r['cells']),
                         '%d/%d' % (S(f, lambda x: x['violations']), S(f, lambda x: x['pairs'])),
                         S(f, lambda x: x['without_box']),
                         '%d/%d' % (S(b, lambda x: x['violations']), S(b, lambda x: x['pairs'])),
                         S(b, lambda x: x['without_box']),
                         sum(1 for r in rs if r['lemma1_forward']['violations']
                             or r['lemma1_backward']['violations'])])
    out += ['## Lemma 1 by depth (random nets)', '',
            md_table(['ReLU layers', 'gp', 'networks', 'cells', '(=>) violations/pairs',
                      '(=>) also without box', '(<=) violations/pairs', '(<=) also without box',
                      'networks violating'], rows), '']
    rows = []
    for r in results:
        t1, f, b, t2 = r['theorem1'], r['lemma1_forward'], r['lemma1_backward'], r['theorem2']
        rows.append([r['name'], r['group'], r['m'], r['relu_layers'], r['neurons'],
                     r['box'].replace(PI_2, 'pi/2'),
                     ' '.join('%s:%s' % kv for kv in sorted(r['cells_by_dim'].items(),
                                                           reverse=True)),
                     'yes' if r['general_position'] else 'no',
                     t1['dim_violations'] + t1['face_violations'] + t1['coverage_violations']
                     + (0 if t1['tiling_ok'] in (True, None) else 1),
                     '%d/%d' % (f['violations'], f['pairs']),
                     '%d/%d' % (b['violations'], b['pairs']),
                     '%d/%d' % (t2['violations'], t2['pairs']), r['seconds']])
    out += ['## Per network', '',
            md_table(['network', 'corpus', 'm', 'ReLU layers', 'N', 'box', 'cells by dim', 'gp',
                      'Thm 1 violations', 'L1 (=>) viol./pairs', 'L1 (<=) viol./pairs',
                      'Thm 2 viol./pairs', 'seconds'], rows), '',
            'Violations: %d, with %d certificates; pvcheck rejected %d. Tool inconsistencies: %d.'
            % (nviol, ncert, rejected, ninc), '']
    return '\n'.join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument('--quick', action='store_true', help='the quick corpus (default; CI)')
    mode.add_argument('--full', action='store_true', help='the full corpus')
    ap.add_argument('--out', help='output directory (default: a new temporary directory)')
    ap.add_argument('--jobs', type=int, default=max(2, os.cpu_count() or 2),
                    help='parallel CLI calls (default: number of CPUs)')
    ap.add_argument('--polyverify', default=os.path.join(ROOT, 'build', 'polyverify'))
    ap.add_argument('--pvcheck', default=os.path.join(ROOT, 'build', 'verify', 'pvcheck'))
    args = ap.parse_args(argv)
    for exe in (args.polyverify, args.pvcheck):
        if not os.access(exe, os.X_OK):
            print('suite: %s is not an executable (build first, or pass --polyverify/--pvcheck)'
                  % exe, file=sys.stderr)
            return 2
    args.out = os.path.abspath(args.out or tempfile.mkdtemp(prefix='pvsuite-'))
    try:
        return Suite(args).run()
    except SuiteError as exc:
        print('suite: %s' % exc, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
