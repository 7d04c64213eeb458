"""A walk network from plain line data: GeoJSON or GeoPackage LineStrings in WGS-84.

For cities whose users have their own surveyed footpath or road centre-line data. Every line is
walkable in both directions; every consecutive vertex pair is one straight edge with its
great-circle length. Lines join where they share a vertex: vertices at the same coordinates,
rounded to 1e-7° (about 1 cm), become one node. Lines that merely cross without a shared vertex
do not join (as in OSM, a bridge crosses a road without a junction).

* **GeoJSON** (read with the standard library): a FeatureCollection, a single Feature, or a
  bare geometry; ``LineString`` and ``MultiLineString`` geometries. RFC 7946 GeoJSON is
  WGS-84; an old-style ``"crs"`` member naming anything but EPSG:4326 / OGC CRS84 is refused.
* **GeoPackage** (read with ``sqlite3``; geometry blobs decoded by shapely): the feature table
  holding lines (``layer=`` chooses when there are several); its spatial reference system must
  be EPSG:4326 (or OGC CRS84, or 0 "undefined geographic"); a projected CRS is refused with its
  name.

Problems are collected and raised once: ``row`` is the feature's 1-based position in a GeoJSON
file and the ``fid`` in a GeoPackage.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from scipy.sparse.csgraph import connected_components

from quarterhour.engine._errors import InputError, Problem, ProblemCollector
from quarterhour.engine.network import (
    ComponentReport,
    WalkNetwork,
    build_network,
    largest_component,
)

#: Coordinates closer than this (degrees, after rounding) are the same node.
NODE_PRECISION_DEG: float = 1e-7

_WGS84_NAMES = frozenset(
    {
        "epsg:4326",
        "urn:ogc:def:crs:epsg::4326",
        "urn:ogc:def:crs:ogc:1.3:crs84",
        "urn:ogc:def:crs:ogc::crs84",
        "ogc:crs84",
        "crs84",
    }
)
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_LINE_TYPES = frozenset({"LINESTRING", "MULTILINESTRING", "GEOMETRY", "MULTICURVE", "CURVE"})


@dataclass(frozen=True, slots=True)
class LineNetworkReport:
    """What reading a line file into a walk network kept and dropped."""

    source: str
    layer: str
    features: int
    lines: int
    empty_features: int
    segments: int
    components: int
    nodes: int
    edges: int
    length_m: float
    largest_component: ComponentReport | None = None

    def lines_text(self) -> list[str]:
        """A readable summary, Chinese first and English alongside."""
        where = f"{self.source}" + (f" [{self.layer}]" if self.layer else "")
        out = [
            f"{where}: {self.features:,} 个要素、{self.lines:,} 条线 / "
            f"{self.features:,} features, {self.lines:,} lines",
            f"  网络 / network: {self.nodes:,} 节点 nodes, {self.edges:,} 边 edges, "
            f"{self.length_m / 1000.0:,.1f} km",
        ]
        if self.empty_features:
            out.append(
                f"  {self.empty_features:,} 个要素没有几何（已跳过） / "
                f"{self.empty_features:,} features without geometry (skipped)"
            )
        lc = self.largest_component
        if lc is not None and lc.components > 1:
            out.append(
                f"  {lc.components} 个连通分量，仅保留最大的；去掉 {lc.dropped_nodes:,} 节点、"
                f"{lc.dropped_edges:,} 边 / {lc.components} components, kept the largest; "
                f"dropped {lc.dropped_nodes:,} nodes, {lc.dropped_edges:,} edges"
            )
        return out


def _problem(code: str, zh: str, en: str, file: str, row: int | None = None) -> Problem:
    return Problem(code, zh, en, file=file, row=row, column="geometry" if row is not None else None)


# ---------------------------------------------------------------------------------- GeoJSON


def _geojson_crs(doc: Any) -> str | None:
    crs = doc.get("crs") if isinstance(doc, dict) else None
    if not isinstance(crs, dict):
        return None
    props = crs.get("properties")
    if isinstance(props, dict):
        name = props.get("name") or props.get("href")
        if isinstance(name, str):
            return name
    return json.dumps(crs, ensure_ascii=False)


def _geojson_features(doc: Any) -> list[Any]:
    if isinstance(doc, dict):
        kind = doc.get("type")
        if kind == "FeatureCollection" and isinstance(doc.get("features"), list):
            return list(doc["features"])
        if kind == "Feature":
            return [doc]
        if isinstance(kind, str) and "coordinates" in doc:
            return [{"type": "Feature", "geometry": doc, "properties": {}}]
    raise ValueError("not a GeoJSON FeatureCollection, Feature or geometry")


def _parts_from_geojson(geom: Any) -> list[list[Any]]:
    """The coordinate lists of a (Multi)LineString; raises ValueError naming what is wrong."""
    if not isinstance(geom, dict):
        raise ValueError("geometry is not an object")
    kind = geom.get("type")
    coords = geom.get("coordinates")
    if kind == "LineString":
        parts: list[Any] = [coords]
    elif kind == "MultiLineString":
        if not isinstance(coords, list):
            raise ValueError("MultiLineString coordinates are not a list")
        parts = coords
    else:
        raise ValueError(f"geometry type {kind!r} is not a LineString or MultiLineString")
    for part in parts:
        if not isinstance(part, list):
            raise ValueError("line coordinates are not a list of positions")
    return parts


def _read_geojson(path: Path, name: str, problems: ProblemCollector) -> tuple[list[Any], int, int]:
    try:
        with path.open("rb") as fh:
            doc = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            _problem(
                "geojson_invalid", f"不是有效的 JSON（{exc}）", f"not valid JSON ({exc})", name
            )
        ) from exc
    crs = _geojson_crs(doc)
    if crs is not None and crs.strip().lower() not in _WGS84_NAMES:
        raise InputError(
            _problem(
                "crs_not_wgs84",
                f"坐标系为 {crs}，须为 WGS-84（EPSG:4326）经纬度",
                f"the CRS is {crs}; WGS-84 (EPSG:4326) lon/lat is required",
                name,
            )
        )
    try:
        features = _geojson_features(doc)
    except ValueError as exc:
        raise InputError(
            _problem(
                "geojson_invalid",
                "不是 GeoJSON 要素集合、要素或几何",
                f"{exc}",
                name,
            )
        ) from exc
    lines: list[Any] = []
    empty = 0
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            problems.add(
                _problem(
                    "geometry_invalid", "要素不是对象", "the feature is not an object", name, i
                )
            )
            continue
        geom = feature.get("geometry")
        if geom is None:
            empty += 1
            continue
        try:
            parts = _parts_from_geojson(geom)
        except ValueError as exc:
            problems.add(
                _problem("geometry_invalid", f"几何无效：{exc}", f"bad geometry: {exc}", name, i)
            )
            continue
        for part in parts:
            lines.append((i, part))
    return lines, len(features), empty


# ------------------------------------------------------------------------------ GeoPackage


def gpkg_wkb(blob: bytes) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (``None`` for an empty geometry).

    Header: ``b"GP"``, version, flags, srs_id (int32), envelope of 0/32/48/64 bytes
    (flags bits 1–3), then standard WKB (OGC GeoPackage 1.3, §2.1.3).
    """
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob (no 'GP' magic)")
    flags = blob[3]
    env = (flags >> 1) & 0x07
    if env not in _ENVELOPE_BYTES:
        raise ValueError(f"invalid envelope indicator {env}")
    if flags & 0x10:
        return None
    return bytes(blob[8 + _ENVELOPE_BYTES[env] :])


