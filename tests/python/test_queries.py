"""The questions of the package on the trained moons net, against the CLI's
JSON on the same saved .pvnet and against exact Fraction arithmetic of our own."""
import itertools
import json
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import polyverify as pv
import pvtest_util as U
from pvtest_util import cli_json, fr, frs, arg_point

BOX = (-2, 3)


@pytest.fixture(scope="module")
def mp(moons_pv):
    return moons_pv


@pytest.fixture(scope="module")
def exact_layers(moons_net):
    return U.torch_mlp_layers_exact(moons_net[0])


@pytest.fixture(scope="module")
def cli_enum(mp):
    return cli_json("enumerate", mp[1], "--box", "-2,3", "--graph", "json")


@pytest.fixture(scope="module")
def py_enum(mp):
    return mp[0].enumerate(box=BOX, graph=True)


def sample_points(moons_net):
    X = moons_net[1]
    rng = np.random.RandomState(11)
    return [X[0], X[1], X[17], X[100], rng.uniform(-2, 3, 2), rng.uniform(-2, 3, 2),
            np.array([0.25, -0.75]), np.array([2.5, 2.5])]


def code_of(layers, x):
    return "".join(str(int(v > 0)) for v in U.exact_preacts(layers, x))


def facet_key(box_or_none):
    return None if box_or_none is None else tuple(box_or_none)


def check_cell_vs_cli(c, j):
    assert c.code == j["code"]
    assert c.realized == j["realized"]
    assert c.dim == j["dim"]
    assert c.point == frs(j["point"])
    assert c.bounded == j["bounded"]
    assert list(c.implicit) == j["implicit_equalities"]
    assert sorted(map(tuple, c.implicit_box)) == sorted(map(tuple, j.get("implicit_box", [])))
    assert sorted(c.implicit_domain) == sorted(j.get("implicit_domain", []))
    want = sorted((tuple(f["neurons"]), f["neighbor"] or "", facet_key(f.get("box")) or (),
                   -1 if f.get("domain") is None else f["domain"]) for f in j["facets"])
    got = sorted((tuple(f.neurons), f.neighbor or "", facet_key(f.box) or (),
                  -1 if f.domain_row is None else f.domain_row) for f in c.facets)
    assert got == want
    for f in c.facets:
        assert isinstance(f, pv.Facet)
        if f.neighbor is not None:
            d = U.differing(c.code, f.neighbor)
            assert d and set(d) <= set(f.neurons)


# ---- saving and loading ----------------------------------------------------

def test_save_load_roundtrip(mp, moons_net):
    net, path = mp
    net2 = pv.Network.load(path)
    assert net2.input_dim == 2 and net2.neurons == 16 and net2.nlayers == 3
    assert net2.format == "pvnet"
    assert net2.fingerprint == net.fingerprint
    for k in range(3):
        assert net2.weights(k) == net.weights(k)
    info = cli_json("info", path)
    assert info["input_dim"] == 2 and info["neurons"] == 16
    assert [l["width"] for l in info["layers"]] == [l.out_dim for l in net2.layers]


def test_info_vs_cli(mp):
    """net.info() is what `polyverify info --json` says (spec16)."""
    net, path = mp
    net = pv.Network.load(path)
    info, j = net.info(), cli_json("info", path)
    for key in ("format", "input_dim", "neurons", "dialect", "input_shape", "output_head"):
        assert info[key] == j[key], key
    assert [(l["activation"], l["relus"], l["nnz"]) for l in info["layers"]] == \
        [(l["activation"], l["relus"], l["nnz"]) for l in j["layers"]]
    assert [(c["first"], c["last"]) for c in info["code_layout"]] == \
        [(c["first"], c["last"]) for c in j["code_layout"]]


# ---- cell ------------------------------------------------------------------

def test_cell_point_vs_cli(mp, moons_net, exact_layers):
    net, path = mp
    for x in sample_points(moons_net):
        c = net.cell(point=x)
        j = cli_json("cell", path, "--point", arg_point(x))
        check_cell_vs_cli(c, j)
        assert isinstance(c, pv.Cell)
        assert all(isinstance(v, Fraction) for v in c.point)
        assert c.code == code_of(exact_layers, x)
        assert code_of(exact_layers, c.point) == c.code     # interior point, full-dim
        assert c.dim == 2 and c.realized


