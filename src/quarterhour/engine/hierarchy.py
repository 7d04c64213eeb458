"""A distance-bounded contraction hierarchy of the walk network, swept for many sources at once.

Why: the nearest facility of every item for every node is one multi-source shortest-path
problem per item. A bounded Dijkstra settles each node once per item through a priority queue
whose accesses jump across memory; at a million nodes that is ~400 ns a node, waiting for memory.
Here the network is preprocessed once into a *contraction hierarchy* (nodes contracted one by
one, a shortcut ``u–w`` added for ``u–v–w`` when no other path is as short), and then each item
costs two *linear sweeps* over the nodes — upward from the sources, then downward to everyone
(PHAST, Delling et al. 2011) — for up to :data:`~._hierarchy.LANES` items at a time, with no
priority queue at all. The nodes are laid out in *dependency order* (along a Hilbert curve, each
node after its higher neighbours), so that the sweeps read memory mostly in order; that order is
split into a small *top* and a few *parts* (pieces of the ground), so that several threads sweep
one set of lanes together (:func:`run_sweeps`).

Bounded: the hierarchy only keeps shortcuts no longer than ``bound_m`` (the walking limit).
No path within the limit can use a longer one, so every node within the limit of a source gets
its exact distance; beyond it the answer is "not reachable" anyway. The bound keeps the
hierarchy small and its preprocessing quick; a query with a larger limit needs a new one.

Exactness: every distance is a sum of the network's edge lengths along a shortest path, in
float64; shortcuts add some of those lengths in another order than a Dijkstra would, so a
distance can differ from the Dijkstra's in the last binary digits (≈1e-13 m at 1 km), never more.
Of several sources at the same distance the lowest label (facility index) wins.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from quarterhour.engine._hierarchy import (
    contract,
    dependency_order,
    part_flags,
    sweep_range,
    sweep_up,
)
from quarterhour.engine._threads import at_once
from quarterhour.engine.network import WalkNetwork

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]

#: witness searches stop after this many settled nodes (a missed witness adds a shortcut that
#: is not needed, never a wrong distance)
SETTLE_LIMIT = 15
#: node priority weights: edge difference, contracted neighbours, level
PRIORITY = (2.0, 1.0, 1.0)
#: parts the nodes are split into, so that this many threads sweep one set of lanes together
#: (:func:`run_sweeps`)
PARTS = 2
#: format 5 split the sweep order into a top and parts (``bounds``, ``tp_*``); files of earlier
#: formats are refused (and built again by those who keep them)
_FORMAT = 5


@dataclass(frozen=True, slots=True, eq=False)
class Hierarchy:
    """The hierarchy in sweep order: node ``v`` sits at position ``pos[v]``, every node after
    all its higher neighbours. Every arc joins a node to a higher one and is stored once, by
    its lower end (``dn_*``, CSR by position; ``dn_src`` the higher end): the downward sweep
    pulls along these arcs, the upward sweep pushes along them (:func:`run_sweeps`). The
    pointers are 32-bit while the arcs fit. The arcs by their higher end (``up_arcs``) are
    built only when asked for (the what-if's local queries).

    The order is split for threads (:func:`split_order`): positions ``bounds[0]``..
    ``bounds[1]`` are the *top* (nodes above two parts or more), then part ``i`` is
    ``bounds[1+i]``..``bounds[2+i]`` — every arc of a part's node leads into its own part or
    the top. ``tp_*`` are the arcs from below the top into it, by their higher end (CSR over
    the top's positions; ``tp_src`` the lower end, in a part)."""

    n_nodes: int
    bound_m: float
    network_digest: str
    pos: Int32Array
    dn_ptr: npt.NDArray[np.int32] | Int64Array
    dn_src: Int32Array
    dn_w: FloatArray
    n_levels: int
    bounds: Int64Array
    tp_ptr: npt.NDArray[np.int32] | Int64Array
    tp_src: Int32Array
    tp_w: FloatArray
    _up: list[tuple[Int64Array, Int32Array, FloatArray]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    @property
    def n_arcs(self) -> int:
        return int(self.dn_src.shape[0])

    @property
    def n_parts(self) -> int:
        return int(self.bounds.shape[0]) - 2

    def nbytes(self) -> int:
        return sum(
            a.nbytes
            for a in (
                self.pos,
                self.dn_ptr,
                self.dn_src,
                self.dn_w,
                self.bounds,
                self.tp_ptr,
                self.tp_src,
                self.tp_w,
            )
        )

    def up_arcs(self) -> tuple[Int64Array, Int32Array, FloatArray]:
        """The arcs by their higher end (CSR by position; the source is the lower end, sorted
        within each position), built on first use and kept."""
        if not self._up:
            n = self.n_nodes
            ptr = np.asarray(self.dn_ptr, dtype=np.int64)
            lower = np.repeat(np.arange(n, dtype=np.int32), np.diff(ptr))
            self._up.append(_csr(n, self.dn_src, lower, self.dn_w))
        return self._up[0]

    def save(self, path: Path) -> None:
        """Write to a ``.npz`` file (kept beside a stored network), atomically (several
        processes may build and save the same network's hierarchy at once)."""
        from quarterhour.engine.npzfiles import save_npz

        save_npz(
            path,
            format=np.int64(_FORMAT),
            n_nodes=np.int64(self.n_nodes),
            bound_m=np.float64(self.bound_m),
            network_digest=np.str_(self.network_digest),
            pos=self.pos,
            dn_ptr=self.dn_ptr,
            dn_src=self.dn_src,
            dn_w=self.dn_w,
            n_levels=np.int64(self.n_levels),
            bounds=self.bounds,
            tp_ptr=self.tp_ptr,
            tp_src=self.tp_src,
            tp_w=self.tp_w,
        )

    @classmethod
    def load(cls, path: Path) -> Hierarchy:
        # our own handle: np.load leaves its own open when the file is not a whole zip
        with open(path, "rb") as fh, np.load(fh) as z:
            if int(z["format"]) != _FORMAT:
                raise ValueError(f"{path}: hierarchy format {int(z['format'])}, not {_FORMAT}")
            return cls(
                n_nodes=int(z["n_nodes"]),
                bound_m=float(z["bound_m"]),
                network_digest=str(z["network_digest"]),
                pos=z["pos"],
                dn_ptr=_narrow_ptr(z["dn_ptr"]),
                dn_src=z["dn_src"],
                dn_w=z["dn_w"],
                n_levels=int(z["n_levels"]),
                bounds=z["bounds"],
                tp_ptr=_narrow_ptr(z["tp_ptr"]),
                tp_src=z["tp_src"],
                tp_w=z["tp_w"],
            )

    def fits(self, network: WalkNetwork, limit_m: float) -> bool:
        """Whether this hierarchy answers queries up to ``limit_m`` on ``network``."""
        return (
            self.n_nodes == network.n_nodes
            and limit_m <= self.bound_m
            and self.network_digest == network_digest(network)
        )


def network_digest(network: WalkNetwork) -> str:
    """A short fingerprint of a network's edges (sizes, total length, a sample of the edges):
    tells a kept hierarchy's network from another one. Kept with the network (computed once:
    every reach asks, ~1.7 ms at 100k nodes)."""
    kept = network.kept.get("digest")
    if isinstance(kept, str):
        return kept
    m = network.n_edges
    step = max(1, m // 65536)
    h = hashlib.blake2b(digest_size=16)
    h.update(np.array([network.n_nodes, m], dtype=np.int64).tobytes())
    h.update(np.float64(np.sum(network.edge_length_m)).tobytes())
    for a in (network.edge_u, network.edge_v, network.edge_length_m):
        h.update(np.ascontiguousarray(a[::step]).tobytes())
    digest = h.hexdigest()
    network.kept["digest"] = digest
    return digest


def _csr(
    n: int, key: Int32Array, other: Int32Array, w: FloatArray
) -> tuple[Int64Array, Int32Array, FloatArray]:
    order = np.lexsort((other, key))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=ptr[1:])
    return (
        ptr,
        np.ascontiguousarray(other[order], dtype=np.int32),
        np.ascontiguousarray(w[order], dtype=np.float64),
    )


def _narrow_ptr(ptr: Int64Array) -> npt.NDArray[np.int32] | Int64Array:
    """CSR pointers as 32-bit integers when the arcs fit (half the memory)."""
    if ptr.shape[0] and int(ptr[-1]) < 2**31:
        return np.ascontiguousarray(ptr, dtype=np.int32)
    return np.ascontiguousarray(ptr, dtype=np.int64)


def hilbert_key(x: FloatArray, y: FloatArray, *, bits: int = 16) -> Int64Array:
    """Position of each point along a Hilbert curve over the points' bounding box: points near
    each other on the ground get keys near each other (memory locality for the sweeps)."""
    side = (1 << bits) - 1
    x0, y0 = float(np.min(x)), float(np.min(y))
    span = max(float(np.max(x)) - x0, float(np.max(y)) - y0, 1e-12)
    xi = np.minimum(((x - x0) / span * side).astype(np.int64), side)
    yi = np.minimum(((y - y0) / span * side).astype(np.int64), side)
    d = np.zeros(x.shape[0], dtype=np.int64)
    s = 1 << (bits - 1)
    while s > 0:
        rx = (xi & s) > 0
        ry = (yi & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        # rotate the quadrant
        flip = ~ry
        swap_x = np.where(flip & rx, side - xi, xi)
        swap_y = np.where(flip & rx, side - yi, yi)
        xi = np.where(flip, swap_y, swap_x)
        yi = np.where(flip, swap_x, swap_y)
        s >>= 1
    return d


def split_order(
    dn_ptr: Int64Array, dn_src: Int32Array, *, parts: int
) -> tuple[Int32Array, Int64Array]:
    """A sweep order (as new position → old position) split for ``parts`` threads, and its
    bounds (see :class:`Hierarchy`). The positions are cut into ``parts`` runs of about equal
    work (arcs, plus one per node): along the Hilbert curve, so each run is a compact piece of
    the ground. A node reached upward from two runs or more (it is at or above nodes of both)
    goes to the *top*, the others to their run's part, each group in the order it had (every
    node still after its higher neighbours: a part's higher neighbours are in the part or the
    top, the top's in the top). The top is few: 1.2 % of the nodes at 1M, 4 % at 100k."""
    n = int(dn_ptr.shape[0]) - 1
    if parts <= 1 or n == 0:
        return np.arange(n, dtype=np.int32), np.array([0, 0, n], dtype=np.int64)
    work = np.cumsum(np.diff(dn_ptr) + 1) - 1
    part = np.minimum(work * parts // max(int(work[-1]) + 1, 1), parts - 1).astype(np.int32)
    flags = part_flags(dn_ptr, dn_src, part)
    top = (flags & (flags - 1)) != 0  # more than one bit
    group = np.where(top, 0, part + 1)
    perm = np.argsort(group, kind="stable").astype(np.int32)
    sizes = np.bincount(group, minlength=parts + 1)
    bounds = np.zeros(parts + 2, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    return perm, bounds


def build_hierarchy(network: WalkNetwork, *, bound_m: float, parts: int = PARTS) -> Hierarchy:
    """Contract ``network`` for walks up to ``bound_m`` metres; the sweep order split for
    ``parts`` threads (:func:`split_order`)."""
    if not bound_m > 0:
        raise ValueError(f"bound_m must be positive, got {bound_m!r}")
    n = network.n_nodes
    _, level, lo, hi, w = contract(
        n,
        np.ascontiguousarray(network.edge_u, dtype=np.int32),
        np.ascontiguousarray(network.edge_v, dtype=np.int32),
        np.ascontiguousarray(network.edge_length_m, dtype=np.float64),
        float(bound_m),
        SETTLE_LIMIT,
        *PRIORITY,
    )
    lat0 = float(np.mean(network.node_lat)) if n else 0.0
    key = hilbert_key(network.node_lon * np.cos(np.radians(lat0)), network.node_lat)
    # sweep order: along the curve, each node preceded by its higher neighbours not placed yet
    # (2.5x fewer stalls than PHAST's order by level, measured; see the README)
    by_lo = np.argsort(lo, kind="stable")
    up_ptr_n = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(lo, minlength=n), out=up_ptr_n[1:])
    node_at = dependency_order(
        np.argsort(key, kind="stable").astype(np.int32),
        up_ptr_n,
        np.ascontiguousarray(hi[by_lo]),
    )
    del by_lo, up_ptr_n
    pos = np.empty(n, dtype=np.int32)
    pos[node_at] = np.arange(n, dtype=np.int32)
    dn_ptr, dn_src, _ = _csr(n, pos[lo], pos[hi], w)
    perm, bounds = split_order(dn_ptr, dn_src, parts=parts)
    del dn_ptr, dn_src
    moved = np.empty(n, dtype=np.int32)
    moved[perm] = np.arange(n, dtype=np.int32)
    pos = moved[pos]
    plo = pos[lo]
    phi = pos[hi]
    del lo, hi, moved
    dn_ptr, dn_src, dn_w = _csr(n, plo, phi, w)
    t = int(bounds[1])
    into_top = (phi < t) & (plo >= t)
    tp_ptr, tp_src, tp_w = _csr(t, phi[into_top], plo[into_top], w[into_top])
    return Hierarchy(
        n_nodes=n,
        bound_m=float(bound_m),
        network_digest=network_digest(network),
        pos=pos,
        dn_ptr=_narrow_ptr(dn_ptr),
        dn_src=dn_src,
        dn_w=dn_w,
        n_levels=int(level.max()) + 1 if n else 0,
        bounds=bounds,
        tp_ptr=_narrow_ptr(tp_ptr),
        tp_src=tp_src,
        tp_w=tp_w,
    )


def run_sweeps(
    h: Hierarchy,
    dist: FloatArray,
    lab: Int32Array,
    live: npt.NDArray[np.uint8],
    limit: float,
    *,
    pool: Executor | None = None,
    threads: int = 1,
) -> None:
    """Both sweeps over seeded lanes (:func:`~._hierarchy.seed`): upward (positions from last
    to first, each pushing along its arcs to its higher neighbours), then downward (first to
    last, each pulling along the same arcs from above).

    With ``threads`` > 1 (on ``pool``) the threads share the lanes, part by part
    (:class:`Hierarchy`): upward, the parts at once, each pushing only within itself; then
    the top pulls from below along ``tp_*`` (its positions cut among the threads: each writes
    only its own, and reads only the parts, final by then); then the top's own upward sweep
    (one thread). Downward, the top first (one thread), then the parts at once (each reads only
    itself and the top). Every position takes the least of the very same candidates as in one
    sweep over all positions, so the lanes end bit for bit the same.
    """
    n = h.n_nodes
    k = h.n_parts
    if pool is None or threads <= 1 or k <= 1:
        sweep_up(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, 0, n, 0)
        sweep_range(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, 0, n, True)
        return
    b = [int(x) for x in h.bounds]
    t = b[1]
    parts = [(b[1 + i], b[2 + i]) for i in range(k)]

    def up(r: tuple[int, int]) -> None:
        sweep_up(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, r[0], r[1], t)

    def pull(r: tuple[int, int]) -> None:
        sweep_range(h.tp_ptr, h.tp_src, h.tp_w, dist, lab, live, limit, r[0], r[1], True)

    def down(r: tuple[int, int]) -> None:
        sweep_range(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, r[0], r[1], True)

    at_once(pool, up, parts)
    at_once(pool, pull, _cut(h.tp_ptr, threads))
    sweep_up(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, 0, t, 0)
    down((0, t))
    at_once(pool, down, parts)


def _cut(ptr: npt.NDArray[np.int32] | Int64Array, k: int) -> list[tuple[int, int]]:
    """``k`` runs of positions ``0``..``len(ptr) - 1`` with about equal arcs each."""
    n = int(ptr.shape[0]) - 1
    marks = np.searchsorted(ptr, np.arange(1, k) * (int(ptr[-1]) / k)).tolist()
    edges = [0, *(min(max(int(m), 0), n) for m in marks), n]
    return [(a, c) for a, c in pairwise(edges) if c > a]