def gpkg_blob_srs(blob: bytes) -> int:
    """The srs_id written in a GeoPackage geometry blob header."""
    order = "<" if blob[3] & 0x01 else ">"
    return int(struct.unpack(order + "i", blob[4:8])[0])


def _gpkg_crs_ok(org: str, org_id: int, srs_id: int) -> bool:
    if srs_id == 0:  # "undefined geographic coordinate reference system"
        return True
    return (org.upper() == "EPSG" and org_id == 4326) or (
        org.upper() == "OGC" and str(org_id).upper() == "84"
    )


def _read_gpkg(
    path: Path, name: str, layer: str | None, problems: ProblemCollector
) -> tuple[list[Any], int, int, str]:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(
            _problem("gpkg_invalid", f"无法打开 GeoPackage（{exc}）", f"cannot open ({exc})", name)
        ) from exc
    try:
        try:
            tables = con.execute(
                "SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id "
                "FROM gpkg_contents c JOIN gpkg_geometry_columns g USING (table_name) "
                "WHERE c.data_type = 'features' ORDER BY c.table_name"
            ).fetchall()
        except sqlite3.Error as exc:
            raise InputError(
                _problem(
                    "gpkg_invalid",
                    f"不是有效的 GeoPackage（{exc}）",
                    f"not a valid GeoPackage ({exc})",
                    name,
                )
            ) from exc
        line_tables = [t for t in tables if str(t[2]).upper() in _LINE_TYPES]
        if layer is not None:
            chosen = [t for t in tables if t[0] == layer]
            if not chosen:
                names = ", ".join(t[0] for t in tables) or "—"
                raise InputError(
                    _problem(
                        "gpkg_layer_missing",
                        f"没有图层 {layer!r}（现有：{names}）",
                        f"no layer {layer!r} (layers: {names})",
                        name,
                    )
                )
        elif len(line_tables) == 1:
            chosen = line_tables
        else:
            names = ", ".join(t[0] for t in (line_tables or tables)) or "—"
            zh = "有多个线图层，请用 layer 指定" if line_tables else "没有线图层"
            en = "several line layers: choose one with layer" if line_tables else "no line layer"
            raise InputError(
                _problem("gpkg_layer_ambiguous", f"{zh}（{names}）", f"{en} ({names})", name)
            )
        table, column, _gtype, srs_id = chosen[0]
        srs = con.execute(
            "SELECT srs_name, organization, organization_coordsys_id "
            "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
            (srs_id,),
        ).fetchone()
        srs_name, org, org_id = srs if srs is not None else (f"srs_id {srs_id}", "", -1)
        if not _gpkg_crs_ok(str(org), int(org_id), int(srs_id)):
            crs = f"{srs_name} ({org}:{org_id})"
            raise InputError(
                _problem(
                    "crs_not_wgs84",
                    f"图层 {table} 的坐标系为 {crs}，须为 WGS-84（EPSG:4326）经纬度",
                    f"layer {table} is in {crs}; WGS-84 (EPSG:4326) lon/lat is required",
                    name,
                )
            )
        fid_col = _gpkg_pk(con, table)
        q_table = '"' + str(table).replace('"', '""') + '"'
        q_col = '"' + str(column).replace('"', '""') + '"'
        q_fid = '"' + fid_col.replace('"', '""') + '"' if fid_col else "rowid"
        rows = con.execute(f"SELECT {q_fid}, {q_col} FROM {q_table} ORDER BY {q_fid}")
        lines: list[Any] = []
        features = 0
        empty = 0
        for fid, blob in rows:
            features += 1
            if blob is None:
                empty += 1
                continue
            try:
                wkb = gpkg_wkb(bytes(blob))
                if wkb is None:
                    empty += 1
                    continue
                geom = shapely.from_wkb(wkb)
            except (ValueError, shapely.errors.GEOSException) as exc:
                problems.add(
                    _problem(
                        "geometry_invalid", f"几何无效：{exc}", f"bad geometry: {exc}", name, fid
                    )
                )
                continue
            if geom.is_empty:
                empty += 1
                continue
            if isinstance(geom, shapely.LineString):
                parts = [geom]
            elif isinstance(geom, shapely.MultiLineString):
                parts = list(geom.geoms)
            else:
                kind = geom.geom_type
                problems.add(
                    _problem(
                        "geometry_invalid",
                        f"几何类型 {kind} 不是线",
                        f"geometry type {kind} is not a LineString or MultiLineString",
                        name,
                        int(fid),
                    )
                )
                continue
            for part in parts:
                lines.append((int(fid), shapely.get_coordinates(part).tolist()))
        return lines, features, empty, str(table)
    except sqlite3.Error as exc:
        raise InputError(
            _problem("gpkg_invalid", f"读取 GeoPackage 出错（{exc}）", f"cannot read ({exc})", name)
        ) from exc
    finally:
        con.close()


