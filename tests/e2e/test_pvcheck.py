"""End-to-end tests of the certificate checker `pvcheck` (verify/README.md).

  1. Every hand-written certificate in tests/certs/ (for the hand nets in
     tests/nets/; the network is named on a `# network:` comment line) is
     accepted, and an independent Python re-implementation of the checks
     (below, on the exact oracle's own layer recursion) accepts it too; the
     fingerprint is recomputed here from the canonical network text.
  2. Tampering: for each certificate many mutations (one number changed in a
     point / multiplier / direction / box; a multiplier dropped or moved to
     another row; a row dropped from or added to `equal` or `zero`; the
     claimed dimension changed; two codes swapped; one bit of a code
     flipped; a set name in a claim replaced; a body line deleted; the
     fingerprint or the input dimension changed; the certificate used with
     every other network). The Python checker decides, independently,
     whether the mutant is still valid. pvcheck must agree exactly: exit 0
     for a still-valid mutant, otherwise exit 1 with a FAIL line naming each
     failing claim (CERT:LINE and the claim text) -- the same set of lines as
     the Python checker -- or exit 2 for a malformed one.
  3. Malformed certificates (truncated, unknown statement, bad number, bad
     reference, ...) are rejected with exit 2 and a CERT:LINE message.
  4. When polyverify writes certificates (`cell --certificate FILE`),
     pvcheck accepts those of every code of the hand nets and of random nets
     (skipped, with a note, while polyverify has no --certificate).
  5. Certificates bind the answer (format 2, `--answer`): for cells of every
     hand net and examples/demo.pvnet, adjacency pairs (unrealised codes
     too) and small enumerations, the certificate and the JSON answer of
     the same polyverify run are accepted together; deleting each facet
     block, face (row) claim, neighbour line, the boundedness claim, each
     set, or adding a copy of any of them (the same facet twice, a row
     accounted for twice, a neighbour twice, a row claim 256 times more) is
     rejected, with and without --answer (a shorter enumeration list alone
     is still a valid certificate: only the answer says how many cells);
     every field of the answer edited (codes, flags, dimensions, the point
     moved onto a face, implicit equalities and box sides, each facet's
     neurons, box side and neighbour, facets deleted / added / repeated,
     counts, cell list, edges, unknown or missing fields) is rejected; an
     answer of another code, box or kind is rejected; malformed JSON exits
     2 with FILE:LINE. The Python checker models the coverage rules too
     (py_cover), so the random tamperings of 2 and 4 compare pvcheck's
     verdict with an independent one on version-2 certificates.

Usage: python3 tests/e2e/test_pvcheck.py PVCHECK POLYVERIFY   (cwd = project root)
"""

import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from randnet import random_net, net_text  # noqa: E402

CERTS = os.path.join('tests', 'certs')
NETS = os.path.join('tests', 'nets')
# Sampled evenly over the kinds of mutation. The sanitizer pass of
# tools/test.sh sets PV_TEST_LIGHT=1: there the point is memory safety of
# the same code paths, not the count of tamperings (each run of an
# instrumented pvcheck costs far more).
MUTATIONS_PER_CERT = 12 if os.environ.get('PV_TEST_LIGHT') else 160
WORKERS = max(2, min(8, os.cpu_count() or 2))


# ---------------------------------------------------------------------------
# Fingerprint (canonical network text, FNV-1a 64), independently of pvcheck
# ---------------------------------------------------------------------------

def canonical_text(net):
    out = ['pvnet %d %d' % (net.input_dim, len(net.layers))]
    for layer in net.layers:
        out.append(' %s %d' % (layer.activation, len(layer.W)))
        out += [' ' + oracle.fmt(w) for row in layer.W for w in row]
        out += [' ' + oracle.fmt(b) for b in layer.bias]
    return ''.join(out)


def fingerprint(net):
    h = 0xcbf29ce484222325
    for byte in canonical_text(net).encode():
        h = ((h ^ byte) * 0x100000001b3) & 0xffffffffffffffff
    return '%016x' % h


# ---------------------------------------------------------------------------
# An independent Python checker (the same rules as verify/README.md)
# ---------------------------------------------------------------------------

class Malformed(Exception):
    pass


REF_RE = re.compile(r'^(?:(\d{1,9}):n(\d{1,9})|(lo|hi):(\d{1,9}))$')
KINDS = {'dim': 2, 'empty': 1, 'dimle': 2, 'bounded': 1, 'unbounded': 1, 'neighbor': 3}
BODY = {'dim': ('point', 'equal', 'multipliers'), 'empty': ('multipliers',),
        'dimle': ('multipliers',), 'bounded': ('multipliers',),
        'unbounded': ('direction',)}


def number(tok):
    if not re.match(r'^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$', tok) and \
       not re.match(r'^[+-]?\d+/\d+$', tok):
        raise Malformed('bad number ' + tok)
    if '/' in tok and int(tok.split('/')[1]) == 0:
        raise Malformed('zero denominator')
    return Fraction(tok)


def code_of(tok):
    if not re.match(r'^[01|]*$', tok) or not tok.replace('|', ''):
        raise Malformed('bad code ' + tok)
    return tok.replace('|', '')


def ref_of(tok):
    mt = REF_RE.match(tok)
    if not mt:
        raise Malformed('bad ref ' + tok)
    if mt.group(1) is not None:
        return ('n', int(mt.group(1)), int(mt.group(2)))
    return (mt.group(3), 0, int(mt.group(4)))


def parse_cert(text):
    stmts = []
    for i, raw in enumerate(text.split('\n')):
        toks = raw.split('#', 1)[0].split()
        if toks:
            stmts.append((i + 1, toks))
    if not stmts or stmts[0][1] not in (['pvcert', '1'], ['pvcert', '2']):
        raise Malformed('header')
    cert = {'fp': None, 'input': None, 'box': None, 'sets': {}, 'claims': [],
            'version': int(stmts[0][1][1]), 'answer': None}
    pos = 1
    while pos < len(stmts):
        line, t = stmts[pos]
        pos += 1
        kw = t[0]
        if kw in ('fingerprint', 'input', 'box', 'answer'):
            if cert['sets'] or cert['claims']:
                raise Malformed('header late')
        if kw == 'answer':
            if cert['version'] != 2 or cert['answer'] or len(t) != 2 or \
               t[1] not in ('cell', 'adjacency', 'enumeration'):
                raise Malformed('answer')
            cert['answer'] = (t[1], line)
        elif kw == 'fingerprint':
            if len(t) != 2 or not re.match(r'^[0-9a-fA-F]{16}$', t[1]) or cert['fp']:
                raise Malformed('fingerprint')
            cert['fp'] = (t[1].lower(), line)
        elif kw == 'input':
            if len(t) != 2 or not re.match(r'^\d{1,9}$', t[1]) or int(t[1]) < 1 or cert['input']:
                raise Malformed('input')
            cert['input'] = (int(t[1]), line)
        elif kw == 'box':
            if cert['input'] is None or cert['box'] is not None or len(t) != 1 + 2 * cert['input'][0]:
                raise Malformed('box')
            v = [number(x) for x in t[1:]]
            cert['box'] = list(zip(v[0::2], v[1::2]))
        elif kw == 'set':
            if cert['fp'] is None or cert['input'] is None or len(t) != 2 or t[1] in cert['sets']:
                raise Malformed('set')
            s = {'line': line, 'parts': [], 'zero': []}
            cert['sets'][t[1]] = s
            while True:
                if pos >= len(stmts):
                    raise Malformed('set without end')
                l2, u = stmts[pos]
                pos += 1
                if u[0] == 'end':
                    if len(u) != 1:
                        raise Malformed('end')
                    break
                if u[0] in ('cell', 'closure'):
                    if len(u) != 2:
                        raise Malformed('part')
                    s['parts'].append((u[0] == 'closure', code_of(u[1]), l2))
                elif u[0] == 'zero':
                    s['zero'] += [ref_of(x) for x in u[1:]]
                else:
                    raise Malformed('set body')
        elif kw in KINDS:
            if cert['fp'] is None or cert['input'] is None or len(t) != KINDS[kw] + 1:
                raise Malformed('claim')
            c = {'kind': kw, 'line': line, 'text': ' '.join(t), 's1': t[1],
                 'point': None, 'eq': [], 'mult': []}
            if kw in ('dim', 'dimle'):
                if not re.match(r'^-?\d{1,9}$', t[2]):
                    raise Malformed('dimension')
                c['d'] = int(t[2])
            if kw == 'neighbor':
                c['s2'], c['code'] = t[2], code_of(t[3])
            else:
                seen = set()
                while True:
                    if pos >= len(stmts):
                        raise Malformed('claim without end')
                    l2, u = stmts[pos]
                    pos += 1
                    if u[0] == 'end':
                        if len(u) != 1:
                            raise Malformed('end')
                        break
                    if u[0] not in BODY[kw] or u[0] in seen:
                        raise Malformed('claim body')
                    seen.add(u[0])
                    if u[0] in ('point', 'direction'):
                        if len(u) != 1 + cert['input'][0]:
                            raise Malformed('vector length')
                        c['point'] = [number(x) for x in u[1:]]
                    elif u[0] == 'equal':
                        c['eq'] = [ref_of(x) for x in u[1:]]
                    else:
                        for x in u[1:]:
                            if '=' not in x:
                                raise Malformed('multiplier')
                            r, v = x.split('=', 1)
                            c['mult'].append((ref_of(r), number(v)))
                if kw in ('dim', 'unbounded') and c['point'] is None:
                    raise Malformed('no point')
            cert['claims'].append(c)
        else:
            raise Malformed('unknown statement ' + kw)
    if cert['fp'] is None or cert['input'] is None:
        raise Malformed('no header')
    if cert['version'] == 2 and cert['answer'] is None:
        raise Malformed('no answer line')
    return cert


