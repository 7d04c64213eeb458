"""Walking from one point, fast enough for a web request.

The platform's walk network (the newest :class:`WalkNetworkFile`) is loaded once per process
with its edge index (kept in a file beside the network's: built by the first process, mapped by
the next ones) and routing arrays. A request snaps its point, runs one bounded search
seeded at both ends of the snapped edge (offsets included, so distances are exact along the
edge), and reads facility distances off the result. Facility snaps are cached too and
refreshed when the register changes.

Only facilities that can lie within the limit are looked at: walking never beats the straight
line by more than the network's own worst ratio of straight distance to edge length
(``WalkData.stretch``, 1.0 for lengths measured along the ground), so facilities farther than
``limit × stretch`` from the point in a straight line are left out by a k-d tree query before the
search. The answer is the same as with every facility.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely
from django.conf import settings
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from quarterhour.engine.graph import RoutingGraph, routing_graph
from quarterhour.engine.isochrone import PointOffNetworkError as PointOffNetworkError
from quarterhour.engine.isochrone import isochrone
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.point_search import Int32Array, LocalSearch
from quarterhour.engine.snapping import EdgeIndex, kept_edge_index
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.planning.models import WalkNetworkFile
from quarterhour.platform.planning.networks import load_network
from quarterhour.platform.web.pagecache import directory_version

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]

#: how far a typed or clicked point may lie from the nearest walkable street
MAX_SNAP_M = 300.0
#: how far we look for "the nearest reachable place" when a point is off the network
NEAREST_SEARCH_M = 50_000.0


class NoNetworkError(Exception):
    """No walk network has been imported into the platform yet."""


@dataclass(frozen=True, slots=True, eq=False)
class WalkData:
    record_id: int
    attribution: str
    network: WalkNetwork
    index: EdgeIndex
    graph: RoutingGraph
    node_edge_ptr: Int64Array  # node -> incident edges (CSR)
    node_edge_ids: Int64Array
    search: LocalSearch
    stretch: float  # max straight distance / edge length over the edges (inf: no pruning)


@dataclass(frozen=True, slots=True, eq=False)
class FacilitySnaps:
    key: str  # the directory's data version
    pk: Int64Array
    lon: FloatArray
    lat: FloatArray
    edge: Int64Array
    along: FloatArray
    offset: FloatArray
    tree: cKDTree  # facility points in the edge index's projection


@dataclass(eq=False)
class PointReach:
    lon: float
    lat: float
    limit_m: float
    edge: int
    along_m: float
    offset_m: float
    n_nodes: int
    nodes: Int32Array  # network nodes within the limit
    node_m: FloatArray  # their walking distances
    facility_m: dict[int, float]  # facility pk -> walking metres (within the limit only)

    @functools.cached_property
    def dist(self) -> FloatArray:
        """Per network node (inf beyond the limit); built on demand (maps and routes)."""
        out = np.full(self.n_nodes, np.inf)
        out[self.nodes] = self.node_m
        return out


_lock = threading.Lock()
_walk: dict[tuple[int, float], WalkData] = {}
_snaps: dict[int, FacilitySnaps] = {}


def _build(record: WalkNetworkFile) -> WalkData:
    network = load_network(record)
    graph, _ = routing_graph(network, [])
    n = network.n_nodes
    ends = np.concatenate([network.edge_u, network.edge_v]).astype(np.int64)
    ids = np.concatenate([np.arange(network.n_edges)] * 2).astype(np.int64)
    order = np.argsort(ends, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=ptr[1:])
    index = kept_edge_index(network)  # beside the network's file: built once, then mapped
    return WalkData(
        record_id=record.pk,
        attribution=record.attribution or "© OpenStreetMap contributors",
        network=network,
        index=index,
        graph=graph,
        node_edge_ptr=ptr,
        node_edge_ids=ids[order],
        search=LocalSearch(n),
        stretch=_stretch(network, index),
    )


def _stretch(network: WalkNetwork, index: EdgeIndex) -> float:
    """The largest ratio of an edge's straight (projected) length to its network length."""
    u, v = network.edge_u, network.edge_v
    chord = np.hypot(index.node_x[v] - index.node_x[u], index.node_y[v] - index.node_y[u])
    length = np.asarray(network.edge_length_m, dtype=np.float64)
    if bool(((length <= 0) & (chord > 1e-6)).any()):
        return float("inf")
    ok = length > 0
    ratio = float((chord[ok] / length[ok]).max()) if ok.any() else 1.0
    return max(1.0, ratio)


