"""End-to-end test of the resource limits: --timeout, --max-memory, the
enumeration's memory refusal, and that a stopped run prints no answer and
leaves no output file. Run as `python3 tests/e2e/test_limits.py POLYVERIFY`
from the project root.

Facts asserted, and why they hold:
  * mnist-net_256x2.onnx's first layer (256 x 784) has full row rank
    (`info` and the lifted cell computations rest on the same proof, a rank
    mod a prime), so all of R^784 holds at least 2^256 cells: no memory can
    hold them, and `enumerate` must refuse at once (exit 3) without
    printing cells;
  * an ACAS Xu network on its whole input box has many thousands of cells
    (more than 4 MiB / bytes-per-cell: a few hundred),
    so --max-memory 4 stops it (exit 3, INCOMPLETE) and --timeout 1 kills
    it (exit 4) with nothing on stdout and an empty output directory.
"""

import os
import subprocess
import sys
import tempfile
import time

DATA = os.path.join('..', 'shared', 'data')
MNIST = os.path.join(DATA, 'mnistfc', 'mnist-net_256x2.onnx')
ACAS = os.path.join(DATA, 'acasxu', 'ACASXU_run2a_1_1_batch_2000.nnet')
DEMO = os.path.join('examples', 'demo.pvnet')

failures = 0
passed = 0


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print('FAIL: ' + what)
    return cond


def run(pv, *args, cwd=None):
    t0 = time.time()
    p = subprocess.run([pv] + list(args), capture_output=True, text=True,
                       cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr, time.time() - t0


def test_memory_refusal(pv):
    rc, out, err, dt = run(pv, 'enumerate', MNIST)
    check(rc == 3, 'enumerate R^784: exit %d, expected 3' % rc)
    check(out == '', 'enumerate R^784: printed %r' % out[:80])
    check('at least 2^256 cells' in err and 'memory limit' in err,
          'enumerate R^784: message %r' % err)
    check(dt < 30, 'enumerate R^784 took %.1f s' % dt)
    # the same refusal for adjacency-check --enumerate
    rc, out, err, _ = run(pv, 'adjacency-check', MNIST, '--enumerate')
    check(rc == 3 and out == '' and '2^256' in err,
          'adjacency-check --enumerate R^784: %d %r' % (rc, err))
    # bounded by the user, it runs (and stops at the bound)
    rc, out, err, _ = run(pv, 'enumerate', DEMO, '--max-cells', '3',
                          '--max-memory', '64')
    check(rc == 3 and 'INCOMPLETE' in out, 'demo --max-cells 3: %d' % rc)


def sanitized(pv):
    """AddressSanitizer keeps its own heap, which glibc's accounting (the
    memory limit's measure) does not see, and reserves terabytes of
    address space: the memory stop is not testable there."""
    p = subprocess.run(['ldd', pv], capture_output=True, text=True)
    return 'libasan' in p.stdout


def test_memory_stop(pv, tmp):
    if sanitized(pv):
        print('skip: memory stop under AddressSanitizer')
        return
    rc, out, err, _ = run(pv, 'enumerate', ACAS, '--box', 'input',
                          '--max-memory', '4')
    check(rc == 3, 'ACAS --max-memory 4: exit %d, expected 3 (%s)' % (rc, err))
    check('memory limit of 4 MiB' in err, 'ACAS --max-memory 4: message %r' % err)
    check('INCOMPLETE' in out, 'ACAS --max-memory 4: partial result marked')


def test_timeout(pv, tmp):
    cert = os.path.join(tmp, 'acas.cert')
    rc, out, err, dt = run(pv, 'enumerate', ACAS, '--box', 'input',
                           '--certificate', cert, '--timeout', '1')
    check(rc == 4, 'timeout: exit %d, expected 4' % rc)
    check(out == '', 'timeout: printed %r' % out[:80])
    check('--timeout 1 s' in err, 'timeout: message %r' % err)
    check(dt < 10, 'timeout: took %.1f s' % dt)
    check(os.listdir(tmp) == [], 'timeout: left %s' % os.listdir(tmp))
    # a run within its time prints what it prints without --timeout
    a = run(pv, 'enumerate', DEMO, '--box', '-2,2', '--json')
    b = run(pv, 'enumerate', DEMO, '--box', '-2,2', '--json', '--timeout', '60')
    check(a[0] == 0 and a[:3] == b[:3], 'timeout: a quick run is unchanged')
    out_file = os.path.join(tmp, 'demo.pvnet')
    rc, _, _, _ = run(pv, 'convert', DEMO, '-o', out_file, '--timeout', '60')
    check(rc == 0 and os.path.exists(out_file), 'timeout: convert writes its file')
    os.remove(out_file)


def test_usage(pv):
    for args in (['--timeout', '0'], ['--timeout', 'x'], ['--timeout', '-1'],
                 ['--max-memory', '0'], ['--max-memory', '1.5']):
        rc, out, err, _ = run(pv, 'info', DEMO, *args)
        check(rc == 2 and out == '', 'info %s: exit %d' % (' '.join(args), rc))


def main():
    pv = sys.argv[1]
    if not os.path.exists(MNIST) or not os.path.exists(ACAS):
        print('SKIP: ../shared/data is missing')
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        test_memory_refusal(pv)
        test_memory_stop(pv, tmp)
        test_timeout(pv, tmp)
        test_usage(pv)
    print('%d passed, %d failed' % (passed, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
