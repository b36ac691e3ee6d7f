#!/usr/bin/env python3
"""Lemma 1 and Theorem 2 of the paper on trained networks, against their initialisation.

    PYTHONPATH=build/python /usr/bin/python3 verify/paper/lemma1_trained.py [--quick] [--out DIR]

Lemma 1 says that in general position two cells are adjacent iff their codes
differ in one bit; Theorem 2 that the adjacency distance is d_A = min(d_H, 2).
The theorem suite (verify/suite.py) found (=>) false on random nets with two
or more ReLU layers. Here the nets are trained: small-input tasks (2-D: moons,
circles, two spirals, a 2-D PCA projection of the 8x8 digits; 3-D: a 3-D PCA
of the digits and a swiss roll cut into four classes), MLPs of several depths
and widths, PyTorch's default initialisation (its random biases put the
initial net in general position), full-batch Adam. For each net, before and
after training, polyverify enumerates every cell in the box and decides
adjacency from geometry for every pair at d_H = 1 and every adjacent pair
(`net.lemma1`, the library behind `adjacency-check --enumerate`); every
disagreement gets an `adjacency-check --certificate` that the independent
checker pvcheck must accept, and is checked again without the box.

Writes DIR/lemma1.json (every net and disagreement), DIR/lemma1.md (the
tables), DIR/nets/*.pvnet (the exact nets), DIR/certificates/, and
DIR/lemma1_cells.png (a trained 2-D net's cells, disagreements marked).
Exit 1 if pvcheck rejects a certificate or the CLI and the library disagree.
"""

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

TASKS_2D = ['moons', 'circles', 'spirals', 'digits_pca2']
TASKS_3D = ['digits_pca3', 'swissroll']
FULL = dict(tasks=','.join(TASKS_2D + TASKS_3D),
            arch2='16,32,8x8,16x16,32x32,8x8x8,12x12x12,8x8x8x8',
            arch3='16,8x8,12x12,6x6x6', seeds='1,2,3', steps=1500, points=1000)
QUICK = dict(tasks='moons,digits_pca3', arch2='8x8x8', arch3='6x6', seeds='1', steps=300,
             points=400)


def parse_args(argv):
    ap = C.arg_parser(__doc__, 'lemma1', 'two tasks, one net each')
    ap.add_argument('--tasks', help='comma-separated, of: ' + ', '.join(TASKS_2D + TASKS_3D))
    ap.add_argument('--arch2', help='ReLU widths for the 2-D tasks, e.g. 8x8,16x16')
    ap.add_argument('--arch3', help='ReLU widths for the 3-D tasks')
    ap.add_argument('--seeds')
    ap.add_argument('--steps', type=int, help='full-batch Adam steps')
    ap.add_argument('--points', type=int, help='training points per task')
    ap.add_argument('--polyverify', default=os.path.join(C.ROOT, 'build', 'polyverify'))
    ap.add_argument('--pvcheck', default=os.path.join(C.ROOT, 'build', 'verify', 'pvcheck'))
    a = C.with_preset(ap.parse_args(argv), FULL, QUICK, 'lemma1')
    for t in a.tasks.split(','):
        if t not in TASKS_2D + TASKS_3D:
            ap.error('unknown task %r' % t)
    return a


# ---------------------------------------------------------------------------
# Tasks: standardised inputs, integer labels, seeded
# ---------------------------------------------------------------------------

