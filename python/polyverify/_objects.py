"""The answers of polyverify as Python objects.

Every number is exact: a ``fractions.Fraction`` (or an int, or a code as a
str of 0/1). Floats appear only where a name says so (``point_float``,
``as_float=True``), so that nobody mistakes a rounded value for the answer.
"""
from dataclasses import dataclass, field
from fractions import Fraction
from typing import List, Optional, Tuple


def _floats(values):
    """A float64 numpy array of exact values (rounded: for plotting, not deciding)."""
    import numpy as np
    return np.array([float(v) for v in values], dtype=np.float64)


@dataclass(frozen=True)
class Layer:
    """One affine layer of the chain: rows 0 .. relus-1 are ReLU neurons."""
    activation: str          # "relu", "linear" or "mixed"
    in_dim: int
    out_dim: int
    relus: int
    first_neuron: int        # global index of its neuron 0, -1 without ReLU rows
    sparse: bool
    nnz: int


@dataclass(frozen=True)
class Facet:
    """A facet of a cell's closure: the neurons whose rows define it, the box
    side or domain row it lies on, and the code of the cell beyond it."""
    neurons: List[int]
    neighbor: Optional[str]          # None for a side of the domain
    box: Optional[Tuple[int, str]]   # (coordinate, "lo" | "hi")
    domain_row: Optional[int]
    point: Optional[List[Fraction]]  # a relative-interior point, when computed


@dataclass(frozen=True)
class Halfspace:
    """Row a.x + c > 0 (strict), = 0 (equality) or >= 0. Neuron j's row is its
    pre-activation z_j times sigma_j s_j (sigma = +1 for bit 1, -1 for bit 0;
    s_j > 0 clears denominators); box rows are x_i - lo_i and hi_i - x_i."""
    a: List[Fraction]
    c: Fraction
    strict: bool
    equality: bool
    label: object                    # neuron int, ("box", i, "lo"|"hi"), ("domain", k)


@dataclass
class Cell:
    """The cell of a code (DESIGN §3.3), decided exactly."""
    code: str
    realized: bool
    dim: int
    point: Optional[List[Fraction]]
    bounded: Optional[bool]
    implicit: List[int]
    implicit_box: List[Tuple[int, str]]
    implicit_domain: List[int]
    facets: List[Facet]
    stats: dict
    _net: object = field(repr=False, default=None)
    _box: object = field(repr=False, default=None)
    _domain: object = field(repr=False, default=None)
    volume_kind: Optional[str] = None

    @property
    def point_float(self):
        """The point as float64 (rounded): for plotting only."""
        return None if self.point is None else _floats(self.point)

    def volume(self):
        """The exact volume of the closure (in the box): a Fraction, or None
        with ``volume_kind`` saying why ("empty", "lower_dim", "unbounded").
        Networks with at most 6 inputs."""
        from . import _interruptible
        kind, v = _interruptible(self._net._core.volume, self.code, box=self._box,
                                 domain=self._domain, dim=self.dim)
        self.volume_kind = kind
        return v

    def halfspaces(self, as_float=False):
        """The exact system of the cell: neuron rows in neuron order, then the
        domain's rows. as_float=True: (A, c, strict) numpy arrays, rounded."""
        rows = [Halfspace(*r) for r in self._net._core.halfspaces(
            code=self.code, box=self._box, domain=self._domain)]
        if not as_float:
            return rows
        import numpy as np
        A = np.array([[float(v) for v in r.a] for r in rows], dtype=np.float64)
        c = np.array([float(r.c) for r in rows], dtype=np.float64)
        return A.reshape(len(rows), self._net.input_dim), c, np.array(
            [r.strict for r in rows], dtype=bool)

    def certificate(self, path, answer=None):
        """Writes a certificate of this cell's facts to path (check it with
        polyverify.check); answer: also the answer JSON pvcheck compares."""
        self._net._core.cell(code=self.code, box=self._box, domain=self._domain,
                             certificate=str(path),
                             answer=None if answer is None else str(answer))
        return path


@dataclass(frozen=True)
class Adjacency:
    code_a: str
    code_b: str
    hamming: int
    dim_a: int
    dim_b: int
    common_dim: int
    common_point: Optional[List[Fraction]]
    adjacent: Optional[bool]   # None when a code is not realised
    d_A: Optional[int]
    d_H2: int
    agrees: Optional[bool]
    stats: dict