def test_cell_point_float(mp):
    net, _ = mp
    c = net.cell(point=[0.5, 0.25])
    pf = c.point_float
    assert pf.dtype == np.float64 and pf.shape == (2,)
    assert list(pf) == [float(v) for v in c.point]


def test_cell_exact_input_types(mp):
    """Fractions, str and float give the same cell when they are the same number."""
    net, _ = mp
    a = net.cell(point=[0.5, 0.25])
    b = net.cell(point=[Fraction(1, 2), Fraction(1, 4)])
    c = net.cell(point=["1/2", "0.25"])
    assert a.code == b.code == c.code and a.point == b.point == c.point


def test_cell_code_box_vs_cli(mp, cli_enum):
    net, path = mp
    codes = [c["code"] for c in cli_enum["cell_list"][::9]]
    for code in codes:
        c = net.cell(code=code, box=(-3, 3))
        j = cli_json("cell", path, "--code", code, "--box", "-3,3")
        check_cell_vs_cli(c, j)
        assert c.bounded is True
    # the same code given as a 0/1 array, as a list, and with layer separators
    code = codes[0]
    arr = np.array([int(ch) for ch in code], dtype=np.uint8)
    assert net.cell(code=arr, box=(-3, 3)).code == code
    assert net.cell(code=[int(ch) for ch in code], box=(-3, 3)).code == code
    assert net.cell(code=code[:8] + "|" + code[8:], box=(-3, 3)).code == code


def test_cell_box_forms(mp):
    net, path = mp
    code = net.cell(point=[0.5, 0.25]).code
    a = net.cell(code=code, box=(-3, 3))
    b = net.cell(code=code, box="-3,3")
    c = net.cell(code=code, box=[(-3, 3), (-3, 3)])
    assert a.point == b.point == c.point and a.facets == b.facets == c.facets
    d = net.cell(code=code, box=[(-3, 3), (0, 1)])
    j = cli_json("cell", path, "--code", code, "--box", "-3,3,0,1")
    check_cell_vs_cli(d, j)


def test_cell_unrealised_vs_cli(mp):
    net, path = mp
    j = cli_json("adjacency-check", path, "--code", net.cell(point=[0.3, 0.2]).code, "--flips")
    unreal = [f["code"] for f in j["flips"] if not f["realized"]]
    assert unreal
    for code in unreal[:3]:
        c = net.cell(code=code)
        jc = cli_json("cell", path, "--code", code)
        assert jc["realized"] is False
        assert c.realized is False and c.dim == -1 and c.point is None and c.bounded is None
        assert c.code == jc["code"]


# ---- enumerate -------------------------------------------------------------

def test_enumerate_vs_cli(mp, cli_enum, py_enum):
    cx = py_enum
    assert isinstance(cx, pv.Complex) and cx.complete is True
    assert len(cx.cells) == cli_enum["cells"]
    got = sorted((c.code, c.dim, tuple(c.point)) for c in cx.cells)
    want = sorted((c["code"], c["dim"], tuple(frs(c["point"]))) for c in cli_enum["cell_list"])
    assert got == want
    assert len(cx.by_dim) == 3
    assert {str(d): n for d, n in enumerate(cx.by_dim) if n} == cli_enum["cells_by_dim"]
    assert sum(cx.by_dim) == len(cx.cells)


def test_enumerate_edges_vs_cli(mp, cli_enum, py_enum):
    cx = py_enum
    got = {}
    for e in cx.edges:
        i, j, neurons, h = e
        a, b = cx.cells[i].code, cx.cells[j].code
        assert neurons == U.differing(a, b)
        assert h == U.hamming(a, b)
        got[frozenset((a, b))] = h
    want = {frozenset((e["a"], e["b"])): e["hamming"] for e in cli_enum["edges"]}
    assert len(got) == len(cx.edges)
    assert got == want


def test_enumerate_unbounded_without_lps(mp, exact_layers):
    """All of R^2: the unbounded cells are decided by exact vertices and rays
    (no exact LP; a float LP only searches an interior point of a cell first
    reached as the code of a face, at most one per cell), with the same
    cells and edges as the LP engine."""
    net, path = mp
    cx = net.enumerate(graph=True)
    assert cx.complete is True
    assert cx.stats["exact_lps"] == 0 and cx.stats["float_lps"] <= len(cx.cells)
    slow = cli_json("enumerate", path, "--graph", "json", "--lp-only")
    assert sorted((c.code, c.dim) for c in cx.cells) == \
        sorted((c["code"], c["dim"]) for c in slow["cell_list"])
    got = {frozenset((cx.cells[e[0]].code, cx.cells[e[1]].code)) for e in cx.edges}
    assert got == {frozenset((e["a"], e["b"])) for e in slow["edges"]}
    for c in cx.cells:
        assert code_of(exact_layers, c.point) == c.code


