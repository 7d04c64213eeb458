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
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from quarterhour.engine._hierarchy import (
    gather_nodes,
    gather_points,
    lane_width,
    node_positions,
    reset,
    seed,
)
from quarterhour.engine._kernels import (
    bounded_one_to_many,
    gather_nearest,
    msd_core,
    source_rows,
)
from quarterhour.engine._memory import (
    fresh_array,
    make_resident_later,
    release_free_memory,
    reused_array,
)
from quarterhour.engine._threads import at_once, even_runs, kept_pool
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M, speed_m_per_min
from quarterhour.engine.facility_items import facilities_by_item, facility_coordinates
from quarterhour.engine.graph import RoutingGraph, routing_graph
from quarterhour.engine.hierarchy import Hierarchy, build_hierarchy, run_sweeps
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.progress import Progress, no_progress
from quarterhour.engine.snapping import EdgeIndex, Snapped, index_for, kept_index

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
    """Everything built once per (network, origins, facilities), reused by every item pass.

    ``hierarchy`` is the network's contraction hierarchy when one is kept (built once per
    network, :func:`~quarterhour.engine.hierarchy.build_hierarchy`); :func:`reach` builds one
    for its limit when it is missing or was built for a shorter walk.
    """

    network: WalkNetwork
    origin_node: Int64Array  # node origins: their node; point origins: empty
    origin_snap: Snapped | None
    facility_snap: Snapped
    hierarchy: Hierarchy | None = None
    routed: Routed | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Routed:
    """The routing graph with every snapped point inserted into its edge, for the per-item
    bounded Dijkstra (the path taken without a hierarchy)."""

    graph: RoutingGraph
    origin_node: Int64Array
    origin_offset: FloatArray
    facility_node: Int64Array
    facility_offset: FloatArray


def routed(prep: PreparedReach) -> Routed:
    """The prepared routing graph, built now when missing."""
    if prep.routed is not None:
        return prep.routed
    fsnap, osnap = prep.facility_snap, prep.origin_snap
    if osnap is not None:
        graph, (fnode, onode) = routing_graph(prep.network, [fsnap, osnap])
        ooff = np.where(osnap.ok, osnap.offset_m, np.nan)
    else:
        graph, (fnode,) = routing_graph(prep.network, [fsnap])
        onode = prep.origin_node
        ooff = np.zeros(onode.shape[0], dtype=np.float64)
    return Routed(graph, onode, ooff, fnode, np.where(fsnap.ok, fsnap.offset_m, np.nan))


def _empty_snap(max_snap_m: float) -> Snapped:
    return Snapped(np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0), max_snap_m)


def prepare(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    edge_index: EdgeIndex | None = None,
    hierarchy: Hierarchy | None = None,
) -> PreparedReach:
    """Snap origins and facilities; keep the network's hierarchy when given, else build the
    routing graph the per-item Dijkstra needs."""
    fac_lon, fac_lat = facility_coordinates(facilities)
    snaps = origins.node is None or len(facilities) > 0
    if edge_index is None and snaps:
        edge_index = kept_index(network)  # the network's own (kept_edge_index): only look up
    index = edge_index
    if index is None and snaps:
        index = EdgeIndex(network)
    fsnap = (
        index.snap(fac_lon, fac_lat, max_snap_m=max_snap_m)
        if index is not None and len(facilities) > 0
        else _empty_snap(max_snap_m)
    )
    osnap: Snapped | None = None
    if origins.node is None and index is not None:
        osnap = index.snap(origins.lon, origins.lat, max_snap_m=max_snap_m)
        onode = np.empty(0, dtype=np.int64)
    else:
        onode = np.asarray(origins.node, dtype=np.int64)
    if edge_index is None:
        index = None  # built here for these points only: give its memory back now
        release_free_memory()
    elif index is not None and index.mapped:
        index.release_pages()  # a kept, mapped index: its pages back until the next snap
        release_free_memory()
    prep = PreparedReach(
        network=network,
        origin_node=onode,
        origin_snap=osnap,
        facility_snap=fsnap,
        hierarchy=hierarchy,
    )
    return prep if hierarchy is not None else replace(prep, routed=routed(prep))


