"""Origins (homes, residential buildings, population-grid cells) from CSV/XLSX or GeoJSON points.

CSV / XLSX headers, Chinese or English (case, spaces, a trailing "(…)" ignored):

==========  ==========================================================  ========
role        recognised headers                                          required
==========  ==========================================================  ========
lon / lat   经度 lon lng longitude x / 纬度 lat latitude y               yes
id          编号 编码 id origin_id code                                  no
population  人口 常住人口 户籍人口 人数 权重 population pop weight         no
==========  ==========================================================  ========

GeoJSON: a FeatureCollection of Point features; ``id`` and ``population`` (or any of the names
above) are read from the properties, the id also from the feature's own ``id``.

Origin ids are the id cell as given, else ``<file stem>:<row>`` (CSV: the spreadsheet row; GeoJSON:
the feature's position, from 1). Population must be a number ≥ 0 in every row when the column
exists; without a population column every origin weighs 1. Coordinates are converted from
``crs`` to WGS-84. All problems are collected and raised once, each with file, row and column.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from quarterhour.engine._errors import InputError, Problem, ProblemCollector
from quarterhour.engine.coords import Crs, to_wgs84
from quarterhour.engine.places import Origins
from quarterhour.engine.tables import (
    COORD_HEADERS,
    Table,
    decode_text,
    match_columns,
    parse_number,
    read_points,
    read_table,
    text_of,
    unique_ids,
)

ORIGIN_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "编码", "id", "origin_id", "code"),
    "population": (
        "人口",
        "常住人口",
        "户籍人口",
        "人数",
        "权重",
        "population",
        "pop",
        "weight",
    ),
}


def read_origins(
    path: str | Path,
    *,
    crs: Crs = "wgs84",
    encoding: str | None = None,
) -> Origins:
    """Read origins from a CSV/TSV/XLSX table or a GeoJSON file of points."""
    return read_origins_counted(path, crs=crs, encoding=encoding)[0]


def read_origins_counted(
    path: str | Path,
    *,
    crs: Crs = "wgs84",
    encoding: str | None = None,
) -> tuple[Origins, bool]:
    """:func:`read_origins`, and whether the file gave residents (a population column): without
    one every origin weighs 1 and figures count points, not residents."""
    p = Path(path)
    if p.suffix.lower() in (".geojson", ".json"):
        table = _geojson_table(p, encoding)
    else:
        table = read_table(p, encoding=encoding, required=COORD_HEADERS)
    cols = match_columns(table.headers, {**COORD_HEADERS, **ORIGIN_HEADERS})
    problems = ProblemCollector()
    points = read_points(table, cols["lon"], cols["lat"], problems)
    ids = unique_ids(table, cols.get("id"), problems, prefix=p.stem, prefix_cells=False)
    pop_col = cols.get("population")
    weight = np.ones(len(table.rows), dtype=np.float64)
    if pop_col is not None:
        header = table.headers[pop_col]
        for k, (row, cells) in enumerate(table.rows):
            text = text_of(cells, pop_col)
            value = parse_number(text)
            if value is None or value < 0:
                if not text:
                    zh, en, code = "缺少人口数", "population is missing", "population_missing"
                elif value is None:
                    zh, en = f"人口不是数字：{text!r}", f"population is not a number: {text!r}"
                    code = "population_not_a_number"
                else:
                    zh, en = f"人口为负数：{text}", f"population is negative: {text}"
                    code = "population_negative"
                problems.add(Problem(code, zh, en, file=table.source, row=row, column=header))
                continue
            weight[k] = value
    if not table.rows:
        problems.add(
            Problem("file_empty", "没有任何起点", "the file has no origins", file=table.source)
        )
    problems.raise_if_any()
    lon, lat = to_wgs84(points.lon, points.lat, crs=crs)
    return Origins(origin_id=tuple(ids), lon=lon, lat=lat, weight=weight), pop_col is not None


def _geojson_table(path: Path, encoding: str | None) -> Table:
    source = str(path)
    if not path.is_file():
        raise InputError(Problem("file_missing", "文件不存在", "file not found", file=source))
    text, _ = decode_text(path.read_bytes(), source=source, encoding=encoding)
    if not text.strip():
        raise InputError(Problem("file_empty", "文件为空", "the file is empty", file=source))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                "file_format",
                f"不是有效的 GeoJSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}",
                f"not valid GeoJSON: line {exc.lineno} column {exc.colno}: {exc.msg}",
                file=source,
                row=exc.lineno,
            )
        ) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        features: object = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
    else:
        features = None
    if not isinstance(features, list):
        raise InputError(
            Problem(
                "file_format",
                "GeoJSON 应为含点要素的 FeatureCollection",
                "the GeoJSON must be a FeatureCollection of Point features",
                file=source,
            )
        )
    problems = ProblemCollector()
    id_names = {n.lower() for n in ORIGIN_HEADERS["id"]}
    pop_names = [n.lower() for n in ORIGIN_HEADERS["population"]]
    rows: list[tuple[int, tuple[str, ...]]] = []
    for n, feat in enumerate(features, start=1):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, Mapping) else {}
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if (
            not isinstance(geom, dict)
            or geom.get("type") != "Point"
            or not isinstance(coords, list)
            or len(coords) < 2
        ):
            kind = geom.get("type") if isinstance(geom, dict) else "none"
            problems.add(
                Problem(
                    "not_a_point",
                    f"第 {n} 个要素不是点（几何类型：{kind}）",
                    f"feature {n} is not a point (geometry type: {kind})",
                    file=source,
                    row=n,
                    column="geometry",
                )
            )
            continue
        lower = {str(k).lower(): v for k, v in props.items()}
        ident = next((lower[k] for k in lower if k in id_names and lower[k] is not None), None)
        if ident is None and isinstance(feat, dict):
            ident = feat.get("id")
        pop = next((lower[k] for k in pop_names if k in lower), None)
        pop_text = "" if pop is None else str(pop)
        cells = (
            "" if ident is None else str(ident),
            _num_text(coords[0]),
            _num_text(coords[1]),
            pop_text,
        )
        rows.append((n, cells))
    problems.raise_if_any()
    has_pop = any(
        any(k in {str(x).lower() for x in _props(f)} for k in pop_names) for f in features
    )
    headers = ("id", "lon", "lat", "population" if has_pop else "")
    return Table(source=source, headers=headers, header_row=0, rows=tuple(rows))


def _props(feat: object) -> Mapping[str, object]:
    props = feat.get("properties") if isinstance(feat, dict) else None
    return props if isinstance(props, Mapping) else {}


def _num_text(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return repr(float(value))
    return "" if value is None else str(value)
