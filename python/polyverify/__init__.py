"""polyverify: exact geometry of the activation regions of ReLU networks.

    import polyverify as pv
    net = pv.Network.load("net.onnx")            # or from_torch, from_layers
    bits, zero = net.code(X)                     # exact codes of many points
    cell = net.cell(point=X[0], box=(0, 1))      # dimension, facets, neighbours
    cx = net.enumerate(box=(-2, 2))              # every cell and the dual graph
    g = cx.to_networkx()

Every answer is decided in exact rational arithmetic by the C library (the
same as the `polyverify` command's); numbers come back as
fractions.Fraction. Inputs are read exactly: a float is the rational its
bits encode, a str such as "1/3" or "0.1" the number it writes. Long calls
(enumerate, explore, slice, lemma1) release the GIL, report progress
(progress=True: tqdm if installed), stop at timeout= seconds and on Ctrl-C,
raising polyverify.Timeout / polyverify.Interrupted whose `partial` holds
what was found.
"""
import copy
import queue
import sys
import threading
import warnings
from fractions import Fraction

from . import _core
from ._core import (Error, BadInput, FileError, LimitError, Timeout, Interrupted,
                    OutOfMemory)
from ._objects import (Layer, Facet, Halfspace, Cell, Adjacency, Flip, EnumCell,
                       Complex, ExploreCell, Exploration, Segment, Radius, SliceCell,
                       Slice)
from ._check import check, CheckFailed

__version__ = _core.version
__all__ = ["Network", "check", "Error", "BadInput", "FileError", "LimitError",
           "Timeout", "Interrupted", "OutOfMemory", "CheckFailed", "IncompleteWarning",
           "Cell", "Facet", "Halfspace", "Adjacency", "Flip", "Complex", "EnumCell",
           "Exploration", "ExploreCell", "Segment", "Radius", "Slice", "SliceCell",
           "Layer"]


class IncompleteWarning(UserWarning):
    """A limit (max_cells, max_bytes, max_depth) stopped a run: the result
    holds what was found, with complete=False."""


