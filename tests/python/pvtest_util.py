"""Helpers shared by the polyverify Python tests (independent of the package:
paths, the CLI's JSON, exact Fraction arithmetic of our own, torch float64
reference forward passes)."""
import json
import os
import subprocess
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ.get("POLYVERIFY_CLI") or str(ROOT / "build" / "polyverify")
PVCHECK = os.environ.get("POLYVERIFY_PVCHECK") or str(ROOT / "build" / "verify" / "pvcheck")
EXAMPLES = ROOT / "examples"

MARGIN = 1e-9          # torch float64 comparisons: skip points this close to a hyperplane


def run_cli(*args, ok=(0,), timeout=300):
    """Runs the CLI (no --json added); returns the CompletedProcess."""
    r = subprocess.run([CLI] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    if r.returncode not in ok:
        raise AssertionError(f"{CLI} {' '.join(map(str, args))}: exit {r.returncode}\n"
                             f"stdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-2000:]}")
    return r


def cli_json(*args, ok=(0,), timeout=300):
    """Runs `polyverify ARGS --json` and returns the parsed JSON."""
    r = run_cli(*args, "--json", ok=ok, timeout=timeout)
    return json.loads(r.stdout)


def fr(s):
    """A JSON exact number ("p/q" string, int) as a Fraction (None stays None)."""
    return None if s is None else Fraction(s)


def frs(seq):
    return None if seq is None else [Fraction(s) for s in seq]


def arg_point(x):
    """A point for the CLI's --point: exact numbers, the binary value of floats."""
    return ",".join(str(Fraction(v)) for v in x)


def write_csv(path, X, labels=None):
    """Rows of exact numbers (each float written as its exact Fraction)."""
    with open(path, "w") as f:
        for i, row in enumerate(X):
            vals = [str(Fraction(float(v)) if not isinstance(v, Fraction) else v)
                    for v in row]
            if labels is not None:
                vals.append(str(int(labels[i])))
            f.write(",".join(vals) + "\n")
    return path


def bits_str(bits):
    return "".join(str(int(b)) for b in bits)


def hamming(a, b):
    return sum(x != y for x, y in zip(a, b))


def differing(a, b):
    return [j for j, (x, y) in enumerate(zip(a, b)) if x != y]


# ---- exact floats from their IEEE-754 fields (our own decoding) ------------

def f32_bits_value(u):
    """The exact rational of the float32 with bit pattern u (an int)."""
    sign = -1 if (u >> 31) & 1 else 1
    e = (u >> 23) & 0xFF
    m = u & 0x7FFFFF
    assert e != 0xFF, "inf/nan"
    if e == 0:
        return sign * Fraction(m, 2 ** 149)
    v = Fraction(m + (1 << 23))
    k = e - 150
    return sign * (v * 2 ** k if k >= 0 else v / 2 ** (-k))


def f64_bits_value(u):
    sign = -1 if (u >> 63) & 1 else 1
    e = (u >> 52) & 0x7FF
    m = u & ((1 << 52) - 1)
    assert e != 0x7FF, "inf/nan"
    if e == 0:
        return sign * Fraction(m, 2 ** 1074)
    v = Fraction(m + (1 << 52))
    k = e - 1075
    return sign * (v * 2 ** k if k >= 0 else v / 2 ** (-k))


# ---- exact forward passes of our own ---------------------------------------

def torch_mlp_layers_exact(module):
    """[(W rows of Fraction, b, act)] of an nn.Sequential MLP, from the torch
    parameters (Fraction(float) of each value: exact for float32/float64)."""
    import torch.nn as nn
    layers = []
    for child in module:
        if isinstance(child, nn.Linear):
            W = [[Fraction(v) for v in row] for row in child.weight.detach().double().tolist()]
            b = [Fraction(v) for v in child.bias.detach().double().tolist()]
            layers.append([W, b, "linear"])
        elif isinstance(child, nn.ReLU):
            layers[-1][2] = "relu"
    return layers


def exact_preacts(layers, x):
    """Pre-activations (Fractions) of every ReLU neuron at x, layer by layer."""
    h = [Fraction(v) for v in x]
    out = []
    for W, b, act in layers:
        z = [sum((w * v for w, v in zip(row, h)), Fraction(0)) + bb for row, bb in zip(W, b)]
        if act == "relu":
            out.extend(z)
            h = [v if v > 0 else Fraction(0) for v in z]
        else:
            h = z
    return out


def torch_preacts64(module, X):
    """float64 pre-activations of every ReLU (inputs of the nn.ReLU modules,
    flattened per example, in module order) for a batch X (numpy)."""
    import copy
    import numpy as np
    import torch
    import torch.nn as nn
    m = copy.deepcopy(module).double().eval()
    got = []
    hooks = [mod.register_forward_hook(lambda mod, inp, out: got.append(inp[0].detach()))
             for mod in m.modules() if isinstance(mod, nn.ReLU)]
    try:
        with torch.no_grad():
            m(torch.as_tensor(np.asarray(X, dtype=np.float64)))
    finally:
        for h in hooks:
            h.remove()
    n = got[0].shape[0]
    return np.concatenate([g.reshape(n, -1).numpy() for g in got], axis=1)


def shoelace(poly):
    """Exact area of a polygon (list of (Fraction, Fraction))."""
    s = Fraction(0)
    k = len(poly)
    for i in range(k):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % k]
        s += x1 * y2 - x2 * y1
    return abs(s) / 2
