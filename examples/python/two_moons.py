#!/usr/bin/python3
"""The exact activation regions of a small ReLU network trained on two moons.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/two_moons.py   # from the repo root
    /usr/bin/python3 examples/python/two_moons.py [--out two_moons.png]     # once installed

Trains a 2 -> 16 -> 16 -> 2 ReLU MLP on a deterministic two-moons data set, converts it to
polyverify's exact form (each float32 weight is its exact dyadic rational), enumerates every
cell in the box [-2, 3] x [-3/2, 2] with the adjacency graph, tests Lemma 1 (adjacent cells
differ in exactly one bit, and conversely), and draws the cells with the predicted class.
Every number printed is exact; floats are used only to draw.
"""
import argparse
import collections
import os
import sys
import time
from fractions import Fraction

import numpy as np
import torch
import torch.nn as nn

try:
    import polyverify as pv
except ImportError:  # not installed: try this checkout's build tree, ../../build/python
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "build", "python"))
    try:
        import polyverify as pv
    except ImportError as err:
        sys.exit(f"two_moons.py: cannot import polyverify ({err}).\nBuild it first "
                 "(tools/bootstrap.sh in the repository root), then run with "
                 "PYTHONPATH=build/python, or install it for /usr/bin/python3.")

import matplotlib
matplotlib.use("Agg")                                  # no display needed
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
import networkx as nx

BOX = [(Fraction(-2), Fraction(3)), (Fraction(-3, 2), Fraction(2))]  # x1 range, x2 range
FILL = ["#c6dbef", "#fdd0a2"]                          # class 0 / 1 regions (light)
MARK = ["#08519c", "#d94801"]                          # label 0 / 1 data points (dark)