def test_enumerate_points_exact(py_enum, exact_layers):
    """Each listed point has the listed code, by our own exact forward pass."""
    for c in py_enum.cells:
        assert c.dim == 2
        assert code_of(exact_layers, c.point) == c.code
        assert all(Fraction(-2) < v < Fraction(3) for v in c.point)


def test_to_networkx(cli_enum, py_enum):
    g = py_enum.to_networkx()
    assert g.number_of_nodes() == cli_enum["cells"]
    assert g.number_of_edges() == len(cli_enum["edges"])
    by_code = {c["code"]: c for c in cli_enum["cell_list"]}
    for i, d in g.nodes(data=True):
        c = by_code[d["code"]]
        assert d["dim"] == c["dim"] and d["point"] == frs(c["point"])
    for i, j, d in g.edges(data=True):
        a, b = g.nodes[i]["code"], g.nodes[j]["code"]
        assert d["neurons"] == U.differing(a, b)
        assert d["hamming"] == U.hamming(a, b)


def test_enumerate_no_graph(mp, py_enum):
    cx = mp[0].enumerate(box=BOX, graph=False)
    assert sorted(c.code for c in cx.cells) == sorted(c.code for c in py_enum.cells)
    assert cx.edges == []


def test_enumerate_volumes_tile_box(mp, py_enum):
    """Independent: the cells' exact polygon areas (slice) sum to the box area."""
    sl = list(mp[0].slice(box=BOX))
    assert sum(U.shoelace(c.polygon) for c in sl if c.dim == 2) == 25


# ---- adjacency, flips ------------------------------------------------------

ADJ_FIELDS = ["hamming", "dim_a", "dim_b", "common_dim", "adjacent", "d_A", "d_H2", "agrees"]


def check_adj(a, j):
    assert isinstance(a, pv.Adjacency)
    for k in ADJ_FIELDS:
        assert getattr(a, k) == j[k], k
    assert a.common_point == frs(j.get("common_point"))


def test_adjacency_vs_cli(mp, cli_enum):
    net, path = mp
    c = net.cell(point=[0.3, 0.2])
    pairs = [(c.code, f.neighbor) for f in c.facets if f.neighbor][:4]
    codes = [x["code"] for x in cli_enum["cell_list"]]
    far = max(codes, key=lambda b: U.hamming(b, c.code))
    pairs.append((c.code, far))
    unreal = [f["code"] for f in cli_json("adjacency-check", path, "--code", c.code,
                                          "--flips")["flips"] if not f["realized"]]
    pairs.append((c.code, unreal[0]))
    for a_code, b_code in pairs:
        check_adj(net.adjacency(a_code, b_code),
                  cli_json("adjacency-check", path, "--code", a_code, "--code", b_code))
        check_adj(net.adjacency(a_code, b_code, box=BOX),
                  cli_json("adjacency-check", path, "--code", a_code, "--code", b_code,
                           "--box", "-2,3"))
    a = net.adjacency(c.code, unreal[0])
    assert a.adjacent is None and a.d_A is None and a.agrees is None


def test_flips_vs_cli(mp):
    net, path = mp
    for x in ([0.3, 0.2], [-1.0, 1.0]):
        code = net.cell(point=x).code
        j = cli_json("adjacency-check", path, "--code", code, "--flips")
        fl = net.flips(code)
        assert all(isinstance(f, pv.Flip) for f in fl)
        ones = [f for f in fl if f.neuron is not None]
        others = [f for f in fl if f.neuron is None]
        assert [f.neuron for f in ones] == list(range(net.neurons))
        for f, w in zip(ones, j["flips"]):
            assert (f.neuron, f.code, f.hamming, f.realized, f.dim) == \
                (w["neuron"], w["code"], w["hamming"], w["realized"], w["dim"])
            assert f.code == code[:f.neuron] + str(1 - int(code[f.neuron])) + code[f.neuron + 1:]
            assert (f.common_dim, f.adjacent) == (w["common_dim"], w["adjacent"]), f
        assert sorted((f.code, tuple(f.neurons), f.hamming, f.dim, f.common_dim, f.adjacent)
                      for f in others) == \
            sorted((w["code"], tuple(w["neurons"]), w["hamming"], w["dim"], w["common_dim"],
                    w["adjacent"]) for w in j["other_neighbors"])