def task_data(name, n, seed):
    from sklearn import datasets
    from sklearn.decomposition import PCA
    rng = np.random.RandomState(seed)
    if name == 'moons':
        X, y = datasets.make_moons(n, noise=0.1, random_state=seed)
    elif name == 'circles':
        X, y = datasets.make_circles(n, noise=0.05, factor=0.5, random_state=seed)
    elif name == 'spirals':
        t = np.sqrt(rng.rand(n // 2)) * 3 * np.pi
        arm = np.c_[t * np.cos(t), t * np.sin(t)] / (3 * np.pi)
        X = np.r_[arm, -arm] + 0.03 * rng.randn(2 * (n // 2), 2)
        y = np.r_[np.zeros(n // 2), np.ones(n // 2)].astype(np.int64)
    elif name in ('digits_pca2', 'digits_pca3'):
        d = datasets.load_digits()
        X = PCA(int(name[-1]), random_state=0).fit_transform(d.data)
        y = d.target
        idx = rng.permutation(len(y))[:n]
        X, y = X[idx], y[idx]
    elif name == 'swissroll':
        X, t = datasets.make_swiss_roll(n, noise=0.2, random_state=seed)
        y = np.digitize(t, np.quantile(t, [0.25, 0.5, 0.75]))
    X = (X - X.mean(0)) / X.std(0)
    return X.astype(np.float32), np.asarray(y, dtype=np.int64)


def train(X, y, widths, seed, steps):
    """An MLP with PyTorch's default init (uniform weights and biases), full-batch Adam.
    seed: the initialisation's (each task and architecture has its own)."""
    torch.manual_seed(seed)
    model = C.mlp(X.shape[1], widths, int(y.max()) + 1)
    init = C.to_polyverify(model, (X.shape[1],))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model.train()
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(Xt), yt).backward()
        opt.step()
    model.eval()
    acc = float(np.mean(C.predict64(model, X) == y))
    return init, C.to_polyverify(model, (X.shape[1],)), acc


# ---------------------------------------------------------------------------
# One net: Lemma 1 from geometry, certificates from the CLI
# ---------------------------------------------------------------------------

def hamming(a, b):
    return sum(x != y for x, y in zip(a, b))


def analyse(net, path, box, a, pool, certdir, name):
    t0 = time.time()
    r = net.lemma1(box=box)
    cells = r['complex'].cells
    dims = {c.code: c.dim for c in cells}
    info = net.info()
    m, sizes = info['input_dim'], [l['relus'] for l in info['layers'] if l['relus']]
    dis, by_layer = [], {}
    for ca, cb, h, common, adjacent in r['disagreements']:   # (a, b, d_H, common dim, adj.)
        free = net.adjacency(ca, cb)                       # the same pair in R^m
        d = dict(a=ca, b=cb, claim='Lemma 1 (%s)' % ('=>' if h == 1 else '<='),
                 hamming=h, adjacent=adjacent, common_dim=common,
                 dim_a=dims.get(ca), dim_b=dims.get(cb),
                 both_full_dim=dims.get(ca) == dims.get(cb) == m,
                 also_without_box=free.adjacent == adjacent)
        if h == 1:
            d['layer_of_flip'] = flip_layer(sizes, ca, cb)
            by_layer[d['layer_of_flip']] = by_layer.get(d['layer_of_flip'], 0) + 1
        dis.append(d)
    out = dict(net=name, file=os.path.relpath(path, a.out), box=box, cells=len(cells),
               full_dim_cells=sum(1 for c in cells if c.dim == m),
               general_position=r['general_position'],
               pairs_hamming1=r['pairs_hamming1'], adjacent_pairs=r['adjacent_pairs'],
               forward_violations=sum(1 for d in dis if d['claim'] == 'Lemma 1 (=>)'),
               forward_violations_rm=sum(1 for d in dis if d['claim'] == 'Lemma 1 (=>)'
                                         and d['also_without_box']),
               backward_violations=sum(1 for d in dis if d['claim'] == 'Lemma 1 (<=)'),
               forward_by_layer=by_layer, relu_layers=len(sizes), disagreements=dis)
    futures = [pool.submit(certify, a, path, box, d, certdir, name) for d in dis]
    return out, futures, t0, r['complex']


def certify(a, path, box, d, certdir, name):
    cert = os.path.join(certdir, '%s__%s__%s.cert' % (name, d['a'], d['b']))
    lo, hi = box
    r = subprocess.run([a.polyverify, 'adjacency-check', path, '--code', d['a'], '--code', d['b'],
                        '--box', '%s,%s' % (lo, hi), '--json', '--certificate', cert],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return dict(cli_error=r.stderr.strip())
    cli = json.loads(r.stdout)
    chk = subprocess.run([a.pvcheck, path, cert], capture_output=True, text=True)
    return dict(certificate=os.path.relpath(cert, a.out), pvcheck_accepted=chk.returncode == 0,
                cli_agrees=cli.get('adjacent') == d['adjacent'] and
                cli.get('hamming') == d['hamming'])


def flip_layer(sizes, a, b):
    """The ReLU layer (1-based; sizes: the ReLU layers' widths) of the one bit
    in which a and b differ."""
    j = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
    for k, n in enumerate(sizes):
        if j < n:
            return k + 1
        j -= n


# ---------------------------------------------------------------------------
# Tables and the picture
# ---------------------------------------------------------------------------

def summarise(res):
    nets = res['nets']
    rows = []
    for stage in ('init', 'trained'):
        for depth in sorted({n['relu_layers'] for n in nets}):
            ns = [n for n in nets if n['stage'] == stage and n['relu_layers'] == depth]
            if not ns:
                continue
            gp = [n for n in ns if n['general_position']]
            h1 = sum(n['pairs_hamming1'] for n in gp)
            fw = sum(n['forward_violations'] for n in gp)
            rm = sum(n['forward_violations_rm'] for n in gp)
            rows.append([stage, depth, len(ns), len(gp), sum(n['cells'] for n in gp), h1, fw,
                         '%.2f%%' % (100.0 * fw / h1 if h1 else 0.0), rm,
                         '%.2f%%' % (100.0 * rm / h1 if h1 else 0.0),
                         sum(1 for n in gp if n['forward_violations']),
                         sum(n['backward_violations'] for n in gp),
                         sum(n['forward_violations'] + n['backward_violations']
                             for n in ns if not n['general_position'])])
    per = [[n['task'], n['widths'], n['seed'], n['stage'], n.get('train_accuracy', ''),
            n['cells'], 'yes' if n['general_position'] else 'no', n['pairs_hamming1'],
            n['adjacent_pairs'], n['forward_violations'], n['forward_violations_rm'],
            n['backward_violations'],
            ' '.join('L%d:%d' % kv for kv in sorted(n['forward_by_layer'].items())) or '-']
           for n in nets]
    conf = res['confusion']
    paired = []
    for depth in sorted({n['relu_layers'] for n in nets}):
        pairs = [(i, t) for i in nets for t in nets if i['stage'] == 'init' and
                 t['stage'] == 'trained' and i['init_seed'] == t['init_seed'] and
                 i['task'] == t['task'] and i['relu_layers'] == depth and
                 i['general_position'] and t['general_position']]
        rate = lambda n: n['forward_violations_rm'] / max(1, n['pairs_hamming1'])  # noqa: E731
        paired.append([depth, len(pairs), sum(rate(t) > rate(i) for i, t in pairs),
                       sum(rate(t) < rate(i) for i, t in pairs),
                       sum(rate(t) == rate(i) for i, t in pairs)])
    return '\n'.join(C.md_header('Lemma 1 and Theorem 2 on trained networks',
                                  res['settings']) + [
        '## Confusion of d_H against d_A, all pairs of cells (general-position nets)', '',
        C.md_table(['stage', 'd_H = 1, adjacent', 'd_H = 1, not adjacent',
                    'd_H >= 2, adjacent', 'd_H >= 2, not adjacent'],
                   [[s] + [conf[s][k] for k in ('h1_adj', 'h1_not', 'h2_adj', 'h2_not')]
                    for s in ('init', 'trained')]), '',
        'In the box: a pair at d_H = 1 whose closures meet only outside the box counts as not '
        'adjacent here; the columns "in R^m" count the violations that remain when the same pair '
        'is decided again without the box (the paper\'s setting).', '',
        '## Lemma 1 (=>) by depth, initialisation against trained', '',
        C.md_table(['stage', 'ReLU layers', 'nets', 'in g.p.', 'cells (g.p.)',
                    'pairs d_H = 1 (g.p.)', '(=>) violations in the box (g.p.)', 'rate',
                    '(=>) also in R^m', 'rate in R^m',
                    'nets violating (g.p.)', '(<=) violations (g.p.)',
                    'violations on nets not in g.p.'], rows), '',
        '## Paired: each trained net against its own initialisation (rate in R^m)', '',
        C.md_table(['ReLU layers', 'pairs of nets', 'trained rate higher', 'lower', 'equal'],
                   paired), '',
        '## Per network', '',
        C.md_table(['task', 'widths', 'seed', 'stage', 'train acc', 'cells', 'g.p.',
                    'pairs d_H = 1', 'adjacent pairs', '(=>) viol.', '(=>) also in R^m',
                    '(<=) viol.',
                    '(=>) by layer of the flipped bit'], per), '',
        'Certificates: %d written, %d accepted by pvcheck, %d rejected; CLI and library '
        'disagree on %d pairs.' % (res['certificates'], res['accepted'], res['rejected'],
                                   res['cli_disagreements']), ''])


def confusion(cx):
    """Counts over all pairs of cells of a complex: (d_H = 1 or >= 2) x
    (adjacent from geometry, an edge of the complex, or not)."""
    bits = np.array([[ch == '1' for ch in c.code] for c in cx.cells], dtype=np.uint8)
    n = len(bits)
    adj = np.zeros((n, n), dtype=bool)
    for i, j, _neurons, _h in cx.edges:
        adj[i, j] = adj[j, i] = True
    out = dict(h1_adj=0, h1_not=0, h2_adj=0, h2_not=0)
    for i in range(n - 1):
        h1 = (bits[i + 1:] != bits[i]).sum(axis=1) == 1
        a = adj[i, i + 1:]
        out['h1_adj'] += int((h1 & a).sum())
        out['h1_not'] += int((h1 & ~a).sum())
        out['h2_adj'] += int((~h1 & a).sum())
        out['h2_not'] += int((~h1 & ~a).sum())
    return out


def plot_example(res, a):
    """The trained 2-D net with the most (=>) violations, its cells and disagreements."""
    cand = [n for n in res['nets'] if n['stage'] == 'trained' and n['m'] == 2]
    if not cand:
        return None
    n = max(cand, key=lambda n: (n['forward_violations'], -n['cells']))
    import polyverify as pv
    net = pv.Network.load(os.path.join(a.out, n['file']))
    path = os.path.join(a.out, 'lemma1_cells.png')
    net.plot(path, box=tuple(n['box']), highlight=True, color_class=False, size=(900, 900))
    return dict(net=n['net'], png=os.path.relpath(path, a.out),
                forward_violations=n['forward_violations'])


def main(argv=None):
    a = parse_args(argv)
    for d in ('nets', 'certificates'):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    t0 = time.time()
    torch.set_num_threads(1)
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    nets, jobs = [], []
    conf = {s: dict(h1_adj=0, h1_not=0, h2_adj=0, h2_not=0) for s in ('init', 'trained')}
    for ti, task in enumerate(a.tasks.split(',')):
        archs = a.arch2 if task in TASKS_2D else a.arch3
        for seed in (int(s) for s in a.seeds.split(',')):
            X, y = task_data(task, a.points, seed)
            B = float(np.ceil(2 * np.abs(X).max()) / 2)
            for ai, arch in enumerate(archs.split(',')):
                widths = [int(w) for w in arch.split('x')]
                init_seed = 10000 * seed + 100 * ti + ai     # one initialisation per net
                init, trained, acc = train(X, y, widths, init_seed, a.steps)
                for stage, net in (('init', init), ('trained', trained)):
                    name = '%s-%s-s%d-%s' % (task, arch, seed, stage)
                    path = os.path.join(a.out, 'nets', name + '.pvnet')
                    net.save(path)
                    out, futures, t1, cx = analyse(net, path, (-B, B), a, pool,
                                               os.path.join(a.out, 'certificates'), name)
                    c = confusion(cx)
                    if out['general_position']:
                        for k, v in c.items():
                            conf[stage][k] += v
                    out.update(task=task, widths=arch, seed=seed, init_seed=init_seed,
                               stage=stage, m=X.shape[1], confusion=c,
                               seconds=round(time.time() - t1, 2),
                               **({'train_accuracy': round(acc, 3)} if stage == 'trained'
                                  else {}))
                    nets.append(out)
                    jobs.append((out, futures))
                    C.log('  %-34s %5d cells gp=%-5s (=>) %d/%d (<=) %d  %.1fs'
                          % (name, out['cells'], out['general_position'],
                             out['forward_violations'], out['pairs_hamming1'],
                             out['backward_violations'], out['seconds']))
    ncert = acc_ = rej = cli_bad = 0
    for out, futures in jobs:
        for d, f in zip(out['disagreements'], futures):
            v = f.result()
            d.update(v)
            if 'certificate' in v:
                ncert += 1
                acc_ += v['pvcheck_accepted']
                rej += not v['pvcheck_accepted']
            cli_bad += not v.get('cli_agrees', False)
    cmd = C.command_line('lemma1_trained.py', argv)
    res = dict(settings=C.settings_header(cmd, {k: getattr(a, k) for k in FULL}),
               nets=nets, confusion=conf, certificates=ncert, accepted=acc_, rejected=rej,
               cli_disagreements=cli_bad)
    res['example'] = plot_example(res, a)
    res['seconds'] = round(time.time() - t0, 1)
    C.write_json(os.path.join(a.out, 'lemma1.json'), res)
    with open(os.path.join(a.out, 'lemma1.md'), 'w') as f:
        f.write(summarise(res) + '\n')
    C.log('wrote %s/lemma1.{json,md} in %.0f s; %d certificates, %d rejected'
          % (a.out, time.time() - t0, ncert, rej))
    return 1 if rej or cli_bad else 0


if __name__ == '__main__':
    sys.exit(main())