_for_version: dict[str, WalkData] = {}


def walk_data(*, version: str | None = None) -> WalkData:
    """The newest walk network, loaded once per process (raises NoNetworkError).

    ``version``: the directory's data version, if the caller has read it; it covers the walk
    networks too, so while it holds the network is not looked up again."""
    if version is not None:
        known = _for_version.get(version)
        if known is not None:
            return known
    data = _newest()
    if version is not None:
        _for_version.clear()
        _for_version[version] = data
    return data


def _newest() -> WalkData:
    record = WalkNetworkFile.objects.order_by("-created_at", "-id").first()
    if record is None:
        raise NoNetworkError
    path = Path(settings.DATA_DIR) / record.path
    key = (record.pk, path.stat().st_mtime)
    data = _walk.get(key)
    if data is None:
        with _lock:
            data = _walk.get(key)
            if data is None:
                data = _build(record)
                _walk.clear()
                _snaps.clear()
                _walk[key] = data
    return data


_bounds: dict[int, tuple[float, float, float, float]] = {}


def bounds(data: WalkData) -> tuple[float, float, float, float]:
    """The box the walk network covers: (west, south, east, north), once per network."""
    known = _bounds.get(data.record_id)
    if known is None:
        lon, lat = data.network.node_lon, data.network.node_lat
        known = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
        _bounds.clear()
        _bounds[data.record_id] = known
    return known


def facility_snaps(data: WalkData, *, version: str | None = None) -> FacilitySnaps:
    """Active facilities snapped to the network; rebuilt when the directory's version changes
    (any write to a facility, its items, services or providers)."""
    key = directory_version() if version is None else version
    cached = _snaps.get(data.record_id)
    if cached is not None and cached.key == key:
        return cached
    qs = Facility.objects.filter(is_active=True)
    rows = list(qs.order_by("pk").values_list("pk", "lon", "lat"))
    pk = np.array([r[0] for r in rows], dtype=np.int64)
    lon = np.array([r[1] for r in rows], dtype=np.float64)
    lat = np.array([r[2] for r in rows], dtype=np.float64)
    snap = data.index.snap(lon, lat, max_snap_m=MAX_SNAP_M)
    x, y = data.index.projection.to_xy(lon, lat)
    tree = cKDTree(np.column_stack([x, y]) if pk.size else np.empty((0, 2)))
    snaps = FacilitySnaps(key, pk, lon, lat, snap.edge, snap.along_m, snap.offset_m, tree)
    _snaps[data.record_id] = snaps
    return snaps


def nearest_place(data: WalkData, lon: float, lat: float) -> tuple[float, float, float] | None:
    """The nearest point on the walk network: (lon, lat, straight metres), or None."""
    snap = data.index.snap([lon], [lat], max_snap_m=NEAREST_SEARCH_M)
    if not snap.ok[0]:
        return None
    e = int(snap.edge[0])
    t = float(snap.t[0])
    net = data.network
    u, v = int(net.edge_u[e]), int(net.edge_v[e])
    x = data.index.node_x[u] + (data.index.node_x[v] - data.index.node_x[u]) * t
    y = data.index.node_y[u] + (data.index.node_y[v] - data.index.node_y[u]) * t
    plon, plat = data.index.projection.to_lonlat([x], [y])
    return float(plon[0]), float(plat[0]), float(snap.offset_m[0])


