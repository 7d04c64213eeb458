"""Residents where they live: communities with population, their areas, and origins from them.

Sources
-------
* **Community lists** — code, name, population (households, street, district, urban flag and
  group counts optional) with a centre point or a boundary (WKT polygon). Beijing's roster
  (the adcode CSV of the National Bureau of Statistics codes, GCJ-02 centres, no population) is
  read by :func:`read_adcode_csv` and joined to a population table by code
  (:func:`join_population`).
* **Population grids** (H3 cell centroids, any point grid with counts) — read with
  :func:`quarterhour.engine.origins_io.read_origins`; :func:`zone_of_points` assigns the cells
  to community areas.
* **Residential buildings** from OSM (:func:`read_osm_buildings`): a community's residents are
  spread over the buildings in its area by floor area = footprint × ``building:levels``
  (:data:`DEFAULT_LEVELS` where the tag is missing) — :func:`origins_from_buildings`.

Community areas
---------------
Given polygons, a community's area is the network nodes inside it (:func:`areas_from_polygons`).
Without polygons the area is **derived** (:func:`derived_areas`): every network node goes to the
community centre nearest by walking distance — one multi-source Dijkstra
(``scipy.sparse.csgraph.dijkstra(min_only=True)``) from a virtual source per centre attached to
both ends of the edge the centre snaps to. Derived areas are marked ``derived=True`` and every
export says so.

Groups the policy singles out (老年人 elderly 60+, 未成年人 children, 残疾人 people with
disabilities …) are optional count columns; they are spread over the area like the population.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from quarterhour.engine._errors import Problem, ProblemCollector
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Origins
from quarterhour.engine.population_readers import (
    ADCODE_COLUMNS,
    COMMUNITY_HEADERS,
    DEFAULT_LEVELS,
    GROUPS,
    RESIDENTIAL_BUILDINGS,
    Buildings,
    Communities,
    read_adcode_csv,
    read_communities,
    read_osm_buildings,
)
from quarterhour.engine.snapping import snap_points

__all__ = [
    "ADCODE_COLUMNS",
    "COMMUNITY_HEADERS",
    "DEFAULT_LEVELS",
    "GROUPS",
    "RESIDENTIAL_BUILDINGS",
    "Buildings",
    "Communities",
    "CommunityAreas",
    "CommunityOrigins",
    "areas_from_polygons",
    "derived_areas",
    "join_population",
    "node_frontage_m",
    "origins_from_areas",
    "origins_from_buildings",
    "read_adcode_csv",
    "read_communities",
    "read_osm_buildings",
    "zone_of_points",
]

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class CommunityAreas:
    """Each network node's community (-1: none) and how that was decided."""

    node_community: Int64Array
    distance_m: FloatArray  # walk to the community centre (derived) or NaN (polygons)
    derived: bool
    without_area: tuple[int, ...]  # communities that got no node


def join_population(communities: Communities, population: Communities) -> Communities:
    """Communities with population (and households, groups) taken from another list by code.

    Codes in ``population`` that are not communities, and communities without a population
    row, are problems naming the rows (raised together).
    """
    idx = communities.index()
    problems = ProblemCollector()
    pop = np.full(len(communities), np.nan)
    hh = np.full(len(communities), np.nan)
    groups = {g: np.full(len(communities), np.nan) for g in population.groups}
    for j, code in enumerate(population.code):
        i = idx.get(code)
        if i is None:
            problems.add(
                Problem(
                    "unknown_community",
                    f"人口表中的社区代码 {code} 不在社区名录中",
                    f"community code {code} of the population table is not in the list",
                    file=population.source,
                    row=j + 2,
                )
            )
            continue
        pop[i] = population.population[j]
        if population.households is not None:
            hh[i] = population.households[j]
        for g, v in population.groups.items():
            groups[g][i] = v[j]
    for i in np.flatnonzero(~np.isfinite(pop)).tolist():
        problems.add(
            Problem(
                "population_missing",
                f"社区 {communities.code[i]} {communities.name[i]} 没有人口数据",
                f"community {communities.code[i]} has no population row",
                file=population.source,
            )
        )
    problems.raise_if_any()
    return Communities(
        code=communities.code,
        name=communities.name,
        population=pop,
        lon=communities.lon,
        lat=communities.lat,
        households=hh if population.households is not None else communities.households,
        street=communities.street,
        district=communities.district,
        urban=communities.urban,
        polygon=communities.polygon,
        groups=groups,
        source=communities.source,
    )


