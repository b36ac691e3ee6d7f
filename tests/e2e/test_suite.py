"""End-to-end test of the theorem-validation suite (verify/suite.py, --quick).

Runs the quick suite once and checks:
  1. it exits 0 and writes tables.md (one table per claim, with an "all"
     row), results.json and violations.json of the documented shape;
  2. every violation has a certificate written by polyverify, the suite's
     recorded pvcheck verdict is "accepted", and pvcheck, run again here on
     each certificate, accepts it -- and rejects it against another network
     (so the verdicts are not vacuous);
  3. no tool inconsistency (polyverify against itself or against the suite's
     exact recomputation) and no Theorem 1 violation (Theorem 1 is a fact
     about any network: a violation would be a bug);
  4. seeded, known answers on the hand nets: duplicate.pvnet gives the
     Lemma 1 (<=) violation "adjacent but d_H = 2" for 00/11; fc223.pvnet gives
     Lemma 1 (=>) violations between its line cell 00 and the two half-planes
     (dims differ); star3.pvnet gives three (=>) violations at its point
     cell 000; cross.pvnet and parallel.pvnet give none; Theorem 2's
     violating pairs are exactly Lemma 1's (the two claims are equivalent
     for d_A in {0,1,2}).

Usage: python3 tests/e2e/test_suite.py POLYVERIFY PVCHECK   (cwd = project root)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print('FAIL: ' + what)
    return cond


def pairs_of(viols, claim, net):
    return {(v['a'], v['b']) for v in viols if v['claim'] == claim and v['net'] == net}


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    polyverify, pvcheck = (os.path.abspath(p) for p in sys.argv[1:3])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = tempfile.mkdtemp(prefix='test_suite-')
    try:
        proc = subprocess.run([sys.executable, os.path.join(root, 'verify', 'suite.py'), '--quick',
                               '--out', out, '--polyverify', polyverify, '--pvcheck', pvcheck],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=1200, cwd=root)
        if not check(proc.returncode == 0, 'suite exit status %d: %s' % (
                proc.returncode, proc.stderr[-2000:])):
            return 1
        # 1. structure
        tables = open(os.path.join(out, 'tables.md')).read()
        for head in ('## Theorem 1', '## Lemma 1 (=>)', '## Lemma 1 (<=)', '## Theorem 2',
                     '## Per network'):
            check(head in tables, 'tables.md has a section %r' % head)
        check(tables.count('| **all** |') == 4, 'every claim table has an "all" row')
        check(tables in proc.stdout, 'the tables are printed on stdout too')
        res = json.load(open(os.path.join(out, 'results.json')))
        nets = {r['name']: r for r in res['networks']}
        check({r['group'] for r in nets.values()} == {'random', 'hand', 'published'},
              'the corpus has random, hand and published nets')
        check(any(r['group'] == 'random' and r['m'] == m for r in nets.values() for m in (2, 3, 4)),
              'random nets of input dims 2..4')
        for r in nets.values():
            for key in ('cells', 'general_position', 'theorem1', 'lemma1_forward',
                        'lemma1_backward', 'theorem2'):
                check(key in r, '%s: results has %s' % (r['name'], key))
            t1 = r['theorem1']
            check(t1['faces'] >= r['cells'] and t1['face_points'] >= t1['faces'],
                  '%s: every cell\'s faces checked' % r['name'])
            if r['m'] <= 3:
                check(t1['tiling_checked'] and t1['tiling_ok'],
                      '%s: the cells tile the box (exact volumes)' % r['name'])
            check(t1['dim_violations'] == t1['face_violations'] == t1['coverage_violations'] == 0,
                  '%s: no Theorem 1 violation' % r['name'])
            t2 = r['theorem2']
            check(t2['pairs'] == r['cells'] * (r['cells'] - 1) // 2,
                  '%s: Theorem 2 over all pairs' % r['name'])
            if r['m'] <= 2:
                check(t2['independent'] == t2['pairs'], '%s: every d_A re-derived' % r['name'])
        vj = json.load(open(os.path.join(out, 'violations.json')))
        viols = vj['violations']
        check(vj['tool_inconsistencies'] == [], 'no tool inconsistencies: %s'
              % json.dumps(vj['tool_inconsistencies'])[:2000])
        check(vj['certificates_rejected'] == 0, 'the suite reports no rejected certificate')
        # 2. certificates
        for v in viols:
            what = '%s %s %s/%s' % (v['claim'], v['net'], v.get('a'), v.get('b'))
            cert = v.get('certificate')
            if not check(cert and os.path.exists(os.path.join(out, cert)),
                         what + ': has a certificate file'):
                continue
            check(v.get('pvcheck', {}).get('accepted') is True, what + ': suite verdict accepted')
            path = os.path.join(out, cert)
            p = subprocess.run([pvcheck, v['file'], path], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True)
            check(p.returncode == 0, '%s: pvcheck accepts %s (%s)' % (what, cert, p.stdout[-300:]))
        other = os.path.join(root, 'tests', 'nets', 'cross.pvnet')
        tried = 0
        for v in viols:
            if v.get('certificate') and v['file'] != other and tried < 5:
                tried += 1
                p = subprocess.run([pvcheck, other, os.path.join(out, v['certificate'])],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                check(p.returncode != 0, '%s: certificate rejected with another network'
                      % v['certificate'])
        # 4. known answers
        check(('00', '11') in pairs_of(viols, 'Lemma 1 (<=)', 'duplicate'),
              'duplicate: Lemma 1 (<=) violation 00/11')
        dup = [v for v in viols if v['net'] == 'duplicate' and v['claim'] == 'Lemma 1 (<=)']
        check(dup and dup[0]['what'] == 'adjacent but d_H = 2' and dup[0]['hamming'] == 2,
              'duplicate: "adjacent but d_H = 2"')
        check(pairs_of(viols, 'Lemma 1 (=>)', 'fc223') == {('00', '01'), ('00', '10')},
              'fc223: Lemma 1 (=>) violations 00/01 and 00/10')
        check(pairs_of(viols, 'Lemma 1 (<=)', 'fc223') == {('01', '10')},
              'fc223: Lemma 1 (<=) violation 01/10')
        check(pairs_of(viols, 'Lemma 1 (=>)', 'star3') == {('000', '001'), ('000', '010'),
                                                           ('000', '100')},
              'star3: Lemma 1 (=>) violations at the point cell 000')
        for net in ('cross', 'parallel'):
            check(not [v for v in viols if v['net'] == net], '%s: no violation' % net)
            check(nets[net]['general_position'], '%s: in general position' % net)
        check(not nets['duplicate']['general_position'], 'duplicate: not in general position')
        for net in nets:
            l1 = pairs_of(viols, 'Lemma 1 (=>)', net) | pairs_of(viols, 'Lemma 1 (<=)', net)
            check(l1 == pairs_of(viols, 'Theorem 2', net),
                  '%s: Theorem 2 violations are the Lemma 1 violations' % net)
    finally:
        if FAILURES:
            print('suite output kept in %s' % out)
        else:
            shutil.rmtree(out, ignore_errors=True)
    print('%s: %d failures' % ('FAIL' if FAILURES else 'ok', len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == '__main__':
    sys.exit(main())