def two_moons(n, noise, seed=0):
    """Two interleaving half circles (as sklearn's make_moons), deterministic."""
    rng = np.random.default_rng(seed)
    t0, t1 = np.linspace(0, np.pi, n // 2), np.linspace(0, np.pi, n - n // 2)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    X += rng.normal(scale=noise, size=X.shape)
    y = np.r_[np.zeros(n // 2, np.int64), np.ones(n - n // 2, np.int64)]
    return X.astype(np.float32), y      # float32: torch and polyverify see the same numbers


def train(X, y, steps):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(steps):                             # full batch: well under a second
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(Xt), yt)
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(Xt).argmax(1) == yt).double().mean().item()
    return model, loss.item(), acc


def margin(net, weights, code):
    """On the cell of `code` the network is affine: return (g, h) with
    output0 - output1 = g . x + h on the cell, exactly (Fractions)."""
    m = net.input_dim
    A = [[Fraction(int(i == j)) for j in range(m)] for i in range(m)]   # x -> A x + a
    a = [Fraction(0)] * m
    for layer, (W, b) in zip(net.layers, weights):
        A2 = [[sum(w * A[r][j] for r, w in enumerate(row)) for j in range(m)] for row in W]
        a2 = [sum(w * a[r] for r, w in enumerate(row)) + bi for row, bi in zip(W, b)]
        for i in range(layer.relus):         # a ReLU row whose bit is 0 outputs 0 on the cell
            if code[layer.first_neuron + i] == "0":
                A2[i], a2[i] = [Fraction(0)] * m, Fraction(0)
        A, a = A2, a2
    return [A[0][j] - A[1][j] for j in range(m)], a[0] - a[1]


def clip(poly, g, h):
    """The part of the convex polygon `poly` where g . x + h >= 0 (exact)."""
    val = [g[0] * x + g[1] * y + h for x, y in poly]
    out = []
    for i, (p, vp) in enumerate(zip(poly, val)):
        q, vq = poly[(i + 1) % len(poly)], val[(i + 1) % len(poly)]
        if vp >= 0:
            out.append(p)
        if (vp > 0 > vq) or (vp < 0 < vq):             # the edge crosses the line
            t = vp / (vp - vq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def area2(poly):                                       # twice the signed area, exact
    return sum(p[0] * q[1] - q[0] * p[1] for p, q in zip(poly, poly[1:] + poly[:1]))


def floats(poly):
    return [(float(x), float(y)) for x, y in poly]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="two_moons.png", help="figure path (default %(default)s)")
    ap.add_argument("--points", type=int, default=400)
    ap.add_argument("--noise", type=float, default=0.1)
    ap.add_argument("--steps", type=int, default=500, help="Adam steps (full batch)")
    ap.add_argument("--no-graph", action="store_true", help="omit the dual-graph panel")
    args = ap.parse_args()

    X, y = two_moons(args.points, args.noise)
    model, loss, acc = train(X, y, args.steps)
    print(f"trained 2-16-16-2 ReLU MLP on {len(X)} points: loss {loss:.4f}, accuracy {acc:.3f}")
    net = pv.Network.from_torch(model, (2,))           # exact copy of the float32 weights
    print(f"network: {net.input_dim} inputs, {net.neurons} ReLU neurons (the code length)")

    # 1. Every cell in the box, with the adjacency (dual) graph.
    t = time.time()
    cx = net.enumerate(box=BOX, graph=True)
    print(f"cells in [-2,3]x[-3/2,2]: {len(cx.cells)} (dim 2: {cx.by_dim[2]}, dim 1: "
          f"{cx.by_dim[1]}, dim 0: {cx.by_dim[0]}), {len(cx.edges)} adjacent pairs, "
          f"complete={cx.complete}  [{time.time() - t:.1f} s]")

    # 2. Lemma 1, both directions decided separately: Hamming distance from the bits,
    #    adjacency from geometry (the dimension of the intersection of the closed cells).
    l1 = net.lemma1(box=BOX)
    adj, h1 = l1["adjacent_pairs"], l1["pairs_hamming1"]
    print(f"Lemma 1: adjacent => Hamming 1 for {adj - l1['adjacent_not_hamming1']} of {adj} "
          f"adjacent pairs; Hamming 1 => adjacent for {h1 - l1['hamming1_not_adjacent']} of "
          f"{h1} pairs (general position: {l1['general_position']})")
    for a, b, dh, common_dim, adjacent in l1["disagreements"]:
        print(f"  {a} / {b}: Hamming {dh}, closed cells meet in dim {common_dim}")

    # 3. Which cells hold the data (codes decided exactly at the float32 points).
    bits, zero = net.code(X.astype(np.float64))
    codes = ["".join(map(str, row)) for row in bits]
    counts = sorted(collections.Counter(codes).values(), reverse=True)
    mixed = {c for c, lab in zip(codes, y) if lab == 0} & {c for c, lab in zip(codes, y) if lab}
    print(f"data: {len(X)} points in {len(counts)} of {cx.by_dim[2]} 2-D cells (largest "
          f"{', '.join(map(str, counts[:6]))}, ...; median {int(np.median(counts))}); "
          f"{len(mixed)} cells hold both labels; {int(zero.any(axis=1).sum())} points on a hyperplane")

    # 4. The dual graph as a networkx graph.
    G = cx.to_networkx()
    print(f"dual graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, "
          f"{nx.number_connected_components(G)} connected component(s)")

    # 5. The exact polygons, each split by its exact piece of the decision boundary.
    weights = [net.weights(k) for k in range(len(net.layers))]
    pieces, boundary, outlines = [[], []], [], []
    polys = [c for c in net.slice(box=BOX).cells if c.dim == 2]
    for cell in polys:
        poly = list(cell.polygon)
        outlines.append(floats(poly))
        g, h = margin(net, weights, cell.code)       # class 0 where g . x + h >= 0
        halves = [clip(poly, g, h), clip(poly, [-g[0], -g[1]], -h)]
        halves = [p for p in halves if area2(p) != 0] if g != [0, 0] else [poly]
        for half in halves:
            cls = 0 if all(g[0] * x + g[1] * y + h >= 0 for x, y in half) else 1
            pieces[cls].append(floats(half))
        if len(halves) == 2:                           # the segment g . x + h = 0 in the cell
            boundary.append(floats([p for p in halves[0] if g[0] * p[0] + g[1] * p[1] + h == 0]))
    same = {c.code for c in polys} == {c.code for c in cx.cells if c.dim == 2}
    print(f"slice: {len(polys)} polygons (same codes as enumerate: {same}); "
          f"the decision boundary crosses {len(boundary)} cells")

    # 6. The figure: cells by class, cell edges, decision boundary, data; the dual graph.
    plt.rcParams.update({"font.size": 11, "axes.titlesize": 12})
    fig, axes = plt.subplots(1, 1 if args.no_graph else 2, squeeze=False,
                             figsize=(6.5 if args.no_graph else 13, 4.9))
    for ax in axes[0]:
        for cls in (0, 1):
            ax.add_collection(PolyCollection(pieces[cls], facecolors=FILL[cls], edgecolors="none"))
        ax.add_collection(PolyCollection(outlines, facecolors="none", edgecolors="0.35",
                                         linewidths=0.4))
        ax.set(xlim=[float(v) for v in BOX[0]], ylim=[float(v) for v in BOX[1]],
               aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
    ax = axes[0][0]
    ax.add_collection(LineCollection(boundary, colors="k", linewidths=2.0))
    for cls in (0, 1):
        ax.scatter(X[y == cls, 0], X[y == cls, 1], s=12, c=MARK[cls], edgecolors="white",
                   linewidths=0.4, zorder=3)
    ax.set_title(f"{cx.by_dim[2]} cells (linear regions) of a 2-16-16-2 ReLU net")
    ax.legend(handles=[Patch(fc=FILL[0], ec="0.35", lw=0.4, label="predicted class 0"),
                       Patch(fc=FILL[1], ec="0.35", lw=0.4, label="predicted class 1"),
                       Line2D([], [], color="k", lw=2, label="decision boundary"),
                       Line2D([], [], ls="", marker="o", color=MARK[0], label="data, label 0"),
                       Line2D([], [], ls="", marker="o", color=MARK[1], label="data, label 1")],
              loc="lower left", fontsize=9, framealpha=0.9)
    if not args.no_graph:
        ax = axes[0][1]
        for coll in ax.collections:                    # paler cells: the graph stands out
            coll.set_alpha(0.45)
        pos = {i: tuple(float(v) for v in G.nodes[i]["point"]) for i in G.nodes}
        index = {G.nodes[i]["code"]: i for i in G.nodes}
        one = [e for e in G.edges if G.edges[e]["hamming"] == 1]
        more = [e for e in G.edges if G.edges[e]["hamming"] != 1]
        apart = [(index[a], index[b]) for a, b, dh, _, adjacent in l1["disagreements"]
                 if dh == 1 and not adjacent]          # one bit apart, closed cells disjoint
        nx.draw_networkx_edges(G, pos, edgelist=one, ax=ax, edge_color="k", width=0.7)
        nx.draw_networkx_edges(G, pos, edgelist=more, ax=ax, edge_color="#6a3d9a", width=1.5)
        nx.draw_networkx_edges(G, pos, edgelist=apart, ax=ax, edge_color="red", width=2.5,
                               style="dashed")
        nx.draw_networkx_nodes(G, pos, ax=ax, node_size=7, node_color="k")
        nx.draw_networkx_nodes(G, pos, nodelist=[i for e in apart for i in e], ax=ax,
                               node_size=40, node_color="none", edgecolors="red")
        ax.tick_params(left=True, bottom=True, labelleft=True, labelbottom=True)
        ax.set_title(f"dual graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
        ax.legend(handles=[Line2D([], [], color="k", lw=0.7, marker="o", ms=3,
                                  label=f"adjacent, Hamming 1 ({len(one)})"),
                           Line2D([], [], color="#6a3d9a", lw=1.5,
                                  label=f"adjacent, Hamming > 1 ({len(more)})"),
                           Line2D([], [], color="red", lw=2, ls="--",
                                  label=f"Hamming 1, not adjacent ({len(apart)})")],
                  loc="lower left", fontsize=9, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(args.out, dpi=150)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