class Fail(Exception):
    pass


def py_check(text, net):
    """'malformed', ('fingerprint', line), ('input', line) or the sorted list
    of the lines of the failing claims ([] when all are verified)."""
    try:
        cert = parse_cert(text)
    except Malformed:
        return 'malformed'
    if cert['fp'][0] != fingerprint(net):
        return ('fingerprint', cert['fp'][1])
    m, N = net.input_dim, oracle.relu_count(net)
    if cert['input'][0] != m:
        return ('input', cert['input'][1])
    box = cert['box']

    def rows_of(s):
        rows = []   # (h, g, strict, zero)
        for closure, bits, _ in s['parts']:
            if len(bits) != N:
                raise Fail('code length')
            for (h, g), bit in zip(oracle.cell_affine(net, bits), bits):
                sg = 1 if bit == '1' else -1
                rows.append([sg * h, [sg * v for v in g], not closure and bit == '1', False])
        if box:
            for i, (lo, hi) in enumerate(box):
                e = [Fraction(int(k == i)) for k in range(m)]
                rows.append([-lo, e, False, False])
                rows.append([hi, [-v for v in e], False, False])
        for r in s['zero']:
            rows[index(r, s)][3] = True
        return rows

    def index(r, s):
        kind, k, j = r
        P = len(s['parts'])
        if kind == 'n':
            if k < P and j < N:
                return k * N + j
        elif box and j < m:
            return P * N + 2 * j + (kind == 'hi')
        raise Fail('no such row')

    def value(row, x):
        return row[0] + sum(a * b for a, b in zip(row[1], x))

    def multipliers(c, s, rows):
        y = {}
        for r, v in c['mult']:
            i = index(r, s)
            if i in y:
                raise Fail('twice')
            y[i] = v
        return y

    def signs(y, rows, positive):
        for i, v in y.items():
            if not rows[i][3] and (v < 0 or (positive and v == 0)):
                raise Fail('sign')

    def total(y, rows):
        lin = [sum((v * rows[i][1][x] for i, v in y.items()), Fraction(0)) for x in range(m)]
        cst = sum((v * rows[i][0] for i, v in y.items()), Fraction(0))
        return lin, cst

    def proven_rank(y, rows):
        pick = [r[1] for i, r in enumerate(rows) if r[3] or y.get(i, 0) != 0]
        return oracle.rank(pick) if pick else 0

    points, verified, failed, eqsets = {}, {}, [], {}

    def point_of(name, line):
        if name not in points:
            raise Fail('no point')
        if not verified[name]:
            raise Fail('point claim failed')
        return points[name]

    for c in cert['claims']:
        ok = True
        try:
            if c['kind'] == 'neighbor':
                p = point_of(c['s1'], c['line'])
                yy = point_of(c['s2'], c['line'])
                if len(c['code']) != N:
                    raise Fail('code length')
                got = oracle.code_along_ray(net, yy, [a - b for a, b in zip(yy, p)])
                if got != c['code']:
                    raise Fail('code')
                continue
            s = cert['sets'].get(c['s1'])
            if s is None or s['line'] > c['line']:
                raise Fail('no set')
            rows = rows_of(s)
            kind = c['kind']
            if kind == 'dim':
                E = set()
                for r in c['eq']:
                    i = index(r, s)
                    if i in E or rows[i][2]:
                        raise Fail('equal')
                    E.add(i)
                for i, row in enumerate(rows):
                    if row[3] and i not in E:
                        raise Fail('zero not in equal')
                    v = value(row, c['point'])
                    if (i in E and v != 0) or (i not in E and v <= 0):
                        raise Fail('point')
                y = multipliers(c, s, rows)
                if any(i not in E for i in y) or any(i not in y for i in E if not rows[i][3]):
                    raise Fail('multiplier rows')
                signs(y, rows, True)
                lin, cst = total(y, rows)
                if any(lin) or cst:
                    raise Fail('sum')
                rk = oracle.rank([rows[i][1] for i in E]) if E else 0
                if m - rk != c['d']:
                    raise Fail('dimension')
                eqsets[id(c)] = frozenset(E)
            elif kind == 'empty':
                y = multipliers(c, s, rows)
                signs(y, rows, False)
                lin, cst = total(y, rows)
                if any(lin) or cst > 0:
                    raise Fail('sum')
                if cst == 0 and not any(rows[i][2] and v > 0 for i, v in y.items()):
                    raise Fail('no strict')
            elif kind == 'dimle':
                y = multipliers(c, s, rows)
                signs(y, rows, False)
                lin, cst = total(y, rows)
                if any(lin) or cst:
                    raise Fail('sum')
                if m - proven_rank(y, rows) > c['d']:
                    raise Fail('dimension')
            elif kind == 'bounded':
                y = multipliers(c, s, rows)
                signs(y, rows, False)
                lin, cst = total(y, rows)
                if any(lin) or proven_rank(y, rows) != m:
                    raise Fail('bounded')
            elif kind == 'unbounded':
                point_of(c['s1'], c['line'])
                d = c['point']
                if not any(d):
                    raise Fail('zero direction')
                for row in rows:
                    v = sum(a * b for a, b in zip(row[1], d))
                    if v < 0 or (row[3] and v != 0):
                        raise Fail('direction')
        except Fail:
            ok = False
        finally:
            if c['kind'] == 'dim':
                points[c['s1']] = c['point']
                verified[c['s1']] = ok
            if not ok:
                failed.append(c['line'])
    if not failed and cert['answer'] and py_cover(cert, eqsets, N, m) is not None:
        failed.append(cert['answer'][1])
    return sorted(failed)


def py_cover(cert, eqsets, N, m):
    """None when the (all verified) claims of a version-2 certificate cover
    the answer it declares, else why not (verify/README.md, "What a
    version-2 certificate proves")."""
    sets, claims = cert['sets'], cert['claims']
    names = sorted(sets, key=lambda n: sets[n]['line'])
    nbox = 2 * m if cert['box'] else 0
    dimc = {}
    for c in claims:
        if c['kind'] in ('dim', 'empty', 'dimle'):
            if c['s1'] in dimc:
                return 'two dimension claims on ' + c['s1']
            dimc[c['s1']] = c
    if not names or any(n not in dimc for n in names):
        return 'a set without a dimension claim'

    def dval(c):
        return -1 if c['kind'] == 'empty' else c['d']

    def plain(n, closure):
        s = sets[n]
        return len(s['parts']) == 1 and s['parts'][0][0] == closure and not s['zero']

    def code(n, k=0):
        return sets[n]['parts'][k][1]

    def row(r, nparts):
        kind, k, j = r
        return k * N + j if kind == 'n' else nparts * N + 2 * j + (kind == 'hi')

    kind = cert['answer'][0]
    if any(dimc[n]['kind'] == 'dimle' for n in names if kind != 'cell' or n == names[0]):
        return 'a dimension only bounded'
    if kind == 'cell':
        A = names[0]
        if not plain(A, False):
            return 'the first set is not a cell'
        a = dimc[A]
        if a['kind'] == 'empty':
            return None if len(claims) == 1 else 'an empty cell with more claims'
        d, EA = a['d'], eqsets[id(a)]
        count = {i: int(i in EA) for i in range(N + nbox)}
        facets = {}
        for n in names[1:]:
            F, c = sets[n], dimc[n]
            if len(F['parts']) != 1 or not F['parts'][0][0] or not F['zero'] or code(n) != code(A):
                return n + ' is not a face of the cell'
            if c['kind'] == 'dim' and c['d'] == d - 1:
                R = eqsets[id(c)] - EA
                if not R or R in facets.values():
                    return 'facet %s empty or twice' % n
                facets[n] = R
                for i in R:
                    count[i] += 1
            elif (c['kind'] == 'empty' or dval(c) <= d - 2) and len(F['zero']) == 1:
                count[row(F['zero'][0], 1)] += 1
            else:
                return n + ': neither a facet nor a lower face of one row'
        bound, nb = None, {}
        for c in claims:
            if c['kind'] in ('dim', 'empty', 'dimle'):
                continue
            if c['s1'] != A:
                return 'a claim not on the cell'
            if c['kind'] == 'neighbor':
                if c['s2'] not in facets or c['s2'] in nb:
                    return 'a neighbor claim not of one facet'
                nb[c['s2']] = c
            elif bound:
                return 'two boundedness claims'
            else:
                bound = c
        if bound is None:
            return 'no boundedness claim'
        if any(any(i >= N for i in R) == (n in nb) for n, R in facets.items()):
            return 'a neighbor claim missing, or on a box facet'
        if any(v != 1 for v in count.values()):
            return 'a row not accounted for exactly once'
        return None
    if kind == 'adjacency':
        if len(names) != 3 or not plain(names[0], False) or not plain(names[1], False):
            return 'not C(a), C(b), P(a) ∩ P(b)'
        I = sets[names[2]]
        if I['zero'] or [p[:2] for p in I['parts']] != [(True, code(names[0])), (True, code(names[1]))]:
            return 'the third set is not P(a) ∩ P(b)'
        return None if len(claims) == len(names) else 'extra claims'
    cells = [n for n in names if plain(n, False)]
    if any(dimc[n]['kind'] != 'dim' for n in cells) or len({code(n) for n in cells}) != len(cells):
        return 'a listed cell empty or twice'
    by_code = {code(n): n for n in cells}
    edges = set()
    for n in names:
        if n in cells:
            continue
        s = sets[n]
        if len(s['parts']) != 2 or s['zero'] or not all(p[0] for p in s['parts']):
            return n + ' is neither a cell nor an edge'
        ab = [by_code.get(p[1]) for p in s['parts']]
        if None in ab or ab[0] == ab[1] or frozenset(ab) in edges:
            return n + ': not an edge of two listed cells, or twice'
        edges.add(frozenset(ab))
        da, db, k = dimc[ab[0]]['d'], dimc[ab[1]]['d'], dval(dimc[n])
        if not (da == db and k == da - 1 and k >= 0):
            return n + ': the cells are not adjacent'
    return None if len(claims) == len(names) else 'extra claims'


