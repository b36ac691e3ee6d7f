#!/usr/bin/env python3
"""Figure 2 of the paper: code clusters per layer, classifier against autoencoder.

    PYTHONPATH=build/python /usr/bin/python3 verify/paper/fig2_clusters.py [--quick] [--out DIR]

The paper shows UMAP embeddings of the codes of each layer, coloured by class,
and claims that the codes of higher classifier layers separate the classes
better while autoencoder codes do the opposite. Here both networks share the
paper's encoder widths 128-64-32 (ReLU): the classifier adds a linear output
of 10 classes (cross-entropy), the autoencoder a ReLU decoder 64-128 and a
linear 784 output (mean squared error). At a few epochs each network is
exported and the exact codes of every layer computed by polyverify, for the
training points and for held-out points; then, per layer:

  nn_hamming   accuracy of the nearest-code classifier on held-out points:
               the label of the training points whose layer code is nearest
               in Hamming distance (majority of all nearest, ties to the
               smallest label);
  shared       fraction of the distinct training codes of the layer that hold
               points of two or more classes;
  distinct     the number of distinct training codes.

and a UMAP (umap-learn, metric hamming) of the training codes. Writes
DIR/fig2.json, DIR/fig2.md, DIR/fig2_umap.png and DIR/fig2_separability.png.
--quick (the test suite's variant) runs the digits with a smaller UMAP.
"""

import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

FULL = dict(data='fashion', n_train=10000, n_test=2000, epochs='0,1,5,20', umap_points=2000,
            lr=1e-3, batch=256, seeds='1234,1235,1236')
QUICK = dict(data='digits', n_train=1000, n_test=400, epochs='0,1,4', umap_points=300,
             lr=3e-3, batch=64, seeds='1234')
ENCODER = (128, 64, 32)
POPCOUNT = np.array([bin(i).count('1') for i in range(256)], dtype=np.uint16)


def parse_args(argv):
    ap = C.arg_parser(__doc__, 'fig2', 'digits, 3 snapshots, one seed')
    ap.add_argument('--data', choices=sorted(C.DATASETS))
    ap.add_argument('--n-train', type=int)
    ap.add_argument('--n-test', type=int)
    ap.add_argument('--epochs', help='the epochs at which codes are taken, e.g. 0,1,5,20')
    ap.add_argument('--umap-points', type=int, help='training points in each UMAP (0: no UMAP)')
    ap.add_argument('--lr', type=float, help='Adam learning rate, both networks')
    ap.add_argument('--batch', type=int)
    ap.add_argument('--seeds', help='seeds; the UMAP is drawn for the first')
    a = C.with_preset(ap.parse_args(argv), FULL, QUICK, 'fig2')
    return a


def models(m):
    clf = C.mlp(m, ENCODER, 10)
    ae = C.mlp(m, ENCODER + (64, 128), m)
    return {'classifier': clf, 'autoencoder': ae}


def hamming_nn(train, ytr, test):
    """Nearest-code labels of the test codes (packed bits) under Hamming distance."""
    out = np.empty(len(test), dtype=np.int64)
    for i in range(0, len(test), 64):
        d = POPCOUNT[test[i:i + 64, None, :] ^ train[None, :, :]].sum(axis=2)
        for k, row in enumerate(d):
            near = ytr[row == row.min()]
            counts = np.bincount(near, minlength=10)
            out[i + k] = int(np.argmax(counts))          # ties: smallest label
    return out


