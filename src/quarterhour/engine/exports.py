"""Machine-readable planning outputs: GeoJSON and GeoPackage layers, CSV, an XLSX workbook.

Two neutral shapes carry everything:

* :class:`Sheet` — a table with column keys (CSV headers, English snake case) and Chinese
  column titles (the XLSX headers a street office reads; an English row under them);
* :class:`Layer` — features (shapely geometry in WGS-84 + properties) written as a GeoJSON
  FeatureCollection or as a GeoPackage table (stdlib ``sqlite3``, GeoPackage 1.2 encoding).

Builders turn engine results into sheets and layers. Sheets are written (CSV, XLSX) by the one
table writer, :mod:`quarterhour.engine.table_writer`, which neutralises formula-like text; the
layers' writers are here. Output is deterministic: rows in input
order, fixed decimals, fixed GeoPackage timestamps. Layers derived from OpenStreetMap carry
"© OpenStreetMap contributors"; community areas derived from the network say so.
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

from quarterhour.engine.circles import CircleLayout
from quarterhour.engine.coverage import CoverageTable, ItemSpec, RollUp
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.planning import Gap
from quarterhour.engine.population import Communities
from quarterhour.engine.siting import Candidate, SitingResult

# the sheets and their writers live in the one table writer; builders here fill them
from quarterhour.engine.table_writer import Cell as Cell
from quarterhour.engine.table_writer import Column as Column
from quarterhour.engine.table_writer import Sheet as Sheet
from quarterhour.engine.table_writer import write_csv as write_csv
from quarterhour.engine.table_writer import write_xlsx as write_xlsx

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
#: Timestamp written into GeoPackage metadata (fixed, so that files are reproducible).
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"


@dataclass(frozen=True, slots=True)
class Layer:
    name: str
    title_zh: str
    title_en: str
    geometries: tuple[shapely.Geometry, ...]
    properties: tuple[Mapping[str, Cell], ...]
    osm_derived: bool = False
    note: str = ""
    columns: tuple[str, ...] = field(default=())


def _r(x: float | None, nd: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


# ---------------------------------------------------------------------------------------------
# writers


def _geojson_value(v: Cell) -> Cell:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def write_geojson(path: Path, layer: Layer) -> None:
    head: dict[str, object] = {"type": "FeatureCollection", "name": layer.name}
    if layer.osm_derived:
        head["attribution"] = OSM_ATTRIBUTION
    if layer.note:
        head["note"] = layer.note
    feats = []
    for g, p in zip(layer.geometries, layer.properties, strict=True):
        geom = None if g is None or g.is_empty else json.loads(shapely.to_geojson(g, indent=None))
        feats.append(
            {
                "type": "Feature",
                "properties": {k: _geojson_value(v) for k, v in p.items()},
                "geometry": _round_coords(geom),
            }
        )
    head["features"] = feats
    path.write_text(json.dumps(head, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


def _round_coords(obj: object) -> object:
    if isinstance(obj, float):
        return round(obj, 7)
    if isinstance(obj, list):
        return [_round_coords(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _round_coords(v) for k, v in obj.items()}
    return obj


def _wkb(geom: shapely.Geometry) -> bytes:
    return bytes(shapely.to_wkb(geom, byte_order=1, output_dimension=2))


def _gpkg_blob(geom: shapely.Geometry | None) -> bytes | None:
    if geom is None:
        return None
    if geom.is_empty:
        # empty flag set, no envelope
        return b"GP" + bytes([0, 0b00010001]) + struct.pack("<i", 4326) + _wkb(geom)
    minx, miny, maxx, maxy = geom.bounds
    header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", 4326)
    env = struct.pack("<dddd", minx, maxx, miny, maxy)
    return header + env + _wkb(geom)


_GEOM_TYPES = {
    "Point": "POINT",
    "MultiPoint": "MULTIPOINT",
    "LineString": "LINESTRING",
    "MultiLineString": "MULTILINESTRING",
    "Polygon": "POLYGON",
    "MultiPolygon": "MULTIPOLYGON",
}

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]'
)


def write_gpkg(path: Path, layers: Sequence[Layer]) -> None:
    """A GeoPackage 1.2 file with one feature table per layer (EPSG:4326)."""
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    try:
        cur = con.cursor()
        cur.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
        cur.execute("PRAGMA user_version = 10200")
        cur.executescript(
            """
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
              description TEXT);
            CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,
              data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
              last_change DATETIME NOT NULL, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE,
              max_y DOUBLE, srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id)
                REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,
              column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
            """
        )
        cur.executemany(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)",
            [
                ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", ""),
                ("Undefined geographic SRS", 0, "NONE", 0, "undefined", ""),
                ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT, "longitude/latitude"),
            ],
        )
        for layer in layers:
            kinds = {g.geom_type for g in layer.geometries if g is not None}
            gtype = _GEOM_TYPES[kinds.pop()] if len(kinds) == 1 else "GEOMETRY"
            keys = list(layer.columns or (layer.properties[0].keys() if layer.properties else ()))
            cols = ", ".join(f'"{k}" {_sql_type(layer, k)}' for k in keys)
            cur.execute(
                f'CREATE TABLE "{layer.name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                f"geom {gtype}{', ' + cols if cols else ''})"
            )
            geoms = [g for g in layer.geometries if g is not None and not g.is_empty]
            b = shapely.total_bounds(geoms) if geoms else [None] * 4
            desc = f"{layer.title_zh} / {layer.title_en}"
            if layer.osm_derived:
                desc += f" — {OSM_ATTRIBUTION}"
            if layer.note:
                desc += f" — {layer.note}"
            cur.execute(
                "INSERT INTO gpkg_contents VALUES (?,?,?,?,?,?,?,?,?,?)",
                (layer.name, "features", layer.name, desc, GPKG_TIMESTAMP, *map(_f, b), 4326),
            )
            cur.execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?,?,?,?,?,?)",
                (layer.name, "geom", gtype, 4326, 0, 0),
            )
            qs = ", ".join("?" for _ in range(len(keys) + 1))
            names = ", ".join(["geom", *(f'"{k}"' for k in keys)])
            cur.executemany(
                f'INSERT INTO "{layer.name}" ({names}) VALUES ({qs})',
                [
                    (_gpkg_blob(g), *(_sql_value(p.get(k)) for k in keys))
                    for g, p in zip(layer.geometries, layer.properties, strict=True)
                ],
            )
        con.commit()
    finally:
        con.close()


def _f(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


def _sql_type(layer: Layer, key: str) -> str:
    for p in layer.properties:
        v = p.get(key)
        if v is None:
            continue
        if isinstance(v, bool):
            return "BOOLEAN"
        if isinstance(v, int):
            return "INTEGER"
        if isinstance(v, float):
            return "DOUBLE"
        return "TEXT"
    return "TEXT"


def _sql_value(v: Cell) -> Cell:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# ---------------------------------------------------------------------------------------------
# builders: sheets


def _missing_text(specs: Sequence[ItemSpec]) -> tuple[str, str]:
    return "、".join(s.name_zh for s in specs), "; ".join(s.name_en for s in specs)


def zone_summary_sheet(
    table: CoverageTable,
    *,
    name: str,
    title_zh: str,
    title_en: str,
    labels: Mapping[str, str] | None = None,
    extra: Mapping[str, Sequence[Cell]] | None = None,
    extra_columns: Sequence[Column] = (),
) -> Sheet:
    """One row per zone: population, items met / required, demonstration, missing items."""
    labels = labels or {}
    cols = (
        Column("zone_id", "编号", "id"),
        Column("name", "名称", "name"),
        Column("population", "人口", "population"),
        Column("items_met", "达标项目数", "items met"),
        Column("items_required", "应达标项目数", "items required"),
        Column("all_met", "全部达标", "all met"),
        Column("demonstration", "符合示范点条件", "qualifies as demonstration"),
        Column("missing_zh", "缺少的设施", "missing items (zh)"),
        Column("missing_en", "缺少的设施（英文）", "missing items (en)"),
        *extra_columns,
    )
    rows = []
    for i, z in enumerate(table.zones):
        mzh, men = _missing_text(z.missing)
        ext = tuple(extra[c.key][i] for c in extra_columns) if extra else ()
        rows.append(
            (
                z.zone_id,
                labels.get(z.zone_id, ""),
                _r(z.population, 1),
                z.items_met,
                z.items_required,
                z.all_met,
                z.demonstration,
                mzh,
                men,
                *ext,
            )
        )
    return Sheet(name, title_zh, title_en, cols, tuple(rows))


def zone_items_sheet(
    table: CoverageTable, *, name: str, title_zh: str, title_en: str, groups: bool = True
) -> Sheet:
    """One row per zone × item (× group): covered residents, share, minutes, met."""
    spec = {s.code: s for s in table.item_specs}
    cols = (
        Column("zone_id", "编号", "id"),
        Column("group", "人群", "group"),
        Column("item_code", "项目代码", "item code"),
        Column("item_zh", "项目", "item"),
        Column("item_en", "项目（英文）", "item (en)"),
        Column("population", "人口", "population"),
        Column("covered", "步行可达人口", "covered residents"),
        Column("share", "覆盖比例", "share covered"),
        Column("median_min", "步行时间中位数（分钟）", "median walk (min)"),
        Column("p90_min", "90%居民步行时间（分钟）", "90th percentile walk (min)"),
        Column("threshold", "达标比例要求", "share required"),
        Column("met", "是否达标", "met"),
    )
    rows = []
    for z in table.zones:
        for c in (*z.items, *(z.groups if groups else ())):
            s = spec[c.item_code]
            rows.append(
                (
                    z.zone_id,
                    c.group,
                    c.item_code,
                    s.name_zh,
                    s.name_en,
                    _r(c.population, 1),
                    _r(c.covered, 1),
                    _r(c.share),
                    _r(c.median_min, 2),
                    _r(c.p90_min, 2),
                    c.threshold,
                    c.met,
                )
            )
    return Sheet(name, title_zh, title_en, cols, tuple(rows))


def targets_sheet(rows: Sequence[RollUp]) -> Sheet:
    cols = (
        Column("area", "范围", "area"),
        Column("circles_built", "已划服务圈", "circles"),
        Column("circles_demonstration", "示范点", "demonstration circles"),
        Column("demonstration_target", "示范点目标", "demonstration target"),
        Column("communities_urban", "城市社区数", "urban communities"),
        Column("communities_urban_covered", "已覆盖城市社区", "urban communities covered"),
        Column("urban_share", "覆盖比例", "share covered"),
        Column("urban_share_target", "覆盖比例目标", "share target"),
    )
    return Sheet(
        "targets",
        "目标进度",
        "progress towards the targets",
        cols,
        tuple(
            (
                r.area,
                r.circles_built,
                r.circles_demonstration,
                r.demonstration_target,
                r.communities_urban,
                r.communities_urban_covered,
                _r(r.urban_share),
                r.urban_share_target,
            )
            for r in rows
        ),
    )


def circle_parts_sheet(layout: CircleLayout, communities: Communities) -> Sheet:
    cols = (
        Column("circle_id", "服务圈", "circle"),
        Column("community_code", "社区代码", "community code"),
        Column("community_name", "社区名称", "community"),
        Column("share", "人口份额", "share of the community"),
        Column("population", "人口", "residents"),
    )
    rows = []
    for c in layout.circles:
        for p in c.parts:
            rows.append(
                (
                    c.circle_id,
                    communities.code[p.community],
                    communities.name[p.community],
                    _r(p.share, 6),
                    _r(p.share * float(communities.population[p.community]), 1),
                )
            )
    return Sheet("circle_parts", "服务圈构成", "circle membership", cols, tuple(rows))


def circles_sheet(layout: CircleLayout) -> Sheet:
    cols = (
        Column("circle_id", "服务圈", "circle"),
        Column("population", "人口", "population"),
        Column("communities", "社区数", "communities"),
        Column("in_range", "人口在范围内", "population in range"),
        Column("reason_zh", "超出范围原因", "reason out of range (zh)"),
        Column("reason_en", "超出范围原因（英文）", "reason out of range (en)"),
        Column("centre_lon", "建议服务中心经度", "suggested centre lon"),
        Column("centre_lat", "建议服务中心纬度", "suggested centre lat"),
        Column("mean_walk_m", "到服务中心平均步行距离（米）", "mean walk to centre (m)"),
    )
    rows = []
    for c in layout.circles:
        zh, _, en = c.reason_text().partition(" / ")
        rows.append(
            (
                c.circle_id,
                _r(c.population, 1),
                len(c.parts),
                c.in_range,
                zh,
                en,
                _r(c.centre_lon, 7),
                _r(c.centre_lat, 7),
                _r(c.mean_walk_m, 1),
            )
        )
    return Sheet("circles", "服务圈", "circles", cols, tuple(rows))


@dataclass(frozen=True, slots=True)
class SitingPlan:
    """One siting run for one item, with the candidates it chose from."""

    item: ItemSpec
    result: SitingResult
    candidates: tuple[Candidate, ...]


KIND_ZH = {
    "multi_use": "现有设施增设（一室多用）",
    "shared_unit": "驻区单位共享",
    "parcel": "规划地块",
    "node": "路网节点",
}


def sites_sheet(plans: Sequence[SitingPlan]) -> Sheet:
    cols = (
        Column("item_code", "项目代码", "item code"),
        Column("item_zh", "项目", "item"),
        Column("order", "建设顺序", "build order"),
        Column("candidate_id", "候选点编号", "candidate id"),
        Column("name", "名称", "name"),
        Column("kind", "类型", "kind"),
        Column("host", "场所类型", "host kind"),
        Column("host_en", "场所类型（英文）", "host kind (English)"),
        Column("reason", "理由", "why"),
        Column("reason_en", "理由（英文）", "why (English)"),
        Column("lon", "经度", "lon"),
        Column("lat", "纬度", "lat"),
        Column("newly_covers", "新增覆盖人口", "residents newly covered"),
        Column("marginal", "仅此点覆盖人口", "residents only this site covers"),
        Column("sequential_gain", "按顺序新增人口", "residents added in build order"),
        Column("model", "模型", "model"),
        Column("gap", "最优性差距", "optimality gap"),
    )
    rows = []
    for plan in plans:
        for order, s in enumerate(plan.result.sites, start=1):
            c = plan.candidates[s.candidate]
            rows.append(
                (
                    plan.item.code,
                    plan.item.name_zh,
                    order,
                    c.candidate_id,
                    c.name,
                    KIND_ZH.get(c.kind, c.kind),
                    c.host_zh,
                    c.host_en,
                    c.reason_zh,
                    c.reason_en,
                    round(c.lon, 7),
                    round(c.lat, 7),
                    _r(s.newly_covers, 1),
                    _r(s.marginal, 1),
                    _r(s.sequential_gain, 1),
                    f"{plan.result.model}/{plan.result.method}",
                    _r(plan.result.gap, 6),
                )
            )
    return Sheet("sites", "选址建议", "proposed sites", cols, tuple(rows))


# ---------------------------------------------------------------------------------------------
# builders: layers


def communities_layer(
    communities: Communities,
    table: CoverageTable | None,
    *,
    derived_areas: bool,
    area_polygons: Sequence[shapely.Geometry | None] | None = None,
) -> Layer:
    """Community polygons (given or derived from the network) or centre points."""
    by_id = table.by_id() if table else {}
    geoms: list[shapely.Geometry] = []
    props: list[dict[str, Cell]] = []
    for i, code in enumerate(communities.code):
        poly = communities.polygon[i] if communities.polygon else None
        derived = False
        if poly is None and area_polygons is not None:
            poly = area_polygons[i]
            derived = poly is not None
        geom = poly if poly is not None else shapely.Point(communities.lon[i], communities.lat[i])
        z = by_id.get(code)
        mzh, men = _missing_text(z.missing) if z else ("", "")
        geoms.append(geom)
        props.append(
            {
                "code": code,
                "name": communities.name[i],
                "population": _r(float(communities.population[i]), 1),
                "area_derived": derived,
                "items_met": z.items_met if z else None,
                "items_required": z.items_required if z else None,
                "all_met": z.all_met if z else None,
                "missing_zh": mzh,
                "missing_en": men,
            }
        )
    note = (
        "社区范围由步行网络推导（各节点归最近的社区中心），非官方边界 / community areas derived "
        "from the walk network (each node to the nearest centre), not official boundaries"
        if derived_areas
        else ""
    )
    return Layer("communities", "社区", "communities", tuple(geoms), tuple(props), note=note)


def node_hulls(
    network: WalkNetwork, node_label: npt.NDArray[np.int64], n_labels: int, *, ratio: float = 0.3
) -> list[shapely.Geometry | None]:
    """An outline per label: the concave hull of its network nodes (None without nodes)."""
    out: list[shapely.Geometry | None] = [None] * n_labels
    order = np.argsort(node_label, kind="stable")
    lab = node_label[order]
    starts = np.searchsorted(lab, np.arange(n_labels + 1))
    for i in range(n_labels):
        nodes = order[starts[i] : starts[i + 1]]
        if nodes.shape[0] == 0:
            continue
        pts = shapely.multipoints(
            np.column_stack([network.node_lon[nodes], network.node_lat[nodes]])
        )
        hull = shapely.concave_hull(pts, ratio=ratio)
        if hull.geom_type != "Polygon":
            hull = hull.buffer(0.0003)  # ≈ 30 m around a point or a line of nodes
        out[i] = hull
    return out


def circles_layer(
    network: WalkNetwork,
    layout: CircleLayout,
    table: CoverageTable | None,
    *,
    osm_derived: bool,
) -> Layer:
    hulls = node_hulls(network, layout.node_circle, len(layout.circles))
    by_id = table.by_id() if table else {}
    geoms: list[shapely.Geometry] = []
    props: list[dict[str, Cell]] = []
    for c, hull in zip(layout.circles, hulls, strict=True):
        z = by_id.get(c.circle_id)
        mzh, men = _missing_text(z.missing) if z else ("", "")
        geoms.append(hull if hull is not None else shapely.Point(c.centre_lon, c.centre_lat))
        props.append(
            {
                "circle_id": c.circle_id,
                "population": _r(c.population, 1),
                "communities": len(c.parts),
                "in_range": c.in_range,
                "reason": c.reason_text(),
                "centre_lon": _r(c.centre_lon, 7),
                "centre_lat": _r(c.centre_lat, 7),
                "items_met": z.items_met if z else None,
                "items_required": z.items_required if z else None,
                "demonstration": z.demonstration if z else None,
                "missing_zh": mzh,
                "missing_en": men,
            }
        )
    return Layer(
        "circles",
        "服务圈",
        "circles",
        tuple(geoms),
        tuple(props),
        osm_derived=osm_derived,
        note="服务圈轮廓为路网节点的凹包（示意） / outlines are concave hulls of network nodes",
    )


def facilities_layer(facilities: Sequence[Facility], *, osm_derived: bool) -> Layer:
    return Layer(
        "facilities",
        "设施",
        "facilities",
        tuple(shapely.Point(f.lon, f.lat) for f in facilities),
        tuple(
            {
                "facility_id": f.facility_id,
                "name": f.name,
                "items": " ".join(f.item_codes),
                "address": f.address,
                "source": f.source,
            }
            for f in facilities
        ),
        osm_derived=osm_derived,
    )


def sites_layer(plans: Sequence[SitingPlan]) -> Layer:
    sheet = sites_sheet(plans)
    keys = [c.key for c in sheet.columns]
    props = tuple(dict(zip(keys, row, strict=True)) for row in sheet.rows)
    geoms = tuple(shapely.Point(p["lon"], p["lat"]) for p in props)
    return Layer("proposed_sites", "选址建议", "proposed sites", geoms, props)


def coverage_layer(
    origins: Origins,
    minutes: Mapping[str, npt.NDArray[np.float64]],
    *,
    zone: npt.NDArray[np.int64] | None = None,
    zone_ids: Sequence[str] = (),
    osm_derived: bool,
) -> Layer:
    """One point per origin: residents and walking minutes to the nearest of each item
    (null = beyond the walk)."""
    codes = list(minutes)
    props = []
    for i, oid in enumerate(origins.origin_id):
        p: dict[str, Cell] = {"origin_id": oid, "residents": _r(float(origins.weight[i]), 2)}
        if zone is not None:
            p["zone"] = zone_ids[int(zone[i])] if zone[i] >= 0 else None
        for c in codes:
            p[f"min_{c}"] = _r(float(minutes[c][i]), 2)
        props.append(p)
    return Layer(
        "coverage",
        "步行可达",
        "walking reach",
        tuple(shapely.points(np.column_stack([origins.lon, origins.lat]))),
        tuple(props),
        osm_derived=osm_derived,
        note="min_<项目> = 到最近一处的步行分钟；空 = 超出步行时限 / minutes to the nearest; "
        "null = beyond the walk",
    )


def counting_points(sheet: Sheet) -> Sheet:
    """The sheet with its headings saying what the figures count when no population was given:
    network points (路网节点), never residents (人口)."""
    import dataclasses

    def zh(text: str) -> str:
        return text.replace("居民", "路网节点").replace("人口", "路网节点")

    def en(text: str) -> str:
        return text.replace("residents", "network points").replace("population", "network points")

    cols = tuple(dataclasses.replace(c, zh=zh(c.zh), en=en(c.en)) for c in sheet.columns)
    return dataclasses.replace(sheet, columns=cols)


def gaps_sheet(gaps: Sequence[Gap]) -> Sheet:
    """Per circle (else community): each required item not met and the residents it leaves
    beyond the walk."""
    cols = (
        Column("zone_id", "编号", "id"),
        Column("item_code", "项目代码", "item code"),
        Column("item_zh", "项目", "item"),
        Column("item_en", "项目（英文）", "item (en)"),
        Column("uncovered", "未覆盖人口", "residents left out"),
        Column("population", "人口", "residents"),
        Column("share", "覆盖比例", "share covered"),
        Column("threshold", "达标比例要求", "share required"),
    )
    rows = tuple(
        (g.zone_id, g.item_code, g.name_zh, g.name_en, _r(g.uncovered, 1), _r(g.population, 1),
         _r(g.share), g.threshold)
        for g in gaps
    )  # fmt: skip
    return Sheet("gaps", "缺项", "missing items", cols, rows)
