"""The Python package against independent answers: the CLI's JSON on the
same saved network, torch's float64 forward pass away from hyperplanes,
the IEEE bits of float32 parameters decoded here, Fraction arithmetic.

Run: PYTHONPATH=build/python /usr/bin/python3 -m pytest tests/python
(meson test -C build test_python sets the paths)."""
import gc
import json
import os
import signal
import struct
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import polyverify as pv

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ.get("POLYVERIFY_CLI", str(ROOT / "build" / "polyverify"))
torch = pytest.importorskip("torch")
torch.set_num_threads(1)


def cli(*args):
    r = subprocess.run([CLI, *map(str, args), "--json"], capture_output=True, text=True,
                       check=True)
    return json.loads(r.stdout)


def two_moons(n, seed):
    """Two interleaved half circles with Gaussian noise (own generator)."""
    rng = np.random.RandomState(seed)
    t = rng.uniform(0, np.pi, n)
    y = rng.randint(0, 2, n)
    x = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)],
                 np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return x + 0.1 * rng.randn(n, 2), y


@pytest.fixture(scope="module")
def moons():
    torch.manual_seed(0)
    X, y = two_moons(300, 0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8),
                                torch.nn.ReLU(), torch.nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    for _ in range(200):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(Xt), yt).backward()
        opt.step()
    return model, X, y


@pytest.fixture(scope="module")
def moons_net(moons, tmp_path_factory):
    net = pv.Network.from_torch(moons[0], (2,))
    path = tmp_path_factory.mktemp("net") / "moons.pvnet"
    net.save(path)
    return net, path


def float32_value(f):
    """The exact rational of a float32, decoded from its bits here."""
    (u,) = struct.unpack("<I", struct.pack("<f", f))
    sign, e, frac = u >> 31, (u >> 23) & 255, u & ((1 << 23) - 1)
    assert e != 255
    v = Fraction(frac, 1 << 23) * Fraction(2) ** (1 - 127) if e == 0 else \
        (1 + Fraction(frac, 1 << 23)) * Fraction(2) ** (e - 127)
    return -v if sign else v


def preacts(model, X):
    """Hidden pre-activations in float64 (torch)."""
    m = model.double() if next(model.parameters()).dtype != torch.float64 else model
    zs, h = [], torch.tensor(X, dtype=torch.float64)
    with torch.no_grad():
        for layer in m:
            h = layer(h)
            if isinstance(layer, torch.nn.Linear):
                zs.append(h.clone())
    return torch.cat(zs[:-1], dim=1).numpy()


def test_from_torch_exact_float32_bits(moons):
    model = moons[0]
    net = pv.Network.from_torch(model, (2,))
    assert (net.input_dim, net.neurons, net.nlayers) == (2, 16, 3)
    for k, lin in enumerate([model[0], model[2], model[4]]):
        W, b = net.weights(k)
        Wt = lin.weight.detach().numpy()
        for i in range(Wt.shape[0]):
            assert W[i] == [float32_value(v) for v in Wt[i].tolist()]
        assert b == [float32_value(v) for v in lin.bias.detach().numpy().tolist()]


def test_from_torch_float64(moons):
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(),
                                torch.nn.Linear(3, 1)).double()
    net = pv.Network.from_torch(model, (2,))
    W, _ = net.weights(0)
    assert W[0][0] == Fraction(model[0].weight[0, 0].item())   # the exact double


def test_codes_against_torch_and_cli(moons, moons_net, tmp_path):
    model, X, _ = moons
    net, path = moons_net
    P = np.random.RandomState(1).uniform(-2, 3, (400, 2))
    bits, zero = net.code(P)
    z = preacts(torch.nn.Sequential(*[l for l in model]).float(), P)
    far = (np.abs(z) > 1e-6).all(axis=1)
    assert far.sum() > 350
    assert (bits[far] == (z[far] > 0)).all() and not zero.any()
    csv = tmp_path / "p.csv"
    csv.write_text("".join(",".join(str(Fraction(v)) for v in row) + "\n" for row in P))
    ref = cli("code", path, "--points", csv)
    assert [r["code"] for r in ref] == ["".join(map(str, b)) for b in bits]
    one_bits, one_zero = net.code(P[0])
    assert one_bits.shape == (16,) and (one_bits == bits[0]).all()


def test_zero_preactivation_exact(moons_net):
    net, _ = moons_net
    W, b = net.weights(0)
    # a point where neuron 0's pre-activation W0.x + b0 is exactly 0
    x1 = Fraction(1, 3)
    x0 = -(b[0] + W[0][1] * x1) / W[0][0]
    bits, zero = net.code([[x0, x1]])
    assert zero[0][0] and bits[0][0] == 0