@dataclass(frozen=True, slots=True, eq=False)
class Sources:
    """Where the facilities of some items start the walk: facility ``label[s]`` reaches
    network node ``node[s]`` after ``dist[s]`` metres (its offset, plus the walk along its
    edge to that end); ``lane[s]`` says which item. A facility inside an edge starts at both
    ends and is also listed in ``inner_*`` (sorted by edge) for origins on that same edge."""

    node: Int64Array
    dist: FloatArray
    label: Int32Array
    lane: Int32Array
    inner_edge: Int64Array
    inner_lane: Int32Array
    inner_along: FloatArray
    inner_off: FloatArray
    inner_label: Int32Array


def facility_sources(network: WalkNetwork, fsnap: Snapped, groups: Sequence[Int64Array]) -> Sources:
    """Sources of the facilities ``groups[k]`` (indices into the snap) for lane k."""
    lanes = np.concatenate(
        [np.full(len(g), k, dtype=np.int32) for k, g in enumerate(groups)] + [np.empty(0, np.int32)]
    )
    idx = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups] + [np.empty(0, np.int64)])
    rows = source_rows(
        idx,
        lanes,
        fsnap.edge,
        fsnap.along_m,
        fsnap.offset_m,
        network.edge_length_m,
        network.edge_u,
        network.edge_v,
    )
    return Sources(*rows)


@dataclass(frozen=True, slots=True, eq=False)
class OriginPlaces:
    """Where each origin sits in the hierarchy's sweep order (see :func:`origin_places`)."""

    pos: Int32Array  # node origins: the node's position; point origins: edge end u (-1 unsnapped)
    pos_v: Int32Array  # point origins: edge end v (= pos for a point at a node)
    along: FloatArray  # metres from u (0 at a node)
    rest: FloatArray  # metres to v (0 at a node)
    offset: FloatArray
    edge: Int64Array  # the edge a point sits inside, else -1
    is_nodes: bool


def origin_places(prep: PreparedReach, h: Hierarchy) -> OriginPlaces:
    net = prep.network
    if prep.origin_snap is None:
        pos = node_positions(h.pos, prep.origin_node)
        z = np.zeros(0)
        return OriginPlaces(pos, pos, z, z, z, np.zeros(0, np.int64), True)
    snap = prep.origin_snap
    ok = snap.edge >= 0
    e = np.where(ok, snap.edge, 0)
    length = net.edge_length_m[e]
    along = np.where(ok, snap.along_m, 0.0)
    at_u = along <= 0.0
    at_v = (along >= length) & ~at_u
    inner = ok & ~(at_u | at_v)
    pu = h.pos[net.edge_u[e]]
    pv = h.pos[net.edge_v[e]]
    pos = np.where(ok, np.where(at_v, pv, pu), -1).astype(np.int32)
    pos_v = np.where(inner, pv, pos).astype(np.int32)
    return OriginPlaces(
        pos=pos,
        pos_v=pos_v,
        along=np.where(inner, along, 0.0),
        rest=np.where(inner, length - along, 0.0),
        offset=np.where(ok, snap.offset_m, 0.0),
        edge=np.where(inner, snap.edge, -1).astype(np.int64),
        is_nodes=False,
    )


