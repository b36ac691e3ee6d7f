#!/usr/bin/env python3
"""Figure 1 of the paper: the number of codes over training, at two learning rates.

    PYTHONPATH=build/python /usr/bin/python3 verify/paper/fig1_codes.py [--quick] [--out DIR]

Shepeleva et al. train a VGG16-style network on MNIST (Xavier init, zero
biases, seed 1234, batch 256, gradient descent, softmax output) at two
learning rates with indistinguishable final accuracies and plot, per epoch,
the number of distinct codes (cells) holding the correctly classified
training points. Here: the shrunk VGG of common.vgg_small on Fashion-MNIST
(or the 8x8 digits with --quick), every run's network exported after every
epoch (epoch 0 = the initialisation) and the exact codes of the counted
training points computed by polyverify; counts per ReLU layer, for the conv
layers, the fully-connected head, and the whole network.

Writes DIR/fig1.json (every number, with the settings), DIR/fig1.md (tables)
and DIR/fig1.png (accuracy and code counts per epoch, mean and range over the
seeds).  --quick (the test suite's variant, well under a minute) trains a
smaller net on the digits for 6 epochs of batch 32.
"""

import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

FULL = dict(data='fashion', n_train=12000, n_test=2000, n_count=12000, channels='8,8,16',
            head='512', lrs='0.05,0.15', seeds='1234,1235,1236', epochs=15, batch=256)
QUICK = dict(data='digits', n_train=1200, n_test=400, n_count=1200, channels='4,4,8',
             head='64', lrs='0.05,0.2', seeds='1234,1235', epochs=6, batch=32)


def parse_args(argv):
    ap = C.arg_parser(__doc__, 'fig1', 'digits, small net, 6 epochs of batch 32')
    ap.add_argument('--data', choices=sorted(C.DATASETS))
    ap.add_argument('--n-train', type=int, help='training images (seeded subset)')
    ap.add_argument('--n-test', type=int, help='held-out images for the test accuracy')
    ap.add_argument('--n-count', type=int, help='training images whose codes are counted')
    ap.add_argument('--channels', help='conv channels, comma-separated (3 layers)')
    ap.add_argument('--head', help="the FC head (the paper's Table 1: 512, 256,256, 256,128,128)")
    ap.add_argument('--lrs', help='the two (or more) learning rates')
    ap.add_argument('--seeds', help='seeds (the paper: 1234)')
    ap.add_argument('--epochs', type=int)
    ap.add_argument('--batch', type=int)
    return C.with_preset(ap.parse_args(argv), FULL, QUICK, 'fig1')


def one_run(a, lr, seed, data):
    Xtr, ytr, Xte, yte = data
    Xc, yc = Xtr[:a.n_count], ytr[:a.n_count]
    torch.manual_seed(seed)
    side = Xtr.shape[-1]
    model = C.xavier_zero(C.vgg_small(side, [int(c) for c in a.channels.split(',')],
                                      [int(h) for h in a.head.split(',')]))
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)     # plain: no momentum, no state
    epochs = []
    for epoch in range(a.epochs + 1):
        t0 = time.time()
        if epoch:
            C.train_epoch(model, opt, Xtr, ytr, a.batch, gen)
        t_train = time.time() - t0
        net = C.to_polyverify(model, (1, side, side))
        parts = C.relu_parts(net)
        correct = C.predict64(model, Xc) == yc
        acc_test = float(np.mean(C.predict64(model, Xte) == yte))
        t1 = time.time()
        bits, zero = C.exact_codes(net, Xc)
        t_codes = time.time() - t1
        row = dict(epoch=epoch, train_accuracy=float(np.mean(correct)), test_accuracy=acc_test,
                   correct=int(correct.sum()),
                   codes_correct=C.code_counts(bits[correct], parts),
                   codes_all=C.code_counts(bits, parts),
                   points_on_a_hyperplane=int(zero.any(axis=1).sum()),
                   seconds_train=round(t_train, 2), seconds_codes=round(t_codes, 2))
        epochs.append(row)
        C.log('  lr %g seed %d epoch %2d: train acc %.4f test %.4f, codes of correct %d '
              '(fc %d) [%.1fs train, %.1fs codes]'
              % (lr, seed, epoch, row['train_accuracy'], acc_test,
                 row['codes_correct']['network'], row['codes_correct'].get('fc', 0),
                 t_train, t_codes))
    return dict(lr=lr, seed=seed, layers=[p[0] for p in parts],
                neurons={p[0]: p[2] for p in parts}, epochs=epochs)


