"""Walking isochrones: the area reachable within a distance, drawn along the streets walked.

The polygon is the union of the reachable pieces of every edge (whole edges, and the partial
piece walked into an edge from either end), buffered by a small street half-width. It never
uses a convex or concave hull, so it does not invent reach across blocks, rivers or rail lines.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from quarterhour.engine._errors import QuarterhourError
from quarterhour.engine._kernels import bounded_distances
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.graph import RoutingGraph, routing_graph
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.snapping import EdgeIndex, index_for

FloatArray = npt.NDArray[np.float64]

#: half-width of the walked street corridor drawn around reachable edges, metres
DEFAULT_STREET_BUFFER_M: float = 25.0


class PointOffNetworkError(QuarterhourError):
    code = "point_off_network"


def node_distances(
    network: WalkNetwork,
    lon: float,
    lat: float,
    *,
    limit_m: float,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    edge_index: EdgeIndex | None = None,
    graph: RoutingGraph | None = None,
) -> tuple[FloatArray, int, float, float]:
    """Distances from a point to every network node (inf beyond ``limit_m``).

    The search starts at both ends of the point's edge, each at the walk to it (offset plus the
    way along the edge), so no graph is rebuilt per point: pass the network's ``graph``
    (``routing_graph(network, [])``) and ``edge_index`` to reuse them across calls.
    Returns (distances, snapped edge, metres along it, snap offset).
    """
    index = edge_index or index_for(network)
    snap = index.snap([lon], [lat], max_snap_m=max_snap_m)
    if not snap.ok[0]:
        raise PointOffNetworkError(
            f"该点距步行网络超过 {max_snap_m:.0f} 米",
            f"the point is more than {max_snap_m:.0f} m from the walk network",
        )
    base = graph if graph is not None else routing_graph(network, [])[0]
    e = int(snap.edge[0])
    along = float(snap.along_m[0])
    off = float(snap.offset_m[0])
    length = float(network.edge_length_m[e])
    dist = np.empty(base.n_nodes, dtype=np.float64)
    bounded_distances(
        base.indptr,
        base.indices,
        base.weights,
        np.array([network.edge_u[e], network.edge_v[e]], dtype=np.int32),
        np.array([off + along, off + length - along]),
        float(limit_m),
        dist,
    )
    return dist[: network.n_nodes], e, along, off


def isochrone(
    network: WalkNetwork,
    lon: float,
    lat: float,
    *,
    limit_m: float,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    buffer_m: float = DEFAULT_STREET_BUFFER_M,
    edge_index: EdgeIndex | None = None,
    graph: RoutingGraph | None = None,
) -> BaseGeometry:
    """The area within ``limit_m`` metres' walk of a point, as a WGS-84 (Multi)Polygon.

    Raises :class:`PointOffNetworkError` when the point is farther than ``max_snap_m`` from the
    network.
    """
    index = edge_index or index_for(network)
    dist, s_edge, s_along, s_off = node_distances(
        network, lon, lat, limit_m=limit_m, max_snap_m=max_snap_m, edge_index=index, graph=graph
    )
    u, v, length = network.edge_u, network.edge_v, network.edge_length_m
    du, dv = dist[u], dist[v]
    safe_len = np.where(length > 0, length, 1.0)
    # reach into the edge from each end, as a fraction of the edge
    from_u = np.clip((limit_m - du) / safe_len, 0.0, 1.0)
    from_v = np.clip((limit_m - dv) / safe_len, 0.0, 1.0)
    from_u[~np.isfinite(du)] = 0.0
    from_v[~np.isfinite(dv)] = 0.0
    whole = from_u + from_v >= 1.0
    ux, uy = index.node_x[u], index.node_y[u]
    vx, vy = index.node_x[v], index.node_y[v]
    pieces: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    # pieces from u: [0, from_u]; from v: [1 - from_v, 1]; whole edges as one piece
    t1 = np.where(whole, 1.0, from_u)
    t0 = np.zeros_like(t1)
    sel = t1 > 0
    pieces.append((t0[sel], t1[sel], np.flatnonzero(sel).astype(np.float64)))
    sel_v = ~whole & (from_v > 0)
    pieces.append(
        (1.0 - from_v[sel_v], np.ones(int(sel_v.sum())), np.flatnonzero(sel_v).astype(np.float64))
    )
    # the snapped edge: walked both ways from the foot point
    s_len = float(length[s_edge]) or 1.0
    remaining = limit_m - s_off
    if remaining > 0:
        a = s_along / s_len
        span = remaining / s_len
        pieces.append(
            (
                np.array([max(0.0, a - span)]),
                np.array([min(1.0, a + span)]),
                np.array([float(s_edge)]),
            )
        )
    t_start = np.concatenate([p[0] for p in pieces])
    t_end = np.concatenate([p[1] for p in pieces])
    e = np.concatenate([p[2] for p in pieces]).astype(np.int64)
    coords = np.empty((e.shape[0], 2, 2))
    coords[:, 0, 0] = ux[e] + (vx[e] - ux[e]) * t_start
    coords[:, 0, 1] = uy[e] + (vy[e] - uy[e]) * t_start
    coords[:, 1, 0] = ux[e] + (vx[e] - ux[e]) * t_end
    coords[:, 1, 1] = uy[e] + (vy[e] - uy[e]) * t_end
    # the walk from the point to its foot on the edge
    px, py = index.projection.to_xy([lon], [lat])
    fx = ux[s_edge] + (vx[s_edge] - ux[s_edge]) * (s_along / s_len)
    fy = uy[s_edge] + (vy[s_edge] - uy[s_edge]) * (s_along / s_len)
    access = shapely.linestrings([[float(px[0]), float(py[0])], [float(fx), float(fy)]])
    lines = shapely.linestrings(coords)
    area = shapely.union_all(shapely.buffer(np.append(lines, access), buffer_m, quad_segs=4))
    return shapely.transform(
        area, lambda xy: np.column_stack(index.projection.to_lonlat(xy[:, 0], xy[:, 1]))
    )