def _gpkg_pk(con: sqlite3.Connection, table: str) -> str:
    for _cid, col, _type, _notnull, _default, pk in con.execute(
        "SELECT * FROM pragma_table_info(?)", (table,)
    ):
        if pk:
            return str(col)
    return ""


# ----------------------------------------------------------------------------- assembling


def _positions(
    lines: Sequence[tuple[int, Any]], name: str, problems: ProblemCollector
) -> Iterator[tuple[int, np.ndarray[Any, np.dtype[np.float64]]]]:
    for row, part in lines:
        try:
            xy = np.array([(float(p[0]), float(p[1])) for p in part], dtype=np.float64)
        except (TypeError, ValueError, IndexError):
            problems.add(
                _problem(
                    "geometry_invalid",
                    "线的坐标不是数字对",
                    "line positions are not pairs of numbers",
                    name,
                    row,
                )
            )
            continue
        if xy.shape[0] < 2:
            problems.add(
                _problem(
                    "geometry_invalid",
                    "线少于两个点",
                    "a line needs at least two positions",
                    name,
                    row,
                )
            )
            continue
        lon, lat = xy[:, 0], xy[:, 1]
        if not (
            np.all(np.isfinite(xy)) and np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90)
        ):
            problems.add(
                _problem(
                    "coordinates_not_lonlat",
                    "坐标超出经纬度范围（投影坐标？须为 WGS-84 经纬度）",
                    "coordinates outside the lon/lat range (projected? WGS-84 lon/lat required)",
                    name,
                    row,
                )
            )
            continue
        yield row, xy