def summarise(res):
    """Markdown: per learning rate and epoch, mean (min-max) over the seeds."""
    layers = res['runs'][0]['layers']
    keys = ['network', 'conv', 'fc'] + layers
    out = C.md_header('Figure 1: codes of correctly classified training points per epoch',
                      res['settings']) + [
           'Each entry: mean over the seeds (min-max). "codes" = distinct exact codes among the '
           '%d counted training points that the network classifies correctly.' % res['n_count'],
           '']
    for lr in res['lrs']:
        runs = [r for r in res['runs'] if r['lr'] == lr]
        rows = []
        for e in range(len(runs[0]['epochs'])):
            ep = [r['epochs'][e] for r in runs]

            def cell(f, fmt='%.0f'):
                return C.mean_range([f(x) for x in ep], fmt)
            rows.append([e, cell(lambda x: 100 * x['train_accuracy'], '%.2f'),
                         cell(lambda x: 100 * x['test_accuracy'], '%.2f'),
                         cell(lambda x: x['correct'])]
                        + [cell(lambda x, k=k: x['codes_correct'].get(k, 0)) for k in keys])
        out += ['## learning rate %g (%d seeds)' % (lr, len(runs)), '',
                C.md_table(['epoch', 'train acc %', 'test acc %', 'correct'] +
                           ['codes: %s' % k for k in keys], rows), '']
    return '\n'.join(out)


def plot(res, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    layers = res['runs'][0]['layers']
    panels = [('train accuracy (%)', lambda x: 100 * x['train_accuracy']),
              ('codes of correct points: network', lambda x: x['codes_correct']['network']),
              ('codes of correct points: FC head', lambda x: x['codes_correct']['fc']),
              ('codes of correct points: last FC layer',
               lambda x: x['codes_correct'][layers[-1]])]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6))
    colours = ['tab:blue', 'tab:red', 'tab:green', 'tab:purple']
    for ax, (title, f) in zip(axes, panels):
        for lr, col in zip(res['lrs'], colours):
            runs = [r for r in res['runs'] if r['lr'] == lr]
            ep = np.arange(len(runs[0]['epochs']))
            v = np.array([[f(x) for x in r['epochs']] for r in runs])
            ax.plot(ep, v.mean(0), color=col, label='lr %g' % lr)
            ax.fill_between(ep, v.min(0), v.max(0), color=col, alpha=0.25, linewidth=0)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel('epoch')
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=9)
    s = res['settings']
    fig.suptitle('%s, conv %s + FC %s, %d seeds per lr (mean, band = min-max), %d counted '
                 'training points' % (s['data'], s['channels'], s['head'], len(s['seeds'].split(',')),
                                      res['n_count']), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv=None):
    a = parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    X, y = C.DATASETS[a.data]()
    data = C.split(X, y, a.n_train, a.n_test, seed=0)
    a.n_count = min(a.n_count, a.n_train)
    lrs = [float(v) for v in a.lrs.split(',')]
    t0 = time.time()
    runs = [one_run(a, lr, int(seed), data) for lr in lrs for seed in a.seeds.split(',')]
    cmd = C.command_line('fig1_codes.py', argv)
    settings = {k: getattr(a, k) for k in FULL}
    res = dict(settings=C.settings_header(cmd, settings), lrs=lrs, n_count=a.n_count,
               runs=runs, seconds=round(time.time() - t0, 1))
    C.write_json(os.path.join(a.out, 'fig1.json'), res)
    with open(os.path.join(a.out, 'fig1.md'), 'w') as f:
        f.write(summarise(res) + '\n')
    plot(res, os.path.join(a.out, 'fig1.png'))
    C.log('wrote %s/fig1.{json,md,png} in %.0f s' % (a.out, time.time() - t0))
    return 0


if __name__ == '__main__':
    sys.exit(main())