# ---- segment, radius, slice ------------------------------------------------

def test_segment_vs_cli(mp, exact_layers):
    net, path = mp
    x, y = np.array([-1.5, -1.0]), np.array([2.0, 1.25])
    sg = net.segment(x, y)
    j = cli_json("segment", path, "--point", arg_point(x), "--point", arg_point(y))
    assert [(c, a, b) for c, a, b in sg.pieces] == \
        [(p["code"], fr(p["t_from"]), fr(p["t_to"])) for p in j["pieces"]]
    assert [(t, c) for t, c in sg.breakpoints] == [(fr(b["t"]), b["code"]) for b in j["breakpoints"]]
    X0, Y0 = [Fraction(v) for v in x], [Fraction(v) for v in y]
    at = lambda t: [a + t * (b - a) for a, b in zip(X0, Y0)]
    assert sg.pieces[0][1] == 0 and sg.pieces[-1][2] == 1
    for (c, t0, t1), nxt in zip(sg.pieces, sg.pieces[1:] + [None]):
        assert t0 < t1
        assert code_of(exact_layers, at((t0 + t1) / 2)) == c
        if nxt is not None:
            assert nxt[1] == t1
    for t, c in sg.breakpoints:
        assert code_of(exact_layers, at(t)) == c


def test_radius_vs_cli(mp, exact_layers):
    net, path = mp
    for x in ([0.3, 0.2], [1.1, -0.4]):
        r = net.radius(x, box=BOX)
        j = cli_json("radius", path, "--point", arg_point(x), "--box", "-2,3")
        assert r.code == j["code"]
        assert r.l2_squared == fr(j["l2_squared"]) and r.linf == fr(j["linf"])
        X = [Fraction(v) for v in x]
        for kind in ("nearest_l2", "nearest_linf"):
            got, want = getattr(r, kind), j[kind]
            assert got["neurons"] == want["neurons"]
            assert got["neighbor"] == want["neighbor"]
            assert frs(want["point"]) == got["point"]
            P = got["point"]
            if kind == "nearest_l2":
                assert sum((p - q) ** 2 for p, q in zip(P, X)) == r.l2_squared
            else:
                assert max(abs(p - q) for p, q in zip(P, X)) == r.linf
            z = U.exact_preacts(exact_layers, P)
            for n in got["neurons"]:
                assert z[n] == 0
        assert 0 < r.linf and r.linf ** 2 <= r.l2_squared <= 2 * r.linf ** 2


def test_slice_vs_cli(mp, cli_enum):
    net, path = mp
    sl = net.slice(box=BOX)
    cells = list(sl)
    assert all(isinstance(c, pv.SliceCell) for c in cells)
    j = cli_json("enumerate", path, "--slice", "0,0,1,0,0,1", "--box", "-2,3")
    got = sorted((c.code, c.dim, tuple(map(tuple, c.polygon))) for c in cells)
    want = sorted((c["code"], c["dim"], tuple(tuple(frs(v)) for v in c["polygon"]))
                  for c in j["cell_list"])
    assert got == want
    # a 2-input net's identity slice has the cells of the plane enumeration
    assert sorted(c.code for c in cells if c.dim == 2) == \
        sorted(c["code"] for c in cli_enum["cell_list"] if c["dim"] == 2)


def test_slice_plane_args(mp):
    """The identity plane given explicitly, and as three points, is the same slice."""
    net, _ = mp
    a = sorted((c.code, tuple(map(tuple, c.polygon))) for c in net.slice(box=BOX))
    b = sorted((c.code, tuple(map(tuple, c.polygon)))
               for c in net.slice(p=[0, 0], d1=[1, 0], d2=[0, 1], box=BOX))
    pts = net.slice(points=[[0, 0], [1, 0], [0, 1]], box=BOX)
    c = sorted((x.code, tuple(map(tuple, x.polygon))) for x in pts)
    assert a == b == c


# ---- lemma 1 ---------------------------------------------------------------