def derived_areas(
    network: WalkNetwork,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    limit_m: float = math.inf,
) -> CommunityAreas:
    """Each node to the nearest centre by walking (one multi-source Dijkstra); ``derived=True``.

    Centres without a coordinate or beyond ``max_snap_m`` of the network get no area; nodes
    farther than ``limit_m`` from every centre stay unassigned (-1). A centre whose every node
    is nearer another centre still gets the nearer end of the edge it snaps to (if that
    community keeps another node), so each placed community has an area.
    """
    lo = np.asarray(lon, dtype=np.float64)
    la = np.asarray(lat, dtype=np.float64)
    k = lo.shape[0]
    n = network.n_nodes
    snap = snap_points(
        network, np.nan_to_num(lo, nan=1e9), np.nan_to_num(la, nan=1e9), max_snap_m=max_snap_m
    )
    ok = np.flatnonzero(snap.ok & np.isfinite(lo) & np.isfinite(la))
    e = snap.edge[ok]
    length = network.edge_length_m[e]
    t = snap.t[ok]
    off = snap.offset_m[ok]
    src = n + np.arange(ok.shape[0])
    rows = np.concatenate([network.edge_u, network.edge_v, src, src]).astype(np.int64)
    cols = np.concatenate(
        [network.edge_v, network.edge_u, network.edge_u[e], network.edge_v[e]]
    ).astype(np.int64)
    vals = np.concatenate(
        [network.edge_length_m, network.edge_length_m, off + t * length, off + (1 - t) * length]
    )
    # a zero-length link must stay an explicit edge: nudge it by a micrometre
    vals = np.maximum(vals, 1e-6)
    g = sp.csr_array((vals, (rows, cols)), shape=(n + ok.shape[0], n + ok.shape[0]))
    if ok.shape[0] == 0:
        label = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
    else:
        d, _pred, sources = dijkstra(
            g, directed=True, indices=src, min_only=True, return_predecessors=True, limit=limit_m
        )
        d = d[:n]
        s = sources[:n]
        label = np.where(s >= 0, ok[np.maximum(s - n, 0)], -1).astype(np.int64)
        dist = np.where(np.isfinite(d), d, np.nan)
    # a centre crowded out by its neighbours still gets the nearer end of its own edge
    counts = np.bincount(label[label >= 0], minlength=k)
    for j, ci in enumerate(ok.tolist()):
        if counts[ci] == 0:
            node = int(network.edge_u[e[j]] if t[j] <= 0.5 else network.edge_v[e[j]])
            if counts[label[node]] > 1:
                counts[label[node]] -= 1
                label[node] = ci
                counts[ci] = 1
                dist[node] = off[j] + min(t[j], 1 - t[j]) * length[j]
    return CommunityAreas(
        node_community=label,
        distance_m=dist,
        derived=True,
        without_area=tuple(np.flatnonzero(counts == 0).tolist()),
    )


def areas_from_polygons(
    network: WalkNetwork, polygons: Sequence[shapely.Geometry | None], *, source: str = ""
) -> CommunityAreas:
    """Nodes inside each community polygon (first polygon wins where they overlap).

    A polygon that contains no network node is a problem naming its row (1-based position).
    """
    label = np.full(network.n_nodes, -1, dtype=np.int64)
    problems = ProblemCollector()
    for i, poly in enumerate(polygons):
        if poly is None:
            continue
        inside = shapely.contains_xy(poly, network.node_lon, network.node_lat) & (label < 0)
        if not inside.any():
            problems.add(
                Problem(
                    "polygon_off_network",
                    "社区边界内没有步行网络节点（边界与路网不相交）",
                    "the community polygon contains no walk-network node",
                    file=source or None,
                    row=i + 1,
                )
            )
        label[inside] = i
    problems.raise_if_any()
    counts = np.bincount(label[label >= 0], minlength=len(polygons))
    return CommunityAreas(
        node_community=label,
        distance_m=np.full(network.n_nodes, np.nan),
        derived=False,
        without_area=tuple(np.flatnonzero(counts == 0).tolist()),
    )


def node_frontage_m(network: WalkNetwork) -> FloatArray:
    """Half the length of the edges at each node: the street frontage a node stands for."""
    half = network.edge_length_m / 2.0
    return np.asarray(
        np.bincount(network.edge_u, weights=half, minlength=network.n_nodes)
        + np.bincount(network.edge_v, weights=half, minlength=network.n_nodes),
        dtype=np.float64,
    )