# ---------------------------------------------------------------------------
# Running pvcheck
# ---------------------------------------------------------------------------

class Runner:
    def __init__(self, pvcheck, polyverify):
        self.pvcheck, self.polyverify = pvcheck, polyverify
        self.passed = self.failed = 0
        self.tmp = tempfile.mkdtemp(prefix='pvcheck-test-')

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print('FAIL: ' + what)
        return cond

    def run(self, net_path, cert_text, name='cert.txt'):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(cert_text)
        return self.run_file(net_path, path)

    def run_many(self, jobs):
        """pvcheck on many (net_path, cert_text) pairs, in parallel; results in order."""
        def one(args):
            i, (net_path, text) = args
            return self.run(net_path, text, 'mut%d.cert' % i)
        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(one, enumerate(jobs)))

    def run_file(self, net_path, cert_path, *extra):
        p = subprocess.run([self.pvcheck, net_path, cert_path] + list(extra),
                           capture_output=True, text=True, timeout=60)
        # under a sanitizer build, a memory or UB report fails the test
        if re.search(r'Sanitizer|runtime error:', p.stderr):
            self.check(False, 'pvcheck %s %s: sanitizer report:\n%s' % (net_path, cert_path, p.stderr))
        return p.returncode, p.stdout, p.stderr, cert_path


def fail_lines(stdout, cert_path):
    """Line numbers of the FAIL lines (and their claim texts) in pvcheck's output."""
    out = {}
    for line in stdout.splitlines():
        mt = re.match(r'^FAIL (.*):(\d+): (.*?) — (.+)$', line)
        if mt and mt.group(1) == cert_path:
            out[int(mt.group(2))] = mt.group(3)
    return out


def expect_verdict(runner, net_path, net, text, what, result=None):
    """pvcheck's verdict on text (or its `result`) must be the Python checker's."""
    want = py_check(text, net)
    rc, out, err, path = result or runner.run(net_path, text)
    if want == [] or want == 'malformed':
        code = 0 if want == [] else 2
        ok = rc == code and (code == 0 or re.search(re.escape(path) + r':\d+: ', err))
        return runner.check(ok, '%s: expected exit %d, got %d\n%s%s' % (what, code, rc, out, err)), want
    if isinstance(want, tuple):
        ok = rc == 1 and ('FAIL %s:%d: %s' % (path, want[1], want[0])) in out
        return runner.check(ok, '%s: expected a %s failure, got %d\n%s%s' % (what, want[0], rc, out, err)), want
    got = fail_lines(out, path)
    texts = {c_line: c_text for c_line, c_text in claim_texts(text)}
    ok = rc == 1 and sorted(got) == want and all(got[k] == texts.get(k) for k in got)
    return runner.check(ok, '%s: expected FAIL at lines %s, got exit %d\n%s%s' % (what, want, rc, out, err)), want


def claim_texts(text):
    """(line, text) of every claim, and of the `answer` line (its FAIL line
    names it as 'answer KIND')."""
    for i, raw in enumerate(text.split('\n')):
        t = raw.split('#', 1)[0].split()
        if t and (t[0] in KINDS or t[0] == 'answer'):
            yield i + 1, ' '.join(t)


# ---------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------

def body(line):
    return line.split('#', 1)[0].split()


def replace_token(lines, i, k, new):
    t = body(lines[i])
    t[k] = new
    out = list(lines)
    out[i] = '  ' + ' '.join(t)
    return out


def number_variants(q):
    return [q + 1, q * 2, -q, Fraction(0), q + Fraction(1, 3)]


def sample_mutations(muts, n, rng):
    """Up to n mutations, round-robin over their kinds (the description
    without line numbers and values), in a fixed pseudo-random order."""
    kinds = {}
    for desc, text in muts:
        kind = re.sub(r'[-+]?[\d/]+|:n|lo:|hi:', '', desc).split('->')[0].strip()
        kinds.setdefault(kind, []).append((desc, text))
    queues = [rng.sample(v, len(v)) for _, v in sorted(kinds.items())]
    out = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop())
    return out


def mutations(text, nets_paths):
    """(description, mutated text) pairs."""
    lines = text.split('\n')
    out = []

    def add(desc, new_lines):
        new = '\n'.join(new_lines)
        if new != text:
            out.append((desc, new))

    # set names, per-set part counts, and code-bearing tokens
    set_names, parts_of, cur_set = [], {}, None
    codes = []   # (line index, token index, code text)
    for i, l in enumerate(lines):
        t = body(l)
        if not t:
            continue
        if t[0] == 'set' and len(t) == 2:
            cur_set = t[1]
            set_names.append(t[1])
            parts_of[t[1]] = 0
        elif t[0] in ('cell', 'closure') and cur_set:
            parts_of[cur_set] += 1
            codes.append((i, 1, t[1]))
        elif t[0] == 'neighbor':
            codes.append((i, 3, t[3]))
    m = N = None
    for l in lines:
        t = body(l)
        if t and t[0] == 'input':
            m = int(t[1])
    if codes:
        N = len(codes[0][2].replace('|', ''))
    has_box = any(body(l)[:1] == ['box'] for l in lines)
    cur_set, cur_claim_set = None, None
    for i, l in enumerate(lines):
        t = body(l)
        if not t:
            continue
        kw = t[0]
        if kw == 'set':
            cur_set = t[1]
        if kw in KINDS and kw != 'neighbor':
            cur_claim_set = t[1]
        if kw in ('point', 'direction', 'box'):
            for k in range(1, len(t)):
                for v in number_variants(Fraction(t[k])):
                    add('%d: %s[%d] -> %s' % (i + 1, kw, k, oracle.fmt(v)),
                        replace_token(lines, i, k, oracle.fmt(v)))
        if kw in ('point', 'direction', 'equal', 'multipliers', 'zero', 'cell', 'closure'):
            add('%d: delete line' % (i + 1), lines[:i] + lines[i + 1:])
        refs_here = None
        if kw in ('equal', 'zero') or kw == 'multipliers':
            refs_here = cur_claim_set if kw != 'zero' else cur_set
        if kw == 'multipliers':
            for k in range(1, len(t)):
                r, v = t[k].split('=')
                for w in number_variants(Fraction(v)):
                    add('%d: multiplier %s -> %s' % (i + 1, r, oracle.fmt(w)),
                        replace_token(lines, i, k, r + '=' + oracle.fmt(w)))
                add('%d: drop multiplier %s' % (i + 1, r),
                    lines[:i] + ['  ' + ' '.join(t[:k] + t[k + 1:])] + lines[i + 1:])
                for other in all_refs(parts_of.get(refs_here, 0), N, m, has_box):
                    if other not in [x.split('=')[0] for x in t[1:]]:
                        add('%d: multiplier %s moved to %s' % (i + 1, r, other),
                            replace_token(lines, i, k, other + '=' + v))
        if kw in ('equal', 'zero'):
            for k in range(1, len(t)):
                add('%d: drop %s from %s' % (i + 1, t[k], kw),
                    lines[:i] + ['  ' + ' '.join(t[:k] + t[k + 1:])] + lines[i + 1:])
            for other in all_refs(parts_of.get(refs_here, 0), N, m, has_box):
                if other not in t[1:]:
                    add('%d: add %s to %s' % (i + 1, other, kw),
                        lines[:i] + ['  ' + ' '.join(t + [other])] + lines[i + 1:])
        if kw in ('dim', 'dimle'):
            for dd in (-1, 1, 2):
                add('%d: dimension %+d' % (i + 1, dd),
                    replace_token(lines, i, 2, str(int(t[2]) + dd)))
        if kw in KINDS:
            slots = (1, 2) if kw == 'neighbor' else (1,)
            for k in slots:
                for other in set_names:
                    if other != t[k]:
                        add('%d: set %s -> %s' % (i + 1, t[k], other),
                            replace_token(lines, i, k, other))
        if kw == 'fingerprint':
            for k in (0, 7, 15):
                h = list(t[1])
                h[k] = '0' if h[k] != '0' else '1'
                add('%d: fingerprint digit %d' % (i + 1, k), replace_token(lines, i, 1, ''.join(h)))
        if kw == 'input':
            add('%d: input + 1' % (i + 1), replace_token(lines, i, 1, str(int(t[1]) + 1)))
    # flip one bit of a code; swap two different codes
    for i, k, c in codes:
        for b in range(len(c)):
            if c[b] in '01':
                nc = c[:b] + ('1' if c[b] == '0' else '0') + c[b + 1:]
                add('%d: flip bit %d of %s' % (i + 1, b, c), replace_token(lines, i, k, nc))
    for a in range(len(codes)):
        for b in range(a + 1, len(codes)):
            (i, k, c), (j, l, d) = codes[a], codes[b]
            if c.replace('|', '') != d.replace('|', ''):
                new = replace_token(lines, i, k, d)
                new = replace_token(new, j, l, c)
                add('swap codes of lines %d and %d' % (i + 1, j + 1), new)
    return out


