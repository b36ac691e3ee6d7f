"""Limits: max_cells, Ctrl-C (SIGINT) during a long enumeration, progress, timeout."""
import os
import signal
import threading
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest

import polyverify as pv
import pvtest_util as U
from pvtest_util import cli_json


def big_layers():
    """A random 2-80-80-1 net (fixed seed): its enumeration in [-10, 10]^2 takes
    several seconds (8592 cells, about 4 s for the CLI on this machine)."""
    r = np.random.RandomState(1)
    return [(r.randn(80, 2), r.randn(80) * 3, "relu"),
            (r.randn(80, 80) / 9, r.randn(80), "relu"),
            (r.randn(1, 80), r.randn(1), "linear")]


@pytest.fixture(scope="module")
def big():
    layers = big_layers()
    exact = [([[Fraction(float(v)) for v in row] for row in W], [Fraction(float(v)) for v in b], a)
             for W, b, a in layers]
    return pv.Network.from_layers(layers), exact


def test_max_cells(moons_pv):
    net, path = moons_pv
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cx = net.enumerate(box=(-2, 3), max_cells=3)
    assert isinstance(cx, pv.Complex)
    assert cx.complete is False
    assert len(cx.cells) == 3
    j = cli_json("enumerate", path, "--box", "-2,3", "--max-cells", "3", ok=(3,))
    assert j["complete"] is False and j["cells"] == 3
    full = {c["code"] for c in cli_json("enumerate", path, "--box", "-2,3")["cell_list"]}
    assert {c.code for c in cx.cells} <= full


def test_max_cells_lemma1_and_explore(moons_pv):
    net, path = moons_pv
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ex = net.explore(point=[0.3, 0.2], max_cells=3)
        assert ex.complete is False and len(ex.cells) == 3
        ex = net.explore(point=[0.3, 0.2], max_depth=1)
        assert ex.complete is False
    j = cli_json("explore", path, "--point", "3/10,1/5", "--max-depth", "1", ok=(0, 3))
    got = sorted((c.code, c.depth) for c in ex.cells)
    want = sorted((c["code"], c["depth"]) for c in j["cells"])
    assert got == want


def run_with_sigint(fn, after):
    """Calls fn() with a SIGINT sent to this process after `after` seconds.
    Returns (result, exception); a plain KeyboardInterrupt is a failure."""
    timer = threading.Timer(after, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    try:
        return fn(), None, time.monotonic() - t0
    except pv.Interrupted as e:
        return None, e, time.monotonic() - t0
    except KeyboardInterrupt as e:       # not the package's Interrupted
        pytest.fail(f"SIGINT gave a plain {type(e).__name__}, not pv.Interrupted")
    finally:
        timer.cancel()
        timer.join()


def test_interrupt_enumerate(big):
    net, exact = big
    r, e, dt = run_with_sigint(lambda: net.enumerate(box=(-10, 10)), 0.3)
    assert e is not None, f"the enumeration ended ({len(r.cells)} cells) before the SIGINT"
    assert isinstance(e, KeyboardInterrupt) and isinstance(e, pv.Error)
    assert dt < 2.5, f"SIGINT took {dt:.2f} s to stop the run"
    assert str(e).strip()
    cx = e.partial
    assert isinstance(cx, pv.Complex)
    assert cx.complete is False
    assert len(cx.cells) >= 1
    # every cell decided so far is exact: its point has its code
    for c in cx.cells[:: max(1, len(cx.cells) // 20)]:
        assert U.bits_str(int(v > 0) for v in U.exact_preacts(exact, c.point)) == c.code
    # the network still works afterwards
    cx2 = net.enumerate(box=(-1, 1), graph=False)
    assert cx2.complete is True and len(cx2.cells) > 0


def test_progress_callback(big):
    net, _ = big
    calls = []

    def progress(cells, seconds):
        calls.append((cells, seconds))

    r, e, dt = run_with_sigint(lambda: net.enumerate(box=(-10, 10), progress=progress), 1.6)
    assert e is not None
    assert len(calls) >= 1, "progress was never called in a 1.6 s run"
    for (c0, s0), (c1, s1) in zip(calls, calls[1:]):
        assert c1 >= c0 and s1 >= s0
    assert all(isinstance(c, int) and isinstance(s, float) for c, s in calls)
    assert calls[-1][0] > 0 and len(e.partial.cells) > 0


def test_progress_exception_stops_run(big):
    net, _ = big

    class Stop(Exception):
        pass

    def progress(cells, seconds):
        raise Stop()

    t0 = time.monotonic()
    with pytest.raises(Stop):
        net.enumerate(box=(-10, 10), progress=progress)
    assert time.monotonic() - t0 < 3


def test_timeout(big):
    net, _ = big
    t0 = time.monotonic()
    with pytest.raises(pv.Timeout) as ei:
        net.enumerate(box=(-10, 10), timeout=0.5)
    assert time.monotonic() - t0 < 2.5
    assert isinstance(ei.value, TimeoutError) and isinstance(ei.value, pv.LimitError)
    p = ei.value.partial
    assert isinstance(p, pv.Complex) and p.complete is False and len(p.cells) >= 1


def test_interrupt_slice(big):
    net, exact = big
    r, e, dt = run_with_sigint(lambda: net.slice(p=[0, 0], d1=[1, 0], d2=[0, 1],
                                                 box=(-10, 10)), 0.3)
    assert e is not None, "the slice ended before the SIGINT"
    assert dt < 2.5
    p = e.partial
    assert p is not None and p.complete is False and len(p.cells) >= 1
    for c in list(p.cells)[:10]:
        assert c.dim in (0, 1, 2) and len(c.polygon) >= 1
