"""Errors: the exception classes of spec16 and their messages."""
import math

import numpy as np
import pytest

import polyverify as pv
import pvtest_util as U


@pytest.fixture(scope="module")
def demo():
    return pv.Network.load(U.EXAMPLES / "demo.pvnet")


def test_hierarchy():
    assert issubclass(pv.Error, Exception)
    assert issubclass(pv.BadInput, pv.Error) and issubclass(pv.BadInput, ValueError)
    assert issubclass(pv.FileError, pv.Error) and issubclass(pv.FileError, OSError)
    assert issubclass(pv.LimitError, pv.Error)
    assert issubclass(pv.Timeout, pv.LimitError) and issubclass(pv.Timeout, TimeoutError)
    assert issubclass(pv.Interrupted, pv.Error) and issubclass(pv.Interrupted, KeyboardInterrupt)
    assert issubclass(pv.OutOfMemory, pv.Error) and issubclass(pv.OutOfMemory, MemoryError)
    assert issubclass(pv.CheckFailed, pv.Error)


def test_missing_file(tmp_path):
    p = tmp_path / "nope.pvnet"
    with pytest.raises(pv.FileError) as ei:
        pv.Network.load(p)
    assert isinstance(ei.value, OSError) and isinstance(ei.value, pv.Error)
    assert "nope.pvnet" in str(ei.value)
    with pytest.raises(OSError):
        pv.Network.load(str(p))


def test_malformed_pvnet(tmp_path):
    p = tmp_path / "broken_net.pvnet"
    p.write_text("pvnet 1\ninput 2\nlayer relu 2\n1 0\n0 x\nbias 0 0\n")
    with pytest.raises(pv.BadInput) as ei:
        pv.Network.load(p)
    msg = str(ei.value)
    assert "broken_net.pvnet" in msg
    assert "\n" not in msg.strip()
    r = U.run_cli("info", p, ok=(1, 2))            # the CLI refuses it too
    assert r.returncode != 0


@pytest.mark.parametrize("text", [
    "",
    "pvnet 1\ninput 2\n",                                     # no layers
    "pvnet 1\ninput 2\nlayer relu 2\n1 0\n0 1\n",             # no bias
    "pvnet 1\ninput 2\nlayer relu 2\n1 0 3\n0 1 4\nbias 0 0\n",   # row too long
    "pvnet 9\ninput 2\nlayer relu 1\n1 0\nbias 0\n",          # unknown version
], ids=["empty", "nolayers", "nobias", "longrow", "version"])
def test_malformed_variants(tmp_path, text):
    p = tmp_path / "bad.pvnet"
    p.write_text(text)
    with pytest.raises(pv.BadInput) as ei:
        pv.Network.load(p)
    assert "bad.pvnet" in str(ei.value)


def test_wrong_code_length(demo):
    with pytest.raises(pv.BadInput) as ei:
        demo.cell(code="0101")
    assert str(ei.value).strip()
    with pytest.raises(pv.BadInput):
        demo.cell(code="1100101")
    with pytest.raises(pv.BadInput):
        demo.cell(code=[1, 1, 0])
    with pytest.raises(pv.BadInput):
        demo.adjacency("110010", "01")
    with pytest.raises(pv.BadInput):
        demo.flips("1")


def test_bad_code_characters(demo):
    with pytest.raises(pv.BadInput):
        demo.cell(code="11001x")
    with pytest.raises(pv.BadInput):
        demo.cell(code=[1, 1, 0, 0, 2, 0])


def test_box_and_domain(demo):
    dom = U.EXAMPLES / "domains" / "triangle.vnnlib"
    assert dom.exists()
    demo.cell(code="110010", domain=dom)            # each alone is fine
    with pytest.raises(pv.BadInput):
        demo.cell(code="110010", box=(0, 1), domain=dom)
    with pytest.raises(pv.BadInput):
        demo.enumerate(box=(0, 1), domain=dom)


