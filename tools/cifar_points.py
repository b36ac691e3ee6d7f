#!/usr/bin/env python3
"""CIFAR-10 points in the input space of oval21's nets, for tools/bench_cifar.sh.

    python3 tools/cifar_points.py VNNLIB_DIR ERAN_CSV N > points.csv

Writes N rows `label,x_0,...,x_3071` (label first: read with
`--label-column 0`), x in oval21's input space: each pixel p in 0..255 of
channel c is (p/255 - mean_c) / 0.225 with mean = (0.485, 0.456, 0.406),
the tensor laid out C, H, W. That normalisation is oval21's (every
unclipped coordinate of its vnnlib centres times 0.225 plus mean_c is a
multiple of 1/255).

The rows, in this order:
 1. the 100 CIFAR-10 test images of ERAN's data/cifar10_test.csv (label,
    then the pixels interleaved R,G,B per pixel, row-major: test images 0-99);
 2. the 30 CIFAR-10 test images at the centres of oval21's properties
    (VNNLIB_DIR: cifar_*_kw-img<K>-eps<E>.vnnlib[.gz]); a pixel whose box was
    clipped to [0, 1] is recovered from its other bound and E;
 3. as many points as N still needs, drawn uniformly (seed 15) from those
    30 boxes in turn: near-images, not images. The label of a row from a box
    is the property's label (its output clause Y_label <= Y_j).
There are 130 real images; rows beyond them are of kind 3.
Stdlib only; coordinates printed with 9 significant digits (the vnnlib
files' own precision is float32).
"""
import gzip
import os
import random
import re
import sys

MEAN = (0.485, 0.456, 0.406)
STD = 0.225
BOUND = re.compile(r'\(assert \((<=|>=) X_(\d+) ([-+0-9.eE]+)\)\)')


def normalise(pixels):
    """pixels: 3072 values 0..255, C, H, W order."""
    return [(p / 255 - MEAN[i // 1024]) / STD for i, p in enumerate(pixels)]


def eran_images(path):
    rows = []
    with open(path) as f:
        for line in f:
            v = [int(t) for t in line.split(',')]
            hwc = v[1:]
            chw = [hwc[(h * 32 + w) * 3 + c] for c in range(3) for h in range(32) for w in range(32)]
            rows.append((v[0], normalise(chw)))
    return rows


def oval_property(path):
    """(label, image as normalised coordinates, lo, hi)."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt') as f:
        text = f.read()
    lo, hi = {}, {}
    for op, i, v in BOUND.findall(text):
        (hi if op == '<=' else lo)[int(i)] = float(v)
    eps = float(re.search(r'-eps([0-9.eE-]+?)\.vnnlib', os.path.basename(path)).group(1))
    label = int(re.search(r'\(<= Y_(\d+) Y_\d+\)', text).group(1))
    n = len(lo)
    pixels = []
    for i in range(n):
        # in pixel units; a box clipped at 255 (0) keeps its lower (upper) bound
        up = (hi[i] * STD + MEAN[i // 1024]) * 255
        down = (lo[i] * STD + MEAN[i // 1024]) * 255
        pixels.append(round(up - eps * 255) if up < 255 - 1e-3 else round(down + eps * 255))
    return label, normalise(pixels), [lo[i] for i in range(n)], [hi[i] for i in range(n)]


def main():
    vnnlib_dir, eran_csv, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = eran_images(eran_csv)
    props = [oval_property(os.path.join(vnnlib_dir, f))
             for f in sorted(os.listdir(vnnlib_dir)) if '.vnnlib' in f]
    rows += [(label, x) for label, x, _, _ in props]
    rng = random.Random(15)
    k = 0
    while len(rows) < n:
        label, _, lo, hi = props[k % len(props)]
        rows.append((label, [a + (b - a) * rng.random() for a, b in zip(lo, hi)]))
        k += 1
    out = sys.stdout
    for label, x in rows[:n]:
        out.write(str(label) + ',' + ','.join('%.9g' % v for v in x) + '\n')


if __name__ == '__main__':
    main()
