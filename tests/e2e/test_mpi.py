"""End-to-end test of enumerations over MPI processes (issue 19).

`mpirun --oversubscribe -np 3 polyverify enumerate ...` must print the same
bytes as the serial run (`--threads 1`, one process) — cells, points,
graph, general-position report, certificate files — on nets where the walk
takes many rounds: the demo net in a box, a net on all of R^2, a 3-D net of
the peers' benchmark, and ACAS Xu stopped by --max-cells inside a round;
and `explore` (with --max-depth) the same way.
Commands that do not run distributed are refused under mpirun, with the
reason. Skipped (exit 77) when mpirun is not installed or polyverify was
built without MPI.

Usage: python3 tests/e2e/test_mpi.py POLYVERIFY   (cwd = project root)
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, '..', 'shared', 'data')
PEERS = os.path.join(ROOT, '..', 'shared', 'bench', 'peers')
MPIRUN = ['mpirun', '--oversubscribe', '--allow-run-as-root', '--bind-to', 'none']
failures = 0


def check(ok, what):
    global failures
    if not ok:
        failures += 1
        print('FAIL: ' + what)
    return ok


def run(argv, cwd):
    env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe='1')
    if argv[0] == 'mpirun' and 'ASAN_OPTIONS' in env:
        # under the sanitizers: memory errors still abort, but the leak
        # check would report Open MPI's own allocations
        env['ASAN_OPTIONS'] = env['ASAN_OPTIONS'].replace('detect_leaks=1', 'detect_leaks=0')
    p = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=600, env=env)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def cases():
    demo = os.path.join(ROOT, 'examples', 'demo.pvnet')
    dead = os.path.join(ROOT, 'tests', 'nets', 'dead.pvnet')
    c = [('demo-box', ['enumerate', demo, '--box', '-2,2', '--json', '--graph', 'json',
                       '--certificate', 'enum.cert'], ['enum.cert']),
         ('dead-no-box', ['enumerate', dead, '--json', '--graph', 'json'], []),
         ('demo-adjacency', ['adjacency-check', demo, '--enumerate', '--box', '-2,2',
                             '--json'], []),
         ('demo-explore', ['explore', demo, '--point', '1/3,-0.25', '--box', '-2,2',
                           '--graph', 'json'], [])]
    peer = os.path.join(PEERS, 'n3_16_16_2_s0.onnx')
    if os.path.exists(peer):
        c.append(('peer-3d', ['enumerate', peer, '--box', '-1,1', '--json', '--graph', 'json'],
                  []))
        c.append(('peer-3d-explore', ['explore', peer, '--point', '0.1,0.2,0.3', '--box',
                                      '-1,1', '--max-depth', '6', '--graph', 'json'], []))
    acas = os.path.join(DATA, 'acasxu', 'ACASXU_run2a_1_1_batch_2000.nnet')
    if os.path.exists(acas):
        c.append(('acas-limit', ['enumerate', acas, '--box', 'input', '--max-cells', '150',
                                 '--json'], []))
    return c


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    pv = os.path.abspath(sys.argv[1])
    if shutil.which('mpirun') is None:
        print('skip: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)')
        return 77
    tmp = tempfile.mkdtemp(prefix='pv_mpi_')
    try:
        probe = os.path.join(tmp, 'probe')
        os.makedirs(probe)
        rc, out, err = run(MPIRUN + ['-np', '2', pv, 'enumerate',
                                     os.path.join(ROOT, 'examples', 'demo.pvnet'),
                                     '--box', '-2,2', '--max-cells', '2'], probe)
        if 'this build has no MPI' in err:
            print('skip: polyverify was built without MPI')
            return 77
        for name, argv, files in cases():
            ser, par = os.path.join(tmp, name, 'serial'), os.path.join(tmp, name, 'mpi')
            os.makedirs(ser)
            os.makedirs(par)
            r1 = run([pv] + argv + ['--threads', '1'], ser)
            r3 = run(MPIRUN + ['-np', '3', pv] + argv + ['--threads', '1'], par)
            ok = check(r1[0] == r3[0], '%s: exit %d serial, %d with 3 processes: %s'
                       % (name, r1[0], r3[0], r3[2][-400:]))
            ok &= check(r1[1] == r3[1] and len(r1[1]) > 0, '%s: stdout differs (%d vs %d bytes)'
                        % (name, len(r1[1]), len(r3[1])))
            for f in files:
                a = open(os.path.join(ser, f), 'rb').read()
                b = open(os.path.join(par, f), 'rb').read() if os.path.exists(
                    os.path.join(par, f)) else None
                ok &= check(a == b, '%s: %s differs' % (name, f))
            if ok:
                print('ok   %-16s %d bytes, identical with 3 processes' % (name, len(r1[1])))
        # two threads in each of two processes: the same bytes again
        demo = os.path.join(ROOT, 'examples', 'demo.pvnet')
        argv = ['enumerate', demo, '--box', '-2,2', '--json']
        a = run([pv] + argv + ['--threads', '1'], tmp)
        b = run(MPIRUN + ['-np', '2', pv] + argv + ['--threads', '2'], tmp)
        check(a[1] == b[1] and a[0] == b[0] == 0, '2 processes x 2 threads differ')
        # what does not run distributed is refused, with the reason
        rc, out, err = run(MPIRUN + ['-np', '2', pv, 'cell', demo, '--code', '100010'], tmp)
        check(rc != 0 and 'only enumerate, explore' in err,
              'cell under mpirun: exit %d %r' % (rc, err[-300:]))
        rc, out, err = run(MPIRUN + ['-np', '2', pv] + argv + ['--timeout', '5'], tmp)
        check(rc != 0 and '--timeout does not run under mpirun' in err,
              '--timeout under mpirun: exit %d %r' % (rc, err[-300:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%s' % ('all MPI runs identical to the serial ones' if not failures
                  else '%d failures' % failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
