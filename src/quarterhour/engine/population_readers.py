"""Reading residents where they live: community lists (code, name, population, groups, a centre
or a boundary), Beijing's adcode roster, and residential buildings from OSM. What is done with
them (areas, origins) is :mod:`quarterhour.engine.population`."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

from quarterhour.engine._errors import Problem, ProblemCollector
from quarterhour.engine.coords import Crs, to_wgs84
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
