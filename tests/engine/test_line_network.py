"""Plain line networks: GeoJSON and GeoPackage (written by GDAL through pyogrio) with known lengths,
shared vertices joining lines, CRS checks and bad geometries reported by feature."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import pytest
import shapely

from quarterhour.engine._errors import InputError, InputErrors
from quarterhour.engine.line_network import gpkg_blob_srs, gpkg_wkb, read_line_network
from quarterhour.engine.network import WalkNetwork

R = 6_371_008.8


def hav(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[1]), math.radians(b[1])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(h))


# Hand-drawn network (lon, lat in degrees; 0.001° ≈ 111.2 m):
#
#   C (0, 0.002)
#   |                 H (-0.0005, 0.0015) ------ I (0.0005, 0.0015) crosses A-B-C, no shared vertex
#   B (0, 0.001) ---- D (0.001, 0.001) ---- E (0.002, 0.001)
#   |
#   A (0, 0)                          F (0.003, 0) ---- G (0.004, 0)
#
# feature 1: LineString A-B-C; feature 2: LineString B'-D where B' is B + 3e-8° (same node after
# rounding to 1e-7°); feature 3: MultiLineString [D-E], [F-G]; feature 4: LineString H-I;
# feature 5: no geometry.
P = {
    "A": (0.0, 0.0),
    "B": (0.0, 0.001),
    "B'": (0.00000003, 0.001),
    "C": (0.0, 0.002),
    "D": (0.001, 0.001),
    "E": (0.002, 0.001),
    "F": (0.003, 0.0),
    "G": (0.004, 0.0),
    "H": (-0.0005, 0.0015),
    "I": (0.0005, 0.0015),
}
LINES = [
    ["A", "B", "C"],
    ["B'", "D"],
    [["D", "E"], ["F", "G"]],
    ["H", "I"],
]


def geometry(spec: list[Any]) -> dict[str, Any]:
    if isinstance(spec[0], list):
        return {"type": "MultiLineString", "coordinates": [[P[n] for n in part] for part in spec]}
    return {"type": "LineString", "coordinates": [P[n] for n in spec]}


def write_geojson(path: Path, features: list[Any], **extra: Any) -> Path:
    doc = {"type": "FeatureCollection", "features": features, **extra}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def sample_features() -> list[Any]:
    feats: list[Any] = [
        {"type": "Feature", "properties": {"name": f"l{i}"}, "geometry": geometry(s)}
        for i, s in enumerate(LINES, start=1)
    ]
    feats.append({"type": "Feature", "properties": {}, "geometry": None})
    return feats


def edge_set(net: WalkNetwork) -> dict[frozenset[tuple[float, float]], float]:
    out = {}
    for u, v, w in zip(net.edge_u, net.edge_v, net.edge_length_m, strict=True):
        a = (float(net.node_lon[u]), float(net.node_lat[u]))
        b = (float(net.node_lon[v]), float(net.node_lat[v]))
        out[frozenset((a, b))] = float(w)
    return out


EXPECTED = {
    frozenset((P["A"], P["B"])): hav(P["A"], P["B"]),
    frozenset((P["B"], P["C"])): hav(P["B"], P["C"]),
    # B' merged into B: the node keeps the coordinates seen first (B), the edge B-D
    frozenset((P["B"], P["D"])): hav(P["B"], P["D"]),
    frozenset((P["D"], P["E"])): hav(P["D"], P["E"]),
    frozenset((P["F"], P["G"])): hav(P["F"], P["G"]),
    frozenset((P["H"], P["I"])): hav(P["H"], P["I"]),
}


def check_all(net: WalkNetwork) -> None:
    got = edge_set(net)
    assert set(got) == set(EXPECTED)
    for k, w in EXPECTED.items():
        assert got[k] == pytest.approx(w, abs=1e-9)
    assert net.n_nodes == 9  # A B C D E F G H I


def test_geojson_known_lengths_and_joins(tmp_path: Path) -> None:
    f = write_geojson(tmp_path / "paths.geojson", sample_features())
    net, rep = read_line_network(f, keep_largest_component=False)
    check_all(net)
    assert hav(P["A"], P["B"]) == pytest.approx(111.195, abs=5e-4)
    assert (rep.features, rep.lines, rep.empty_features, rep.segments) == (5, 5, 1, 6)
    assert rep.components == 3  # A..E, F-G, H-I (crossing without a shared vertex)
    assert rep.length_m == pytest.approx(sum(EXPECTED.values()), abs=1e-6)
    assert net.source == "paths.geojson"
    assert np.all(net.node_osm_id == -1)


def test_largest_component(tmp_path: Path) -> None:
    f = write_geojson(tmp_path / "paths.geojson", sample_features())
    net, rep = read_line_network(f)
    assert net.n_nodes == 5 and net.n_edges == 4
    lc = rep.largest_component
    assert lc is not None
    assert (lc.components, lc.dropped_nodes, lc.dropped_edges) == (3, 4, 2)
    assert lc.dropped_length_m == pytest.approx(hav(P["F"], P["G"]) + hav(P["H"], P["I"]), abs=1e-9)
    assert "3 components, kept the largest" in "\n".join(rep.lines_text())


def test_vertices_further_apart_than_the_rounding_stay_apart(tmp_path: Path) -> None:
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[0, 0], [0, 0.001]]},
        },
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[0.0000002, 0.001], [0.001, 0.001]]},
        },
    ]
    net, rep = read_line_network(
        write_geojson(tmp_path / "x.geojson", feats), keep_largest_component=False
    )
    assert net.n_nodes == 4 and rep.components == 2


def test_single_feature_and_bare_geometry(tmp_path: Path) -> None:
    g = geometry(LINES[0])
    (tmp_path / "f.geojson").write_text(json.dumps({"type": "Feature", "geometry": g}))
    (tmp_path / "g.json").write_text(json.dumps(g))
    for name in ("f.geojson", "g.json"):
        net, _ = read_line_network(tmp_path / name)
        assert net.n_nodes == 3 and net.n_edges == 2


def test_bad_geometries_are_reported_by_feature_all_at_once(tmp_path: Path) -> None:
    feats = [
        sample_features()[0],
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0]]}},
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [["a", "b"], [1, 1]]},
        },
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [0, 95]]}},
        "not a feature",
    ]
    with pytest.raises(InputErrors) as e:
        read_line_network(write_geojson(tmp_path / "bad.geojson", feats))
    rows = [(p.row, p.code) for p in e.value.problems]
    assert rows == [
        (2, "geometry_invalid"),
        (3, "geometry_invalid"),
        (4, "geometry_invalid"),
        (5, "coordinates_not_lonlat"),
        (6, "geometry_invalid"),
    ]
    assert all(p.file == "bad.geojson" and p.column == "geometry" for p in e.value.problems)
    assert "Point" in e.value.problems[0].message_en


def test_projected_coordinates_are_refused(tmp_path: Path) -> None:
    feats = [
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [[447000, 4419000], [447100, 4419000]],
            },
        }
    ]
    with pytest.raises(InputError) as e:
        read_line_network(write_geojson(tmp_path / "utm.geojson", feats))
    assert e.value.problem.code == "coordinates_not_lonlat"
    assert e.value.problem.row == 1


def test_geojson_crs_member(tmp_path: Path) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32650"}}
    with pytest.raises(InputError) as e:
        read_line_network(write_geojson(tmp_path / "c.geojson", sample_features(), crs=crs))
    assert e.value.problem.code == "crs_not_wgs84"
    assert "EPSG::32650" in str(e.value)
    ok = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    net, _ = read_line_network(write_geojson(tmp_path / "ok.geojson", sample_features(), crs=ok))
    assert net.n_nodes == 5


def test_unreadable_inputs(tmp_path: Path) -> None:
    cases = {
        "missing.geojson": (None, "file_not_found"),
        "empty.geojson": (b"", "file_empty"),
        "broken.geojson": (b'{"type": "FeatureCollection", "features": [', "geojson_invalid"),
        "list.geojson": (b"[1, 2]", "geojson_invalid"),
        "none.geojson": (b'{"type": "FeatureCollection", "features": []}', "network_empty"),
        "roads.shp": (b"x", "line_format_unknown"),
        "junk.gpkg": (b"not sqlite at all" * 100, "gpkg_invalid"),
    }
    for name, (content, code) in cases.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
        with pytest.raises(InputError) as e:
            read_line_network(tmp_path / name)
        assert e.value.problem.code == code, name
        assert e.value.problem.file is not None and name in e.value.problem.file


# ------------------------------------------------------------------------------ GeoPackage


def shapely_lines(z: bool = False) -> list[shapely.Geometry]:
    out: list[shapely.Geometry] = []
    for spec in LINES:
        if isinstance(spec[0], list):
            parts = [[P[n] for n in part] for part in spec]
            g: shapely.Geometry = shapely.MultiLineString(parts)
        else:
            g = shapely.LineString([P[n] for n in spec])
        if z:
            g = shapely.force_3d(g, 7.0)
        out.append(shapely.MultiLineString([g]) if isinstance(g, shapely.LineString) else g)
    return out


def write_gpkg(path: Path, geoms: list[shapely.Geometry], *, crs: str, layer: str = "paths",
               geometry_type: str = "MultiLineString", append: bool = False) -> Path:  # fmt: skip
    wkb = np.array([shapely.to_wkb(g) for g in geoms], dtype=object)
    names = np.array([f"l{i}" for i in range(len(geoms))], dtype=object)
    pyogrio.raw.write(
        str(path),
        wkb,
        [names],
        ["name"],
        layer=layer,
        driver="GPKG",
        geometry_type=geometry_type,
        crs=crs,
        append=append,
    )
    return path


@pytest.mark.parametrize("z", [False, True], ids=["2d", "3d"])
def test_geopackage_round_trip_matches_geojson(tmp_path: Path, z: bool) -> None:
    gtype = "MultiLineString Z" if z else "MultiLineString"
    f = write_gpkg(tmp_path / "paths.gpkg", shapely_lines(z), crs="EPSG:4326", geometry_type=gtype)
    net, rep = read_line_network(f, keep_largest_component=False)
    check_all(net)
    assert rep.layer == "paths"
    assert (rep.features, rep.lines, rep.components) == (4, 5, 3)
    gj, _ = read_line_network(
        write_geojson(tmp_path / "paths.geojson", sample_features()), keep_largest_component=False
    )
    assert edge_set(net) == pytest.approx(edge_set(gj), abs=1e-9)


def test_geopackage_projected_crs_is_refused_by_name(tmp_path: Path) -> None:
    utm = [shapely.MultiLineString([[(447000.0, 4419000.0), (447100.0, 4419000.0)]])]
    f = write_gpkg(tmp_path / "utm.gpkg", utm, crs="EPSG:32650")
    with pytest.raises(InputError) as e:
        read_line_network(f)
    assert e.value.problem.code == "crs_not_wgs84"
    assert "EPSG:32650" in str(e.value)
    assert "WGS 84 / UTM zone 50N" in str(e.value)


def test_geopackage_layers(tmp_path: Path) -> None:
    f = write_gpkg(tmp_path / "two.gpkg", shapely_lines(), crs="EPSG:4326", layer="a")
    write_gpkg(f, shapely_lines()[:1], crs="EPSG:4326", layer="b", append=True)
    with pytest.raises(InputError) as e:
        read_line_network(f)
    assert e.value.problem.code == "gpkg_layer_ambiguous"
    assert "a, b" in str(e.value)
    net, rep = read_line_network(f, layer="b")
    assert (net.n_nodes, rep.layer) == (3, "b")
    with pytest.raises(InputError) as e:
        read_line_network(f, layer="c")
    assert e.value.problem.code == "gpkg_layer_missing"


def test_geopackage_non_line_geometry_reported_by_fid(tmp_path: Path) -> None:
    geoms = [shapely_lines()[0], shapely.Point(0, 0)]
    f = write_gpkg(tmp_path / "mixed.gpkg", geoms, crs="EPSG:4326", geometry_type="Unknown")
    with pytest.raises(InputError) as e:
        read_line_network(f)
    assert e.value.problem.code == "geometry_invalid"
    assert e.value.problem.row == 2  # GDAL numbers fids from 1
    assert "Point" in str(e.value)


def _blob(flags: int, envelope: bytes, wkb: bytes, srs: int = 4326) -> bytes:
    return b"GP\x00" + bytes([flags]) + struct.pack("<i", srs) + envelope + wkb


def test_gpkg_blob_header_variants() -> None:
    wkb = shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)]))
    assert gpkg_wkb(_blob(0b0000_0001, b"", wkb)) == wkb
    assert gpkg_wkb(_blob(0b0000_0011, b"\x00" * 32, wkb)) == wkb  # xy envelope
    assert gpkg_wkb(_blob(0b0000_0101, b"\x00" * 48, wkb)) == wkb  # xyz envelope
    assert gpkg_wkb(_blob(0b0000_1001, b"\x00" * 64, wkb)) == wkb  # xyzm envelope
    assert gpkg_wkb(_blob(0b0001_0001, b"", b"")) is None  # empty geometry flag
    assert gpkg_blob_srs(_blob(0b0000_0001, b"", wkb, srs=32650)) == 32650
    big_endian = b"GP\x00\x00" + struct.pack(">i", 4326) + wkb
    assert gpkg_blob_srs(big_endian) == 4326
    with pytest.raises(ValueError, match="magic"):
        gpkg_wkb(wkb)
    with pytest.raises(ValueError, match="envelope"):
        gpkg_wkb(_blob(0b0000_1011, b"", wkb))
