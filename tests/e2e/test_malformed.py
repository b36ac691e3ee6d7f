"""End-to-end test: every malformed input of tests/bad/ is rejected cleanly.

Runs each case of tests/bad/MANIFEST (see the comment at its top for the
format) and checks that the program
  * ends on its own (no signal, no crash) within the time limit,
  * prints no sanitizer report (AddressSanitizer, LeakSanitizer, UBSan),
  * exits with the expected status,
  * prints a message on stderr that matches the case's regex (the error
    class, the file and line or ONNX node, what was expected), and nothing
    on stdout unless the case says what,
  * when the command line names the case's output directory {out}: leaves
    no output file, partial file or temporary file behind (the directory
    stays empty, its parent holds nothing else), and no --verify scratch
    file /tmp/polyverify-PID.cert.
Before the cases, it checks that the valid files the bad ones were derived
from (tests/bad/valid/) load, that the ONNX files are what
tests/bad/make_onnx.py writes, and that every file in tests/bad/ is used by
some case.

Prints one line per case and a summary by kind; exits 1 on any failure.
Every case is one short run, so PV_TEST_LIGHT (the sanitizer pass of
tools/test.sh) runs them all too.

Usage: python3 tests/e2e/test_malformed.py POLYVERIFY [PVCHECK]
       (PVCHECK defaults to verify/pvcheck beside POLYVERIFY, as in the
       build tree; PV_TEST_TIMEOUT overrides the 20 s limit per case)
"""

import configparser
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BAD = os.path.join(ROOT, 'tests', 'bad')
MANIFEST = os.path.join(BAD, 'MANIFEST')
TIMEOUT = float(os.environ.get('PV_TEST_TIMEOUT', '20'))
SANITIZER_MARKERS = ('Sanitizer', 'runtime error:')
# Files of tests/bad that are not inputs of a case.
NOT_INPUTS = {'MANIFEST', 'make_onnx.py', 'valid', '__pycache__'}


def read_manifest(path):
    """[(name, {key: value})] in file order."""
    cp = configparser.ConfigParser(interpolation=None, delimiters=('=',),
                                   comment_prefixes=('#',), empty_lines_in_values=False,
                                   default_section='__none__')
    cp.optionxform = str          # keys as written
    with open(path, encoding='utf-8') as f:
        cp.read_file(f)
    cases = []
    for name in cp.sections():
        c = dict(cp[name])
        unknown = set(c) - {'cmd', 'status', 'stderr', 'stdout', 'not-stderr', 'env'}
        if unknown or 'cmd' not in c or 'status' not in c:
            raise SystemExit('MANIFEST [%s]: needs cmd and status; unknown keys %s'
                             % (name, sorted(unknown)))
        if 'stderr' not in c and 'stdout' not in c:
            raise SystemExit('MANIFEST [%s]: needs a stderr or stdout regex' % name)
        cases.append((name, c))
    return cases


def kind_of(name):
    """The summary group of a case: the input format or the kind of argument."""
    prefix = name.split('-')[0]
    return {'pvcheck': 'cert', 'bin': 'other', 'missing': 'other', 'directory': 'other',
            'stats': 'points', 'plot': 'output', 'convert': 'output',
            'certificate': 'output', 'enumerate': 'output', 'verify': 'output',
            'point': 'points'}.get(prefix, prefix)


class Case:
    def __init__(self, name, spec, places):
        self.name = name
        self.spec = spec
        self.places = places
        self.errors = []

    def sub(self, text):
        for key, value in self.places.items():
            text = text.replace('{%s}' % key, value)
        return text

    def fail(self, msg):
        self.errors.append(msg)


