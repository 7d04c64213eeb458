"""GCJ-02 / BD-09 ↔ WGS-84 conversions.

Reference values come from an independent implementation's published test file (the JavaScript
``coordtransform`` package's ``test/app.js``, point 116.404, 39.915 near Tiananmen) and from real
data: the AMap (GCJ-02) outline of 西城区 against an independent WGS-84 outline (see
``../shared/data/beijing-adcode-communities-2016/SOURCE.md``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from quarterhour.engine import coords
from quarterhour.engine.network import haversine_m

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"

# Tiananmen-area point and the JS coordtransform suite's published outputs for it.
P = (116.404, 39.915)
WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
BD_TO_GCJ_ROUGH = (116.39762729119315, 39.90865673957631)


def test_forward_gcj02_matches_published_reference() -> None:
    lon, lat = coords.wgs84_to_gcj02([P[0]], [P[1]])
    assert lon[0] == pytest.approx(WGS_TO_GCJ[0], abs=1e-12)
    assert lat[0] == pytest.approx(WGS_TO_GCJ[1], abs=1e-12)


def test_forward_bd09_matches_published_reference() -> None:
    lon, lat = coords.gcj02_to_bd09([P[0]], [P[1]])
    assert lon[0] == pytest.approx(GCJ_TO_BD[0], abs=1e-12)
    assert lat[0] == pytest.approx(GCJ_TO_BD[1], abs=1e-12)


def test_inverse_gcj02_recovers_the_reference_point() -> None:
    lon, lat = coords.to_wgs84([WGS_TO_GCJ[0]], [WGS_TO_GCJ[1]], crs="gcj02")
    assert lon[0] == pytest.approx(P[0], abs=1e-9)
    assert lat[0] == pytest.approx(P[1], abs=1e-9)


def test_inverse_bd09_is_refined_beyond_the_one_step_formula() -> None:
    lon, lat = coords.bd09_to_gcj02([P[0]], [P[1]])
    # the one-step formula is ~0.2 m off; ours maps back exactly
    assert haversine_m(lon, lat, BD_TO_GCJ_ROUGH[0], BD_TO_GCJ_ROUGH[1])[0] < 0.5
    b_lon, b_lat = coords.gcj02_to_bd09(lon, lat)
    assert b_lon[0] == pytest.approx(P[0], abs=1e-10)
    assert b_lat[0] == pytest.approx(P[1], abs=1e-10)


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_round_trip_below_half_a_metre_across_china(crs: coords.Crs) -> None:
    rng = np.random.default_rng(20261127)
    lon = rng.uniform(74.0, 134.5, 50_000)
    lat = rng.uniform(4.5, 53.0, 50_000)
    f_lon, f_lat = coords.from_wgs84(lon, lat, crs=crs)
    moved = haversine_m(lon, lat, f_lon, f_lat)
    assert moved.min() > 10.0  # the shift really happened everywhere in the rectangle
    b_lon, b_lat = coords.to_wgs84(f_lon, f_lat, crs=crs)
    err = haversine_m(lon, lat, b_lon, b_lat)
    assert err.max() < 0.001


def test_outside_china_gcj02_is_wgs84() -> None:
    helsinki = (np.array([24.9384, -46.63]), np.array([60.1699, -23.55]))
    for fn in (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84):
        lon, lat = fn(*helsinki)
        assert lon.tolist() == helsinki[0].tolist()
        assert lat.tolist() == helsinki[1].tolist()
    assert coords.in_china([24.9384, 116.4, 135.06], [60.1699, 39.9, 40.0]).tolist() == [
        False,
        True,
        False,
    ]


def test_shapes_nan_and_empty_input() -> None:
    lon, lat = coords.to_wgs84([[116.4, np.nan]], [[39.9, 39.9]], crs="gcj02")
    assert lon.shape == (1, 2) and lat.shape == (1, 2)
    assert np.isnan(lon[0, 1]) and np.isfinite(lon[0, 0])
    e_lon, e_lat = coords.to_wgs84(np.empty(0), np.empty(0), crs="bd09")
    assert e_lon.shape == (0,) and e_lat.shape == (0,)
    w_lon, _ = coords.to_wgs84([1.0], [2.0], crs="wgs84")
    assert w_lon.tolist() == [1.0]
    with pytest.raises(ValueError, match="shape"):
        coords.to_wgs84([1.0, 2.0], [1.0], crs="gcj02")


def test_parse_crs_aliases() -> None:
    assert coords.parse_crs("GCJ-02") == "gcj02"
    assert coords.parse_crs(" BD09 ") == "bd09"
    assert coords.parse_crs("EPSG:4326") == "wgs84"
    assert coords.parse_crs("高德") == "gcj02"
    with pytest.raises(ValueError, match="unknown coordinate system 'utm'"):
        coords.parse_crs("utm")


def _bbox(geometry: dict[str, object]) -> np.ndarray:
    pts: list[list[float]] = []

    def walk(x: object) -> None:
        if isinstance(x, list) and x and isinstance(x[0], (int, float)):
            pts.append([float(x[0]), float(x[1])])
        elif isinstance(x, list):
            for y in x:
                walk(y)

    walk(geometry["coordinates"])
    a = np.array(pts)
    return np.concatenate([a.min(axis=0), a.max(axis=0)])


def test_real_gcj02_outline_of_xicheng_lands_on_the_wgs84_outline() -> None:
    fence = json.loads(
        (SHARED / "beijing-adcode-communities-2016" / "fences" / "110102.json").read_text()
    )
    boundary = json.loads((SHARED / "beijing-districts" / "beijingBoundary.json").read_text())
    (xicheng,) = [f for f in boundary["features"] if str(f["id"]) == "110102"]
    ref = _bbox(xicheng["geometry"])
    raw = _bbox(fence)
    # before conversion: the GCJ-02 offset at Beijing, ≈ +0.0056° lon, +0.0016° lat
    assert np.abs(raw - ref).max() > 0.005
    lon, lat = coords.to_wgs84(raw[[0, 2]], raw[[1, 3]], crs="gcj02")
    # after: within the generalisation noise of the two outlines (≈ 40 m)
    fixed = np.array([lon[0], lat[0], lon[1], lat[1]])
    assert np.abs(fixed - ref).max() < 0.0006