def test_lemma1_vs_cli(mp):
    net, path = mp
    l1 = net.lemma1(box=BOX)
    j = cli_json("adjacency-check", path, "--enumerate", "--box", "-2,3")
    for k in ("pairs_hamming1", "adjacent_pairs", "hamming1_not_adjacent",
              "adjacent_not_hamming1", "cells"):
        assert l1[k] == j[k], k
    assert l1["holds"] == (len(j["disagreements"]) == 0)
    assert l1["holds"] == j["agrees"]
    got = sorted((d[0], d[1], d[2], d[4]) for d in l1["disagreements"])
    want = sorted((d["a"], d["b"], d["hamming"], d["adjacent"]) for d in j["disagreements"])
    assert got == want
    assert len(l1["disagreements"]) == l1["hamming1_not_adjacent"] + l1["adjacent_not_hamming1"]


# ---- code, stats -----------------------------------------------------------

def test_code_vs_cli_and_torch(mp, moons_net, tmp_path):
    net, path = mp
    module, X, y = moons_net
    rng = np.random.RandomState(2)
    P = np.concatenate([X, rng.uniform(-3, 3, (100, 2))])
    bits, zero = net.code(P)
    assert bits.shape == (len(P), 16) and bits.dtype == np.uint8 and zero.dtype == bool
    csv = U.write_csv(tmp_path / "p.csv", P)
    j = cli_json("code", path, "--points", csv)
    assert len(j) == len(P)
    for p, e in enumerate(j):
        assert frs(e["point"]) == [Fraction(float(v)) for v in P[p]]
        assert U.bits_str(bits[p]) == e["code"]
        assert list(np.nonzero(zero[p])[0]) == e["zero_neurons"]
    pre = U.torch_preacts64(module, P)
    keep = np.abs(pre).min(axis=1) >= U.MARGIN
    assert (bits[keep] == (pre[keep] > 0)).all()
    # one point: 1-D arrays; a list of points works too
    b1, z1 = net.code(P[0])
    assert b1.shape == (16,) and list(b1) == list(bits[0])
    b2, _ = net.code([list(P[0]), list(P[1])])
    assert (b2 == bits[:2]).all()
    # no float filter: the same answer
    b3, z3 = net.code(P, filter=False)
    assert (b3 == bits).all() and (z3 == zero).all()


def test_code_scale(mp, tmp_path):
    net, path = mp
    P = [[255, 128], [-100, 51]]
    bits, _ = net.code(P, scale=Fraction(1, 255))
    want, _ = net.code([[Fraction(a, 255), Fraction(b, 255)] for a, b in P])
    assert (bits == want).all()
    csv = U.write_csv(tmp_path / "s.csv", [[Fraction(v) for v in r] for r in P])
    j = cli_json("code", path, "--points", csv, "--scale", "1/255")
    assert [e["code"] for e in j] == [U.bits_str(b) for b in bits]


def test_code_on_hyperplane(mp):
    """A point where neuron 0's pre-activation is exactly 0 (solved in Fractions)."""
    net, path = mp
    W, b = net.weights(0)
    x1 = Fraction(1, 3)
    x0 = -(b[0] + W[0][1] * x1) / W[0][0]
    assert W[0][0] * x0 + W[0][1] * x1 + b[0] == 0
    bits, zero = net.code([x0, x1])
    assert bool(zero[0]) is True and int(bits[0]) == 0
    j = cli_json("code", path, "--point", f"{x0},{x1}")
    j = j[0] if isinstance(j, list) else j
    assert list(np.nonzero(zero)[0]) == j["zero_neurons"]
    assert U.bits_str(bits) == j["code"]
    # strings work too
    bs, zs = net.code([str(x0), str(x1)])
    assert (bs == bits).all() and (zs == zero).all()


def test_stats_vs_cli(mp, moons_net, tmp_path):
    net, path = mp
    module, X, y = moons_net
    s = net.stats(X, labels=y)
    csv = U.write_csv(tmp_path / "d.csv", X, y)
    j = cli_json("stats", path, "--data", csv, "--label-column", "2")
    norm = lambda d: json.loads(json.dumps(d, default=str))
    sj = norm(s)
    for k in j:
        if k == "forward_pass":
            continue
        assert sj[k] == j[k], k
    # independent: distinct codes and the Hamming histogram from torch's codes
    pre = U.torch_preacts64(module, X)
    assert np.abs(pre).min() > U.MARGIN
    codes = sorted({U.bits_str(r) for r in (pre > 0).astype(int)})
    assert s["points"] == len(X) and s["distinct_codes"] == len(codes)
    hist = {}
    for a, b in itertools.combinations(codes, 2):
        h = U.hamming(a, b)
        hist[h] = hist.get(h, 0) + 1
    assert {int(k): v for k, v in s["hamming_histogram"].items()} == hist
    s0 = net.stats(X)
    assert s0["distinct_codes"] == len(codes)


