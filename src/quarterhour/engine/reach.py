"""Exact walking reachability: for every origin and facility item, the nearest facility.

For each item, one bounded multi-source shortest-path pass from all of that item's facilities
gives every origin its walking distance to the nearest one and which one it is:

    d(o, item) = min over facilities f of item:  off(f) + d_G(foot(f), foot(o)) + off(o)

where ``off`` is the straight distance from a point to its foot point on the nearest edge and
``d_G`` the shortest path on the network with the foot points inserted into their edges. Values
above the limit are not computed: the origin is *not reachable* (NaN distance, facility -1, and a
reason), never a large sentinel number.

Items run in parallel threads (the compiled kernel releases the GIL).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from quarterhour.engine._kernels import bounded_one_to_many, gather_nearest, msd_core
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M, speed_m_per_min
from quarterhour.engine.graph import RoutingGraph, routing_graph
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.progress import Progress, no_progress
from quarterhour.engine.snapping import EdgeIndex, Snapped

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]

#: why an origin has no distance for an item
REASON_NO_FACILITY = "no_facility"
REASON_BEYOND_LIMIT = "beyond_limit"
REASON_ORIGIN_OFF_NETWORK = "origin_off_network"

_LIMIT_SLACK = 1e-9  # metres: a facility exactly at the limit is within it


@dataclass(frozen=True, slots=True, eq=False)
class ItemReach:
    """Nearest facility of one item for every origin."""

    item_code: str
    distance_m: FloatArray
    facility: Int32Array  # -1 where distance_m is NaN
    reason: str = ""

    def reachable(self) -> npt.NDArray[np.bool_]:
        return np.isfinite(self.distance_m)


@dataclass(frozen=True, slots=True, eq=False)
class ReachResult:
    origins: Origins
    facilities: tuple[Facility, ...]
    items: dict[str, ItemReach]
    limit_m: float
    origin_snap: Snapped | None
    facility_snap: Snapped

    def minutes(self, item_code: str, *, speed_kmh: float) -> FloatArray:
        return np.asarray(self.items[item_code].distance_m / speed_m_per_min(speed_kmh))

    def reasons(self, item_code: str) -> list[str]:
        """Per origin: "" when reachable, else why not."""
        item = self.items[item_code]
        if item.reason:
            return [item.reason] * len(self.origins)
        off = (
            np.zeros(len(self.origins), dtype=bool)
            if self.origin_snap is None
            else ~self.origin_snap.ok
        )
        reach = item.reachable()
        return [
            "" if r else (REASON_ORIGIN_OFF_NETWORK if o else REASON_BEYOND_LIMIT)
            for r, o in zip(reach.tolist(), off.tolist(), strict=True)
        ]


@dataclass(frozen=True, slots=True, eq=False)
class PreparedReach:
    """Everything built once per (network, origins, facilities), reused by every item pass."""

    graph: RoutingGraph
    origin_node: Int64Array
    origin_offset: FloatArray
    origin_snap: Snapped | None
    facility_node: Int64Array
    facility_offset: FloatArray
    facility_snap: Snapped


def _empty_snap(max_snap_m: float) -> Snapped:
    return Snapped(np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0), max_snap_m)


def prepare(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    edge_index: EdgeIndex | None = None,
) -> PreparedReach:
    """Snap origins and facilities and build the routing graph."""
    fac_lon = np.array([f.lon for f in facilities], dtype=np.float64)
    fac_lat = np.array([f.lat for f in facilities], dtype=np.float64)
    index = edge_index
    if index is None and (origins.node is None or len(facilities) > 0):
        index = EdgeIndex(network)
    fsnap = (
        index.snap(fac_lon, fac_lat, max_snap_m=max_snap_m)
        if index is not None and len(facilities) > 0
        else _empty_snap(max_snap_m)
    )
    osnap: Snapped | None = None
    if origins.node is None and index is not None:
        osnap = index.snap(origins.lon, origins.lat, max_snap_m=max_snap_m)
        graph, (fnode, onode) = routing_graph(network, [fsnap, osnap])
        ooff = np.where(osnap.ok, osnap.offset_m, np.nan)
    else:
        graph, (fnode,) = routing_graph(network, [fsnap])
        onode = np.asarray(origins.node, dtype=np.int64)
        ooff = np.zeros(onode.shape[0], dtype=np.float64)
    return PreparedReach(
        graph=graph,
        origin_node=onode,
        origin_offset=ooff,
        origin_snap=osnap,
        facility_node=fnode,
        facility_offset=np.where(fsnap.ok, fsnap.offset_m, np.nan),
        facility_snap=fsnap,
    )


class _Buffers(threading.local):
    """Per-thread work arrays of the kernel, reused by every pass the thread runs (fresh
    memory for each pass costs page faults, which threads take turns to serve)."""

    def get(self, n: int) -> tuple[FloatArray, FloatArray, Int32Array]:
        bufs: tuple[FloatArray, FloatArray, Int32Array] | None = getattr(self, "bufs", None)
        if bufs is None or bufs[1].shape[0] != n:
            bufs = (
                np.empty(2 * n, dtype=np.float64),
                np.empty(n, dtype=np.float64),
                np.empty(n, dtype=np.int32),
            )
            self.bufs = bufs
        return bufs


def _item_pass(
    prep: PreparedReach, fac_idx: Int64Array, limit_m: float, buffers: _Buffers
) -> tuple[FloatArray, Int32Array]:
    g = prep.graph
    ok = prep.facility_node[fac_idx] >= 0
    fac_idx = fac_idx[ok]
    rec, hk, hv = buffers.get(g.n_nodes)
    limit = limit_m + _LIMIT_SLACK
    msd_core(
        g.indptr,
        g.indices,
        g.weights,
        prep.facility_node[fac_idx].astype(np.int32),
        prep.facility_offset[fac_idx],
        fac_idx.astype(np.int32),
        limit,
        rec,
        hk,
        hv,
    )
    n = prep.origin_node.shape[0]
    d = np.empty(n, dtype=np.float64)
    f = np.empty(n, dtype=np.int32)
    gather_nearest(rec, prep.origin_node, prep.origin_offset, limit, d, f)
    return d, f


def reach(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    *,
    item_codes: Sequence[str],
    limit_m: float,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    workers: int = 0,
    progress: Progress = no_progress,
    prepared: PreparedReach | None = None,
) -> ReachResult:
    """Walking distance from every origin to the nearest facility of every item, within a limit.

    ``workers`` threads run item passes in parallel (0 = one per CPU core).
    """
    if not limit_m > 0:
        raise ValueError(f"limit_m must be positive, got {limit_m!r}")
    facilities = tuple(facilities)
    progress("snap", 0, 1)
    prep = prepared or prepare(network, origins, facilities, max_snap_m=max_snap_m)
    progress("snap", 1, 1)
    by_item: dict[str, list[int]] = {code: [] for code in item_codes}
    for i, fac in enumerate(facilities):
        for code in fac.item_codes:
            if code in by_item:
                by_item[code].append(i)
    n_workers = workers or os.cpu_count() or 1
    buffers = _Buffers()
    items: dict[str, ItemReach] = {}
    total = len(item_codes)
    done = 0
    progress("reach", 0, total)

    def run(code: str) -> ItemReach:
        idx = np.asarray(by_item[code], dtype=np.int64)
        if idx.size == 0 or not (prep.facility_node[idx] >= 0).any():
            n = len(origins)
            return ItemReach(code, np.full(n, np.nan), np.full(n, -1, np.int32), REASON_NO_FACILITY)
        d, f = _item_pass(prep, idx, limit_m, buffers)
        return ItemReach(code, d, f)

    if n_workers == 1 or total <= 1:
        for code in item_codes:
            items[code] = run(code)
            done += 1
            progress("reach", done, total)
    else:
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            for code, res in zip(item_codes, pool.map(run, item_codes), strict=True):
                items[code] = res
                done += 1
                progress("reach", done, total)
    return ReachResult(
        origins=origins,
        facilities=facilities,
        items=items,
        limit_m=float(limit_m),
        origin_snap=prep.origin_snap,
        facility_snap=prep.facility_snap,
    )


def distance_matrix(
    network: WalkNetwork,
    sources_lon: npt.ArrayLike,
    sources_lat: npt.ArrayLike,
    origins: Origins,
    *,
    limit_m: float,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> sp.csr_array:
    """Walking distances (m) from each source point to each origin, kept where ≤ ``limit_m``.

    Shape (n_sources, n_origins); absent entries are beyond the limit (or off the network).
    Used for siting: which candidate site would cover which homes.
    """
    index = EdgeIndex(network)
    s_lon = np.asarray(sources_lon, dtype=np.float64)
    s_lat = np.asarray(sources_lat, dtype=np.float64)
    ssnap = index.snap(s_lon, s_lat, max_snap_m=max_snap_m)
    if origins.node is None:
        osnap = index.snap(origins.lon, origins.lat, max_snap_m=max_snap_m)
        graph, (snode, onode) = routing_graph(network, [ssnap, osnap])
        ooff = osnap.offset_m
    else:
        graph, (snode,) = routing_graph(network, [ssnap])
        onode = np.asarray(origins.node, dtype=np.int64)
        ooff = np.zeros(onode.shape[0])
    ok_o = np.flatnonzero(onode >= 0)
    order = np.argsort(onode[ok_o], kind="stable")
    tgt = ok_o[order]
    tnode = onode[tgt]
    target_ptr = np.zeros(graph.n_nodes + 1, dtype=np.int64)
    np.add.at(target_ptr, tnode + 1, 1)
    target_ptr = np.cumsum(target_ptr)
    ok_s = np.flatnonzero(snode >= 0)
    rs, rt, rd = bounded_one_to_many(
        graph.indptr,
        graph.indices,
        graph.weights,
        snode[ok_s].astype(np.int32),
        ssnap.offset_m[ok_s],
        limit_m + _LIMIT_SLACK,
        target_ptr,
        tgt.astype(np.int64),
        ooff[tgt].astype(np.float64),
    )
    return sp.csr_array((rd, (ok_s[rs], rt)), shape=(s_lon.shape[0], len(origins)))