def all_refs(nparts, N, m, has_box):
    refs = ['%d:n%d' % (k, j) for k in range(nparts) for j in range(N or 0)]
    if has_box:
        refs += ['%s:%d' % (s, i) for i in range(m) for s in ('lo', 'hi')]
    return refs


def network_of(cert_path):
    with open(cert_path) as f:
        for line in f:
            if line.startswith('# network:'):
                return line.split(':', 1)[1].strip()
    raise ValueError('%s names no network' % cert_path)


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

def test_hand_certificates(runner, rng, stats):
    certs = sorted(glob.glob(os.path.join(CERTS, '*.cert')))
    runner.check(len(certs) >= 8, 'hand certificates present (%d)' % len(certs))
    kinds_seen = set()
    all_nets = sorted(glob.glob(os.path.join(NETS, '*.pvnet')))
    for cert_path in certs:
        net_path = network_of(cert_path)
        net = oracle.load_pvnet(net_path)
        text = open(cert_path).read()
        fp = re.search(r'^fingerprint (\w+)', text, re.M).group(1)
        runner.check(fp == fingerprint(net), '%s: fingerprint %s, Python computes %s'
                     % (cert_path, fp, fingerprint(net)))
        runner.check(py_check(text, net) == [], '%s: the Python checker accepts it' % cert_path)
        rc, out, err, _ = runner.run_file(net_path, cert_path)
        nclaims = len([t for _, t in claim_texts(text) if not t.startswith('answer ')])
        answer = re.search(r'^answer (\w+)', text, re.M)
        summary = 'pvcheck: %d claims, all verified' % nclaims
        if answer:   # version 2: one more ok line, for the answer the claims cover
            summary += '; they prove the %s answer' % answer.group(1)
        runner.check(rc == 0 and out.count('\nok ') + out.startswith('ok ') == nclaims + bool(answer) and
                     out.rstrip().endswith(summary),
                     '%s: pvcheck accepts it (exit %d)\n%s%s' % (cert_path, rc, out, err))
        rc, out, err, _ = runner.run_file(net_path, cert_path, '--quiet')
        runner.check(rc == 0 and out.strip() == summary, '%s --quiet: %d %s' % (cert_path, rc, out))
        # a hand-written answer beside it (same name, .json): exactly what it proves
        hand_answer = cert_path[:-len('.cert')] + '.json'
        if os.path.exists(hand_answer):
            rc, out, err, _ = runner.run_file(net_path, cert_path, '--answer', hand_answer, '--quiet')
            runner.check(rc == 0 and out.strip() == summary + ' in ' + hand_answer,
                         '%s --answer %s: %d %s%s' % (cert_path, hand_answer, rc, out, err))
        kinds_seen |= {t.split()[0] for _, t in claim_texts(text)}
        # tamperings
        muts = sample_mutations(mutations(text, all_nets), MUTATIONS_PER_CERT, rng)
        results = runner.run_many([(net_path, new) for _, new in muts])
        for (desc, new), res in zip(muts, results):
            ok, want = expect_verdict(runner, net_path, net, new, '%s [%s]' % (cert_path, desc), res)
            stats['valid' if want == [] else 'rejected'] += 1
        # another network: the fingerprint differs
        for other in all_nets:
            if os.path.abspath(other) == os.path.abspath(net_path):
                continue
            if fingerprint(oracle.load_pvnet(other)) == fp:
                continue
            rc, out, err, _ = runner.run_file(other, cert_path)
            runner.check(rc == 1 and 'FAIL %s:' % cert_path in out and 'fingerprint' in out and
                         'differs' in out,
                         '%s with %s: expected a fingerprint failure, got %d\n%s%s'
                         % (cert_path, other, rc, out, err))
            stats['rejected'] += 1
    runner.check(kinds_seen >= set(KINDS), 'every claim kind is covered: %s' % sorted(kinds_seen))


def test_malformed(runner, rng, stats):
    net_path = os.path.join(NETS, 'cross.pvnet')
    good = open(os.path.join(CERTS, 'cross.cert')).read()
    lines = good.split('\n')
    cases = [
        ('empty file', ''),
        ('comments only', '# nothing\n\n'),
        ('no pvcert header', '\n'.join(l for l in lines if not l.startswith('pvcert'))),
        ('version 3', good.replace('pvcert 1', 'pvcert 3')),
        ('version 2 without an answer line', good.replace('pvcert 1', 'pvcert 2')),
        ('answer line in version 1', good.replace('input 2\n', 'input 2\nanswer cell\n', 1)),
        ('unknown answer kind', good.replace('pvcert 1', 'pvcert 2').replace(
            'input 2\n', 'input 2\nanswer facets\n', 1)),
        ('unknown statement', good + '\nfacet C11 2\n'),
        ('unknown statement in a claim', good.replace('  point 1 1\n', '  point 1 1\n  witness 3\n', 1)),
        ('unknown statement in a set', good.replace('  cell 11\n', '  cell 11\n  hull 11\n', 1)),
        ('bad number', good.replace('point 1 1', 'point 1 one', 1)),
        ('zero denominator', good.replace('point 1 1', 'point 1 1/0', 1)),
        ('float spelling nan', good.replace('point 1 1', 'point 1 nan', 1)),
        ('point with 3 coordinates', good.replace('point 1 1', 'point 1 1 1', 1)),
        ('bad reference', good.replace('equal 0:n0\n', 'equal 0:x0\n', 1)),
        ('bad reference 2', good.replace('equal 0:n0\n', 'equal n0\n', 1)),
        ('multiplier without =', good.replace('multipliers 0:n0=1 1:n0=1\n', 'multipliers 0:n0 1 1:n0=1\n', 1)),
        ('bad multiplier value', good.replace('multipliers 0:n0=1 1:n0=1\n', 'multipliers 0:n0=x 1:n0=1\n', 1)),
        ('bad code', good.replace('cell 11', 'cell 12', 1)),
        ('bad fingerprint', good.replace('fingerprint 7130cd9c1a3010cd', 'fingerprint 7130cd9c1a3010c', 1)),
        ('bad dimension', good.replace('dim C11 2', 'dim C11 two', 1)),
        ('claim with too many words', good.replace('dim C11 2', 'dim C11 2 3', 1)),
        ('neighbor with no code', good.replace('neighbor C11 F11_0 01', 'neighbor C11 F11_0', 1)),
        ('duplicate set', good + '\nset C11\n  cell 00\nend\n'),
        ('dim without point', good.replace('  point 1 1\n', '', 1)),
        ('two point lines', good.replace('  point 1 1\n', '  point 1 1\n  point 1 1\n', 1)),
        ('direction in a dim claim', good.replace('  point 1 1\n', '  point 1 1\n  direction 1 1\n', 1)),
        ('fingerprint after a set', good.replace('fingerprint 7130cd9c1a3010cd\n', '') +
         '\nfingerprint 7130cd9c1a3010cd\n'),
        ('box with 3 numbers', good.replace('input 2\n', 'input 2\nbox -1 1 -1\n', 1)),
        ('input 0', good.replace('input 2', 'input 0', 1)),
    ]
    # truncations inside a set or a claim (no `end`)
    for cut in range(len(lines) - 1, 0, -1):
        t = body(lines[cut])
        if t and t[0] in ('point', 'multipliers', 'cell', 'closure', 'equal', 'zero'):
            cases.append(('truncated after line %d' % (cut + 1), '\n'.join(lines[:cut + 1]) + '\n'))
    cases.append(('truncated mid-token', good[:good.index('point 3/2') + 8]))
    net = oracle.load_pvnet(net_path)
    for what, text in cases:
        rc, out, err, path = runner.run(net_path, text)
        runner.check(rc == 2 and re.search(re.escape(path) + r':\d+: ', err),
                     'malformed (%s): expected exit 2 and CERT:LINE, got %d\n%s%s' % (what, rc, out, err))
        runner.check(py_check(text, net) == 'malformed',
                     'Python checker also calls %s malformed' % what)
    # unreadable inputs
    rc, out, err, _ = runner.run_file(net_path, os.path.join(runner.tmp, 'does-not-exist'))
    runner.check(rc == 2 and 'cannot open' in err, 'missing certificate: %d %s' % (rc, err))
    rc, out, err, _ = runner.run_file(os.path.join(runner.tmp, 'nonet.pvnet'),
                                      os.path.join(CERTS, 'cross.cert'))
    runner.check(rc == 2 and err.startswith('pvcheck: '), 'missing network: %d %s' % (rc, err))
    bad_net = os.path.join(runner.tmp, 'bad.pvnet')
    with open(bad_net, 'w') as f:
        f.write('pvnet 1\ninput 2\nlayer relu 2\n1 0\n0 x\nbias 0 0\n')
    rc, out, err, _ = runner.run_file(bad_net, os.path.join(CERTS, 'cross.cert'))
    runner.check(rc == 2 and 'bad.pvnet' in err, 'malformed network: %d %s' % (rc, err))
    p = subprocess.run([runner.pvcheck], capture_output=True, text=True)
    runner.check(p.returncode == 2 and 'usage' in p.stderr, 'no arguments: usage, exit 2')