def nearest_lanes(
    h: Hierarchy,
    sources: Sources,
    places: OriginPlaces,
    n_lanes: int,
    limit: float,
    *,
    work: tuple[FloatArray, Int32Array, npt.NDArray[np.uint8]] | None = None,
    pool: Executor | None = None,
    threads: int = 1,
    results: Callable[[], tuple[FloatArray, Int32Array]] | None = None,
    sweeping: Callable[[], None] | None = None,
) -> tuple[FloatArray, Int32Array]:
    """Nearest source per origin for ``n_lanes`` items (at most the lanes of ``work``): arrays
    (lane, origin) of the distance (NaN beyond ``limit``) and the source label (-1). The
    sweeps run on ``threads`` threads (this one and ``pool``'s, :func:`run_sweeps`);
    ``results`` gives the arrays to fill once they are swept (fresh ones when None);
    ``sweeping`` is called as the sweeps start (they allocate nothing: a time to make memory)."""
    n = h.n_nodes
    dist, lab, live = work if work is not None else lane_buffers(n, lane_width(n))
    width = dist.shape[0] // n
    at_once(
        pool, lambda r: reset(dist, lab, live, r[0], r[1]), even_runs(n, threads if pool else 1)
    )
    seed(dist, lab, live, sources.lane, h.pos[sources.node], sources.dist, sources.label, limit)
    if sweeping is not None:
        sweeping()
    run_sweeps(h, dist, lab, live, limit, pool=pool, threads=threads)
    n_orig = places.pos.shape[0]
    out_d, out_f = results() if results is not None else _results(n_lanes, n_orig)
    same_ptr = (
        None
        if places.is_nodes
        else np.where(
            places.edge >= 0, np.searchsorted(sources.inner_edge, places.edge), -1
        ).astype(np.int64)
    )

    def gather(r: tuple[int, int]) -> None:
        if same_ptr is None:
            gather_nodes(dist, lab, places.pos, limit, n_lanes, width, out_d, out_f, r[0], r[1])
            return
        gather_points(
            dist,
            lab,
            places.pos,
            places.pos_v,
            places.along,
            places.rest,
            places.offset,
            places.edge,
            same_ptr,
            sources.inner_edge,
            sources.inner_lane,
            sources.inner_along,
            sources.inner_off,
            sources.inner_label,
            limit,
            n_lanes,
            width,
            out_d,
            out_f,
            r[0],
            r[1],
        )

    # the origins cut between the threads (at 1M nodes one thread's gather was ~100 ms a pass)
    at_once(pool, gather, even_runs(n_orig, threads if pool is not None else 1))
    return out_d, out_f


def _results(n_lanes: int, n_orig: int, *, resident: bool = True) -> tuple[FloatArray, Int32Array]:
    return (
        reused_array((n_lanes, n_orig), np.float64, resident=resident),
        reused_array((n_lanes, n_orig), np.int32, resident=resident),
    )


class _Buffers(threading.local):
    """Per-thread work arrays, reused by every pass the thread runs (fresh memory for each
    pass costs page faults, which threads take turns to serve); for small networks kept
    between runs too (:data:`KEEP_WORK_BYTES`)."""

    def get(self, n: int, width: int) -> tuple[FloatArray, Int32Array, npt.NDArray[np.uint8]]:
        bufs: tuple[FloatArray, Int32Array, npt.NDArray[np.uint8]] | None = getattr(
            self, "bufs", None
        )
        if bufs is None or bufs[0].shape[0] != n * width:
            bufs = lane_buffers(n, width)
            self.bufs = bufs
        return bufs

    def heap(self, n: int) -> tuple[FloatArray, FloatArray, Int32Array]:
        bufs: tuple[FloatArray, FloatArray, Int32Array] | None = getattr(self, "hbufs", None)
        if bufs is None or bufs[1].shape[0] != n:
            bufs = (
                np.empty(2 * n, dtype=np.float64),
                np.empty(n, dtype=np.float64),
                np.empty(n, dtype=np.int32),
            )
            self.hbufs = bufs
        return bufs


#: work arrays up to this size (a thread's lanes, or its heap on the Dijkstra path) stay with
#: their thread between runs: a process running one what-if or assessment after another on a
#: network of up to about 350k nodes faults them once, not every run (100k: 19 MiB, the
#: lanes' ~7 ms of fresh memory a run). Larger ones are made for the run and given back after
#: it, as the 1 GiB bar at 1M asks.
KEEP_WORK_BYTES = 64 * 2**20
_KEPT = _Buffers()