def shared_fraction(packed, y):
    """Fraction of distinct codes that hold points of two or more classes."""
    _, inv = np.unique(packed, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    classes = {}
    for code, label in zip(inv, y):
        classes.setdefault(code, set()).add(int(label))
    return sum(len(s) > 1 for s in classes.values()) / len(classes), len(classes)


def layer_facts(net, Xtr, ytr, Xte, yte):
    parts = C.relu_parts(net)[:len(ENCODER)]           # the encoder's layers
    btr, _ = C.exact_codes(net, Xtr)
    bte, _ = C.exact_codes(net, Xte)
    facts, codes = [], []
    for name, f, c in parts:
        ptr = np.packbits(btr[:, f:f + c], axis=1)
        pte = np.packbits(bte[:, f:f + c], axis=1)
        shared, distinct = shared_fraction(ptr, ytr)
        nn = float(np.mean(hamming_nn(ptr, ytr, pte) == yte))
        dead = int((btr[:, f:f + c].sum(axis=0) == 0).sum())
        facts.append(dict(layer=name, neurons=c, distinct=distinct, shared=round(shared, 4),
                          nn_hamming=round(nn, 4), never_active=dead))
        codes.append(btr[:, f:f + c])
    return facts, codes


def train_and_measure(a, data, seed, want_codes):
    Xtr, ytr, Xte, yte = data
    m = int(np.prod(Xtr.shape[1:]))
    snaps = sorted({int(e) for e in a.epochs.split(',')})
    results, embed_codes = [], {}
    for kind, model in models(m).items():
        torch.manual_seed(seed)
        model = C.xavier_zero(model)
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
        gen = torch.Generator().manual_seed(seed)
        for epoch in range(snaps[-1] + 1):
            if epoch:
                C.train_epoch(model, opt, Xtr, ytr, a.batch, gen,
                              loss='ce' if kind == 'classifier' else 'mse')
            if epoch not in snaps:
                continue
            net = C.to_polyverify(model, (m,))
            facts, codes = layer_facts(net, Xtr, ytr, Xte, yte)
            with torch.no_grad():
                out = model(torch.from_numpy(Xte))
                metric = (float(np.mean(C.predict64(model, Xte) == yte)) if kind == 'classifier'
                          else float(torch.nn.functional.mse_loss(
                              out, torch.from_numpy(Xte).reshape(len(Xte), -1))))
            results.append(dict(model=kind, epoch=epoch, seed=seed, layers=facts,
                                **({'test_accuracy': round(metric, 4)} if kind == 'classifier'
                                   else {'test_mse': round(metric, 5)})))
            if want_codes:
                embed_codes[(kind, epoch)] = [c[:a.umap_points] for c in codes]
            C.log('  seed %d %s epoch %d: %s' % (seed, kind, epoch, ', '.join(
                '%s nn %.3f shared %.3f (%d codes)' % (f['layer'], f['nn_hamming'], f['shared'],
                                                        f['distinct']) for f in facts)))
    return results, embed_codes


def plot_umap(a, embed_codes, labels, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import warnings
    warnings.filterwarnings('ignore')
    import umap
    keys = sorted(embed_codes, key=lambda k: (k[0] != 'classifier', k[1]))
    fig, axes = plt.subplots(len(keys), len(ENCODER), figsize=(3.0 * len(ENCODER),
                                                               2.8 * len(keys)), squeeze=False)
    for row, key in enumerate(keys):
        for col, codes in enumerate(embed_codes[key]):
            ax = axes[row][col]
            ax.set_xticks([])
            ax.set_yticks([])
            if len(np.unique(codes, axis=0)) < 4:
                ax.text(0.5, 0.5, '%d distinct codes' % len(np.unique(codes, axis=0)),
                        ha='center', va='center', transform=ax.transAxes)
            else:
                emb = umap.UMAP(metric='hamming', random_state=0, n_neighbors=15,
                                min_dist=0.1).fit_transform(codes.astype(bool))
                ax.scatter(emb[:, 0], emb[:, 1], c=labels[:len(codes)], cmap='tab10', s=3,
                           vmin=0, vmax=9, linewidths=0)
            ax.set_title('%s, epoch %d, layer %d (%d)' % (key[0], key[1], col + 1, ENCODER[col]),
                         fontsize=8)
    fig.suptitle('UMAP (Hamming) of the exact codes of %d training points, coloured by class '
                 '(seed %s)' % (len(embed_codes[keys[0]][0]), a.seeds.split(',')[0]), fontsize=10)
    cmap = plt.get_cmap('tab10')
    fig.legend(handles=[plt.Line2D([], [], marker='o', ls='', color=cmap(k), label=str(k))
                        for k in range(10)], loc='lower center', ncol=10, fontsize=8,
               title='class', title_fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def grouped(results):
    """{(model, epoch): [per-seed results]}, in a fixed order."""
    out = {}
    for r in results:
        out.setdefault((r['model'], r['epoch']), []).append(r)
    return dict(sorted(out.items(), key=lambda kv: (kv[0][0] != 'classifier', kv[0][1])))


def plot_separability(results, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8))
    x = np.arange(1, len(ENCODER) + 1)
    for ax, key, title in ((axes[0], 'nn_hamming', 'nearest-code accuracy (held-out points)'),
                           (axes[1], 'shared', 'fraction of codes shared by 2+ classes')):
        for (model, epoch), rs in grouped(results).items():
            v = np.array([[f[key] for f in r['layers']] for r in rs])
            mean = v.mean(0)
            ax.errorbar(x, mean, yerr=[mean - v.min(0), v.max(0) - mean], capsize=3,
                        ls='-' if model == 'classifier' else '--', marker='o', ms=4,
                        label='%s, epoch %d' % (model, epoch))
        ax.set_xticks(x)
        ax.set_xticklabels(['layer %d (%d)' % (i + 1, w) for i, w in enumerate(ENCODER)])
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.suptitle('encoder 128-64-32: classifier (solid) and autoencoder (dashed); mean over '
                 '%d seeds, bars = min-max' % len({r['seed'] for r in results}), fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=130)
    plt.close(fig)


def summarise(res):
    mm = C.mean_range
    rows = []
    for (model, epoch), rs in grouped(res['results']).items():
        q = (mm([r['test_accuracy'] for r in rs], '%.3f') if model == 'classifier' else
             mm([r['test_mse'] for r in rs], '%.4f'))
        for k, f in enumerate(rs[0]['layers']):
            col = lambda key, fmt: mm([r['layers'][k][key] for r in rs], fmt)  # noqa: E731
            rows.append([model, epoch, q, f['layer'], f['neurons'], col('distinct', '%.0f'),
                         col('never_active', '%.0f'), col('nn_hamming', '%.3f'),
                         col('shared', '%.3f')])
    return '\n'.join(C.md_header('Figure 2: code clusters per layer', res['settings']) + [
        'nearest-code accuracy: held-out points labelled by the training points of nearest '
        'layer code (Hamming); shared: fraction of the distinct training codes that hold two or '
        'more classes; never active: neurons whose bit is 0 on every training point. Each '
        'entry: mean over the seeds (min-max); test: accuracy (classifier) or mean squared '
        'error (autoencoder) on the held-out points.', '',
        C.md_table(['model', 'epoch', 'test', 'layer', 'neurons', 'distinct codes',
                    'never active', 'nearest-code accuracy', 'shared'], rows), ''])


def main(argv=None):
    a = parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    X, y = C.DATASETS[a.data]()
    X = X.reshape(len(X), -1)
    data = C.split(X, y, a.n_train, a.n_test, seed=0)
    results, embed = [], {}
    for i, seed in enumerate(int(v) for v in a.seeds.split(',')):
        r, e = train_and_measure(a, data, seed, want_codes=i == 0)
        results += r
        embed.update(e)
    cmd = C.command_line('fig2_clusters.py', argv)
    res = dict(settings=C.settings_header(cmd, {k: getattr(a, k) for k in FULL}),
               encoder=list(ENCODER), results=results)
    plot_separability(results, os.path.join(a.out, 'fig2_separability.png'))
    if a.umap_points:
        t = time.time()
        plot_umap(a, embed, data[1], os.path.join(a.out, 'fig2_umap.png'))
        res['seconds_umap'] = round(time.time() - t, 1)
    res['seconds'] = round(time.time() - t0, 1)
    C.write_json(os.path.join(a.out, 'fig2.json'), res)
    with open(os.path.join(a.out, 'fig2.md'), 'w') as f:
        f.write(summarise(res) + '\n')
    C.log('wrote %s/fig2.{json,md} and PNGs in %.0f s' % (a.out, time.time() - t0))
    return 0


if __name__ == '__main__':
    sys.exit(main())