# ---- halfspaces, volume, certificate ---------------------------------------

def row_value(h, x):
    return sum((a * v for a, v in zip(h.a, x)), Fraction(0)) + h.c


def test_halfspaces(mp, exact_layers):
    net, _ = mp
    for box in (None, BOX):
        c = net.cell(point=[0.3, 0.2], box=box)
        rows = c.halfspaces()
        assert all(isinstance(h, pv.Halfspace) for h in rows)
        assert [h.label for h in rows[:16]] == list(range(16))
        boxrows = rows[16:]
        if box is None:
            assert boxrows == []
        else:
            assert sorted(h.label for h in boxrows) == sorted(
                ("box", i, s) for i in range(2) for s in ("lo", "hi"))
        for h in rows:
            assert all(isinstance(v, Fraction) for v in h.a) and isinstance(h.c, Fraction)
            v = row_value(h, c.point)
            if h.equality:
                assert v == 0
            elif h.strict:
                assert v > 0
            else:
                assert v >= 0
        # neuron rows are positive multiples of sigma_j z_j on the cell
        pts = [c.point] + [[(p + q) / 2 for p, q in zip(c.point, f.point)]
                           for f in c.facets if f.point is not None]
        for j in range(16):
            sigma = 1 if c.code[j] == "1" else -1
            ratios = {row_value(rows[j], x) / (sigma * U.exact_preacts(exact_layers, x)[j])
                      for x in pts}
            assert len(ratios) == 1 and ratios.pop() > 0
        A, cc, strict = c.halfspaces(as_float=True)
        assert A.shape == (len(rows), 2) and cc.shape == (len(rows),)
        assert list(strict) == [h.strict for h in rows]
        assert np.allclose(A @ np.array([float(v) for v in c.point]) + cc,
                           [float(row_value(h, c.point)) for h in rows])


def test_volume_vs_cli(mp):
    net, path = mp
    sl = {c.code: c for c in mp[0].slice(box=BOX) if c.dim == 2}
    for x in ([0.3, 0.2], [-1.0, 1.0], [2.5, 2.5]):
        c = net.cell(point=x, box=BOX)
        assert c.bounded
        v = c.volume()
        j = cli_json("cell", path, "--code", c.code, "--box", "-2,3", "--volume")
        assert isinstance(v, Fraction) and v == fr(j["volume"])
        assert c.volume_kind == "finite"
        assert v == U.shoelace(sl[c.code].polygon)
    u = net.cell(point=[2.5, 2.5])
    if not u.bounded:
        assert u.volume() is None and u.volume_kind == "unbounded"