@dataclass(frozen=True, slots=True, eq=False)
class CommunityOrigins:
    """Origins at network nodes carrying the communities' residents."""

    origins: Origins
    zone: Int64Array  # community index per origin
    groups: Mapping[str, FloatArray]  # group residents per origin


def origins_from_areas(
    network: WalkNetwork, communities: Communities, areas: CommunityAreas
) -> CommunityOrigins:
    """Spread each community's residents over its area's nodes by street frontage.

    Communities without an area keep their residents at their centre (an origin off the
    network nodes is not possible here, so they are left out and listed in
    ``areas.without_area``).
    """
    label = areas.node_community
    nodes = np.flatnonzero(label >= 0)
    lab = label[nodes]
    front = node_frontage_m(network)[nodes]
    front = np.where(front > 0, front, 1.0)
    per = np.bincount(lab, weights=front, minlength=len(communities))
    share = front / per[lab]
    pop = np.nan_to_num(communities.population, nan=0.0)
    weight = share * pop[lab]
    groups = {g: share * np.nan_to_num(v, nan=0.0)[lab] for g, v in communities.groups.items()}
    osm = network.node_osm_id
    ids = tuple(
        f"osm:node/{osm[i]}" if osm.shape[0] == network.n_nodes and osm[i] >= 0 else f"node:{i}"
        for i in nodes.tolist()
    )
    origins = Origins(
        origin_id=ids,
        lon=network.node_lon[nodes],
        lat=network.node_lat[nodes],
        weight=weight,
        node=nodes.astype(np.int64),
    )
    return CommunityOrigins(origins, lab.astype(np.int64), groups)


def zone_of_points(
    network: WalkNetwork,
    areas: CommunityAreas,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> Int64Array:
    """The community of each point (e.g. a population-grid cell): that of the nearer end of the
    edge it snaps to; -1 when it does not snap."""
    snap = snap_points(network, lon, lat, max_snap_m=max_snap_m)
    e = np.maximum(snap.edge, 0)
    node = np.where(snap.t <= 0.5, network.edge_u[e], network.edge_v[e])
    out = np.where(snap.ok, areas.node_community[node], -1)
    return np.asarray(out, dtype=np.int64)


def origins_from_buildings(
    communities: Communities, buildings: Buildings, building_zone: Int64Array
) -> tuple[CommunityOrigins, tuple[int, ...]]:
    """Each community's residents spread over its buildings by floor area.

    ``building_zone`` is each building's community (e.g. :func:`zone_of_points` on the
    centroids, or polygon containment); -1 = none. Communities without any building keep their
    residents at their centre point; their indices are returned so that callers can say so.
    """
    zone = np.asarray(building_zone, dtype=np.int64)
    nc = len(communities)
    area = buildings.floor_area_m2
    inside = zone >= 0
    per = np.bincount(zone[inside], weights=area[inside], minlength=nc)
    share = np.where(
        inside, area / np.where(per[np.maximum(zone, 0)] > 0, per[np.maximum(zone, 0)], 1.0), 0.0
    )
    pop = np.nan_to_num(communities.population, nan=0.0)
    keep = np.flatnonzero(inside)
    weight = share[keep] * pop[zone[keep]]
    groups = {
        g: share[keep] * np.nan_to_num(v, nan=0.0)[zone[keep]]
        for g, v in communities.groups.items()
    }
    ids = [buildings.osm_id[i] for i in keep.tolist()]
    lon = buildings.lon[keep].tolist()
    lat = buildings.lat[keep].tolist()
    zones = zone[keep].tolist()
    w = weight.tolist()
    gl = {g: v.tolist() for g, v in groups.items()}
    without = tuple(i for i in np.flatnonzero(per <= 0).tolist() if np.isfinite(communities.lon[i]))
    for i in without:
        ids.append(f"centre:{communities.code[i]}")
        lon.append(float(communities.lon[i]))
        lat.append(float(communities.lat[i]))
        zones.append(i)
        w.append(float(pop[i]))
        for g, v in communities.groups.items():
            gl[g].append(float(np.nan_to_num(v[i], nan=0.0)))
    origins = Origins(
        origin_id=tuple(ids),
        lon=np.array(lon, dtype=np.float64),
        lat=np.array(lat, dtype=np.float64),
        weight=np.array(w, dtype=np.float64),
    )
    return (
        CommunityOrigins(
            origins, np.array(zones, dtype=np.int64), {g: np.array(v) for g, v in gl.items()}
        ),
        without,
    )
