"""threads= on the parallel calls (issue 19): the same answer for 1, 2 and 3
threads, compared field by field — cells with their exact points and the
graph, explorations, flips, exact codes of many points, code statistics."""
from fractions import Fraction

import numpy as np

import polyverify as pv
import pvtest_util as U

DEMO = U.EXAMPLES / "demo.pvnet"


def cells(cx):
    return [(c.code, c.dim, tuple(c.point)) for c in cx.cells], sorted(map(tuple, cx.edges))


def test_enumerate_same_for_every_thread_count(moons_pv):
    net, _ = moons_pv
    ref = cells(net.enumerate(box=(-3, 3), threads=1))
    assert len(ref[0]) > 20
    for t in (2, 3):
        assert cells(net.enumerate(box=(-3, 3), threads=t)) == ref


def test_explore_and_flips_same_for_every_thread_count():
    net = pv.Network.load(DEMO)
    a = net.explore(point=[Fraction(1, 3), Fraction(-1, 4)], box=(-2, 2), threads=1)
    b = net.explore(point=[Fraction(1, 3), Fraction(-1, 4)], box=(-2, 2), threads=3)
    assert [(c.code, c.depth, tuple(c.point)) for c in a.cells] == \
        [(c.code, c.depth, tuple(c.point)) for c in b.cells]
    f1 = net.flips("100010", box=(-2, 2), threads=1)
    f3 = net.flips("100010", box=(-2, 2), threads=3)
    assert [(f.neuron, f.code, f.realized, f.adjacent) for f in f1] == \
        [(f.neuron, f.code, f.realized, f.adjacent) for f in f3]


def test_codes_and_stats_same_for_every_thread_count(moons_pv):
    net, _ = moons_pv
    rng = np.random.default_rng(7)
    X = rng.uniform(-3, 3, size=(3000, 2))      # several parts of 512 points
    b1, z1 = net.code(X, threads=1)
    for t in (2, 3):
        b, z = net.code(X, threads=t)
        assert (b == b1).all() and (z == z1).all()
    s1 = net.stats(X, threads=1)
    assert net.stats(X, threads=3) == s1