def polyverify_writes_certificates(runner):
    path = os.path.join(runner.tmp, 'probe.cert')
    p = subprocess.run([runner.polyverify, 'cell', os.path.join(NETS, 'cross.pvnet'), '--code', '01',
                        '--certificate', path], capture_output=True, text=True, timeout=60)
    return p.returncode == 0 and os.path.exists(path) and open(path).read().startswith('pvcert')


def test_polyverify_certificates(runner, rng, stats):
    """Certificates written by polyverify itself: every code of the hand nets
    (with and without a box) and random codes of random nets."""
    if not polyverify_writes_certificates(runner):
        print('note: polyverify does not write certificates yet; skipping those tests')
        return
    jobs = []
    for net_path in sorted(glob.glob(os.path.join(NETS, '*.pvnet'))):
        net = oracle.load_pvnet(net_path)
        N = oracle.relu_count(net)
        codes = [format(i, '0%db' % N) for i in range(2 ** N)] if N <= 4 else \
            [''.join(rng.choice('01') for _ in range(N)) for _ in range(16)]
        for code in codes:
            jobs.append((net_path, net, ['cell', '--code', code]))
            jobs.append((net_path, net, ['cell', '--code', code, '--box', '-2,2']))
    for seed, m, widths in ((201, 2, [3, 3]), (202, 3, [4, 3]), (203, 2, [4, 3, 2])):
        r = random.Random(seed)
        net = random_net(r, m, widths, linear_out=True)
        net_path = os.path.join(runner.tmp, 'rand%d.pvnet' % seed)
        with open(net_path, 'w') as f:
            f.write(net_text(net, r, 'random net %d' % seed))
        N = oracle.relu_count(net)
        for _ in range(12):
            x = [Fraction(r.randint(-300, 300), 100) for _ in range(m)]
            code = oracle.forward(net, x)[0]
            jobs.append((net_path, net, ['cell', '--code', code]))
            flip = r.randrange(N)
            code2 = code[:flip] + ('1' if code[flip] == '0' else '0') + code[flip + 1:]
            jobs.append((net_path, net, ['cell', '--code', code2, '--box', '-3,3']))
            jobs.append((net_path, net, ['adjacency-check', '--code', code, '--code', code2]))
    # whole-network commands, when they write certificates too
    noted = set()
    for net_path in (os.path.join(NETS, n + '.pvnet') for n in ('cross', 'dead', 'opposite', 'star3')):
        net = oracle.load_pvnet(net_path)
        for args in (['enumerate'], ['enumerate', '--box', '-1,1'],
                     ['adjacency-check', '--enumerate'], ['adjacency-check', '--enumerate', '--box', '-1,1']):
            probe = os.path.join(runner.tmp, 'probe-%s.cert' % args[0])
            if os.path.exists(probe):
                os.remove(probe)
            subprocess.run([runner.polyverify, args[0], net_path] + args[1:] + ['--certificate', probe],
                           capture_output=True, timeout=120)
            if os.path.exists(probe):
                jobs.append((net_path, net, args))
            elif ' '.join(args) not in noted:
                noted.add(' '.join(args))
                print('note: polyverify %s writes no certificate yet; not tested' % ' '.join(args))
    for i, (net_path, net, args) in enumerate(jobs):
        cert = os.path.join(runner.tmp, 'pv%d.cert' % i)
        what = 'polyverify %s %s' % (' '.join(args), net_path)
        try:
            p = subprocess.run([runner.polyverify, args[0], net_path] + args[1:] + ['--certificate', cert],
                               capture_output=True, text=True, timeout=120)
        except OSError as e:
            runner.check(False, '%s: %s' % (what, e))
            continue
        if not runner.check(p.returncode == 0 and os.path.exists(cert),
                            '%s --certificate: exit %d %s' % (what, p.returncode, p.stderr)):
            continue
        rc, out, err, _ = runner.run_file(net_path, cert)
        runner.check(rc == 0 and 'all verified' in out,
                     'pvcheck rejects the certificate of %s:\n%s%s' % (what, out[-3000:], err))
        text = open(cert).read()
        runner.check(py_check(text, net) == [], 'the Python checker accepts the certificate of ' + what)
        stats['polyverify'] += 1
        # a few tamperings of polyverify's own certificates
        if i % 4 == 0:
            muts = mutations(text, [])
            for desc, new in rng.sample(muts, min(6, len(muts))):
                _, want = expect_verdict(runner, net_path, net, new, '%s [%s]' % (what, desc))
                stats['valid' if want == [] else 'rejected'] += 1


# ---------------------------------------------------------------------------
# Certificates that bind the answer (format version 2, `--answer`)
# ---------------------------------------------------------------------------

def cert_blocks(text):
    """The statements of a certificate as blocks (keyword, arguments, first
    line index, last line index): a set or a claim up to its `end`, or one
    line (header, neighbor)."""
    lines = text.split('\n')
    blocks, i = [], 0
    while i < len(lines):
        t = body(lines[i])
        if not t:
            i += 1
            continue
        j = i
        if t[0] == 'set' or t[0] in BODY:
            while body(lines[j])[:1] != ['end']:
                j += 1
        blocks.append((t[0], t[1:], i, j))
        i = j + 1
    return lines, blocks


def without(lines, blocks, drop):
    """The certificate text without the blocks whose indices are in drop."""
    gone = set()
    for k in drop:
        gone.update(range(blocks[k][2], blocks[k][3] + 1))
    return '\n'.join(l for i, l in enumerate(lines) if i not in gone)


def renamed_copy(lines, blocks, keep, old, new):
    """The text of blocks `keep` with set name old replaced by new."""
    out = []
    for k in keep:
        for l in lines[blocks[k][2]:blocks[k][3] + 1]:
            t = l.split()
            out.append(' '.join(new if w == old else w for w in t))
    return out


def insert_before_last_claim(lines, blocks, new_lines):
    """new_lines inserted before the last block (sets must precede their
    claims; the last block is a claim on the first set or a cell)."""
    at = blocks[-1][2]
    return '\n'.join(lines[:at] + new_lines + lines[at:])


def blocks_on(blocks, name):
    """Indices of the set `name` and of every claim naming it."""
    return [k for k, (kw, args, _, _) in enumerate(blocks)
            if (kw == 'set' and args[0] == name) or
            (kw in KINDS and name in args[:2] and kw != 'neighbor') or
            (kw == 'neighbor' and args[1] == name)]


def cell_tamperings(text):
    """(description, text) of certificates that must not prove the cell
    answer: every facet block, face (row) claim, neighbour line and the
    boundedness claim deleted in turn; a facet, a neighbour and a row claim
    added (copies under a new name: the same facet twice, a row twice)."""
    lines, blocks = cert_blocks(text)
    sets = [args[0] for kw, args, _, _ in blocks if kw == 'set']
    out = []
    if len(sets) > 1 or any(kw == 'bounded' or kw == 'unbounded' for kw, *_ in blocks):
        out.append(('delete the cell dim claim', without(lines, blocks, [
            k for k, b in enumerate(blocks) if b[0] in ('dim', 'empty') and b[1][0] == sets[0]])))
    for name in sets[1:]:
        on = blocks_on(blocks, name)
        kinds = {blocks[k][0] for k in on}
        what = 'facet' if 'neighbor' in kinds or any(
            blocks[k][0] == 'dim' and int(blocks[k][1][1]) == cell_dim(blocks, sets[0]) - 1
            for k in on) else 'face'
        out.append(('delete %s block %s' % (what, name), without(lines, blocks, on)))
        claims = [k for k in on if blocks[k][0] in ('dim', 'empty', 'dimle')]
        out.append(('delete the %s claim of %s' % (what, name), without(lines, blocks, claims)))
        fresh = name + 'x'
        copy = renamed_copy(lines, blocks, on, name, fresh)
        out.append(('add a copy of %s block %s' % (what, name),
                    insert_before_last_claim(lines, blocks, copy)))
    for k, (kw, args, i, _) in enumerate(blocks):
        if kw == 'neighbor':
            out.append(('delete neighbor line %d' % (i + 1), without(lines, blocks, [k])))
            out.append(('add neighbor line %d twice' % (i + 1),
                        '\n'.join(lines[:i + 1] + [lines[i]] + lines[i + 1:])))
        if kw in ('bounded', 'unbounded'):
            out.append(('delete the %s claim' % kw, without(lines, blocks, [k])))
    out += version_tamperings(lines, blocks)
    return out