def read_line_network(
    path: str | PathLike[str],
    *,
    keep_largest_component: bool = True,
    layer: str | None = None,
) -> tuple[WalkNetwork, LineNetworkReport]:
    """Read a GeoJSON (``.geojson``/``.json``) or GeoPackage (``.gpkg``) line network.

    Raises :class:`InputError` (one problem) or :class:`InputErrors` (several, each with the
    feature's row) for unreadable files, a CRS other than WGS-84, and bad geometries.
    """
    p = Path(path)
    name = p.name
    if not p.is_file():
        raise InputError(
            _problem("file_not_found", "文件不存在", "the file does not exist", str(path))
        )
    if p.stat().st_size == 0:
        raise InputError(_problem("file_empty", "文件为空", "the file is empty", str(path)))
    suffix = p.suffix.lower()
    problems = ProblemCollector()
    table = ""
    if suffix in (".geojson", ".json"):
        lines, features, empty = _read_geojson(p, name, problems)
    elif suffix == ".gpkg":
        lines, features, empty, table = _read_gpkg(p, name, layer, problems)
    else:
        raise InputError(
            _problem(
                "line_format_unknown",
                "线网络须为 GeoJSON（.geojson）或 GeoPackage（.gpkg）",
                "a line network must be GeoJSON (.geojson) or GeoPackage (.gpkg)",
                name,
            )
        )
    parts = list(_positions(lines, name, problems))
    problems.problems.sort(key=lambda pr: -1 if pr.row is None else pr.row)
    problems.raise_if_any()
    if not parts:
        raise InputError(_problem("network_empty", "文件中没有线", "the file holds no lines", name))

    xy = np.concatenate([xy for _row, xy in parts])
    sizes = np.array([xy.shape[0] for _row, xy in parts], dtype=np.int64)
    q = np.round(xy / NODE_PRECISION_DEG).astype(np.int64)
    # lon in [-1.8e9, 1.8e9] and lat in [-9e8, 9e8] units of 1e-7°: one int64 key per position
    key = (q[:, 1] + 900_000_000) * 3_600_000_001 + (q[:, 0] + 1_800_000_000)
    _uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    line_of = np.repeat(np.arange(sizes.shape[0]), sizes)
    start = np.flatnonzero(line_of[:-1] == line_of[1:])
    net = build_network(
        xy[first, 0],
        xy[first, 1],
        inverse[start],
        inverse[start + 1],
        source=name,
    )
    comp: ComponentReport | None = None
    if keep_largest_component:
        net, comp = largest_component(net)
        n_comp = comp.components
    else:
        n_comp = int(connected_components(net.csr(), directed=False)[0])
    report = LineNetworkReport(
        source=name,
        layer=table,
        features=features,
        lines=len(parts),
        empty_features=empty,
        segments=int(start.shape[0]),
        components=n_comp,
        nodes=net.n_nodes,
        edges=net.n_edges,
        length_m=float(net.edge_length_m.sum()),
        largest_component=comp,
    )
    return net, report
