"""Attach points (homes, facilities) to the walk network at the nearest point of the nearest edge.

A point is projected onto its nearest edge segment (the foot point); its walk then starts with the
straight offset from the point to the foot point, and continues along the edge from there — not
from the nearest node. Points farther than ``max_snap_m`` from every edge are not attached: they
are reported (``Snapped.ok`` is false for them), never dropped silently and never pulled across a
river onto a far edge.

Geometry is done in a local azimuthal equidistant projection centred on the network, so offsets
are true metres; the position along the edge is kept as a fraction ``t`` and turned into metres
with the edge's own (great-circle) length, so that snapped distances add up exactly with the
network's lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.network import WalkNetwork

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class Snapped:
    """Where each point attaches to the network.

    ``edge`` is -1 and ``t``/``offset_m``/``along_m`` are NaN for points beyond ``max_snap_m``.
    """

    edge: Int64Array
    t: FloatArray
    offset_m: FloatArray
    along_m: FloatArray
    max_snap_m: float

    @property
    def ok(self) -> BoolArray:
        return np.asarray(self.edge >= 0)

    def __len__(self) -> int:
        return int(self.edge.shape[0])


class LocalProjection:
    """WGS-84 lon/lat ↔ metres in an azimuthal equidistant projection around a centre."""

    def __init__(self, lon0: float, lat0: float) -> None:
        crs = f"+proj=aeqd +lat_0={lat0:.7f} +lon_0={lon0:.7f} +datum=WGS84 +units=m +no_defs"
        self._fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    @classmethod
    def for_network(cls, network: WalkNetwork) -> LocalProjection:
        x0, y0, x1, y1 = network.bounds()
        return cls((x0 + x1) / 2.0, (y0 + y1) / 2.0)

    def to_xy(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        x, y = self._fwd.transform(
            np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        )
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def to_lonlat(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        lon, lat = self._inv.transform(
            np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        )
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


class EdgeIndex:
    """A spatial index of the network's edge segments (projected), reusable for many snaps."""

    def __init__(self, network: WalkNetwork, *, projection: LocalProjection | None = None) -> None:
        self.network = network
        self.projection = projection or LocalProjection.for_network(network)
        self.node_x, self.node_y = self.projection.to_xy(network.node_lon, network.node_lat)
        coords = np.empty((network.n_edges, 2, 2), dtype=np.float64)
        coords[:, 0, 0] = self.node_x[network.edge_u]
        coords[:, 0, 1] = self.node_y[network.edge_u]
        coords[:, 1, 0] = self.node_x[network.edge_v]
        coords[:, 1, 1] = self.node_y[network.edge_v]
        self.segments = shapely.linestrings(coords)
        self.tree = shapely.STRtree(self.segments)

    def snap(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float = DEFAULT_MAX_SNAP_M
    ) -> Snapped:
        lon_a = np.asarray(lon, dtype=np.float64)
        lat_a = np.asarray(lat, dtype=np.float64)
        n = lon_a.shape[0]
        edge = np.full(n, -1, dtype=np.int64)
        t = np.full(n, np.nan)
        offset = np.full(n, np.nan)
        finite = np.isfinite(lon_a) & np.isfinite(lat_a)
        if n == 0 or not finite.any():
            return Snapped(edge, t, offset, np.full(n, np.nan), max_snap_m)
        idx = np.flatnonzero(finite)
        x, y = self.projection.to_xy(lon_a[idx], lat_a[idx])
        pts = shapely.points(x, y)
        pairs, dists = self.tree.query_nearest(
            pts, max_distance=max_snap_m, return_distance=True, all_matches=True
        )
        if pairs.shape[1]:
            # deterministic choice among equidistant edges: the lowest edge index
            order = np.lexsort((pairs[1], pairs[0]))
            p_in, p_tree, d = pairs[0][order], pairs[1][order], dists[order]
            first = np.ones(p_in.shape[0], dtype=bool)
            first[1:] = p_in[1:] != p_in[:-1]
            p_in, p_tree, d = p_in[first], p_tree[first], d[first]
            keep = d <= max_snap_m
            p_in, p_tree, d = p_in[keep], p_tree[keep], d[keep]
            frac = shapely.line_locate_point(self.segments[p_tree], pts[p_in], normalized=True)
            frac = np.where(np.isfinite(frac), frac, 0.0)  # zero-length segment
            target = idx[p_in]
            edge[target] = p_tree
            t[target] = np.clip(frac, 0.0, 1.0)
            offset[target] = d
        along = np.where(edge >= 0, t * self.network.edge_length_m[np.maximum(edge, 0)], np.nan)
        return Snapped(edge, t, offset, along, max_snap_m)


def snap_points(
    network: WalkNetwork,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> Snapped:
    """Snap WGS-84 points onto the nearest edge within ``max_snap_m`` metres.

    >>> import numpy as np
    >>> from quarterhour.engine.network import build_network
    >>> net = build_network([116.0, 116.001], [39.9, 39.9], [0], [1])
    >>> s = snap_points(net, [116.0005, 117.0], [39.9001, 39.9])
    >>> s.ok.tolist(), round(float(s.t[0]), 3), round(float(s.offset_m[0]), 1)
    ([True, False], 0.5, 11.1)
    """
    return EdgeIndex(network).snap(lon, lat, max_snap_m=max_snap_m)
