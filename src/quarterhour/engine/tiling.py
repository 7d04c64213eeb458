"""Exact partitioning: cut a region into tiles, assess each tile on its own, merge the answers.

A region too large (or too slow) for one process is cut into *tiles*: each origin and each
facility belongs to exactly one tile (its *core*, by a grid of squares or by given boundaries
such as districts). A tile is assessed on the part of the network within a *halo* around its
core, with the origins and facilities near its core; the answers for its core origins are then
exactly — bit for bit — those of the unpartitioned run, and merging them gives byte-identical
output files.

Why this is exact
-----------------
Notation: ``L`` the walking limit, ``S`` the snap distance (``max_snap_m``), ``|p q|`` the
straight distance in the local projection of the *whole* network (every tile uses that same
projection, so projected coordinates, snap offsets and positions along edges are the very same
floating-point numbers as in the whole run). ``(1 + ε)`` absorbs the difference between projected
and great-circle metres (edge lengths are great-circle; the azimuthal equidistant projection
distorts by < 1e-5 within 500 km of its centre; we use ε = 1e-3 and 1 m more).

1. *A core origin's answer only involves things within L of it.* If origin ``o`` reaches its
   nearest facility ``f`` of an item, ``d = off(f) + d_G(foot f, foot o) + off(o) ≤ L``. Every
   point ``p`` of that path (the two offsets and the network path between the foot points) has
   ``|o p| ≤ d ≤ L`` — a path is never shorter than the straight line. So ``f`` lies within
   ``L`` of ``o``, and every edge the path touches has a point within ``L`` of ``o``. Call *R*
   the edges with a point within ``L`` of the core.
2. *Points near the core snap as in the whole run.* The tile keeps every edge with a point within
   ``H = L + 2S`` of its core (it may keep more). A point ``q`` (facility or origin) within
   ``L + S`` of the core has all edges within ``S`` of it inside the tile, so its nearest edge
   within ``S`` is the whole run's (ties go to the lowest edge index in both, and the tile keeps
   the whole network's edge order), and its ``t``, offset and along-edge metres are identical.
   A point farther than ``S`` from every edge is unsnapped in both.
3. *Edges in R carry exactly the whole run's split points.* Snap points split their edge
   (:mod:`quarterhour.engine.graph`); the chain weights of an edge depend on *all* points on it.
   A point that snaps onto an edge of R is within ``L + S`` of the core, so the tile includes it
   (facilities and, for point origins, *all* origins within ``L + S`` — the extra ones are
   computed and dropped) and by 2. it snaps onto the same place. Hence every edge of R has the
   same chain with the same weights, in the same floating-point numbers.
4. *Same shortest paths, same sums.* The bounded Dijkstra gives each node the minimum over paths
   of the left-to-right floating-point sum (rounding is monotone), cut at ``L``. Paths within
   ``L`` of a core origin run on R only (1.), R's weights are identical (3.), the sources —
   facilities within ``L`` — are identical (2.) and keep their order (so source ties go to the
   same facility), and the tile graph is a subgraph of the whole run's graph on R, so no shorter
   path exists in the tile. Each core origin gets the same distance and the same facility;
   origins unsnapped or beyond the limit are so in both.

Two facilities exactly equally far from an origin (to the last bit) are no exception: the
kernel names the one with the lower index, and a tile keeps the facilities in the whole run's
order. (Tiles run the per-item Dijkstra: a kept contraction hierarchy is the whole network's.)

Per-facility answers (snap distance, unsnapped list) come from the facility's own tile, where
by 2. the snap is the whole run's; "no facility of this item at all" is decided over all tiles.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from quarterhour.engine.assessment import Assessment, assess, check_unique_ids, summarise
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M, minutes_to_metres
from quarterhour.engine.facility_items import facility_coordinates
from quarterhour.engine.network import WalkNetwork, subnetwork
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.progress import Progress, no_progress
from quarterhour.engine.reach import REASON_NO_FACILITY, ItemReach, ReachResult
from quarterhour.engine.snapping import EdgeIndex, LocalProjection, Snapped
from quarterhour.engine.standards import DEFAULT_STANDARD, Standard, load_standard

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: relative and absolute slack on every halo radius (projection vs great-circle metres)
HALO_RELATIVE_SLACK = 1e-3
HALO_ABSOLUTE_SLACK_M = 1.0


def _slack(metres: float) -> float:
    return metres * (1.0 + HALO_RELATIVE_SLACK) + HALO_ABSOLUTE_SLACK_M


def halo_m(limit_m: float, max_snap_m: float) -> float:
    """How far around its core a tile keeps the network: ``L + 2S`` with slack."""
    return _slack(limit_m + 2.0 * max_snap_m)


def points_radius_m(limit_m: float, max_snap_m: float) -> float:
    """How far around its core a tile takes facilities (and point origins): ``L + S``."""
    return _slack(limit_m + max_snap_m)


# --------------------------------------------------------------------------------------------
# cores: where each tile's own origins and facilities are


@dataclass(frozen=True, slots=True)
class GridCore:
    """A grid cell in projected metres; outer cells reach to infinity so the grid covers all."""

    x0: float
    y0: float
    x1: float
    y1: float

    def distance(self, x: FloatArray, y: FloatArray, *, upto: float) -> FloatArray:
        """Distance of each point to the cell (exact; ``upto`` is not needed here)."""
        dx = np.maximum(np.maximum(self.x0 - x, x - self.x1), 0.0)
        dy = np.maximum(np.maximum(self.y0 - y, y - self.y1), 0.0)
        return np.asarray(np.hypot(dx, dy), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ShapeCore:
    """A boundary (district) in projected metres, plus the stray points assigned to it."""

    geometry: shapely.Geometry

    def distance(self, x: FloatArray, y: FloatArray, *, upto: float) -> FloatArray:
        """Distance of each point to the core where it is at most ``upto``; +inf elsewhere."""
        out = np.full(x.shape[0], np.inf)
        bx0, by0, bx1, by1 = self.geometry.bounds
        box = np.hypot(
            np.maximum(np.maximum(bx0 - x, x - bx1), 0.0),
            np.maximum(np.maximum(by0 - y, y - by1), 0.0),
        )
        near = np.flatnonzero(box <= upto)  # the box distance is a lower bound
        if near.size:
            shapely.prepare(self.geometry)
            out[near] = shapely.distance(self.geometry, shapely.points(x[near], y[near]))
        return out


Core = GridCore | ShapeCore


@dataclass(frozen=True, slots=True, eq=False)
class TilePlan:
    """How a region is cut: one core per tile and which tile owns each origin and facility."""

    lon0: float  # centre of the whole network's local projection
    lat0: float
    limit_m: float
    max_snap_m: float
    cores: tuple[Core, ...]
    names: tuple[str, ...]
    origin_tile: Int64Array
    facility_tile: Int64Array

    @property
    def n_tiles(self) -> int:
        return len(self.cores)

    def projection(self) -> LocalProjection:
        return LocalProjection(self.lon0, self.lat0)


def _centre(network: WalkNetwork) -> tuple[float, float]:
    x0, y0, x1, y1 = network.bounds()
    return (x0 + x1) / 2.0, (y0 + y1) / 2.0


def _origin_xy(origins: Origins, proj: LocalProjection) -> tuple[FloatArray, FloatArray]:
    return proj.to_xy(origins.lon, origins.lat)


def _facility_xy(
    facilities: Sequence[Facility], proj: LocalProjection
) -> tuple[FloatArray, FloatArray]:
    return proj.to_xy(*facility_coordinates(facilities))


def grid_plan(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    *,
    tile_m: float,
    limit_m: float,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> TilePlan:
    """Square tiles of ``tile_m`` metres over the network's extent (empty tiles dropped)."""
    if not tile_m > 0:
        raise ValueError(f"tile_m must be positive, got {tile_m!r}")
    lon0, lat0 = _centre(network)
    proj = LocalProjection(lon0, lat0)
    nx_, ny_ = proj.to_xy(network.node_lon, network.node_lat)
    gx0, gy0 = float(nx_.min()), float(ny_.min())
    ncol = max(1, math.ceil((float(nx_.max()) - gx0) / tile_m))
    nrow = max(1, math.ceil((float(ny_.max()) - gy0) / tile_m))

    def cell(x: FloatArray, y: FloatArray) -> Int64Array:
        i = np.clip(np.floor((x - gx0) / tile_m), 0, ncol - 1).astype(np.int64)
        j = np.clip(np.floor((y - gy0) / tile_m), 0, nrow - 1).astype(np.int64)
        # non-finite coordinates (never snap) go to cell 0
        i = np.where(np.isfinite(x) & np.isfinite(y), i, 0)
        j = np.where(np.isfinite(x) & np.isfinite(y), j, 0)
        return np.asarray(j * ncol + i, dtype=np.int64)

    ox, oy = _origin_xy(origins, proj)
    fx, fy = _facility_xy(facilities, proj)
    o_cell = cell(ox, oy)
    f_cell = cell(fx, fy)
    used = np.unique(np.concatenate([o_cell, f_cell]))
    renum = np.full(ncol * nrow, -1, dtype=np.int64)
    renum[used] = np.arange(used.shape[0])
    cores: list[Core] = []
    names: list[str] = []
    for c in used.tolist():
        j, i = divmod(c, ncol)
        cores.append(
            GridCore(
                -math.inf if i == 0 else gx0 + i * tile_m,
                -math.inf if j == 0 else gy0 + j * tile_m,
                math.inf if i == ncol - 1 else gx0 + (i + 1) * tile_m,
                math.inf if j == nrow - 1 else gy0 + (j + 1) * tile_m,
            )
        )
        names.append(f"r{j}c{i}")
    return TilePlan(
        lon0=lon0,
        lat0=lat0,
        limit_m=float(limit_m),
        max_snap_m=float(max_snap_m),
        cores=tuple(cores),
        names=tuple(names),
        origin_tile=renum[o_cell],
        facility_tile=renum[f_cell],
    )