def _candidates(
    data: WalkData, fs: FacilitySnaps, lon: float, lat: float, limit_m: float
) -> Int64Array:
    """Indices (into ``fs``) of the facilities that may lie within ``limit_m`` on foot."""
    if not np.isfinite(data.stretch):
        return np.flatnonzero(fs.edge >= 0)
    x, y = data.index.projection.to_xy([lon], [lat])
    # 0.1 % and 1 m more: the projection is exact at its centre only (far below this elsewhere)
    radius = limit_m * data.stretch * 1.001 + 1.0
    near = np.asarray(fs.tree.query_ball_point([float(x[0]), float(y[0])], radius), dtype=np.int64)
    near.sort()
    return near[fs.edge[near] >= 0]


def reach_from(
    data: WalkData, lon: float, lat: float, *, limit_m: float, version: str | None = None
) -> PointReach:
    """Walking distances from a point (raises PointOffNetworkError when it is off the network).

    ``version``: the directory's data version if the caller has read it already."""
    net = data.network
    snap = data.index.snap([lon], [lat], max_snap_m=MAX_SNAP_M)
    if not snap.ok[0]:
        raise PointOffNetworkError(
            f"该点距步行网络超过 {MAX_SNAP_M:.0f} 米",
            f"the point is more than {MAX_SNAP_M:.0f} m from the walk network",
        )
    e = int(snap.edge[0])
    along = float(snap.along_m[0])
    off = float(snap.offset_m[0])
    length = float(net.edge_length_m[e])
    src = np.array([net.edge_u[e], net.edge_v[e]], dtype=np.int32)
    src_d = np.array([off + along, off + (length - along)], dtype=np.float64)
    fs = facility_snaps(data, version=version)
    cand = _candidates(data, fs, lon, lat, limit_m)
    fe = fs.edge[cand]
    f_along = fs.along[cand]
    f_off = fs.offset[cand]
    fu = net.edge_u[fe]
    fv = net.edge_v[fe]
    flen = net.edge_length_m[fe]

    def facility_distances(dist: FloatArray) -> FloatArray:
        return np.asarray(np.minimum(dist[fu] + f_along, dist[fv] + (flen - f_along)))

    nodes, node_m, through = data.search.run(
        data.graph.indptr,
        data.graph.indices,
        data.graph.weights,
        src,
        src_d,
        limit_m,
        facility_distances,
    )
    d = np.asarray(through) + f_off
    same = fe == e
    d[same] = np.minimum(d[same], off + np.abs(f_along[same] - along) + f_off[same])
    hit = np.flatnonzero(d <= limit_m)
    return PointReach(
        lon=lon,
        lat=lat,
        limit_m=limit_m,
        edge=e,
        along_m=along,
        offset_m=off,
        n_nodes=net.n_nodes,
        nodes=nodes,
        node_m=node_m,
        facility_m={int(fs.pk[cand[i]]): float(d[i]) for i in hit},
    )


def _reached_edges(data: WalkData, pr: PointReach) -> Int64Array:
    nodes = pr.nodes.astype(np.int64)
    ptr, ids = data.node_edge_ptr, data.node_edge_ids
    counts = ptr[nodes + 1] - ptr[nodes]
    starts = np.repeat(ptr[nodes] - np.cumsum(counts) + counts, counts)
    pos = starts + np.arange(int(counts.sum()))
    edges = ids[pos] if pos.size else np.empty(0, dtype=np.int64)
    return np.unique(np.append(edges, pr.edge))


def local_network(data: WalkData, pr: PointReach) -> WalkNetwork:
    """The part of the network the walk touches (every edge with a reached end)."""
    net = data.network
    edges = _reached_edges(data, pr)
    nodes, inverse = np.unique(
        np.concatenate([net.edge_u[edges], net.edge_v[edges]]), return_inverse=True
    )
    k = edges.shape[0]
    return WalkNetwork(
        node_lon=net.node_lon[nodes],
        node_lat=net.node_lat[nodes],
        edge_u=inverse[:k].astype(np.int32),
        edge_v=inverse[k:].astype(np.int32),
        edge_length_m=net.edge_length_m[edges],
        node_osm_id=net.node_osm_id[nodes] if net.node_osm_id.size else net.node_osm_id,
        source=net.source,
    )