def test_code_and_point_both_or_neither(demo):
    with pytest.raises(pv.BadInput):
        demo.cell()
    with pytest.raises(pv.BadInput):
        demo.cell(code="110010", point=[0, 0])


def test_bad_box(demo):
    with pytest.raises(pv.BadInput):
        demo.cell(code="110010", box=(1, 0))
    with pytest.raises(pv.BadInput):
        demo.cell(code="110010", box="a,b")
    with pytest.raises(pv.BadInput):
        demo.cell(code="110010", box=[(0, 1), (0, 1), (0, 1)])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_code_non_finite(demo, bad):
    with pytest.raises(pv.BadInput):
        demo.code([bad, 0.0])
    with pytest.raises(pv.BadInput):
        demo.code(np.array([[0.0, 0.0], [0.0, bad]]))
    with pytest.raises(pv.BadInput):
        demo.cell(point=[bad, 0.0])


def test_code_wrong_dimension(demo):
    with pytest.raises(pv.BadInput):
        demo.code([[1, 2, 3]])
    with pytest.raises(pv.BadInput):
        demo.code(np.zeros((4, 3)))
    with pytest.raises(pv.BadInput):
        demo.cell(point=[0.0])
    with pytest.raises(pv.BadInput):
        demo.code(["1/0", "0"])


def test_from_layers_mismatch():
    with pytest.raises(pv.BadInput) as ei:          # bias length 2 for 3 rows
        pv.Network.from_layers([(np.ones((3, 2)), np.ones(2), "relu")])
    assert "layer 0" in str(ei.value)
    with pytest.raises(pv.BadInput) as ei:          # layer 1 takes 4 inputs, layer 0 gives 3
        pv.Network.from_layers([(np.ones((3, 2)), np.ones(3), "relu"),
                                (np.ones((1, 4)), np.ones(1), "linear")])
    assert "layer 1" in str(ei.value)
    with pytest.raises(pv.BadInput):                # ragged rows
        pv.Network.from_layers([([[1, 0], [1]], [0, 0], "relu")])
    with pytest.raises(pv.BadInput):
        pv.Network.from_layers([(np.ones((3, 2)), np.ones(3), "tanh")])
    with pytest.raises(pv.BadInput):
        pv.Network.from_layers([(np.ones((3, 2)), np.ones(3))])
    with pytest.raises(pv.BadInput):
        pv.Network.from_layers([([[1, "x"]], [0], "relu")])
    with pytest.raises(pv.BadInput):
        pv.Network.from_layers([(np.array([[np.nan, 1.0]]), np.zeros(1), "relu")])


def test_from_layers_exact_ok():
    """The happy path of the same call, for contrast: exact values in, exact out."""
    from fractions import Fraction
    net = pv.Network.from_layers([([[Fraction(1, 3), "0.1"], [1, 2.5]], ["-1/7", 0], "relu"),
                                  ([[1, -1]], [0], "linear")])
    W, b = net.weights(0)
    assert W == [[Fraction(1, 3), Fraction(1, 10)], [Fraction(1), Fraction(5, 2)]]
    assert b == [Fraction(-1, 7), Fraction(0)]
    assert net.neurons == 2 and net.input_dim == 2


def test_missing_domain_file(demo, tmp_path):
    with pytest.raises(pv.FileError):
        demo.cell(code="110010", domain=tmp_path / "nope.vnnlib")


def test_every_error_is_pv_error(demo, tmp_path):
    calls = [
        lambda: pv.Network.load(tmp_path / "missing.pvnet"),
        lambda: demo.cell(code="01"),
        lambda: demo.code([math.nan, 0]),
        lambda: demo.cell(code="110010", box=(0, 1), domain="x.vnnlib"),
        lambda: pv.Network.from_layers([(np.ones((3, 2)), np.ones(2), "relu")]),
        lambda: pv.check(demo, tmp_path / "missing.cert"),
        lambda: demo.segment([0, 0], [0, 0, 0]),
        lambda: demo.radius([0]),
    ]
    for f in calls:
        with pytest.raises(pv.Error) as ei:
            f()
        assert str(ei.value).strip()