def _buffers_for(n_nodes: int) -> _Buffers:
    """The calling thread's kept work arrays for a network this small, else arrays for one run."""
    width = lane_width(n_nodes)
    return _KEPT if n_nodes * (width * 12 + 1) <= KEEP_WORK_BYTES else _Buffers()


def _item_pass(
    r: Routed, fac_idx: Int64Array, limit: float, buffers: _Buffers
) -> tuple[FloatArray, Int32Array]:
    """One item by bounded multi-source Dijkstra on the routing graph."""
    g = r.graph
    fac_idx = fac_idx[r.facility_node[fac_idx] >= 0]
    rec, hk, hv = buffers.heap(g.n_nodes)
    msd_core(
        g.indptr,
        g.indices,
        g.weights,
        r.facility_node[fac_idx].astype(np.int32),
        r.facility_offset[fac_idx],
        fac_idx.astype(np.int32),
        limit,
        rec,
        hk,
        hv,
    )
    n = r.origin_node.shape[0]
    d = np.empty(n, dtype=np.float64)
    f = np.empty(n, dtype=np.int32)
    gather_nearest(rec, r.origin_node, r.origin_offset, limit, d, f)
    return d, f


def lane_buffers(n: int, width: int) -> tuple[FloatArray, Int32Array, npt.NDArray[np.uint8]]:
    return (
        fresh_array(n * width, np.float64),
        fresh_array(n * width, np.int32),
        np.empty(n, dtype=np.uint8),
    )


