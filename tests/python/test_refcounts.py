"""Leaks and reference counts over many calls (a release Python has no
sys.gettotalrefcount: we measure tracemalloc, the resident set size, the
number of gc-tracked objects and sys.getrefcount of the Network)."""
import gc
import os
import sys
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest

import polyverify as pv

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


@pytest.fixture(scope="module")
def net(moons_pv):
    return pv.Network.load(moons_pv[1])


def calls(net):
    c = net.cell(point=[0.3, 0.2])
    nb = next(f.neighbor for f in c.facets if f.neighbor)
    X = np.array([[0.3, 0.2], [-1.0, 1.0], [2.0, -0.5]])
    return {
        "code_point": (10000, lambda: net.code([0.3, 0.2])),
        "code_array": (10000, lambda: net.code(X)),
        "code_fractions": (5000, lambda: net.code([Fraction(3, 10), "1/5"])),
        "cell_point": (4000, lambda: net.cell(point=[0.3, 0.2])),
        "cell_code_box": (2000, lambda: net.cell(code=c.code, box=(-2, 3))),
        "adjacency": (4000, lambda: net.adjacency(c.code, nb)),
        "halfspaces": (4000, lambda: c.halfspaces()),
        "error": (5000, lambda: _bad(net)),
    }


def _bad(net):
    try:
        net.cell(code="01")
    except pv.BadInput:
        pass


CASES = ["code_point", "code_array", "code_fractions", "cell_point", "cell_code_box",
         "adjacency", "halfspaces", "error"]


@pytest.mark.parametrize("name", CASES)
def test_no_leak(net, name):
    n, f = calls(net)[name]
    for _ in range(300):                       # warm-up: caches, worker thread, arenas
        f()
    gc.collect()
    refs0 = sys.getrefcount(net)
    core0 = sys.getrefcount(net._core) if hasattr(net, "_core") else None
    objs0 = len(gc.get_objects())
    rss0 = rss()
    for _ in range(n):
        f()
    gc.collect()
    grow_rss = rss() - rss0
    grow_objs = len(gc.get_objects()) - objs0
    # (counted outside `assert`: pytest's assertion rewriting holds temporaries)
    refs1 = sys.getrefcount(net)
    core1 = sys.getrefcount(net._core) if core0 is not None else None
    assert refs1 == refs0
    assert core1 == core0
    assert grow_objs < 100, f"{grow_objs} more gc-tracked objects after {n} calls"
    assert grow_rss < 2 ** 20, f"RSS grew by {grow_rss / 2**20:.1f} MiB over {n} calls"


@pytest.mark.parametrize("name", ["code_point", "cell_point", "adjacency", "error"])
def test_no_python_allocation_growth(net, name):
    """tracemalloc: what Python allocates per call is given back."""
    n, f = calls(net)[name]
    n = min(n, 2000)
    for _ in range(200):
        f()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(200):
            f()
        gc.collect()
        s0, _ = tracemalloc.get_traced_memory()
        for _ in range(n):
            f()
        gc.collect()
        s1, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert s1 - s0 < 64 * 1024, f"traced Python memory grew by {s1 - s0} bytes over {n} calls"


def test_result_refcounts(net):
    """Objects handed back hold no extra references (they die with their name)."""
    import weakref
    bits, zero = net.code(np.array([[0.3, 0.2]]))
    nb = sys.getrefcount(bits)
    assert nb <= 3
    c = net.cell(point=[0.3, 0.2])
    r = weakref.ref(c)
    del c
    gc.collect()
    assert r() is None
    X = np.array([[0.3, 0.2], [1.0, 1.0]])
    before = sys.getrefcount(X)
    for _ in range(1000):
        net.code(X)
    after = sys.getrefcount(X)
    assert after == before
    p = [0.3, 0.2]
    before = sys.getrefcount(p)
    for _ in range(1000):
        net.cell(point=p)
    after = sys.getrefcount(p)
    assert after == before


def test_networks_freed():
    """Making and dropping networks does not grow the RSS."""
    W1 = np.random.RandomState(0).randn(30, 2)
    mk = lambda: pv.Network.from_layers([(W1, np.zeros(30), "relu"),
                                         (np.ones((1, 30)), np.zeros(1), "linear")])
    for _ in range(200):
        mk()
    gc.collect()
    r0 = rss()
    for _ in range(3000):
        n = mk()
        n.code([0.1, 0.2])
    del n
    gc.collect()
    assert rss() - r0 < 4 * 2 ** 20