def cell_dim(blocks, name):
    for kw, args, _, _ in blocks:
        if kw == 'dim' and args[0] == name:
            return int(args[1])
    return -1


def version_tamperings(lines, blocks):
    """The answer line removed (malformed), or the certificate turned into
    version 1 (claims only: proves no answer)."""
    k = next(k for k, b in enumerate(blocks) if b[0] == 'answer')
    v1 = without(lines, blocks, [k]).replace('pvcert 2', 'pvcert 1', 1)
    return [('delete the answer line', without(lines, blocks, [k])),
            ('turn into version 1 without the answer line', v1)]


def set_tamperings(text):
    """Adjacency and enumeration certificates: each set with its claims
    deleted, each dimension claim deleted, each set (with its claim) copied
    under a new name."""
    lines, blocks = cert_blocks(text)
    sets = [args[0] for kw, args, _, _ in blocks if kw == 'set']
    out = []
    for name in sets:
        on = blocks_on(blocks, name)
        out.append(('delete set %s and its claims' % name, without(lines, blocks, on)))
        out.append(('delete the claim of %s' % name,
                    without(lines, blocks, [k for k in on if blocks[k][0] != 'set'])))
        copy = renamed_copy(lines, blocks, on, name, name + 'x')
        out.append(('add a copy of %s' % name, '\n'.join(lines + copy)))
        claim = next(k for k in on if blocks[k][0] != 'set')
        i = blocks[claim][2]
        out.append(('claim on %s twice' % name, '\n'.join(
            lines[:blocks[claim][3] + 1] + lines[i:blocks[claim][3] + 1] + lines[blocks[claim][3] + 1:])))
    out += version_tamperings(lines, blocks)
    return out


def points_of(text, m):
    """Set name -> the point of its dim claim (Fractions)."""
    out, cur = {}, None
    for l in text.split('\n'):
        t = body(l)
        if t[:1] == ['dim']:
            cur = t[1]
        elif t[:1] == ['point'] and cur:
            out[cur] = [Fraction(v) for v in t[1:1 + m]]
            cur = None
    return out


def flip(code, j=0):
    bits = [i for i, ch in enumerate(code) if ch in '01']
    k = bits[j % len(bits)]
    return code[:k] + ('1' if code[k] == '0' else '0') + code[k + 1:]


def strs(point):
    return [oracle.fmt(v) for v in point]


def key_edits(ans, exempt=()):
    """Each top-level field deleted; an unknown field added."""
    out = [('delete field %s' % k, {x: v for x, v in ans.items() if x != k})
           for k in ans if k not in exempt]
    out.append(('add field unproved', dict(ans, unproved=1)))
    return out


def edited(ans, path, value):
    """A deep copy of ans with ans[path...] = value (value None deletes)."""
    new = json.loads(json.dumps(ans))
    cur = new
    for p in path[:-1]:
        cur = cur[p]
    if value is DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return new


DELETE = object()


def cell_answer_edits(ans, text, net):
    """(description, answer) pairs, each stating something the certificate
    of ans does not prove."""
    m, N = net.input_dim, oracle.relu_count(net)
    out = key_edits(ans)
    out += [('code bit %d flipped' % j, edited(ans, ['code'], flip(ans['code'], j))) for j in (0, -1)]
    out.append(('realized negated', edited(ans, ['realized'], not ans['realized'])))
    out += [('dim %+d' % d, edited(ans, ['dim'], ans['dim'] + d)) for d in (-1, 1)]
    if not ans['realized']:
        out.append(('point given', edited(ans, ['point'], ['0'] * m)))
        out.append(('bounded given', edited(ans, ['bounded'], True)))
        out.append(('an implicit equality given', edited(ans, ['implicit_equalities'], [0])))
        out.append(('a facet given', edited(ans, ['facets'], [{'neurons': [0], 'neighbor': None}])))
        return out
    # a point of a facet or lower face: in the closure, not the relative interior
    faces = [p for n, p in points_of(text, m).items() if n != 'S1']
    if faces:
        out.append(('point moved onto a face', edited(ans, ['point'], strs(faces[0]))))
    out.append(('point with a coordinate missing', edited(ans, ['point'], ans['point'][:-1])))
    out.append(('point as JSON integers', edited(ans, ['point'], [0] * m)))
    out.append(('bounded negated', edited(ans, ['bounded'], not ans['bounded'])))
    imp = ans['implicit_equalities']
    extra = next((j for j in range(N) if j not in imp), None)
    if extra is not None:
        out.append(('implicit equality %d added' % extra, edited(ans, ['implicit_equalities'], imp + [extra])))
    for k in range(len(imp)):
        out.append(('implicit equality %d removed' % imp[k],
                    edited(ans, ['implicit_equalities'], imp[:k] + imp[k + 1:])))
    if imp:
        out.append(('implicit equality listed twice', edited(ans, ['implicit_equalities'], imp + imp[:1])))
    ib = ans.get('implicit_box', [])
    for k in range(len(ib)):
        out.append(('implicit box side %s removed' % ib[k], edited(ans, ['implicit_box'], ib[:k] + ib[k + 1:])))
    box_sides = [[i, s] for i in range(m) for s in ('lo', 'hi')] if '"box"' in json.dumps(ans) or ib or \
        re.search(r'^box ', text, re.M) else []
    side = next((b for b in box_sides if b not in ib), None)
    if side:
        out.append(('implicit box side %s added' % side, edited(ans, ['implicit_box'], ib + [side])))
    F = ans['facets']
    for k in range(len(F)):
        out.append(('facet %d deleted' % k, edited(ans, ['facets'], F[:k] + F[k + 1:])))
        f = F[k]
        extra = next((j for j in range(N) if j not in f['neurons']), None)
        if extra is not None:
            out.append(('facet %d: neuron %d added' % (k, extra),
                        edited(ans, ['facets', k, 'neurons'], f['neurons'] + [extra])))
        for j in range(len(f['neurons'])):
            out.append(('facet %d: neuron %d removed' % (k, f['neurons'][j]),
                        edited(ans, ['facets', k, 'neurons'], f['neurons'][:j] + f['neurons'][j + 1:])))
        if f['neighbor'] is None:
            out.append(('facet %d: a neighbor given' % k, edited(ans, ['facets', k, 'neighbor'], '0' * N)))
        else:
            out.append(('facet %d: neighbor bit flipped' % k,
                        edited(ans, ['facets', k, 'neighbor'], flip(f['neighbor']))))
            out.append(('facet %d: neighbor null' % k, edited(ans, ['facets', k, 'neighbor'], None)))
        if 'box' in f:
            out.append(('facet %d: box side removed' % k, edited(ans, ['facets', k, 'box'], DELETE)))
            other = [f['box'][0], 'hi' if f['box'][1] == 'lo' else 'lo']
            out.append(('facet %d: box side changed' % k, edited(ans, ['facets', k, 'box'], other)))
        elif box_sides:
            out.append(('facet %d: a box side added' % k, edited(ans, ['facets', k, 'box'], box_sides[0])))
    if F:
        out.append(('facet 0 listed twice', edited(ans, ['facets'], F + F[:1])))
    out.append(('a facet added', edited(ans, ['facets'], F + [{'neurons': [], 'neighbor': None}])))
    return out


def adjacency_answer_edits(ans, text, net):
    m = net.input_dim
    out = key_edits(ans)
    for k in ('a', 'b'):
        out.append(('%s bit flipped' % k, edited(ans, [k], flip(ans[k]))))
    for k, v in ans.items():
        if isinstance(v, bool):
            out.append(('%s negated' % k, edited(ans, [k], not v)))
        elif isinstance(v, int):
            out += [('%s %+d' % (k, d), edited(ans, [k], v + d)) for d in (-1, 1)]
        elif v is None:
            out.append(('%s given' % k, edited(ans, [k], 1 if k == 'd_A' else True)))
    # a point of a full-dimensional cell C(a) has a neighbourhood inside
    # C(a), which meets no other cell: it is not in P(b), the closure of a
    # realised C(b) of another code, so not a common point
    pts = points_of(text, m)
    for name, d, other in (('S1', ans['dim_a'], ans['dim_b']), ('S2', ans['dim_b'], ans['dim_a'])):
        if 'common_point' in ans and d == m and other >= 0 and ans['a'] != ans['b'] and name in pts:
            out.append(('common_point moved to the point of %s' % name,
                        edited(ans, ['common_point'], strs(pts[name]))))
    if 'common_point' not in ans:
        out.append(('common_point given', edited(ans, ['common_point'], ['0'] * m)))
    return out