@dataclass(frozen=True)
class Flip:
    neuron: Optional[int]      # the flipped bit; None for a facet neighbour
    code: str
    realized: bool
    dim: int
    hamming: int
    common_dim: Optional[int]  # None (and adjacent None) when not realised
    adjacent: Optional[bool]
    neurons: List[int]         # a facet neighbour's facet neurons


@dataclass(frozen=True)
class EnumCell:
    code: str
    dim: int
    point: List[Fraction]

    @property
    def point_float(self):
        return _floats(self.point)


def _crossed(a, b):
    return [j for j, (x, y) in enumerate(zip(a, b)) if x != y]


@dataclass
class Complex:
    """Every cell of a network in a domain, and the adjacency graph: edges
    (i, j, neurons, hamming) between indices of ``cells``, decided from
    geometry; ``neurons`` are the bits in which the two codes differ."""
    cells: List[EnumCell]
    by_dim: List[int]
    edges: List[tuple]
    complete: bool
    stopped: Optional[str]
    general_position: dict
    stats: dict
    seconds: float

    @classmethod
    def _from(cls, d):
        cells = [EnumCell(*c) for c in d["cells"]]
        edges = [(a, b, _crossed(cells[a].code, cells[b].code), h)
                 for (a, b, h, _common, adj) in d["pairs"] if adj]
        return cls(cells, d["by_dim"], edges, d["complete"], d["stopped"],
                   d["general_position"], d["stats"], d["seconds"])

    def index(self, code):
        """The index of a code among the cells, or -1."""
        code = code.replace("|", "").replace(" ", "")
        for i, c in enumerate(self.cells):
            if c.code == code:
                return i
        return -1

    def to_networkx(self):
        """The dual graph: node i has code, dim, point; edge (i, j) has the
        crossed neurons and the Hamming distance."""
        import networkx as nx
        g = nx.Graph()
        for i, c in enumerate(self.cells):
            g.add_node(i, code=c.code, dim=c.dim, point=c.point)
        for a, b, neurons, h in self.edges:
            g.add_edge(a, b, neurons=neurons, hamming=h)
        return g


@dataclass(frozen=True)
class ExploreCell:
    code: str
    depth: int
    dim: int
    nfacets: int
    point: List[Fraction]


@dataclass
class Exploration:
    cells: List[ExploreCell]
    edges: List[Tuple[int, int]]
    complete: bool
    stopped: Optional[str]

    @classmethod
    def _from(cls, d):
        return cls([ExploreCell(*c) for c in d["cells"]], d["edges"], d["complete"],
                   d["stopped"])

    def to_networkx(self):
        import networkx as nx
        g = nx.Graph()
        for i, c in enumerate(self.cells):
            g.add_node(i, code=c.code, depth=c.depth, dim=c.dim, point=c.point)
        for a, b in self.edges:
            g.add_edge(a, b, neurons=_crossed(self.cells[a].code, self.cells[b].code))
        return g


@dataclass(frozen=True)
class Segment:
    pieces: List[Tuple[str, Fraction, Fraction]]   # (code, t_from, t_to)
    breakpoints: List[Tuple[Fraction, str]]        # (t, code at t)


@dataclass(frozen=True)
class Radius:
    code: str
    finite: bool
    l2_squared: Optional[Fraction]
    linf: Optional[Fraction]
    nearest_l2: Optional[dict]
    nearest_linf: Optional[dict]


@dataclass(frozen=True)
class SliceCell:
    code: str
    dim: int                                       # in the plane: 2, 1 or 0
    polygon: List[Tuple[Fraction, Fraction]]       # exact, slice coordinates


@dataclass
class Slice:
    cells: List[SliceCell]
    by_dim: List[int]                              # cells of dimension 0, 1, 2
    complete: bool
    stopped: Optional[str]

    @classmethod
    def _from(cls, d):
        return cls([SliceCell(*c) for c in d["cells"]], d["by_dim"], d["complete"],
                   d["stopped"])

    def __iter__(self):
        return iter(self.cells)

    def __len__(self):
        return len(self.cells)
