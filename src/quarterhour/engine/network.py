"""The walk network: nodes with WGS-84 coordinates, undirected edges with lengths in metres.

Stored as flat numpy arrays (no per-node Python objects) so that a network of millions of nodes
fits in little memory. Walking ignores car ``oneway``: every edge is walkable both ways.

Every edge is a straight segment between two nodes (OSM ways are kept at full vertex
resolution), so a point snapped onto an edge lies exactly on the geometry that was measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from quarterhour.engine._errors import NetworkError
from quarterhour.engine.config import EARTH_RADIUS_M

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]


def haversine_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres between WGS-84 points (vectorised)."""
    lon1r, lat1r, lon2r, lat2r = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2r - lat1r) / 2.0) ** 2
        + np.cos(lat1r) * np.cos(lat2r) * np.sin((lon2r - lon1r) / 2.0) ** 2
    )
    return np.asarray(
        2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64
    )


@dataclass(frozen=True, slots=True)
class ComponentReport:
    """What keeping the largest connected component dropped."""

    components: int
    kept_nodes: int
    dropped_nodes: int
    dropped_edges: int
    dropped_length_m: float


@dataclass(frozen=True, slots=True, eq=False)
class WalkNetwork:
    """An undirected walk network.

    ``edge_u[i]``–``edge_v[i]`` is a straight segment of ``edge_length_m[i]`` metres. Node ids are
    array positions 0..n-1; ``node_osm_id`` keeps the OSM node id (or -1 when not from OSM).
    """

    node_lon: FloatArray
    node_lat: FloatArray
    edge_u: Int32Array
    edge_v: Int32Array
    edge_length_m: FloatArray
    node_osm_id: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    source: str = ""
    #: what is built once per network and kept with it (the snapping index,
    #: :func:`~quarterhour.engine.snapping.kept_edge_index`, and ``"edge_index_path"``: where a
    #: stored network's index is kept on disk; ``"digest"``, its fingerprint,
    #: :func:`~quarterhour.engine.hierarchy.network_digest`); a replaced network starts empty
    kept: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> list[object]:
        """Pickled without what is kept (a mapped index stays with its process)."""
        return [getattr(self, f.name) for f in fields(self) if f.name != "kept"]

    def __setstate__(self, state: list[object]) -> None:
        names = [f.name for f in fields(self) if f.name != "kept"]
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "kept", {})

    @property
    def n_nodes(self) -> int:
        return int(self.node_lon.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat)."""
        return (
            float(self.node_lon.min()),
            float(self.node_lat.min()),
            float(self.node_lon.max()),
            float(self.node_lat.max()),
        )

    def csr(self) -> sp.csr_array:
        """Symmetric CSR adjacency with edge lengths (parallel edges keep the shortest)."""
        return adjacency(self.n_nodes, self.edge_u, self.edge_v, self.edge_length_m)


def adjacency(
    n: int, u: npt.NDArray[np.integer], v: npt.NDArray[np.integer], w: FloatArray
) -> sp.csr_array:
    """Symmetric CSR matrix of ``n`` nodes; duplicate (u, v) pairs keep the minimum weight."""
    rows = np.concatenate([u, v]).astype(np.int64)
    cols = np.concatenate([v, u]).astype(np.int64)
    vals = np.concatenate([w, w]).astype(np.float64)
    key = rows * n + cols
    order = np.lexsort((vals, key))
    key = key[order]
    first = np.ones(key.shape[0], dtype=bool)
    first[1:] = key[1:] != key[:-1]
    sel = order[first]
    mat = sp.csr_array((vals[sel], (rows[sel], cols[sel])), shape=(n, n))
    mat.sort_indices()
    return mat


def build_network(
    node_lon: npt.ArrayLike,
    node_lat: npt.ArrayLike,
    edge_u: npt.ArrayLike,
    edge_v: npt.ArrayLike,
    *,
    node_osm_id: npt.ArrayLike | None = None,
    edge_length_m: npt.ArrayLike | None = None,
    source: str = "",
) -> WalkNetwork:
    """Make a :class:`WalkNetwork` from node coordinates and edge endpoints.

    Lengths default to the great-circle distance between the endpoints. Self-loops are removed
    and parallel edges are collapsed to the shortest (both change no shortest path).
    """
    lon = np.ascontiguousarray(node_lon, dtype=np.float64)
    lat = np.ascontiguousarray(node_lat, dtype=np.float64)
    u = np.asarray(edge_u, dtype=np.int64)
    v = np.asarray(edge_v, dtype=np.int64)
    if lon.shape != lat.shape or lon.ndim != 1:
        raise NetworkError("节点坐标数组形状不一致", "node coordinate arrays differ in shape")
    if u.shape != v.shape:
        raise NetworkError("边端点数组形状不一致", "edge endpoint arrays differ in shape")
    n = lon.shape[0]
    if n == 0 or u.shape[0] == 0:
        raise NetworkError(
            "步行网络为空（没有可步行的道路）", "the walk network is empty (no walkable ways)"
        )
    if n >= np.iinfo(np.int32).max:
        raise NetworkError("节点过多", "too many nodes for 32-bit node ids")
    if u.min() < 0 or v.min() < 0 or u.max() >= n or v.max() >= n:
        raise NetworkError("边引用了不存在的节点", "an edge refers to a node that does not exist")
    if edge_length_m is None:
        w = haversine_m(lon[u], lat[u], lon[v], lat[v])
    else:
        w = np.asarray(edge_length_m, dtype=np.float64)
        if w.shape != u.shape or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise NetworkError("边长度无效", "edge lengths must be finite and non-negative")
    keep = u != v
    u, v, w = u[keep], v[keep], w[keep]
    # canonical orientation (u < v) and deduplicate parallel edges, keeping the shortest
    a = np.minimum(u, v)
    b = np.maximum(u, v)
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(a.shape[0], dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    osm = (
        np.full(n, -1, dtype=np.int64)
        if node_osm_id is None
        else np.ascontiguousarray(node_osm_id, dtype=np.int64)
    )
    return WalkNetwork(
        node_lon=lon,
        node_lat=lat,
        edge_u=a[first].astype(np.int32),
        edge_v=b[first].astype(np.int32),
        edge_length_m=np.ascontiguousarray(w[first]),
        node_osm_id=osm,
        source=source,
    )


def subnetwork(network: WalkNetwork, keep_nodes: npt.NDArray[np.bool_]) -> WalkNetwork:
    """The network induced by the nodes where ``keep_nodes`` is true (ids renumbered)."""
    new_id = np.full(network.n_nodes, -1, dtype=np.int64)
    new_id[keep_nodes] = np.arange(int(keep_nodes.sum()))
    ekeep = keep_nodes[network.edge_u] & keep_nodes[network.edge_v]
    osm = network.node_osm_id[keep_nodes] if network.node_osm_id.size else network.node_osm_id
    return WalkNetwork(
        node_lon=network.node_lon[keep_nodes],
        node_lat=network.node_lat[keep_nodes],
        edge_u=new_id[network.edge_u[ekeep]].astype(np.int32),
        edge_v=new_id[network.edge_v[ekeep]].astype(np.int32),
        edge_length_m=network.edge_length_m[ekeep],
        node_osm_id=osm,
        source=network.source,
    )


def largest_component(network: WalkNetwork) -> tuple[WalkNetwork, ComponentReport]:
    """Keep the largest connected component; report what was dropped."""
    n_comp, labels = connected_components(network.csr(), directed=False)
    counts = np.bincount(labels)
    biggest = int(np.argmax(counts))
    keep = labels == biggest
    ekeep = keep[network.edge_u]
    report = ComponentReport(
        components=int(n_comp),
        kept_nodes=int(keep.sum()),
        dropped_nodes=int((~keep).sum()),
        dropped_edges=int((~ekeep).sum()),
        dropped_length_m=float(network.edge_length_m[~ekeep].sum()),
    )
    if n_comp == 1:
        return network, report
    return subnetwork(network, keep), report