def enumeration_answer_edits(ans, text, net):
    out = key_edits(ans)
    out += [('cells %+d' % d, edited(ans, ['cells'], ans['cells'] + d)) for d in (-1, 1)]
    by = ans['cells_by_dim']
    for k in by:
        out.append(('cells_by_dim %s + 1' % k, edited(ans, ['cells_by_dim', k], by[k] + 1)))
        out.append(('cells_by_dim %s deleted' % k, edited(ans, ['cells_by_dim', k], DELETE)))
    missing = next(str(d) for d in range(net.input_dim + 1) if str(d) not in by) \
        if len(by) <= net.input_dim else None
    if missing:
        out.append(('cells_by_dim %s added' % missing, edited(ans, ['cells_by_dim', missing], 1)))
    L = ans['cell_list']
    for k in range(len(L)):
        out.append(('cell %d deleted' % k, edited(ans, ['cell_list'], L[:k] + L[k + 1:])))
        out.append(('cell %d: dim + 1' % k, edited(ans, ['cell_list', k, 'dim'], L[k]['dim'] + 1)))
        out.append(('cell %d: code bit flipped' % k, edited(ans, ['cell_list', k, 'code'], flip(L[k]['code'], -1))))
        if len(L) > 1:   # another cell's point: not in this cell
            out.append(('cell %d: point of another cell' % k,
                        edited(ans, ['cell_list', k, 'point'], L[(k + 1) % len(L)]['point'])))
    out.append(('cell 0 listed twice', edited(ans, ['cell_list'], L + L[:1])))
    E = ans.get('edges')
    if E is not None:
        for k in range(len(E)):
            out.append(('edge %d deleted' % k, edited(ans, ['edges'], E[:k] + E[k + 1:])))
            out.append(('edge %d: hamming + 1' % k, edited(ans, ['edges', k, 'hamming'], E[k]['hamming'] + 1)))
        if E:
            out.append(('edge 0 listed twice', edited(ans, ['edges'], E + E[:1])))
        have = {frozenset((e['a'], e['b'])) for e in E}
        codes = [c['code'] for c in L]
        bogus = next(((a, b) for i, a in enumerate(codes) for b in codes[i + 1:]
                      if frozenset((a, b)) not in have), None)
        if bogus:
            out.append(('an edge added', edited(ans, ['edges'], E + [{'a': bogus[0], 'b': bogus[1], 'hamming': 1}])))
    return out


BIND_CELLS = [  # (net, code, box)
    ('examples/demo.pvnet', '010000', None), ('examples/demo.pvnet', '1101|11', '-2,2'),
    ('examples/demo.pvnet', '0000|00', '-1,1'), ('examples/demo.pvnet', '1111|11', None),
    ('examples/demo.pvnet', '000001', None),   # not realised
]
BIND_ADJACENCY = [  # (net, code a, code b, box)
    ('examples/demo.pvnet', '010000', '110010', None), ('tests/nets/cross.pvnet', '11', '01', '-1,1'),
    ('tests/nets/cross.pvnet', '11', '11', None), ('tests/nets/dead.pvnet', '000', '111', None),
    ('tests/nets/star3.pvnet', '000', '001', '-1,1'),
    ('examples/demo.pvnet', '000001', '010000', None),    # a not realised
    ('examples/demo.pvnet', '111111', '101010', '-2,2'),  # b not realised
    ('examples/demo.pvnet', '110000', '010000', None),    # a not realised, closures meet
]
BIND_ENUMERATIONS = [  # (net, options)
    ('tests/nets/cross.pvnet', ['--box', '-1,1', '--graph', 'json']),
    ('tests/nets/star3.pvnet', ['--box', '-1,1', '--graph', 'json']),
    ('tests/nets/dead.pvnet', ['--box', '-1,1']),
]


def bind_jobs(rng):
    """(what, net, polyverify arguments, kind) of the certificates the
    binding tests tamper with: cells of every hand net (a few realised codes
    with and without a box, one random code), examples/demo.pvnet,
    adjacency pairs and small enumerations."""
    jobs = []
    for net_path in sorted(glob.glob(os.path.join(NETS, '*.pvnet'))):
        net = oracle.load_pvnet(net_path)
        N, m = oracle.relu_count(net), net.input_dim
        codes = set()
        for _ in range(6):
            codes.add(oracle.forward(net, [Fraction(rng.randint(-15, 15), 10) for _ in range(m)])[0])
        codes = sorted(codes)[:3] + [''.join(rng.choice('01') for _ in range(N))]
        for i, code in enumerate(codes):
            box = ['--box', '-2,2'] if i % 2 else []
            jobs.append((net_path, ['cell', '--code', code] + box, 'cell'))
    for net_path, code, box in BIND_CELLS:
        jobs.append((net_path, ['cell', '--code', code] + (['--box', box] if box else []), 'cell'))
    for net_path, a, b, box in BIND_ADJACENCY:
        jobs.append((net_path, ['adjacency-check', '--code', a, '--code', b] + (['--box', box] if box else []),
                     'adjacency'))
    for net_path, opts in BIND_ENUMERATIONS:
        jobs.append((net_path, ['enumerate'] + opts, 'enumeration'))
    return jobs


def test_answer_binding(runner, rng, stats):
    """A certificate of polyverify's together with the JSON answer printed by
    the same run: the pair is accepted; every tampering of the certificate
    (a facet, a face claim, a neighbour, the boundedness claim deleted or
    added; a set deleted or copied) and every edit of an answer field is
    rejected -- with --answer, and the certificate tamperings without it
    too."""
    if not polyverify_writes_certificates(runner):
        print('note: polyverify does not write certificates yet; skipping the binding tests')
        return
    counts = {'pairs': 0, 'cert': 0, 'answer': 0, 'malformed': 0}
    jobs = bind_jobs(rng)
    if os.environ.get('PV_TEST_LIGHT'):   # the sanitizer pass: every kind, fewer pairs
        jobs = jobs[::5] + [j for j in jobs if j[2] != 'cell'][:2]
    for i, (net_path, args, kind) in enumerate(jobs):
        net = oracle.load_pvnet(net_path)
        what = 'polyverify %s %s' % (' '.join(args), net_path)
        cert = os.path.join(runner.tmp, 'bind%d.cert' % i)
        ans_path = os.path.join(runner.tmp, 'bind%d.json' % i)
        p = subprocess.run([runner.polyverify, args[0], net_path] + args[1:] +
                           ['--json', '--certificate', cert], capture_output=True, text=True, timeout=120)
        if not runner.check(p.returncode == 0 and os.path.exists(cert), '%s: exit %d %s' % (what, p.returncode, p.stderr)):
            continue
        with open(ans_path, 'w') as f:
            f.write(p.stdout)
        ans, text = json.loads(p.stdout), open(cert).read()
        runner.check(py_check(text, net) == [], '%s: the Python checker accepts the certificate' % what)
        rc, out, err, _ = runner.run_file(net_path, cert, '--answer', ans_path)
        runner.check(rc == 0 and ('they prove the %s answer in' % kind) in out,
                     '%s: the untouched pair is accepted (exit %d)\n%s%s' % (what, rc, out[-2000:], err))
        counts['pairs'] += 1
        # the certificate tampered with: rejected with and without --answer
        muts = cell_tamperings(text) if kind == 'cell' else set_tamperings(text)
        results = runner.run_many([(net_path, new) for _, new in muts])
        for (desc, new), (rc, out, err, path) in zip(muts, results):
            claims_only = desc.startswith('turn into version 1')
            # a shorter cell list is still a valid enumeration certificate:
            # that the list is complete is not certified, so only the
            # answer it is checked against can tell
            shorter = kind == 'enumeration' and desc.startswith('delete set')
            runner.check(rc in (1, 2) or (claims_only and rc == 0 and 'prove the' not in out) or
                         (shorter and rc == 0),
                         '%s [%s]: without --answer: exit %d\n%s%s' % (what, desc, rc, out[-1500:], err))
            if rc == 1 and not claims_only:
                want = py_check(new, net)
                runner.check(want != [] and isinstance(want, list),
                             '%s [%s]: the Python checker also rejects it (%s)' % (what, desc, want))
            rc2, out2, err2, _ = runner.run_file(net_path, path, '--answer', ans_path)
            if runner.check(rc2 in (1, 2), '%s [%s]: with --answer: exit %d\n%s%s'
                            % (what, desc, rc2, out2[-1500:], err2)):
                counts['cert'] += 1
        # the answer edited: rejected
        edits = {'cell': cell_answer_edits, 'adjacency': adjacency_answer_edits,
                 'enumeration': enumeration_answer_edits}[kind](ans, text, net)
        for j, (desc, new_ans) in enumerate(edits):
            path = os.path.join(runner.tmp, 'bind%d-%d.json' % (i, j))
            with open(path, 'w') as f:
                json.dump(new_ans, f)
            rc, out, err, _ = runner.run_file(net_path, cert, '--answer', path)
            if runner.check(rc == 1 and ('FAIL %s: ' % path) in out,
                            '%s: answer edit [%s] is rejected: exit %d\n%s%s'
                            % (what, desc, rc, out[-1500:], err)):
                counts['answer'] += 1
        if kind == 'enumeration':   # not certified: accepted, with a note
            path = os.path.join(runner.tmp, 'bind%d-complete.json' % i)
            with open(path, 'w') as f:
                json.dump(dict(ans, complete=not ans['complete']), f)
            rc, out, err, _ = runner.run_file(net_path, cert, '--answer', path)
            runner.check(rc == 0 and 'complete — not certified' in out,
                         '%s: complete flipped: accepted with a note (exit %d)\n%s' % (what, rc, out[-800:]))
    # an answer of another kind, or of another code, against a certificate
    test_answer_mismatch(runner, counts)
    test_malformed_answers(runner, counts)
    print('binding: %d certificate/answer pairs accepted; %d certificate tamperings and %d answer '
          'edits rejected; %d malformed answers' % (counts['pairs'], counts['cert'], counts['answer'],
                                                    counts['malformed']))
    stats['rejected'] += counts['cert'] + counts['answer']
    light = os.environ.get('PV_TEST_LIGHT')
    runner.check(light or (counts['pairs'] >= 30 and counts['cert'] >= 200 and counts['answer'] >= 300),
                 'enough binding tests: %s' % counts)