def test_cells_against_cli(moons, moons_net):
    net, path = moons_net
    for x in [[0.5, 0.25], [-1, 1.5], [2, -0.5], ["1/3", "-2/7"]]:
        c = net.cell(point=x)
        ref = cli("cell", path, "--point", ",".join(str(Fraction(v)) for v in x))
        assert c.code == ref["code"] and c.realized == ref["realized"]
        assert c.dim == ref["dim"] and c.bounded == ref["bounded"]
        assert c.point == [Fraction(v) for v in ref["point"]]
        assert c.implicit == ref["implicit_equalities"]
        assert [(f.neurons, f.neighbor) for f in c.facets] == \
            [(f["neurons"], f["neighbor"]) for f in ref["facets"]]
    c = net.cell(code=net.cell(point=[0.5, 0.25]).code, box=(-3, 3))
    ref = cli("cell", path, "--code", c.code, "--box", "-3,3")
    assert [(f.neurons, f.neighbor) for f in c.facets] == \
        [(f["neurons"], f.get("neighbor")) for f in ref["facets"]]


def test_halfspaces_hold_at_the_point(moons_net):
    net, _ = moons_net
    c = net.cell(point=[0.5, 0.25], box=(-3, 3))
    rows = c.halfspaces()
    assert len(rows) == net.neurons + 4
    for r in rows:
        v = sum(a * x for a, x in zip(r.a, c.point)) + r.c
        assert (v > 0) if r.strict else (v >= 0)
    A, cc, strict = c.halfspaces(as_float=True)
    assert A.shape == (len(rows), 2) and strict.dtype == bool


def test_enumeration_against_cli(moons_net):
    net, path = moons_net
    cx = net.enumerate(box=(-2, 3))
    ref = cli("enumerate", path, "--box", "-2,3", "--graph", "json")
    assert [c.code for c in cx.cells] == [c["code"] for c in ref["cell_list"]]
    assert [c.dim for c in cx.cells] == [c["dim"] for c in ref["cell_list"]]
    assert [c.point for c in cx.cells] == \
        [[Fraction(v) for v in c["point"]] for c in ref["cell_list"]]
    ours = {frozenset((cx.cells[a].code, cx.cells[b].code)) for a, b, _, _ in cx.edges}
    theirs = {frozenset((e["a"], e["b"])) for e in ref["edges"]}
    assert ours == theirs
    g = cx.to_networkx()
    assert g.number_of_nodes() == ref["cells"] and g.number_of_edges() == len(theirs)
    for a, b, data in g.edges(data=True):
        ca, cb = g.nodes[a]["code"], g.nodes[b]["code"]
        assert data["neurons"] == [j for j in range(len(ca)) if ca[j] != cb[j]]


def test_lemma1_against_cli(moons_net):
    net, path = moons_net
    l1 = net.lemma1(box=(-2, 3))
    ref = cli("adjacency-check", path, "--enumerate", "--box", "-2,3")
    for k in ["pairs_hamming1", "adjacent_pairs", "hamming1_not_adjacent",
              "adjacent_not_hamming1"]:
        assert l1[k] == ref[k]
    assert l1["holds"] == ref["agrees"]


def test_volumes_tile_the_box(moons_net):
    net, _ = moons_net
    cx = net.enumerate(box=(-1, 1), graph=False)
    total = sum(net.cell(code=c.code, box=(-1, 1)).volume() or 0
                for c in cx.cells if c.dim == 2)
    assert total == 4                         # the square [-1, 1]^2, exactly


def test_certificate_checked(moons_net, tmp_path):
    net, _ = moons_net
    c = net.cell(point=[0.5, 0.25])
    cert, ans = tmp_path / "c.cert", tmp_path / "c.json"
    c.certificate(cert, answer=ans)
    assert pv.check(net, cert, answer=ans)
    text = cert.read_text().splitlines()
    bad = tmp_path / "bad.cert"
    i = next(k for k, l in enumerate(text) if l.startswith("neighbor "))
    code = text[i].split()[-1]                   # claim a wrong neighbour
    text[i] = text[i][: -len(code)] + ("1" if code[0] == "0" else "0") + code[1:]
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(pv.CheckFailed):
        pv.check(net, bad)


def test_segment_radius_slice(moons_net):
    net, path = moons_net
    s = net.segment([-1, 0], [2, 0.5])
    ref = cli("segment", path, "--point", "-1,0", "--point", "2,1/2")
    assert [p[0] for p in s.pieces] == [p["code"] for p in ref["pieces"]]
    assert [b[0] for b in s.breakpoints] == [Fraction(b["t"]) for b in ref["breakpoints"]]
    r = net.radius([0.5, 0.25])
    ref = cli("radius", path, "--point", "1/2,1/4")
    assert r.l2_squared == Fraction(ref["l2_squared"]) and r.linf == Fraction(ref["linf"])
    sl = net.slice(box=(-2, 3))
    full = [c for c in sl.cells if c.dim == 2]
    area2 = sum(abs(sum(p[0] * q[1] - q[0] * p[1]
                        for p, q in zip(c.polygon, c.polygon[1:] + c.polygon[:1])))
                for c in full)
    assert area2 == 2 * 25                    # the 5 x 5 square, exactly
    assert {c.code for c in full} == {c.code for c in net.enumerate(box=(-2, 3)).cells
                                      if c.dim == 2}


