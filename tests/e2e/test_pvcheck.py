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

Usage: python3 tests/e2e/test_pvcheck.py PVCHECK POLYVERIFY   (cwd = project root)
"""

import glob
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
    if not stmts or stmts[0][1] != ['pvcert', '1']:
        raise Malformed('header')
    cert = {'fp': None, 'input': None, 'box': None, 'sets': {}, 'claims': []}
    pos = 1
    while pos < len(stmts):
        line, t = stmts[pos]
        pos += 1
        kw = t[0]
        if kw in ('fingerprint', 'input', 'box'):
            if cert['sets'] or cert['claims']:
                raise Malformed('header late')
        if kw == 'fingerprint':
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

    points, verified, failed = {}, {}, []

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
    return sorted(failed)


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
    for i, raw in enumerate(text.split('\n')):
        t = raw.split('#', 1)[0].split()
        if t and t[0] in KINDS:
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
        nclaims = len(list(claim_texts(text)))
        runner.check(rc == 0 and out.count('\nok ') + out.startswith('ok ') == nclaims and
                     out.rstrip().endswith('pvcheck: %d claims, all verified' % nclaims),
                     '%s: pvcheck accepts it (exit %d)\n%s%s' % (cert_path, rc, out, err))
        rc, out, err, _ = runner.run_file(net_path, cert_path, '--quiet')
        runner.check(rc == 0 and out.strip() == 'pvcheck: %d claims, all verified' % nclaims,
                     '%s --quiet: %d %s' % (cert_path, rc, out))
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
        ('version 2', good.replace('pvcert 1', 'pvcert 2')),
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


def main():
    if len(sys.argv) != 3:
        print('usage: test_pvcheck.py PVCHECK POLYVERIFY')
        return 2
    runner = Runner(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    rng = random.Random(5)
    stats = {'valid': 0, 'rejected': 0, 'polyverify': 0}
    t0 = time.time()
    for test in (test_hand_certificates, test_malformed, test_polyverify_certificates):
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