def _array(x):
    """numpy arrays as C-contiguous buffers, torch tensors as numpy arrays;
    anything else as it is (sequences of exact numbers)."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):          # a torch tensor
        x = x.detach().cpu().numpy()
    if type(x).__module__ == "numpy" and hasattr(x, "flags"):
        import numpy as np
        return np.ascontiguousarray(x)
    return x


def _progress(progress, what):
    """progress=True: a tqdm bar on stderr if tqdm is installed, else a line
    on stderr when it is a terminal; a callable is called (cells, seconds)."""
    if progress is None or progress is False:
        return None, None
    if callable(progress):
        return progress, None
    try:
        from tqdm import tqdm
        bar = tqdm(desc=what, unit=" cells", file=sys.stderr)

        def update(cells, seconds):
            bar.update(cells - bar.n)
        return update, bar
    except ImportError:
        def update(cells, seconds):
            if sys.stderr.isatty():
                print(f"\r{what}: {cells} cells, {seconds:.0f} s", end="", file=sys.stderr)
        return update, None


def _long_call(fn, convert, progress, what, **kw):
    """Runs a long call; converts its dict (and an exception's partial)."""
    cb, bar = _progress(progress, what)
    try:
        d = fn(progress=cb, **kw)
    except (LimitError, Interrupted) as e:
        if isinstance(getattr(e, "partial", None), dict):
            e.partial = convert(e.partial)
        raise
    finally:
        if bar is not None:
            bar.close()
    r = convert(d)
    if getattr(r, "stopped", None):
        warnings.warn(f"{what}: {r.stopped} (complete=False)", IncompleteWarning,
                      stacklevel=3)
    return r


class _Worker:
    """A long-lived thread that runs library calls for the main thread. Long-
    lived because the library's float LP back-end (GLPK) keeps an environment
    per thread that only a thread's own exit would lose: a thread per call
    would leak one each time."""

    def __init__(self, pool):
        self.pool, self.jobs = pool, queue.SimpleQueue()
        threading.Thread(target=self.loop, daemon=True, name="polyverify").start()

    def loop(self):
        while True:
            fn, args, kw, out, done = self.jobs.get()
            try:
                out["r"] = fn(*args, **kw)
            except BaseException as e:      # re-raised in the caller's thread
                out["e"] = e
            fn = args = kw = out = None         # hold no reference while idle
            done.set()
            self.pool.give_back(self)


class _Pool:
    def __init__(self):
        self.idle, self.lock = [], threading.Lock()

    def take(self):
        with self.lock:
            return self.idle.pop() if self.idle else _Worker(self)

    def give_back(self, w):
        with self.lock:
            self.idle.append(w)


_pool = _Pool()


def _interruptible(fn, *args, **kw):
    """Runs a call that has no interrupt hook in the library (cell,
    adjacency, flips, volume) so that Ctrl-C stops the caller at once: a
    worker thread makes the call (the GIL is released inside it) while the
    main thread waits; on Ctrl-C it raises Interrupted (no answer, as the
    CLI prints none) and the abandoned call finishes in the background."""
    if threading.current_thread() is not threading.main_thread():
        return fn(*args, **kw)
    out, done = {}, threading.Event()
    _pool.take().jobs.put((fn, args, kw, out, done))
    try:
        while not done.wait(0.05):
            pass
    except KeyboardInterrupt:
        e = Interrupted("interrupted: no answer (the abandoned call finishes in a "
                        "background thread)")
        e.partial = None
        raise e from None
    if "e" in out:
        raise out.pop("e")
    return out["r"]


def _code_arg(code):
    if hasattr(code, "tolist"):          # numpy / torch 0/1 arrays
        return [int(b) for b in code.tolist()]
    return code


class Network:
    """An exact ReLU network: a chain of affine layers, each ReLU, linear or
    mixed (ReLU rows then linear rows: what ONNX graphs are lowered to)."""

    def __init__(self, core):
        if not isinstance(core, _core.Net):
            raise TypeError("use Network.load, Network.from_layers or Network.from_torch")
        self._core = core
        self._info = None        # the network never changes: info is made once

    # ---- making one -------------------------------------------------------
    @classmethod
    def load(cls, path):
        """.pvnet, .nnet, .onnx (and gzipped ones): every format the CLI reads."""
        return cls(_core.load(str(path)))

    @classmethod
    def from_onnx_bytes(cls, data, name="<onnx>"):
        """An ONNX ModelProto in memory."""
        return cls(_core.parse(bytes(data), "onnx", name))

    @classmethod
    def from_layers(cls, layers, input_dim=None):
        """[(W, b, activation), ...]: W out x in, b of length out, activation
        "relu" or "linear"; numpy arrays (each float its exact value), or
        nested lists of Fraction, int, str ("1/3") or float."""
        conv = []
        for k, layer in enumerate(layers):
            if len(layer) != 3:
                raise BadInput(f"layer {k}: expected (W, b, activation)")
            W, b, act = layer
            conv.append((act, _array(W), _array(b)))
        if input_dim is None:
            if not conv:
                raise BadInput("from_layers: no layers (give input_dim)")
            W = conv[0][1]
            input_dim = W.shape[1] if hasattr(W, "shape") else len(W[0])
        return cls(_core.from_layers(int(input_dim), conv))

    @classmethod
    def from_torch(cls, module, input_shape):
        """A torch module, exactly: nn.Sequential of Linear/ReLU/Flatten/... is
        read layer by layer, every float32/float64 parameter as its exact
        dyadic rational; other modules (Conv2d, BatchNorm, residual blocks)
        through an in-memory ONNX export checked to hold every parameter bit
        for bit. input_shape: one example's shape, e.g. (2,) or (1, 28, 28)."""
        from ._torch import from_torch
        return from_torch(cls, module, input_shape)

    def save(self, path):
        """Writes the network in the exact .pvnet text form."""
        self._core.save(str(path))

    # ---- reading it -------------------------------------------------------
    @property
    def input_dim(self):
        return self._core.input_dim

    @property
    def neurons(self):
        """N, the number of ReLU neurons = the code length."""
        return self._core.neurons

    def info(self):
        """What `polyverify info --json` says: shape, layers, code layout
        (for networks read from .nnet or .pvnet 1, one part per ReLU layer,
        as the CLI prints it)."""
        return copy.deepcopy(self._cached())    # the caller may change its copy

    def _cached(self):
        if self._info is None:
            self._info = self._make_info()
        return self._info

    def _make_info(self):
        d = self._core.info()
        for part in d["code_layout"]:
            part["last"] = part["first"] + part["count"] - 1
        if not d["code_layout"]:
            d["code_layout"] = [
                {"first": l["first_neuron"], "count": l["relus"],
                 "last": l["first_neuron"] + l["relus"] - 1, "per_element": 1,
                 "op": "Relu", "shape": f"[{l['relus']}]", "node": None, "layer": k + 1}
                for k, l in enumerate(d["layers"]) if l["relus"] > 0]
        return d

    @property
    def nlayers(self):
        return self._cached()["nlayers"]

    @property
    def format(self):
        return self._cached()["format"]

    @property
    def fingerprint(self):
        return self._cached()["fingerprint"]

    @property
    def layers(self):
        return [Layer(l["activation"], l["in"], l["out"], l["relus"], l["first_neuron"],
                      l["sparse"], l["nnz"]) for l in self._cached()["layers"]]

    def weights(self, k):
        """(W, b) of layer k, exact: W a list of rows of Fractions (dense)."""
        info = self._cached()["layers"][k]
        W = []
        for i in range(info["out"]):
            cols, w = self._core.row(k, i)
            if cols is None:
                W.append(list(w))
            else:
                row = [Fraction(0)] * info["in"]
                for c, v in zip(cols, w):
                    row[c] = v
                W.append(row)
        return W, self._core.biases(k)

    def __repr__(self):
        return (f"<polyverify.Network {self.format}: {self.input_dim} inputs, "
                f"{self.nlayers} layers, {self.neurons} ReLU neurons>")

    # ---- questions --------------------------------------------------------
    def code(self, X, scale=None, filter=True, threads=None):
        """Codes of points by the exact forward pass: (bits, zero), (n, N)
        uint8 and bool numpy arrays (1-D for one point); zero[p, j]: neuron
        j's pre-activation is exactly 0 at point p. scale multiplies the
        points exactly first (e.g. Fraction(1, 255) for 0..255 pixels).
        threads: worker threads (None: every core; the codes are the same)."""
        r = self._core.code(_array(X), scale, filter, int(threads or 0))
        n, N = r["count"], r["neurons"]
        try:
            import numpy as np
        except ImportError:
            bits = [list(r["bits"][p * N:(p + 1) * N]) for p in range(n)]
            zero = [[bool(z) for z in r["zero"][p * N:(p + 1) * N]] for p in range(n)]
            return (bits[0], zero[0]) if r["single"] else (bits, zero)
        bits = np.frombuffer(r["bits"], dtype=np.uint8).reshape(n, N)
        zero = np.frombuffer(r["zero"], dtype=np.uint8).reshape(n, N).astype(bool)
        return (bits[0], zero[0]) if r["single"] else (bits, zero)

    def stats(self, X, labels=None, scale=None, max_pairs=200000, filter=True, threads=None):
        """The paper's code-space experiment: the fields of `stats --json`."""
        if labels is not None:
            labels = _array(labels)
            labels = [str(l) for l in (labels.tolist() if hasattr(labels, "tolist")
                                       else labels)]
        return self._core.stats(_array(X), labels, scale, max_pairs, filter,
                                int(threads or 0))

    def cell(self, code=None, point=None, box=None, domain=None):
        """The cell of a code (or of a point's code): realized, dim, point,
        bounded, implicit equalities, facets with the code beyond each."""
        d = _interruptible(self._core.cell, code=_code_arg(code), point=_array(point), box=box,
                            domain=None if domain is None else str(domain))
        facets = [Facet(f["neurons"], f["neighbor"], f["box"], f["domain_row"], f["point"])
                  for f in d["facets"]]
        return Cell(d["code"], d["realized"], d["dim"], d["point"], d["bounded"],
                    d["implicit"], d["implicit_box"], d["implicit_domain"], facets,
                    d["stats"], _net=self, _box=box,
                    _domain=None if domain is None else str(domain))

    def adjacency(self, a, b, box=None, domain=None):
        """Adjacency of the cells of codes a and b from geometry; d_H from bits."""
        return Adjacency(**_interruptible(self._core.adjacency, _code_arg(a),
                                          _code_arg(b), box=box, domain=domain))

    def flips(self, code, box=None, domain=None, threads=None):
        """Each one-bit flip of the code (realised? adjacent?), then every facet
        neighbour that is not a one-bit flip (decided on `threads` threads,
        None: every core)."""
        d = _interruptible(self._core.flips, _code_arg(code), box=box, domain=domain,
                           threads=int(threads or 0))
        return [Flip(**f) for f in d["flips"]]

    def enumerate(self, box=None, domain=None, graph=True, max_cells=None, lp_only=False,
                  max_bytes=None, progress=None, timeout=None, threads=None):
        """Every realised cell in the domain (all dimensions) and, with graph,
        the adjacency graph: a Complex. threads: worker threads (None: every
        core; the answer is the same for every value)."""
        return _long_call(self._core.enumerate, Complex._from, progress, "enumerate",
                          box=box, domain=domain, graph=bool(graph),
                          max_cells=int(max_cells or 0), lp_only=bool(lp_only),
                          max_bytes=int(max_bytes or 0), timeout=float(timeout or 0),
                          threads=int(threads or 0))

    def lemma1(self, box=None, domain=None, max_cells=None, progress=None, timeout=None,
               threads=None):
        """Lemma 1 / Theorem 2 of the paper over every cell: both directions
        decided independently (d_H from bits, adjacency from geometry), every
        disagreement listed, and the general-position checks."""
        def convert(d):
            cx = Complex._from(d["enumeration"])
            l1 = d["lemma1"]
            if l1 is None:
                return {"complex": cx, "stopped": cx.stopped, "checked": False}
            gp = cx.general_position
            vfail = gp["bad_vertices"] > 0
            fail = gp["zero_rows"] > 0 or gp["shared_facets"] > 0 or vfail
            known = fail or gp["vertices_checked"]
            return dict(l1, checked=True, holds=not l1["disagreements"],
                        general_position=(not fail) if known else None,
                        cells=len(cx.cells), complex=cx, stopped=None)
        return _long_call(self._core.lemma1, convert, progress, "lemma1", box=box,
                          domain=domain, max_cells=int(max_cells or 0),
                          timeout=float(timeout or 0), threads=int(threads or 0))

    def explore(self, point=None, code=None, max_depth=None, max_cells=None, box=None,
                domain=None, progress=None, timeout=None, threads=None):
        """Breadth-first over the full-dimensional cells reachable from the
        start cell by crossing facets (the cells around an image)."""
        return _long_call(self._core.explore, Exploration._from, progress, "explore",
                          code=_code_arg(code), point=_array(point), box=box,
                          domain=domain,
                          max_depth=-1 if max_depth is None else int(max_depth),
                          max_cells=int(max_cells or 0), timeout=float(timeout or 0),
                          threads=int(threads or 0))

    def segment(self, x, y):
        """Every cell the segment from x to y passes through, in order."""
        return Segment(**self._core.segment(_array(x), _array(y)))

    def radius(self, x, box=None, domain=None):
        """The exact distance from x to the boundary of its cell (∩ box)."""
        return Radius(**self._core.radius(_array(x), box=box, domain=domain))

    def slice(self, p=None, d1=None, d2=None, points=None, box=None, max_cells=None,
              progress=None, timeout=None):
        """Every cell of the plane x = p + s d1 + t d2 (or through three
        points A, B, C: p = A, d1 = B - A, d2 = C - A, box [-1/4, 5/4]^2 by
        default) in the box of (s, t), as exact polygons; a 2-input network
        needs no plane."""
        if points is not None:
            if p is not None or d1 is not None or d2 is not None:
                raise BadInput("give p, d1, d2 or points, not both")
            A, B, C = ([_exact(v) for v in _array(P).tolist()]
                       if hasattr(_array(P), "tolist") else [_exact(v) for v in P]
                       for P in points)
            p = A
            d1 = [b - a for a, b in zip(A, B)]
            d2 = [c - a for a, c in zip(A, C)]
            if box is None:
                box = (Fraction(-1, 4), Fraction(5, 4))
        return _long_call(self._core.tessellate, Slice._from, progress, "slice",
                          p=_array(p), d1=_array(d1), d2=_array(d2), box=box,
                          max_cells=int(max_cells or 0), timeout=float(timeout or 0))

    def plot(self, path, p=None, d1=None, d2=None, box=None, graph=False,
             highlight=False, color_class=False, size=None, max_cells=None,
             progress=None, timeout=None):
        """The picture of `polyverify plot`: the cells of a 2-input net (or of
        the slice p + s d1 + t d2) in the box as coloured polygons with exact
        vertices, to an .svg or .png file; graph draws the adjacency graph,
        highlight marks pairs where d_A != min(d_H, 2), color_class colours
        each cell by its predicted class. size: (width, height) pixels."""
        w, h = size if size is not None else (0, 0)
        cb, bar = _progress(progress, "plot")
        try:
            return self._core.plot(str(path), p=_array(p), d1=_array(d1), d2=_array(d2),
                                   box=box, graph=bool(graph), highlight=bool(highlight),
                                   color_class=bool(color_class), width=int(w),
                                   height=int(h), max_cells=int(max_cells or 0),
                                   progress=cb, timeout=float(timeout or 0))
        finally:
            if bar is not None:
                bar.close()


def _exact(v):
    """A number as a Fraction, exactly (float: its binary value)."""
    if hasattr(v, "dtype"):                 # numpy scalars: float() is exact
        v = v.item()
    return Fraction(v)