def test_cnn_from_torch_codes():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2, eps=0.0),
                            torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(32, 3))
    m[1].running_mean.uniform_()
    m[1].running_var.copy_(torch.tensor([0.25, 4.0]))     # exact square roots
    m.eval()
    net = pv.Network.from_torch(m, (1, 6, 6))
    X = np.random.RandomState(0).randn(50, 36)
    bits, _ = net.code(X)
    with torch.no_grad():
        z = m[:2].double()(torch.tensor(X).reshape(50, 1, 6, 6)).reshape(50, -1).numpy()
    far = (np.abs(z) > 1e-9).all(axis=1)
    assert (bits[far] == (z[far] > 0)).all()
    m2 = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                             torch.nn.ReLU()).eval()
    with pytest.raises(pv.BadInput, match="square"):
        pv.Network.from_torch(m2, (1, 6, 6))     # 1/sqrt(var + eps) irrational


def test_errors(tmp_path, moons_net):
    net, _ = moons_net
    with pytest.raises(pv.FileError) as e:
        pv.Network.load(tmp_path / "missing.pvnet")
    assert isinstance(e.value, OSError)
    bad = tmp_path / "bad.pvnet"
    bad.write_text("pvnet 1\ninput 2\nlayer relu 2\n1 2\n")
    with pytest.raises(pv.BadInput, match="bad.pvnet"):
        pv.Network.load(bad)
    with pytest.raises(pv.BadInput):
        net.cell(code="0101")
    with pytest.raises(pv.BadInput):
        net.cell(code="0" * 16, box=(0, 1), domain="x.vnnlib")
    with pytest.raises(pv.BadInput):
        net.code([[float("nan"), 0]])
    with pytest.raises(pv.BadInput):
        pv.Network.from_layers([(np.ones((2, 3)), [0, 0], "relu"), (np.ones((1, 3)), [0], "linear")])
    with pytest.raises(pv.BadInput):
        net.cell(point=[0.5, 0.25], box=(1, 0))
    assert issubclass(pv.BadInput, pv.Error) and issubclass(pv.BadInput, ValueError)


def test_from_layers_exact_inputs():
    net = pv.Network.from_layers([([["1/3", 1], [Fraction(-1, 7), 0.5]], ["0.1", 0], "relu"),
                                  ([[1, -1]], [0], "linear")])
    W, b = net.weights(0)
    assert W == [[Fraction(1, 3), 1], [Fraction(-1, 7), Fraction(1, 2)]]
    assert b == [Fraction(1, 10), 0]
    assert net.cell(code="10").realized


def big_net():
    rng = np.random.RandomState(3)
    return pv.Network.from_layers([(rng.randn(30, 2), rng.randn(30), "relu"),
                                   (rng.randn(30, 30), rng.randn(30), "relu")])


def huge_net():
    """Far more cells in [-20, 20]^3 than a second finds (a few 10^5)."""
    rng = np.random.RandomState(5)
    return pv.Network.from_layers([(rng.randn(80, 3), rng.randn(80), "relu"),
                                   (rng.randn(80, 80), rng.randn(80), "relu")])


def test_interrupt_keeps_partial():
    net = huge_net()
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(pv.Interrupted) as e:
        net.enumerate(box=(-20, 20))
    assert isinstance(e.value, KeyboardInterrupt)
    part = e.value.partial
    assert isinstance(part, pv.Complex) and not part.complete and part.cells
    with pytest.raises(pv.Timeout) as e:
        net.enumerate(box=(-20, 20), timeout=0.3)
    assert e.value.partial.cells and not e.value.partial.complete


def test_max_cells_and_progress():
    net = big_net()
    with pytest.warns(pv.IncompleteWarning):
        cx = net.enumerate(box=(-20, 20), max_cells=3)
    assert len(cx.cells) == 3 and not cx.complete
    seen = []
    net.enumerate(box=(-3, 3), progress=lambda cells, s: seen.append(cells), graph=False)
    assert seen == sorted(seen)


def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def test_no_leaks_over_10000_calls(moons_net):
    net, _ = moons_net
    core = net._core
    before = sys.getrefcount(core)
    X = np.random.RandomState(2).randn(20, 2)
    for f, n in [(lambda: net.code(X), 10000), (lambda: net.code([0.5, "1/3"]), 10000),
                 (lambda: net.cell(point=[0.5, 0.25]), 2000),
                 (lambda: net.adjacency("0" * 16, "1" + "0" * 15), 2000)]:
        for _ in range(200):
            f()
        gc.collect()
        a = rss_mb()
        for _ in range(n):
            f()
        gc.collect()
        assert rss_mb() - a < 2.0
    for _ in range(1000):
        try:
            net.cell(code="01")
        except pv.BadInput:
            pass
    assert sys.getrefcount(core) == before
