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

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from quarterhour.engine._errors import Problem, ProblemCollector
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.coords import Crs, to_wgs84
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Origins
from quarterhour.engine.snapping import snap_points
from quarterhour.engine.tables import match_columns, parse_number, read_table, text_of

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Population groups the policy singles out: key → (zh, en).
GROUPS: dict[str, tuple[str, str]] = {
    "elderly": ("老年人（60岁以上）", "elderly (60+)"),
    "children": ("未成年人", "children (under 18)"),
    "disabled": ("残疾人", "people with disabilities"),
}

COMMUNITY_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("社区代码", "社区编码", "代码", "编码", "编号", "code", "id", "community_code"),
    "name": ("社区名称", "名称", "社区", "name"),
    "population": ("人口", "常住人口", "户籍人口", "人数", "population", "pop"),
    "households": ("户数", "households"),
    "street": ("街道", "街道代码", "街道办事处", "street", "street_code"),
    "district": ("区县", "区", "district"),
    "urban": ("城市社区", "urban"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "wkt": ("边界", "wkt", "geometry", "boundary"),
    "elderly": ("老年人", "老年人口", "60岁以上", "elderly"),
    "children": ("未成年人", "儿童", "children"),
    "disabled": ("残疾人", "disabled"),
}


@dataclass(frozen=True, slots=True, eq=False)
class Communities:
    """Communities (社区), columnar. Coordinates WGS-84; NaN where a centre is unknown."""

    code: tuple[str, ...]
    name: tuple[str, ...]
    population: FloatArray
    lon: FloatArray
    lat: FloatArray
    households: FloatArray | None = None
    street: tuple[str, ...] = ()
    district: tuple[str, ...] = ()
    urban: BoolArray | None = None
    polygon: tuple[shapely.Geometry | None, ...] = ()
    groups: Mapping[str, FloatArray] = field(default_factory=dict)
    source: str = ""

    def __len__(self) -> int:
        return len(self.code)

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.code)}


@dataclass(frozen=True, slots=True, eq=False)
class CommunityAreas:
    """Each network node's community (-1: none) and how that was decided."""

    node_community: Int64Array
    distance_m: FloatArray  # walk to the community centre (derived) or NaN (polygons)
    derived: bool
    without_area: tuple[int, ...]  # communities that got no node

    def nodes_of(self, community: int) -> Int64Array:
        return np.flatnonzero(self.node_community == community).astype(np.int64)


def _float(text: str) -> float | None:
    return parse_number(text) if text else None