def listing(path):
    """Every path under `path`, relative to it, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        for n in dirnames + filenames:
            found.append(os.path.relpath(os.path.join(dirpath, n), path))
    return sorted(found)


def run_case(case, workdir, base_env):
    """Runs one case in its own directory; records failures on case."""
    casedir = os.path.join(workdir, case.name)
    out = os.path.join(casedir, 'out')
    os.makedirs(out)
    case.places['out'] = out
    argv = [case.sub(a) for a in shlex.split(case.spec['cmd'])]
    env = dict(base_env)
    for item in shlex.split(case.spec.get('env', '')):
        key, _, value = item.partition('=')
        env[key] = case.sub(value)
    case.argv = argv
    t0 = time.time()
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env, cwd=ROOT,
                                start_new_session=True)
    except OSError as e:
        case.fail('cannot run %s: %s' % (argv[0], e))
        return
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        case.fail('did not finish within %g s (killed)' % TIMEOUT)
    case.seconds = time.time() - t0
    rc = proc.returncode
    out_text = stdout.decode('utf-8', 'replace')
    err_text = stderr.decode('utf-8', 'replace')
    case.rc, case.stdout, case.stderr = rc, out_text, err_text

    if rc is not None and rc < 0:
        case.fail('killed by signal %d (%s)' % (-rc, signal.Signals(-rc).name
                                                if -rc in signal.valid_signals() else '?'))
    for marker in SANITIZER_MARKERS:
        if marker in err_text:
            case.fail('sanitizer report (%r) on stderr' % marker)
            break
    want = int(case.spec['status'])
    if rc != want:
        case.fail('exit status %s, expected %d' % (rc, want))
    if 'stderr' in case.spec and not re.search(case.spec['stderr'], err_text, re.M):
        case.fail('stderr does not match /%s/' % case.spec['stderr'])
    if 'not-stderr' in case.spec and re.search(case.spec['not-stderr'], err_text, re.M):
        case.fail('stderr matches /%s/, which it must not' % case.spec['not-stderr'])
    if 'stdout' in case.spec:
        if not re.search(case.spec['stdout'], out_text, re.M):
            case.fail('stdout does not match /%s/' % case.spec['stdout'])
    elif out_text:
        case.fail('stdout should be empty, got %r' % out_text[:120])

    if '{out}' in case.spec['cmd']:
        left = listing(out)
        if left:
            case.fail('left behind in the output directory: %s' % ', '.join(left))
        others = [p for p in listing(casedir) if p != 'out' and not p.startswith('out' + os.sep)]
        if others:
            case.fail('left behind next to the output directory: %s' % ', '.join(others))
    scratch = '/tmp/polyverify-%d.cert' % proc.pid
    if os.path.exists(scratch):
        case.fail('left behind the --verify scratch file %s' % scratch)
        try:
            os.remove(scratch)
        except OSError:
            pass


def check_setup(pv, pvcheck, cases, problems):
    """The valid base files load, the ONNX files are the generator's, every
    input file is used."""
    valid = os.path.join(BAD, 'valid')
    for name in sorted(os.listdir(valid)):
        if name.endswith(('.pvnet', '.nnet', '.onnx')):
            res = subprocess.run([pv, 'info', os.path.join(valid, name)], capture_output=True,
                                 text=True, timeout=TIMEOUT)
            if res.returncode != 0:
                problems.append('valid/%s does not load (the bad files are derived from it): %s'
                                % (name, res.stderr.strip()))
    res = subprocess.run([sys.executable, os.path.join(BAD, 'make_onnx.py'), '--check'],
                         capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        problems.append('tests/bad/*.onnx differ from make_onnx.py: %s' % res.stdout.strip())
    used = ' '.join(c['cmd'] for _, c in cases)
    for name in sorted(os.listdir(BAD)):
        if name not in NOT_INPUTS and '{bad}/%s' % name not in used:
            problems.append('tests/bad/%s is used by no case of the MANIFEST' % name)
    for tool in (pv, pvcheck):
        if not os.access(tool, os.X_OK):
            problems.append('not an executable: %s' % tool)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    pv = os.path.abspath(sys.argv[1])
    pvcheck = os.path.abspath(sys.argv[2]) if len(sys.argv) == 3 else \
        os.path.join(os.path.dirname(pv), 'verify', 'pvcheck')
    cases = read_manifest(MANIFEST)
    problems = []
    check_setup(pv, pvcheck, cases, problems)
    for p in problems:
        print('FAIL setup: %s' % p)

    base_env = dict(os.environ)
    base_env.pop('PVCHECK', None)         # --verify finds pvcheck beside polyverify
    base_env['LC_ALL'] = 'C'
    places = {'pv': pv, 'pvcheck': pvcheck, 'bad': os.path.relpath(BAD, ROOT),
              'valid': os.path.relpath(os.path.join(BAD, 'valid'), ROOT),
              'nets': os.path.join('tests', 'nets'), 'certs': os.path.join('tests', 'certs')}
    workdir = tempfile.mkdtemp(prefix='pv_malformed_')
    by_kind = {}
    failed = []
    with_output = 0
    try:
        for name, spec in cases:
            case = Case(name, spec, dict(places))
            run_case(case, workdir, base_env)
            with_output += '{out}' in spec['cmd']
            kind = kind_of(name)
            tally = by_kind.setdefault(kind, [0, 0])
            if case.errors:
                tally[1] += 1
                failed.append(case)
                print('FAIL %-44s %s' % (name, '; '.join(case.errors)))
                print('     command: %s' % ' '.join(shlex.quote(a) for a in case.argv))
                if getattr(case, 'stderr', None) is not None:
                    lines = case.stderr.strip().splitlines()
                    shown = '\n             '.join(l[:300] for l in lines[:4])
                    more = ' [+%d lines]' % (len(lines) - 4) if len(lines) > 4 else ''
                    print('     exit %s, stderr: %s%s' % (case.rc, shown, more))
            else:
                tally[0] += 1
                print('ok   %-44s exit %d  %.2f s' % (name, case.rc, case.seconds))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print('by kind: ' + ', '.join('%s %d/%d' % (k, v[0], v[0] + v[1])
                                  for k, v in sorted(by_kind.items())))
    print('%d cases (%d with an output file), %d passed, %d failed; %d setup problem(s)'
          % (len(cases), with_output, len(cases) - len(failed), len(failed), len(problems)))
    return 1 if failed or problems else 0


if __name__ == '__main__':
    sys.exit(main())
