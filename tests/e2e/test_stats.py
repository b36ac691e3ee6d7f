"""End-to-end test of `polyverify stats` (the paper's code-space experiment).

Every expected value is computed here by brute force from the independent
exact forward pass of oracle.py: the distinct codes of the points (whole
network and per layer), per class, the histogram of Hamming distances over
ALL pairs of distinct codes, and the connected components of the graph
d_H = 1 (by a plain union-find over all pairs). Run as
`python3 tests/e2e/test_stats.py POLYVERIFY` from the project root.
"""

import itertools
import json
import os
import random
import shutil
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from randnet import random_net, net_text  # noqa: E402


def brute_force(net, points, labels, scale):
    """The statistics, computed from first principles."""
    codes = [oracle.forward(net, [v * scale for v in p])[0] for p in points]
    widths = [len(l.W) for l in net.layers if l.activation == 'relu']
    by_layer, start = [], 0
    for w in widths:
        by_layer.append(len({c[start:start + w] for c in codes}))
        start += w
    distinct = sorted(set(codes))
    hist = {}
    for a, b in itertools.combinations(distinct, 2):
        d = sum(x != y for x, y in zip(a, b))
        hist[str(d)] = hist.get(str(d), 0) + 1
    parent = list(range(len(distinct)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i
    for i, j in itertools.combinations(range(len(distinct)), 2):
        if sum(x != y for x, y in zip(distinct[i], distinct[j])) == 1:
            parent[find(i)] = find(j)
    sizes = {}
    for i in range(len(distinct)):
        sizes[find(i)] = sizes.get(find(i), 0) + 1
    per_code = {}
    for c in codes:
        per_code[c] = per_code.get(c, 0) + 1
    classes = []
    for lab in sorted(set(labels)):
        mine = [c for c, l in zip(codes, labels) if l == lab]
        classes.append({'label': lab, 'points': len(mine), 'distinct_codes': len(set(mine))})
    shared = sum(1 for c in distinct if len({l for cc, l in zip(codes, labels) if cc == c}) > 1)
    return {
        'points': len(points), 'distinct_codes': len(distinct),
        'distinct_by_layer': by_layer,
        'max_points_per_code': max(per_code.values()),
        'singleton_codes': sum(1 for v in per_code.values() if v == 1),
        'classes': classes, 'codes_shared_by_classes': shared,
        'hamming_histogram': hist,
        'hamming_pairs': len(distinct) * (len(distinct) - 1) // 2,
        'hamming_sampled': False,
        'hamming1_components': {'count': len(sizes), 'largest': max(sizes.values()),
                                'isolated': sum(1 for v in sizes.values() if v == 1)},
    }


def main():
    runner = oracle.Runner(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix='pv_stats_')
    try:
        rng = random.Random(606)
        for seed, (m, widths) in enumerate([(2, [5, 4]), (3, [4, 3, 3]), (2, [6])]):
            net = random_net(rng, m, widths, linear_out=True)
            path = os.path.join(tmp, 'net%d.pvnet' % seed)
            with open(path, 'w') as f:
                f.write(net_text(net, rng, 'stats test net'))
            # integer "pixels" 0..20 with a label column first, scaled by 1/10
            points = [[Fraction(rng.randint(-20, 20)) for _ in range(m)] for _ in range(60)]
            points += points[:5]                      # repeated points share codes
            labels = [str(rng.randint(0, 2)) for _ in points]
            csv = os.path.join(tmp, 'data%d.csv' % seed)
            with open(csv, 'w') as f:
                for lab, p in zip(labels, points):
                    f.write(','.join([lab] + [str(v) for v in p]) + '\n')
            got = runner.run_json('stats', path, '--data', csv, '--label-column', '0',
                                  '--scale', '1/10', what='stats net%d' % seed)
            want = brute_force(net, points, labels, Fraction(1, 10))
            if got is None:
                continue
            for key, value in want.items():
                runner.equal(got.get(key), value, 'net%d %s' % (seed, key))
        # bad input: no --data, bad scale, wrong column count
        rc, out, err = runner.run('stats', path)
        runner.check(rc == 2 and out == '' and '--data' in err, 'stats without --data: usage error')
        rc, out, err = runner.run('stats', path, '--data', csv, '--scale', 'x')
        runner.check(rc == 1 and out == '', 'stats with a bad --scale')
        rc, out, err = runner.run('stats', path, '--data', csv)
        runner.check(rc == 1 and out == '' and 'data2.csv' in err,
                     'a label column read as a coordinate gives a clear error: %r' % err[:200])
    finally:
        shutil.rmtree(tmp)
    runner.finish()


if __name__ == '__main__':
    main()