def write_answer(runner, args, net_path, name):
    cert = os.path.join(runner.tmp, name + '.cert')
    p = subprocess.run([runner.polyverify, args[0], net_path] + args[1:] + ['--json', '--certificate', cert],
                       capture_output=True, text=True, timeout=120)
    path = os.path.join(runner.tmp, name + '.json')
    with open(path, 'w') as f:
        f.write(p.stdout)
    return cert, path


def test_answer_mismatch(runner, counts):
    """The answer of another code, another box or another kind of command
    is rejected against a certificate."""
    demo = 'examples/demo.pvnet'
    cell, cell_ans = write_answer(runner, ['cell', '--code', '010000'], demo, 'mm-cell')
    _, other = write_answer(runner, ['cell', '--code', '110010'], demo, 'mm-other')
    _, boxed = write_answer(runner, ['cell', '--code', '010000', '--box', '-5,5'], demo, 'mm-box')
    adj, adj_ans = write_answer(runner, ['adjacency-check', '--code', '010000', '--code', '110010'], demo, 'mm-adj')
    _, adj_swap = write_answer(runner, ['adjacency-check', '--code', '110010', '--code', '010000'], demo, 'mm-adj2')
    enum, enum_ans = write_answer(runner, ['enumerate', '--box', '-1,1'], demo, 'mm-enum')
    for cert, ans, desc in ((cell, other, 'another code'), (cell, boxed, 'the cell in a box'),
                            (cell, adj_ans, 'an adjacency answer'), (cell, enum_ans, 'an enumeration answer'),
                            (adj, cell_ans, 'a cell answer'), (adj, adj_swap, 'the codes swapped'),
                            (enum, cell_ans, 'a cell answer'), (enum, adj_ans, 'an adjacency answer')):
        rc, out, err, _ = runner.run_file(demo, cert, '--answer', ans)
        if runner.check(rc == 1 and 'FAIL %s: ' % ans in out,
                        '%s with %s: rejected (exit %d)\n%s%s' % (cert, desc, rc, out[-1000:], err)):
            counts['answer'] += 1
    # a row claim copied 256 times: a counter of 8 bits would wrap to "once"
    text = open(cell).read()
    lines, blocks = cert_blocks(text)
    face = next(args[0] for kw, args, _, _ in blocks if kw == 'empty')
    on = blocks_on(blocks, face)
    copies = sum((renamed_copy(lines, blocks, on, face, '%sc%d' % (face, k)) for k in range(256)), [])
    rc, out, err, _ = runner.run(demo, insert_before_last_claim(lines, blocks, copies), 'copies.cert')
    if runner.check(rc == 1 and 'accounted for 257 times' in out,
                    'a row claim 256 times more: rejected (exit %d)\n%s' % (rc, out[-600:])):
        counts['cert'] += 1
    v1 = [c for c in sorted(glob.glob(os.path.join(CERTS, '*.cert'))) if 'pvcert 1' in open(c).read()]
    for hand in v1[:3]:   # version 1: no answer
        rc, out, err, _ = runner.run_file(network_of(hand), hand, '--answer', cell_ans)
        runner.check(rc == 1 and 'version-1 certificate proves its claims' in out,
                     '%s --answer: a version-1 certificate proves no answer (exit %d)\n%s' % (hand, rc, out))


def test_malformed_answers(runner, counts):
    """A malformed answer file: exit 2, ANSWER:LINE: and what was expected."""
    demo = 'examples/demo.pvnet'
    cert, ans_path = write_answer(runner, ['cell', '--code', '010000'], demo, 'mf')
    good = open(ans_path).read()
    cases = [
        ('empty file', '', 'expected a value'),
        ('truncated', good[:len(good) // 2], ''),
        ('trailing comma', good.replace('"dim": 2,', '"dim": 2,,'), 'expected a key'),
        ('duplicate key', good.replace('"dim": 2,', '"dim": 2, "dim": 2,'), 'appears twice'),
        ('a fraction as a number', good.replace('"dim": 2', '"dim": 2.0'), 'not an integer'),
        ('an exponent', good.replace('"dim": 2', '"dim": 2e0'), 'not an integer'),
        ('a leading zero', good.replace('"dim": 2', '"dim": 02'), 'leading zero'),
        ('bad escape', good.replace('"010000"', '"0100\\x00"'), 'bad escape'),
        ('non-ASCII escape', good.replace('"010000"', '"0100\\u00e900"'), 'ASCII'),
        ('control character', good.replace('"010000"', '"0100\t00"'), 'control character'),
        ('text after the value', good + '{}', 'unexpected text'),
        ('single quotes', good.replace('"dim"', "'dim'"), 'expected a key'),
        ('bare word', good.replace('false', 'nope'), 'expected a value'),
        ('nested 40 deep', '[' * 40 + ']' * 40, 'nested more than 32'),
        ('unterminated string', '{"code": "0100', 'unterminated string'),
        ('missing colon', good.replace('"dim": 2', '"dim" 2'), "expected ':'"),
        ('missing comma', good.replace('"dim": 2,', '"dim": 2'), "expected ',' or '}'"),
        ('NUL byte', good.replace('"dim"', '"d\0im"'), 'NUL byte'),
    ]
    for desc, text, msg in cases:
        path = os.path.join(runner.tmp, 'mf.json')
        with open(path, 'w') as f:
            f.write(text)
        rc, out, err, _ = runner.run_file(demo, cert, '--answer', path)
        if runner.check(rc == 2 and err.startswith('pvcheck: %s' % path) and msg in err and out == '',
                        'malformed answer (%s): exit 2 and a message with %r; got %d\n%s%s'
                        % (desc, msg, rc, out, err)):
            counts['malformed'] += 1
    rc, out, err, _ = runner.run_file(demo, cert, '--answer', os.path.join(runner.tmp, 'none.json'))
    runner.check(rc == 2 and 'cannot open' in err, 'missing answer file: exit 2 (%d)' % rc)
    p = subprocess.run([runner.pvcheck, demo, cert, '--answer'], capture_output=True, text=True)
    runner.check(p.returncode == 2 and 'usage: pvcheck NET CERT [--answer FILE.json] [--quiet]' in p.stderr,
                 '--answer without a file: usage, exit 2 (%d %s)' % (p.returncode, p.stderr))


def main():
    if len(sys.argv) != 3:
        print('usage: test_pvcheck.py PVCHECK POLYVERIFY')
        return 2
    runner = Runner(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    rng = random.Random(5)
    stats = {'valid': 0, 'rejected': 0, 'polyverify': 0}
    t0 = time.time()
    for test in (test_hand_certificates, test_malformed, test_polyverify_certificates,
                 test_answer_binding):
        t1 = time.time()
        test(runner, rng, stats)
        print('%s: %.1f s' % (test.__name__, time.time() - t1))
    runner.check(stats['rejected'] >= 300, 'hundreds of tamperings rejected (%d)' % stats['rejected'])
    print('tamperings: %d rejected, %d still valid (accepted, as the Python checker predicts); '
          '%d polyverify certificates accepted; %.1f s'
          % (stats['rejected'], stats['valid'], stats['polyverify'], time.time() - t0))
    print('%d passed, %d failed' % (runner.passed, runner.failed))
    shutil.rmtree(runner.tmp, ignore_errors=True)
    return 1 if runner.failed else 0


if __name__ == '__main__':
    sys.exit(main())