def hierarchy_for(prep: PreparedReach, limit_m: float) -> Hierarchy:
    """The prepared hierarchy when it covers ``limit_m``, else a new one for exactly that."""
    limit = limit_m + _LIMIT_SLACK
    h = prep.hierarchy
    if h is not None and h.fits(prep.network, limit):
        return h
    return build_hierarchy(prep.network, bound_m=limit)


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

    With a contraction hierarchy in ``prepared`` (built once per network and kept,
    :func:`~quarterhour.engine.hierarchy.build_hierarchy`) that covers the limit, items are
    swept 16 at a time over it (:func:`~._hierarchy.lane_width`), the threads of a pass sharing
    its lanes (one part of the hierarchy each, :func:`~quarterhour.engine.hierarchy.run_sweeps`);
    without one, each item is one bounded multi-source Dijkstra on the routing graph (building a
    hierarchy for a single run costs more than it saves). Both give the same answers: the same
    distances up to the rounding of a different order of additions (≈1e-13 m), and of facilities
    equally far the lowest index. ``workers`` threads (0 = one per CPU core): as many as the
    hierarchy has parts sweep each pass together, passes run at once with threads to spare
    (each then with its own lanes); without a hierarchy, items run in parallel.
    """
    if not limit_m > 0:
        raise ValueError(f"limit_m must be positive, got {limit_m!r}")
    # a tuple as it is (kept columns included), anything else made one
    facilities = facilities if isinstance(facilities, tuple) else tuple(facilities)
    progress("snap", 0, 1)
    prep = prepared or prepare(network, origins, facilities, max_snap_m=max_snap_m)
    progress("snap", 1, 1)
    n_workers = max(1, workers or os.cpu_count() or 1)
    limit = limit_m + _LIMIT_SLACK
    h = (
        prep.hierarchy
        if prep.hierarchy is not None and prep.hierarchy.fits(network, limit)
        else None
    )
    # with a hierarchy, the threads of a pass share its lanes, one part of the hierarchy each
    # (one set of lanes for two threads); passes run at once only with threads to spare
    threads = max(1, min(n_workers, h.n_parts)) if h is not None else 1
    passes_at_once = max(1, n_workers // threads)
    by_item = facilities_by_item(facilities, item_codes)
    items: dict[str, ItemReach] = {}
    total = len(item_codes)
    progress("reach", 0, total)
    n = len(origins)
    live: list[str] = []
    for code in item_codes:
        idx = by_item[code]
        if idx.size == 0 or not (prep.facility_snap.edge[idx] >= 0).any():
            items[code] = ItemReach(
                code, np.full(n, np.nan), np.full(n, -1, np.int32), REASON_NO_FACILITY
            )
        else:
            live.append(code)
    done = total - len(live)
    buffers = _buffers_for(network.n_nodes)
    if live and h is not None:
        hh = h
        places = origin_places(prep, hh)
        width = lane_width(hh.n_nodes)
        batches = [live[b : b + width] for b in range(0, len(live), width)]
        sweepers = None
        if threads > 1:  # the process's kept sweeping threads (:func:`~._threads.kept_pool`)
            sweepers = kept_pool("compute", min(passes_at_once, len(batches)) * (threads - 1))
        n_orig = places.pos.shape[0]
        index = {id(b): i for i, b in enumerate(batches)}
        # one pass at a time on all threads: as a pass starts sweeping, its results and the
        # next pass's are made, their pages left to a kept thread at the lowest priority
        # (fresh pages cost 0.25-2.5 ms a MiB here): it makes them while a core is idle (a
        # sweep's one-thread phases, the waits between), and what it has not made by the
        # gathering the gathering's own writes make — nothing ever waits for it. Made on a
        # thread at normal priority and waited for, the pages took a core from the sweeps:
        # 100k first run of a process 38.4 -> 36.2 and 40.5 -> 36.5 ms (medians of 9, 11).
        # Not at the start of the run: a thread making pages holds the process's memory-map
        # lock, and every large allocation elsewhere waits for it (all results made at the
        # start: 1M 0.96 -> 1.59 s wall); so they are made a MiB at a time
        # (:func:`~._memory.make_resident`)
        pager = None
        if sweepers is not None and passes_at_once == 1 and len(batches) > 1:
            pager = kept_pool("pages", 1, background=True)
        ahead: dict[int, tuple[FloatArray, Int32Array]] = {}

        def run(batch: list[str]) -> tuple[FloatArray, Int32Array]:
            i = index[id(batch)]

            def make() -> None:  # this pass's results (if not yet) and the next one's
                assert pager is not None
                for j in (i, i + 1):
                    if j < len(batches) and j not in ahead:
                        ahead[j] = _results(len(batches[j]), n_orig, resident=False)
                        make_resident_later(pager, *ahead[j])

            def results() -> tuple[FloatArray, Int32Array]:
                return ahead.pop(i)

            groups = [by_item[c] for c in batch]
            src = facility_sources(network, prep.facility_snap, groups)
            work = buffers.get(hh.n_nodes, width)
            return nearest_lanes(
                hh,
                src,
                places,
                len(batch),
                limit,
                work=work,
                pool=sweepers,
                threads=threads,
                results=results if pager is not None else None,
                sweeping=make if pager is not None else None,
            )

    elif live:
        r = routed(prep)
        batches = [[c] for c in live]

        def run(batch: list[str]) -> tuple[FloatArray, Int32Array]:
            d, f = _item_pass(r, by_item[batch[0]], limit, buffers)
            return d[None, :], f[None, :]

    def record(batch: list[str], out: tuple[FloatArray, Int32Array]) -> None:
        nonlocal done
        for k, code in enumerate(batch):
            items[code] = ItemReach(code, out[0][k], out[1][k])
        done += len(batch)
        progress("reach", done, total)

    if live and (passes_at_once == 1 or len(batches) == 1):
        for batch in batches:
            record(batch, run(batch))
    elif live:
        with ThreadPoolExecutor(max_workers=passes_at_once) as pool:
            for batch, out in zip(batches, pool.map(run, batches), strict=True):
                record(batch, out)
    return ReachResult(
        origins=origins,
        facilities=facilities,
        items={code: items[code] for code in item_codes},
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
    index = index_for(network)
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