def boundary_plan(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    boundaries: Sequence[shapely.Geometry],
    *,
    names: Sequence[str] | None = None,
    limit_m: float,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> TilePlan:
    """Tiles by given boundaries (WGS-84 polygons, e.g. districts).

    A point inside several boundaries goes to the first; a point inside none goes to the nearest
    boundary, whose core then includes that point.
    """
    if not boundaries:
        raise ValueError("boundary_plan needs at least one boundary")
    lon0, lat0 = _centre(network)
    proj = LocalProjection(lon0, lat0)

    def to_xy(geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(geom, lambda c: np.column_stack(proj.to_xy(c[:, 0], c[:, 1])))

    shapes = [to_xy(g) for g in boundaries]
    ox, oy = _origin_xy(origins, proj)
    fx, fy = _facility_xy(facilities, proj)
    x = np.concatenate([ox, fx])
    y = np.concatenate([oy, fy])
    owner = np.full(x.shape[0], -1, dtype=np.int64)
    dist = np.full(x.shape[0], np.inf)
    finite = np.isfinite(x) & np.isfinite(y)
    pts = shapely.points(np.where(finite, x, 0.0), np.where(finite, y, 0.0))
    for k, shp in enumerate(shapes):
        shapely.prepare(shp)
        d = shapely.distance(shp, pts)
        better = d < dist
        owner[better] = k
        dist[better] = d[better]
    owner[~finite] = 0
    cores: list[Core] = []
    for k, shp in enumerate(shapes):
        stray = np.flatnonzero((owner == k) & (dist > 0) & finite)
        geom = shp
        if stray.size:
            geom = shapely.union(shp, shapely.multipoints(np.column_stack([x[stray], y[stray]])))
        cores.append(ShapeCore(geom))
    n_o = len(origins)
    return TilePlan(
        lon0=lon0,
        lat0=lat0,
        limit_m=float(limit_m),
        max_snap_m=float(max_snap_m),
        cores=tuple(cores),
        names=tuple(names) if names is not None else tuple(f"b{k}" for k in range(len(shapes))),
        origin_tile=owner[:n_o],
        facility_tile=owner[n_o:],
    )


# --------------------------------------------------------------------------------------------
# cutting, assessing and merging tiles


@dataclass(frozen=True, slots=True, eq=False)
class TileInput:
    """Everything one tile's assessment needs (picklable; sent to a worker as is)."""

    index: int
    name: str
    lon0: float
    lat0: float
    network: WalkNetwork | None  # None: no edge near this tile
    edge_ids: Int64Array  # global edge index of each tile edge
    origins: Origins  # the tile's origins (core first is not required: see ``core``)
    origin_ids: Int64Array  # global origin index of each tile origin
    core: BoolArray  # which tile origins are core origins
    facilities: tuple[Facility, ...]
    facility_ids: Int64Array  # global facility index of each tile facility (ascending)
    home: BoolArray  # which tile facilities this tile reports


@dataclass(frozen=True, slots=True, eq=False)
class TileOutput:
    """One tile's answers, in global indices."""

    index: int
    origin_ids: Int64Array  # core origins
    distance_m: dict[str, FloatArray]
    facility: dict[str, Int32Array]  # global facility index, -1 where NaN
    origin_edge: Int64Array | None  # global edges; None for network-node origins
    origin_t: FloatArray | None
    origin_offset: FloatArray | None
    origin_along: FloatArray | None
    facility_ids: Int64Array  # home facilities
    facility_edge: Int64Array
    facility_t: FloatArray
    facility_offset: FloatArray
    facility_along: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class CutGeometry:
    """Projected positions computed once per plan and shared by every tile's cut."""

    edge_mx: FloatArray  # edge midpoints
    edge_my: FloatArray
    edge_reach: FloatArray  # halo + half the edge's length
    origin_x: FloatArray | None  # None for network-node origins
    origin_y: FloatArray | None
    facility_x: FloatArray
    facility_y: FloatArray


def cut_geometry(
    network: WalkNetwork, origins: Origins, facilities: Sequence[Facility], plan: TilePlan
) -> CutGeometry:
    proj = plan.projection()
    nx_, ny_ = proj.to_xy(network.node_lon, network.node_lat)
    u, v = network.edge_u, network.edge_v
    # an edge with a point within H of the core has its midpoint within H + half its length
    half = np.hypot(nx_[u] - nx_[v], ny_[u] - ny_[v]) / 2.0
    ox, oy = (None, None) if origins.node is not None else _origin_xy(origins, proj)
    fx, fy = _facility_xy(facilities, proj)
    return CutGeometry(
        edge_mx=(nx_[u] + nx_[v]) / 2.0,
        edge_my=(ny_[u] + ny_[v]) / 2.0,
        edge_reach=halo_m(plan.limit_m, plan.max_snap_m) + half * (1.0 + HALO_RELATIVE_SLACK),
        origin_x=ox,
        origin_y=oy,
        facility_x=fx,
        facility_y=fy,
    )


def cut_tile(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    plan: TilePlan,
    index: int,
    *,
    geometry: CutGeometry | None = None,
) -> TileInput:
    """The halo sub-network, origins and facilities of tile ``index``.

    ``geometry`` (:func:`cut_geometry`) saves re-projecting everything for each tile.
    """
    g = geometry or cut_geometry(network, origins, facilities, plan)
    core = plan.cores[index]
    radius = points_radius_m(plan.limit_m, plan.max_snap_m)
    u = network.edge_u
    v = network.edge_v
    upto = float(g.edge_reach.max(initial=0.0))
    edge_sel = core.distance(g.edge_mx, g.edge_my, upto=upto) <= g.edge_reach
    keep = np.zeros(network.n_nodes, dtype=bool)
    keep[u[edge_sel]] = True
    keep[v[edge_sel]] = True

    o_core = plan.origin_tile == index
    if origins.node is not None:
        o_sel = np.flatnonzero(o_core)
        keep[origins.node[o_sel]] = True
    elif g.origin_x is not None and g.origin_y is not None:
        near = core.distance(g.origin_x, g.origin_y, upto=radius) <= radius
        o_sel = np.flatnonzero(o_core | near)
    else:
        raise ValueError("cut geometry lacks the origins' positions")
    f_home = plan.facility_tile == index
    if facilities:
        near_f = core.distance(g.facility_x, g.facility_y, upto=radius) <= radius
        f_sel = np.flatnonzero(f_home | near_f)
    else:
        f_sel = np.empty(0, dtype=np.int64)

    tile_net: WalkNetwork | None = None
    edge_ids = np.empty(0, dtype=np.int64)
    if keep.any() and (u[keep[u] & keep[v]].shape[0] > 0):
        tile_net = subnetwork(network, keep)
        edge_ids = np.flatnonzero(keep[u] & keep[v]).astype(np.int64)
    if origins.node is not None:
        new_id = np.cumsum(keep) - 1
        tile_origins = Origins(
            origin_id=tuple(origins.origin_id[i] for i in o_sel.tolist()),
            lon=origins.lon[o_sel],
            lat=origins.lat[o_sel],
            weight=origins.weight[o_sel],
            node=np.asarray(new_id[origins.node[o_sel]], dtype=np.int64),
        )
    else:
        tile_origins = Origins(
            origin_id=tuple(origins.origin_id[i] for i in o_sel.tolist()),
            lon=origins.lon[o_sel],
            lat=origins.lat[o_sel],
            weight=origins.weight[o_sel],
        )
    return TileInput(
        index=index,
        name=plan.names[index],
        lon0=plan.lon0,
        lat0=plan.lat0,
        network=tile_net,
        edge_ids=edge_ids,
        origins=tile_origins,
        origin_ids=o_sel.astype(np.int64),
        core=np.asarray(o_core[o_sel], dtype=bool),
        facilities=tuple(facilities[i] for i in f_sel.tolist()),
        facility_ids=f_sel.astype(np.int64),
        home=np.asarray(f_home[f_sel], dtype=bool),
    )


def assess_tile(
    tile: TileInput,
    *,
    standard: Standard,
    minutes: float,
    speed_kmh: float,
    max_snap_m: float,
    workers: int = 1,
) -> TileOutput:
    """Assess one tile and keep its core origins' and home facilities' answers."""
    codes = [i.code for i in standard.items]
    n_core = int(tile.core.sum())
    core_ids = tile.origin_ids[tile.core]
    node_origins = tile.origins.node is not None
    home_ids = tile.facility_ids[tile.home]
    n_home = home_ids.shape[0]
    if tile.network is None or tile.network.n_edges == 0:
        nan_o = np.full(n_core, np.nan)
        nan_f = np.full(n_home, np.nan)
        return TileOutput(
            index=tile.index,
            origin_ids=core_ids,
            distance_m={c: nan_o.copy() for c in codes},
            facility={c: np.full(n_core, -1, dtype=np.int32) for c in codes},
            origin_edge=None if node_origins else np.full(n_core, -1, dtype=np.int64),
            origin_t=None if node_origins else nan_o.copy(),
            origin_offset=None if node_origins else nan_o.copy(),
            origin_along=None if node_origins else nan_o.copy(),
            facility_ids=home_ids,
            facility_edge=np.full(n_home, -1, dtype=np.int64),
            facility_t=nan_f.copy(),
            facility_offset=nan_f.copy(),
            facility_along=nan_f.copy(),
        )
    index = EdgeIndex(tile.network, projection=LocalProjection(tile.lon0, tile.lat0))
    res = assess(
        tile.network,
        tile.facilities,
        tile.origins,
        standard=standard,
        minutes=minutes,
        speed_kmh=speed_kmh,
        max_snap_m=max_snap_m,
        workers=workers,
        edge_index=index,
    ).result
    fac_map = np.concatenate([tile.facility_ids, np.array([-1], dtype=np.int64)]).astype(np.int32)

    def global_edge(e: Int64Array) -> Int64Array:
        return np.where(e >= 0, tile.edge_ids[np.maximum(e, 0)], -1).astype(np.int64)

    osnap = res.origin_snap
    fsnap = res.facility_snap
    return TileOutput(
        index=tile.index,
        origin_ids=core_ids,
        distance_m={c: res.items[c].distance_m[tile.core] for c in codes},
        facility={c: fac_map[res.items[c].facility[tile.core]] for c in codes},
        origin_edge=None if osnap is None else global_edge(osnap.edge[tile.core]),
        origin_t=None if osnap is None else osnap.t[tile.core],
        origin_offset=None if osnap is None else osnap.offset_m[tile.core],
        origin_along=None if osnap is None else osnap.along_m[tile.core],
        facility_ids=home_ids,
        facility_edge=global_edge(fsnap.edge[tile.home]),
        facility_t=fsnap.t[tile.home],
        facility_offset=fsnap.offset_m[tile.home],
        facility_along=fsnap.along_m[tile.home],
    )


def merge_tiles(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    outputs: Iterable[TileOutput],
    *,
    standard: Standard,
    minutes: float,
    speed_kmh: float,
    limit_m: float,
    max_snap_m: float,
    osm_derived: bool = True,
    network_report: Sequence[str] = (),
) -> Assessment:
    """Put the tiles' answers together into the whole region's :class:`Assessment`."""
    codes = [i.code for i in standard.items]
    n_o = len(origins)
    n_f = len(facilities)
    dist = {c: np.full(n_o, np.nan) for c in codes}
    fac = {c: np.full(n_o, -1, dtype=np.int32) for c in codes}
    node_origins = origins.node is not None
    o_edge = np.full(n_o, -1, dtype=np.int64)
    o_t, o_off, o_al = (np.full(n_o, np.nan) for _ in range(3))
    f_edge = np.full(n_f, -1, dtype=np.int64)
    f_t, f_off, f_al = (np.full(n_f, np.nan) for _ in range(3))
    seen_o = np.zeros(n_o, dtype=bool)
    seen_f = np.zeros(n_f, dtype=bool)
    for out in outputs:
        ids = out.origin_ids
        seen_o[ids] = True
        for c in codes:
            dist[c][ids] = out.distance_m[c]
            fac[c][ids] = out.facility[c]
        if not node_origins:
            if (
                out.origin_edge is None
                or out.origin_t is None
                or out.origin_offset is None
                or out.origin_along is None
            ):
                raise ValueError(f"tile {out.index} lacks origin snaps")
            o_edge[ids] = out.origin_edge
            o_t[ids] = out.origin_t
            o_off[ids] = out.origin_offset
            o_al[ids] = out.origin_along
        fi = out.facility_ids
        seen_f[fi] = True
        f_edge[fi] = out.facility_edge
        f_t[fi] = out.facility_t
        f_off[fi] = out.facility_offset
        f_al[fi] = out.facility_along
    if not (seen_o.all() and seen_f.all()):
        raise ValueError(
            f"tiles missing: {int((~seen_o).sum())} origins and {int((~seen_f).sum())} "
            "facilities have no answer"
        )
    snapped_items: set[str] = set()
    for f, ok in zip(facilities, (f_edge >= 0).tolist(), strict=True):
        if ok:
            snapped_items.update(f.item_codes)
    items = {
        c: ItemReach(c, dist[c], fac[c], "" if c in snapped_items else REASON_NO_FACILITY)
        for c in codes
    }
    result = ReachResult(
        origins=origins,
        facilities=tuple(facilities),
        items=items,
        limit_m=float(limit_m),
        origin_snap=None if node_origins else Snapped(o_edge, o_t, o_off, o_al, max_snap_m),
        facility_snap=Snapped(f_edge, f_t, f_off, f_al, max_snap_m),
    )
    return Assessment(
        standard=standard,
        network=network,
        result=result,
        minutes=minutes,
        speed_kmh=speed_kmh,
        osm_derived=osm_derived,
        summaries=summarise(result, standard, speed_kmh=speed_kmh),
        network_report=tuple(network_report),
    )


#: ``run_tiles(tiles, assess_one)``: apply the picklable ``assess_one`` to every tile input and
#: yield the outputs in any order (:func:`run_here` here; the batch runner passes a Dask one)
TileRunner = Callable[
    [Iterable[TileInput], Callable[[TileInput], TileOutput]], Iterable[TileOutput]
]


def run_here(
    tiles: Iterable[TileInput], assess_one: Callable[[TileInput], TileOutput]
) -> Iterator[TileOutput]:
    """Tiles one after another in this process (one tile's network in memory at a time)."""
    for tile in tiles:
        yield assess_one(tile)


@dataclass(frozen=True, slots=True, eq=False)
class PartitionedRun:
    """A partitioned assessment with its tiles' answers, kept to update it cheaply later."""

    assessment: Assessment
    plan: TilePlan
    outputs: dict[str, TileOutput]  # by tile name
    facilities: tuple[Facility, ...]
    settings: tuple[object, ...]  # what must not change for outputs to be reused
    recomputed: tuple[str, ...]  # names of the tiles computed in this run

    def answers(self) -> TileAnswers:
        """What a later run reuses, without the merged assessment and the whole network."""
        return TileAnswers(settings=self.settings, facilities=self.facilities, outputs=self.outputs)


@dataclass(frozen=True, slots=True, eq=False)
class TileAnswers:
    """The part of a :class:`PartitionedRun` that ``previous=`` reads (small enough to keep on
    disk between runs: the platform's background assessments do)."""

    settings: tuple[object, ...]
    facilities: tuple[Facility, ...]
    outputs: dict[str, TileOutput]


def affected_tiles(plan: TilePlan, lon: npt.ArrayLike, lat: npt.ArrayLike) -> list[int]:
    """Tiles whose answers may change when facilities at these points are added or removed.

    An origin's answer involves only facilities within ``L`` of it and streets whose split
    points lie within ``L + S`` of it (module docstring, 1.–3.), so a facility at ``p`` can
    change only origins within ``L + S`` of ``p``: the tiles whose core is that near, which
    include ``p``'s own tile.
    """
    x, y = plan.projection().to_xy(lon, lat)
    if x.size == 0:
        return []
    radius = points_radius_m(plan.limit_m, plan.max_snap_m)
    return [
        k
        for k, core in enumerate(plan.cores)
        if bool((core.distance(x, y, upto=radius) <= radius).any())
    ]


def assess_partitioned(
    network: WalkNetwork,
    facilities: Sequence[Facility],
    origins: Origins | None = None,
    **options: Any,
) -> Assessment:
    """:func:`~quarterhour.engine.assessment.assess`, tile by tile; the same answer, exactly.

    Options as :func:`run_partitioned`.
    """
    return run_partitioned(network, facilities, origins, **options).assessment


def run_partitioned(
    network: WalkNetwork,
    facilities: Sequence[Facility],
    origins: Origins | None = None,
    *,
    tile_m: float | None = None,
    boundaries: Sequence[shapely.Geometry] | None = None,
    standard: Standard | None = None,
    minutes: float | None = None,
    speed_kmh: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    workers: int = 1,
    osm_derived: bool = True,
    network_report: Sequence[str] = (),
    run_tiles: TileRunner | None = None,
    progress: Progress = no_progress,
    previous: PartitionedRun | TileAnswers | None = None,
) -> PartitionedRun:
    """Assess tile by tile; with ``previous`` (same network, origins and settings), recompute
    only the tiles a change of facilities can affect (:func:`affected_tiles`) and reuse the rest.

    Give ``tile_m`` (square tiles) or ``boundaries`` (WGS-84 polygons). ``run_tiles`` maps tile
    inputs to outputs (default: one after another in this process; the batch runner passes a
    Dask one). Tiles are cut one at a time, so only one tile's network is held besides the
    whole one. Facilities kept from ``previous`` must keep their relative order. ``previous``
    may be a whole :class:`PartitionedRun` or only its :meth:`~PartitionedRun.answers`.
    """
    std = standard or load_standard(DEFAULT_STANDARD)
    mins = std.walking.minutes if minutes is None else minutes
    speed = std.walking.speed_kmh if speed_kmh is None else speed_kmh
    limit = minutes_to_metres(mins, speed_kmh=speed)
    orig = origins if origins is not None else Origins.from_network_nodes(network)
    # a tuple as it is (kept columns included: the plans below read them), else made one
    facilities = facilities if isinstance(facilities, tuple) else tuple(facilities)
    check_unique_ids(facilities)
    if boundaries is not None and tile_m is None:
        plan = boundary_plan(
            network, orig, facilities, boundaries, limit_m=limit, max_snap_m=max_snap_m
        )
    elif tile_m is not None and boundaries is None:
        plan = grid_plan(
            network, orig, facilities, tile_m=tile_m, limit_m=limit, max_snap_m=max_snap_m
        )
    else:
        raise ValueError("give exactly one of tile_m and boundaries")
    settings: tuple[object, ...] = (
        _fingerprint(network, orig),
        std.code,
        mins,
        speed,
        max_snap_m,
        plan.lon0,
        plan.lat0,
        tile_m,
        None if boundaries is None else tuple(shapely.to_wkb(list(boundaries))),
    )
    todo = list(range(plan.n_tiles))
    reused: dict[str, TileOutput] = {}
    if previous is not None and previous.settings == settings:
        old = set(previous.facilities)
        new = set(facilities)
        changed = [f for f in previous.facilities if f not in new]
        changed += [f for f in facilities if f not in old]
        hit = set(affected_tiles(plan, [f.lon for f in changed], [f.lat for f in changed]))
        todo = [k for k in todo if k in hit or plan.names[k] not in previous.outputs]
        remap = _facility_remap(previous.facilities, facilities)
        reused = {
            plan.names[k]: _remapped(previous.outputs[plan.names[k]], remap)
            for k in range(plan.n_tiles)
            if k not in set(todo)
        }
    geometry = cut_geometry(network, orig, facilities, plan)

    def tiles() -> Iterable[TileInput]:
        for k in todo:
            yield cut_tile(network, orig, facilities, plan, k, geometry=geometry)

    one = functools.partial(
        assess_tile,
        standard=std,
        minutes=mins,
        speed_kmh=speed,
        max_snap_m=max_snap_m,
        workers=workers,
    )
    runner = run_tiles or run_here
    outputs = dict(reused)
    progress("tiles", 0, len(todo))
    for done, out in enumerate(runner(tiles(), one), start=1):
        outputs[plan.names[out.index]] = out
        progress("tiles", done, len(todo))
    assessment = merge_tiles(
        network,
        orig,
        facilities,
        outputs.values(),
        standard=std,
        minutes=mins,
        speed_kmh=speed,
        limit_m=limit,
        max_snap_m=max_snap_m,
        osm_derived=osm_derived,
        network_report=network_report,
    )
    return PartitionedRun(
        assessment=assessment,
        plan=plan,
        outputs=outputs,
        facilities=facilities,
        settings=settings,
        recomputed=tuple(plan.names[k] for k in todo),
    )


def _fingerprint(network: WalkNetwork, origins: Origins) -> str:
    """A digest of the network and the origins (reused tiles need both unchanged)."""
    h = hashlib.blake2b(digest_size=16)
    for a in (network.node_lon, network.node_lat, network.edge_u, network.edge_v):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(np.ascontiguousarray(network.edge_length_m).tobytes())
    for a in (origins.lon, origins.lat, origins.weight):
        h.update(np.ascontiguousarray(a).tobytes())
    if origins.node is not None:
        h.update(np.ascontiguousarray(origins.node).tobytes())
    h.update("\n".join(origins.origin_id).encode())
    return h.hexdigest()


def _facility_remap(old: Sequence[Facility], new: Sequence[Facility]) -> Int64Array:
    """Old facility index → new index (-1 for a removed facility)."""
    where = {f: i for i, f in enumerate(new)}
    return np.array([where.get(f, -1) for f in old] + [-1], dtype=np.int64)


def _remapped(out: TileOutput, remap: Int64Array) -> TileOutput:
    """A reused tile's answers with facility indices of the new facility list."""
    fac = {c: remap[a].astype(np.int32) for c, a in out.facility.items()}
    home = remap[out.facility_ids]
    lost = any(bool(((fac[c] < 0) & np.isfinite(out.distance_m[c])).any()) for c in fac) or bool(
        (home < 0).any()
    )
    if lost:  # cannot happen for a tile affected_tiles() left out; refuse rather than guess
        raise ValueError(f"tile {out.index}: a reused answer names a removed facility")
    return replace(out, facility=fac, facility_ids=home)