def walk_area(data: WalkData, pr: PointReach) -> BaseGeometry:
    """The engine's isochrone, computed on the part of the network the walk reaches.

    Shortest paths to nodes within the limit only pass through nodes within the limit, so the
    local network gives the same area as the whole one, at a fraction of the cost.
    """
    local = local_network(data, pr)
    return isochrone(local, pr.lon, pr.lat, limit_m=pr.limit_m, max_snap_m=MAX_SNAP_M)


def route_to(data: WalkData, pr: PointReach, lon: float, lat: float) -> list[tuple[float, float]]:
    """The walked line from the request point to a facility position, read off the distances."""
    net = data.network
    snap = data.index.snap([lon], [lat], max_snap_m=MAX_SNAP_M)
    if not snap.ok[0]:
        return []
    fe = int(snap.edge[0])
    f_along = float(snap.along_m[0])
    ix = data.index

    def foot(edge: int, along: float) -> tuple[float, float]:
        u, v = int(net.edge_u[edge]), int(net.edge_v[edge])
        length = float(net.edge_length_m[edge]) or 1.0
        t = along / length
        x = ix.node_x[u] + (ix.node_x[v] - ix.node_x[u]) * t
        y = ix.node_y[u] + (ix.node_y[v] - ix.node_y[u]) * t
        a, b = ix.projection.to_lonlat([x], [y])
        return float(a[0]), float(b[0])

    start = [(pr.lon, pr.lat), foot(pr.edge, pr.along_m)]
    end = [foot(fe, f_along), (lon, lat)]
    if fe == pr.edge:
        return start + end
    fu, fv = int(net.edge_u[fe]), int(net.edge_v[fe])
    flen = float(net.edge_length_m[fe])
    via = fu if pr.dist[fu] + f_along <= pr.dist[fv] + (flen - f_along) else fv
    if not np.isfinite(pr.dist[via]):
        return []
    g = data.graph
    elen = float(net.edge_length_m[pr.edge])
    seeds = {
        int(net.edge_u[pr.edge]): pr.offset_m + pr.along_m,
        int(net.edge_v[pr.edge]): pr.offset_m + elen - pr.along_m,
    }
    path = [via]
    x = via
    for _ in range(net.n_nodes):
        if x in seeds and abs(pr.dist[x] - seeds[x]) < 1e-6:
            break
        lo, hi = int(g.indptr[x]), int(g.indptr[x + 1])
        nb = g.indices[lo:hi]
        w = g.weights[lo:hi]
        cand = np.flatnonzero(np.abs(pr.dist[nb] + w - pr.dist[x]) < 1e-6)
        if cand.size == 0:
            break
        x = int(nb[cand[0]])
        path.append(x)
    path.reverse()
    middle = [(float(net.node_lon[i]), float(net.node_lat[i])) for i in path]
    return start + middle + end


def network_lines(
    data: WalkData, bbox: tuple[float, float, float, float], *, max_edges: int = 20_000
) -> tuple[list[list[list[float]]], bool]:
    """Edges with an end inside ``bbox`` (lon/lat), as coordinate pairs; True when cut short."""
    net = data.network
    w, s, e, n = bbox
    lon, lat = net.node_lon, net.node_lat
    inside = (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
    sel = np.flatnonzero(inside[net.edge_u] | inside[net.edge_v])
    cut = sel.shape[0] > max_edges
    sel = sel[:max_edges]
    u, v = net.edge_u[sel], net.edge_v[sel]
    coords = np.round(np.stack([lon[u], lat[u], lon[v], lat[v]], axis=1), 6)
    return [[[a, b], [c, d]] for a, b, c, d in coords.tolist()], cut


def geometry_geojson(geom: BaseGeometry, *, decimals: int = 6) -> dict[str, object]:
    rounded = shapely.set_precision(geom, 10.0**-decimals)
    return dict(shapely.geometry.mapping(rounded))
