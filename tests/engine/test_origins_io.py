"""Origins from CSV/XLSX/GeoJSON: ids, population weights, encodings, CRS, located problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from quarterhour.engine._errors import InputError, InputErrors
from quarterhour.engine.coords import from_wgs84
from quarterhour.engine.network import haversine_m
from quarterhour.engine.origins_io import read_origins

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "registers"

IDS = ("H001", "H002", "H003", "H004")
LON = [116.3779520, 116.3861700, 116.3667900, 116.3748200]
LAT = [39.9151100, 39.9089600, 39.9152300, 39.9114800]
POP = [1260.0, 840.0, 2315.0, 0.0]


@pytest.mark.parametrize("name", ["xicheng-homes.csv", "xicheng-homes-gbk.csv"])
def test_csv_with_chinese_headers_utf8_and_gbk(name: str) -> None:
    o = read_origins(FIX / name)
    assert o.origin_id == IDS
    assert o.lon.tolist() == LON
    assert o.lat.tolist() == LAT
    assert o.weight.tolist() == POP
    assert o.node is None


def test_csv_without_id_or_population(tmp_path: Path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text("lng,lat\n116.1,39.1\n116.2,39.2\n", encoding="utf-8")
    o = read_origins(path)
    assert o.origin_id == ("pts:2", "pts:3")
    assert o.weight.tolist() == [1.0, 1.0]


def test_gcj02_origins_are_converted(tmp_path: Path) -> None:
    g_lon, g_lat = from_wgs84(LON, LAT, crs="gcj02")
    path = tmp_path / "gcj.csv"
    rows = zip(IDS, g_lon.tolist(), g_lat.tolist(), strict=True)
    path.write_text("id,lon,lat\n" + "".join(f"{i},{x!r},{y!r}\n" for i, x, y in rows))
    o = read_origins(path, crs="gcj02")
    assert haversine_m(o.lon, o.lat, LON, LAT).max() < 0.001


def test_xlsx_origins(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["编号", "经度", "纬度", "人口"])
    ws.append(["H001", 116.377952, 39.91511, 1260])
    ws.append(["H002", 116.38617, 39.90896, 840])
    path = tmp_path / "homes.xlsx"
    wb.save(path)
    o = read_origins(path)
    assert o.origin_id == ("H001", "H002")
    assert o.weight.tolist() == [1260.0, 840.0]
    assert o.lon.tolist() == [116.377952, 116.38617]


def test_geojson_points() -> None:
    o = read_origins(FIX / "xicheng-homes.geojson")
    assert o.origin_id == ("H001", "H002", "7")
    assert o.lon.tolist() == [116.377952, 116.38617, 116.36679]
    assert o.lat.tolist() == [39.91511, 39.90896, 39.91523]
    assert o.weight.tolist() == [1260.0, 840.5, 2315.0]


def test_bad_csv_rows_are_all_reported() -> None:
    path = FIX / "homes-bad.csv"
    with pytest.raises(InputErrors) as exc:
        read_origins(path)
    got = sorted((p.row or 0, p.code, p.column) for p in exc.value.problems)
    assert got == [
        (3, "population_negative", "population"),
        (4, "population_missing", "population"),
        (5, "population_not_a_number", "population"),
        (6, "duplicate_id", "id"),
        (7, "coordinate_missing", "lon"),
    ]
    assert all(p.file == str(path) for p in exc.value.problems)


def test_bad_geojson_features(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    feats = [
        {"type": "Feature", "properties": {"id": "a"}, "geometry": None},
        {
            "type": "Feature",
            "properties": {"id": "b"},
            "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        read_origins(path)
    got = [(p.code, p.row, p.column) for p in exc.value.problems]
    assert got == [("not_a_point", 1, "geometry"), ("not_a_point", 2, "geometry")]
    assert (
        exc.value.problems[1].message_en == "feature 2 is not a point (geometry type: LineString)"
    )


def test_geojson_population_problems(tmp_path: Path) -> None:
    path = tmp_path / "pop.geojson"
    feats = [
        {
            "type": "Feature",
            "properties": {"id": "a", "population": -3},
            "geometry": {"type": "Point", "coordinates": [116.1, 39.1]},
        },
        {
            "type": "Feature",
            "properties": {"id": "b"},
            "geometry": {"type": "Point", "coordinates": [116.2, 39.2]},
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        read_origins(path)
    got = [(p.code, p.row, p.column) for p in exc.value.problems]
    assert got == [
        ("population_negative", 1, "population"),
        ("population_missing", 2, "population"),
    ]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("", "file_empty"),
        ('{"type": "FeatureCollection", "features": [', "file_format"),
        ('{"type": "Point", "coordinates": [1, 2]}', "file_format"),
    ],
)
def test_broken_geojson_files(tmp_path: Path, content: str, code: str) -> None:
    path = tmp_path / "x.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_origins(path)
    assert (exc.value.problem.code, exc.value.problem.file) == (code, str(path))


def test_header_only_csv_has_no_origins(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("id,lon,lat\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_origins(path)
    assert exc.value.problem.code == "file_empty"