def test_certificate_check(mp, tmp_path):
    net, path = mp
    c = net.cell(point=[0.3, 0.2], box=BOX)
    cert = tmp_path / "c.cert"
    c.certificate(cert)
    assert cert.exists()
    assert pv.check(net, cert) is True
    assert pv.check(path, cert) is True
    r = subprocess.run([U.PVCHECK, str(path), str(cert)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # corrupt the first interior point: pvcheck must reject it
    lines = cert.read_text().splitlines()
    k = next(i for i, l in enumerate(lines) if l.strip().startswith("point "))
    lines[k] = "  point 100 100"
    bad = tmp_path / "bad.cert"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(pv.CheckFailed) as ei:
        pv.check(net, bad)
    assert isinstance(ei.value, pv.Error) and str(ei.value).strip()
    r = subprocess.run([U.PVCHECK, str(path), str(bad)], capture_output=True, text=True)
    assert r.returncode != 0
    # the certificate of another network does not check
    other = pv.Network.load(U.EXAMPLES / "demo.pvnet")
    with pytest.raises(pv.CheckFailed):
        pv.check(other, cert)


# ---- explore ---------------------------------------------------------------

def test_explore_vs_cli(mp, cli_enum, exact_layers):
    net, path = mp
    ex = net.explore(point=[0.3, 0.2], box=BOX)
    j = cli_json("explore", path, "--point", arg_point([0.3, 0.2]), "--box", "-2,3",
                 "--graph", "json")
    assert ex.complete is True and j["complete"] is True
    got = sorted((c.code, c.depth, c.dim, c.nfacets, tuple(c.point)) for c in ex.cells)
    want = sorted((c["code"], c["depth"], c["dim"], c["facets"], tuple(frs(c["point"])))
                  for c in j["cells"])
    assert got == want
    assert ex.cells[0].code == j["start"] and ex.cells[0].depth == 0
    ge = {frozenset((ex.cells[a].code, ex.cells[b].code)) for a, b in ex.edges}
    we = {frozenset(e) for e in j["edges"]}
    assert ge == we
    # the box's full-dimensional cells are connected: explore finds them all
    assert {c.code for c in ex.cells} == {c["code"] for c in cli_enum["cell_list"]
                                         if c["dim"] == 2}
    for c in ex.cells:
        assert code_of(exact_layers, c.point) == c.code
    g = ex.to_networkx()
    assert g.number_of_nodes() == len(ex.cells) and g.number_of_edges() == len(we)


# ---- input domains ---------------------------------------------------------

DOMAINS = [U.EXAMPLES / "domains" / "triangle.vnnlib", U.EXAMPLES / "domains" / "triangle.ine"]


@pytest.mark.parametrize("dom", DOMAINS, ids=lambda p: p.suffix)
def test_domain_cell_and_enumerate_vs_cli(mp, dom, exact_layers):
    net, path = mp
    cx = net.enumerate(domain=dom)
    j = cli_json("enumerate", path, "--domain", dom, "--graph", "json")
    assert cx.complete and len(cx.cells) == j["cells"]
    assert sorted((c.code, c.dim, tuple(c.point)) for c in cx.cells) == \
        sorted((c["code"], c["dim"], tuple(frs(c["point"]))) for c in j["cell_list"])
    assert {frozenset((cx.cells[a].code, cx.cells[b].code)) for a, b, _, _ in cx.edges} == \
        {frozenset((e["a"], e["b"])) for e in j["edges"]}
    sides = 0
    for c in cx.cells[:6]:
        cell = net.cell(code=c.code, domain=dom)
        check_cell_vs_cli(cell, cli_json("cell", path, "--code", c.code, "--domain", dom))
        sides += sum(f.domain_row is not None for f in cell.facets)
        # the domain's rows come last in halfspaces(), labelled ("domain", k)
        rows = cell.halfspaces()
        assert [h.label for h in rows[16:]] == [("domain", k) for k in range(3)]
        x0, x1 = cell.point
        assert x0 >= -1 and x1 >= -1 and x0 + x1 <= 1
    assert sides > 0
    with pytest.raises(pv.BadInput):
        net.cell(code=cx.cells[0].code, domain=dom, box=BOX)


# ---- threads ---------------------------------------------------------------

def test_threads_same_answers(mp):
    """Calls from several threads at once (the GIL is released inside) give
    the answers of the same calls made one by one."""
    import threading
    net, _ = mp
    rng = np.random.RandomState(8)
    pts = rng.uniform(-2, 3, (40, 2))
    want_codes = net.code(pts)[0]
    want_cells = [(c.code, c.point, c.facets) for c in (net.cell(point=p) for p in pts[:10])]
    errors = []

    def work():
        try:
            for _ in range(5):
                assert (net.code(pts)[0] == want_codes).all()
                got = [(c.code, c.point, c.facets) for c in (net.cell(point=p) for p in pts[:10])]
                assert got == want_cells
        except BaseException as e:        # reported in the main thread
            errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not errors, errors[0]


def test_code_array_kinds(mp):
    """Every array kind is read exactly (or refused): float32/float16 as their
    own values, ints, torch tensors, non-contiguous and Fortran-ordered arrays."""
    import torch
    net, _ = mp
    rng = np.random.RandomState(9)
    X = rng.uniform(-2, 3, (60, 2))
    exact = lambda A: net.code([[Fraction(float(v)) for v in row] for row in A])[0]
    b = exact(X)
    assert (net.code(X)[0] == b).all()
    assert (net.code(np.asfortranarray(X))[0] == b).all()
    assert (net.code(np.repeat(X, 2, axis=1)[:, ::2])[0] == b).all()
    assert (net.code(X[::-1])[0] == b[::-1]).all()
    assert (net.code(torch.tensor(X))[0] == b).all()
    for dt in (np.float32, np.float16):
        Xd = X.astype(dt)
        assert (net.code(Xd)[0] == exact(Xd)).all(), dt
    I = rng.randint(-3, 4, (20, 2))
    for dt in (np.int64, np.int32, np.int8):
        assert (net.code(I.astype(dt))[0] == exact(I)).all(), dt
    U8 = rng.randint(0, 256, (20, 2)).astype(np.uint8)
    want = net.code([[Fraction(int(v), 255) for v in row] for row in U8])[0]
    assert (net.code(U8, scale=Fraction(1, 255))[0] == want).all()
    for other in (X.astype(">f8"), X.astype(np.longdouble)):
        try:
            got = net.code(other)[0]
        except pv.BadInput:
            continue                                  # refusing is fine
        assert (got == exact(other.astype(np.float64))).all()
    assert net.code(np.zeros((0, 2)))[0].shape == (0, 16)


# ---- lower-dimensional cells and volume kinds (tests/nets/star3.pvnet) -----

def test_star3_lower_dim_and_volumes():
    path = U.ROOT / "tests" / "nets" / "star3.pvnet"
    net = pv.Network.load(path)
    cx = net.enumerate(box=(-1, 1))
    j = cli_json("enumerate", path, "--box", "-1,1", "--graph", "json")
    assert {str(d): n for d, n in enumerate(cx.by_dim) if n} == j["cells_by_dim"]
    assert sorted((c.code, c.dim, tuple(c.point)) for c in cx.cells) == \
        sorted((c["code"], c["dim"], tuple(frs(c["point"]))) for c in j["cell_list"])
    assert {frozenset((cx.cells[a].code, cx.cells[b].code)) for a, b, _, _ in cx.edges} == \
        {frozenset((e["a"], e["b"])) for e in j["edges"]}
    jv = cli_json("enumerate", path, "--box", "-1,1", "--volumes")
    vol = {c["code"]: fr(c["volume"]) for c in jv["cell_list"]}
    total = Fraction(0)
    for c in cx.cells:
        cell = net.cell(code=c.code, box=(-1, 1))
        v = cell.volume()
        assert v == vol[c.code], c.code
        jc = cli_json("cell", path, "--code", c.code, "--box", "-1,1", "--volume")
        assert v == fr(jc["volume"])
        if c.dim < 2:
            assert v is None and cell.volume_kind == "lower_dim"
        else:
            assert cell.volume_kind == "finite"
            total += v
    assert total == 4 == fr(jv["total_volume"])
    u = net.cell(code="111", box=(-1, 1))          # x>0, y>0, x+y<0: empty
    assert not u.realized and u.volume() is None and u.volume_kind == "empty"
    w = net.cell(code="100")                        # no box: unbounded
    assert w.bounded is False and w.volume() is None and w.volume_kind == "unbounded"
    # the dim-0 cell: the halfspaces of P(000) hold at the origin, three as equalities
    z = net.cell(code="000", box=(-1, 1))
    assert z.dim == 0 and sorted(z.implicit) == [0, 1, 2]
    rows = z.halfspaces()
    for h in rows:
        v = sum((a * x for a, x in zip(h.a, z.point)), Fraction(0)) + h.c
        assert (v == 0) if h.equality else ((v > 0) if h.strict else (v >= 0))


@pytest.mark.parametrize("box", [None, (-1, 1)], ids=["nobox", "box"])
def test_lemma1_degenerate_demo(box):
    """examples/demo.pvnet is not in general position: Lemma 1 fails (a shared
    facet of two neurons), and both sides say so."""
    path = U.EXAMPLES / "demo.pvnet"
    net = pv.Network.load(path)
    l1 = net.lemma1(box=box)
    j = cli_json("adjacency-check", path, "--enumerate", *(["--box", "-1,1"] if box else []))
    for k in ("pairs_hamming1", "adjacent_pairs", "hamming1_not_adjacent",
              "adjacent_not_hamming1", "cells"):
        assert l1[k] == j[k], k
    assert l1["holds"] is False and j["agrees"] is False
    assert l1["general_position"] == j["general_position"] is False
    assert sorted((d[0], d[1], d[2], d[4]) for d in l1["disagreements"]) == \
        sorted((d["a"], d["b"], d["hamming"], d["adjacent"]) for d in j["disagreements"])
    for a, b, h, common, adj in l1["disagreements"]:
        assert h == U.hamming(a, b) == 2 and adj is True and common == 1


def test_lemma1_general_position_flag(mp):
    net, path = mp
    l1 = net.lemma1(box=BOX)
    j = cli_json("adjacency-check", path, "--enumerate", "--box", "-2,3")
    assert l1["general_position"] == j["general_position"]