def read_communities(
    path: str | Path, *, crs: Crs = "wgs84", encoding: str | None = None
) -> Communities:
    """A community list (CSV/XLSX, Chinese or English headers, see ``COMMUNITY_HEADERS``).

    Needs a code and a population column, and per row either lon/lat (in ``crs``) or a WKT
    boundary (WGS-84). Duplicate codes, negative/missing population and bad geometry are
    collected with their rows and raised once.
    """
    table = read_table(
        path,
        encoding=encoding,
        required={"code": COMMUNITY_HEADERS["code"], "population": COMMUNITY_HEADERS["population"]},
    )
    cols = match_columns(table.headers, COMMUNITY_HEADERS)
    problems = ProblemCollector()
    codes: list[str] = []
    seen: dict[str, int] = {}
    names, streets, districts = [], [], []
    pop, hh, lon, lat, urban = [], [], [], [], []
    polys: list[shapely.Geometry | None] = []
    groups: dict[str, list[float]] = {g: [] for g in GROUPS if g in cols}

    def bad(row: int, col: str, zh: str, en: str, code: str = "value_invalid") -> None:
        problems.add(Problem(code, zh, en, file=table.source, row=row, column=col))

    for row, cells in table.rows:
        code = text_of(cells, cols.get("code"))
        if not code:
            bad(row, table.headers[cols["code"]], "缺少社区代码", "community code missing")
        elif code in seen:
            bad(
                row,
                table.headers[cols["code"]],
                f"社区代码 {code} 与第 {seen[code]} 行重复",
                f"community code {code} repeats row {seen[code]}",
                "duplicate_id",
            )
        seen.setdefault(code, row)
        codes.append(code)
        names.append(text_of(cells, cols.get("name")))
        streets.append(text_of(cells, cols.get("street")))
        districts.append(text_of(cells, cols.get("district")))
        p = _float(text_of(cells, cols["population"]))
        if p is None or p < 0:
            bad(
                row,
                table.headers[cols["population"]],
                "人口为负数或缺失",
                "population is negative or missing",
                "population_invalid",
            )
        pop.append(math.nan if p is None else p)
        h = _float(text_of(cells, cols.get("households")))
        hh.append(math.nan if h is None else h)
        u = text_of(cells, cols.get("urban")).lower()
        urban.append(u not in ("0", "否", "no", "false", "f", "农村", "rural"))
        for g in groups:
            v = _float(text_of(cells, cols[g]))
            if v is not None and v < 0:
                bad(row, table.headers[cols[g]], "人数为负数", "negative count")
            groups[g].append(math.nan if v is None else v)
        x = _float(text_of(cells, cols.get("lon")))
        y = _float(text_of(cells, cols.get("lat")))
        lon.append(math.nan if x is None else x)
        lat.append(math.nan if y is None else y)
        wkt = text_of(cells, cols.get("wkt"))
        geom = None
        if wkt:
            try:
                geom = shapely.from_wkt(wkt)
            except shapely.errors.GEOSException:
                bad(row, table.headers[cols["wkt"]], "边界 WKT 无法解析", "boundary WKT unreadable")
            else:
                if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
                    bad(row, table.headers[cols["wkt"]], "边界不是面", "boundary is not a polygon")
                    geom = None
        if geom is None and (x is None or y is None) and "wkt" not in cols:
            bad(row, "lon/lat", "缺少中心点坐标", "centre coordinates missing", "coords_missing")
        polys.append(geom)
    problems.raise_if_any()
    lo, la = np.array(lon), np.array(lat)
    ok = np.isfinite(lo) & np.isfinite(la)
    if ok.any():
        wl, wa = to_wgs84(lo[ok], la[ok], crs=crs)
        lo[ok], la[ok] = wl, wa
    for i, poly in enumerate(polys):
        if poly is not None and not ok[i]:
            c = poly.representative_point()
            lo[i], la[i] = c.x, c.y
    return Communities(
        code=tuple(codes),
        name=tuple(names),
        population=np.array(pop),
        lon=lo,
        lat=la,
        households=np.array(hh) if "households" in cols else None,
        street=tuple(streets) if "street" in cols else (),
        district=tuple(districts) if "district" in cols else (),
        urban=np.array(urban) if "urban" in cols else None,
        polygon=tuple(polys) if "wkt" in cols else (),
        groups={g: np.array(v) for g, v in groups.items()},
        source=str(path),
    )


#: Columns of the adcode CSVs (no header row), from the data set's ``sql/adcode.ddl``.
ADCODE_COLUMNS: tuple[str, ...] = (
    "code", "parent", "name", "level", "rank", "adcode", "post_code", "area_code", "ur_code",
    "municipality", "virtual", "dummy", "longitude", "latitude", "center", "province", "city",
    "county", "town", "village",
)  # fmt: skip


def read_adcode_csv(paths: Sequence[str | Path], *, level: str = "village") -> Communities:
    """Communities (``level="village"``: 居委会/村委会) from adcode CSVs (GCJ-02 centres).

    Population is NaN (the roster has none): join it with :func:`join_population`. ``urban``
    is true for 居委会 (the name holds 社区 or 居委会), false for 村委会; the street is the
    parent (town-level) code, the district the county name.
    """
    codes, names, streets, districts, lon, lat = [], [], [], [], [], []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as fh:
            for rec in csv.reader(fh):
                if len(rec) < len(ADCODE_COLUMNS):
                    continue
                row = dict(zip(ADCODE_COLUMNS, rec, strict=False))
                if row["level"] != level:
                    continue
                codes.append(row["code"])
                names.append(row["name"])
                streets.append(row["parent"])
                districts.append(row["county"])
                x = parse_number(row["longitude"])
                y = parse_number(row["latitude"])
                lon.append(math.nan if x is None else x)
                lat.append(math.nan if y is None else y)
    lo, la = np.array(lon, dtype=np.float64), np.array(lat, dtype=np.float64)
    ok = np.isfinite(lo) & np.isfinite(la)
    if ok.any():
        wl, wa = to_wgs84(lo[ok], la[ok], crs="gcj02")
        lo[ok], la[ok] = wl, wa
    urban = np.array([("社区" in n or "居委会" in n) and "村委会" not in n for n in names])
    return Communities(
        code=tuple(codes),
        name=tuple(names),
        population=np.full(len(codes), np.nan),
        lon=lo,
        lat=la,
        street=tuple(streets),
        district=tuple(districts),
        urban=urban,
        source=", ".join(str(p) for p in paths),
    )


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


# ---------------------------------------------------------------------------------------------
# residential buildings from OSM: a community's residents spread by floor area

#: ``building=*`` values read as homes. ``yes`` (unspecified — most buildings in Chinese OSM
#: data) counts unless the building carries shop/amenity/office/tourism tags.
RESIDENTIAL_BUILDINGS: frozenset[str] = frozenset(
    {
        "residential", "apartments", "house", "detached", "semidetached_house", "terrace",
        "dormitory", "bungalow", "farm", "yes",
    }
)  # fmt: skip
#: Storeys assumed where ``building:levels`` is missing or unreadable, by building value.
#: Chinese urban housing is mostly 6-storey walk-ups and high-rises; houses have two storeys.
DEFAULT_LEVELS: dict[str, float] = {
    "house": 2.0, "detached": 2.0, "semidetached_house": 2.0, "terrace": 2.0, "bungalow": 1.0,
    "farm": 2.0, "apartments": 6.0, "residential": 6.0, "dormitory": 6.0, "yes": 3.0,
}  # fmt: skip
_NOT_HOMES = ("shop", "amenity", "office", "tourism", "craft")
_M_PER_DEG = 111_195.0


@dataclass(frozen=True, slots=True, eq=False)
class Buildings:
    """Residential buildings: centroid (WGS-84), footprint and floor area (m²), storeys."""

    osm_id: tuple[str, ...]
    lon: FloatArray
    lat: FloatArray
    footprint_m2: FloatArray
    levels: FloatArray
    levels_given: BoolArray  # False where DEFAULT_LEVELS supplied the storeys

    @property
    def floor_area_m2(self) -> FloatArray:
        return np.asarray(self.footprint_m2 * self.levels, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.osm_id)


def _levels(text: str | None) -> float | None:
    if not text:
        return None
    v = parse_number(text.split(";")[0])
    return v if v is not None and 0 < v < 200 else None


def read_osm_buildings(path: str | Path) -> Buildings:
    """Residential buildings of an OSM extract (ways and multipolygon relations).

    Floor area = footprint (local metric projection) × ``building:levels`` (or
    :data:`DEFAULT_LEVELS`). Ordered by OSM type and id, so the same file gives the same list.
    """
    import osmium
    from osmium.filter import KeyFilter

    from quarterhour.engine.osm_network import check_osm_path, iter_osm

    p = check_osm_path(path)
    wkb = osmium.geom.WKBFactory()
    rows: list[tuple[int, int, float, float, float, float, bool]] = []
    processor = osmium.FileProcessor(str(p)).with_areas().with_filter(KeyFilter("building"))
    for obj in iter_osm(processor, path):
        if not isinstance(obj, osmium.osm.Area):
            continue
        kind = obj.tags.get("building", "")
        if kind not in RESIDENTIAL_BUILDINGS:
            continue
        if kind == "yes" and any(k in obj.tags for k in _NOT_HOMES):
            continue
        try:
            geom = shapely.from_wkb(wkb.create_multipolygon(obj))
        except (RuntimeError, shapely.errors.GEOSException):
            continue
        if geom.is_empty:
            continue
        c = geom.centroid
        k = math.cos(math.radians(c.y)) * _M_PER_DEG
        metric = shapely.transform(geom, lambda xy, k=k: xy * np.array([k, _M_PER_DEG]))
        area = float(metric.area)
        if area <= 0:
            continue
        given = _levels(obj.tags.get("building:levels"))
        levels = given if given is not None else DEFAULT_LEVELS.get(kind, 3.0)
        rows.append(
            (
                0 if obj.from_way() else 1,
                int(obj.orig_id()),
                float(c.x),
                float(c.y),
                area,
                levels,
                given is not None,
            )
        )
    rows.sort()
    return Buildings(
        osm_id=tuple(f"osm:{'way' if t == 0 else 'relation'}/{i}" for t, i, *_ in rows),
        lon=np.array([r[2] for r in rows], dtype=np.float64),
        lat=np.array([r[3] for r in rows], dtype=np.float64),
        footprint_m2=np.array([r[4] for r in rows], dtype=np.float64),
        levels=np.array([r[5] for r in rows], dtype=np.float64),
        levels_given=np.array([r[6] for r in rows], dtype=bool),
    )


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
