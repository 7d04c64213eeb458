"""Input points against the network: wrong file, swapped lat/lon, GCJ-02/BD-09 read as WGS-84."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quarterhour.engine._errors import InputError
from quarterhour.engine.coords import Crs, from_wgs84, to_wgs84
from quarterhour.engine.input_checks import check_placement
from quarterhour.engine.network import WalkNetwork, build_network
from quarterhour.engine.osm_features import read_osm_facilities
from quarterhour.engine.osm_network import read_osm_network
from quarterhour.engine.snapping import EdgeIndex

CHENGDU = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "chengdu-osm-2018"


def grid(lon0: float, lat0: float, *, n: int = 11, step_deg: float = 0.001) -> WalkNetwork:
    """An n × n street grid, ``step_deg`` apart (≈ 85–110 m at these latitudes)."""
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    lon = (lon0 + jj * step_deg).ravel()
    lat = (lat0 + ii * step_deg).ravel()
    ids = np.arange(n * n).reshape(n, n)
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    return build_network(lon, lat, u, v)


def on_street_points(net: WalkNetwork, k: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points 3–15 m beside random edges (like registers geocoded to street addresses)."""
    idx = EdgeIndex(net)
    rng = np.random.default_rng(seed)
    e = rng.choice(net.n_edges, k, replace=False)
    t = rng.uniform(0.1, 0.9, k)
    ux, uy = idx.node_x[net.edge_u[e]], idx.node_y[net.edge_u[e]]
    dx = idx.node_x[net.edge_v[e]] - ux
    dy = idx.node_y[net.edge_v[e]] - uy
    length = np.hypot(dx, dy)
    side = rng.choice([-1.0, 1.0], k) * rng.uniform(3.0, 15.0, k)
    x = ux + t * dx - dy / length * side
    y = uy + t * dy + dx / length * side
    return idx.projection.to_lonlat(x, y)


def test_points_on_the_network_pass_quietly() -> None:
    net = grid(116.38, 39.90)
    lon, lat = on_street_points(net, 60, seed=1)
    r = check_placement(net, lon, lat, source="ok.csv", ids=[f"p{i}" for i in range(60)])
    assert r.n_points == 60
    assert r.beyond.tolist() == []
    assert r.beyond_ids == ()
    assert r.warnings == ()
    assert r.crs_suggestion is None
    assert [t.crs for t in r.trials] == ["wgs84", "gcj02", "bd09"]
    assert r.trials[0].snapped_share == 1.0
    assert r.trials[0].median_offset_m < 15.0


def test_city_wide_register_with_a_district_network_lists_the_far_points() -> None:
    net = grid(116.38, 39.90)
    lon, lat = on_street_points(net, 10, seed=2)
    far_lon = np.array([116.50, 116.60, 116.70])
    far_lat = np.array([39.95, 40.00, 40.05])
    ids = [f"in{i}" for i in range(10)] + ["far0", "far1", "far2"]
    r = check_placement(
        net,
        np.concatenate([lon, far_lon]),
        np.concatenate([lat, far_lat]),
        source="city.csv",
        ids=ids,
    )
    assert r.beyond.tolist() == [10, 11, 12]
    assert r.beyond_ids == ("far0", "far1", "far2")
    assert r.warnings == ()


def test_wrong_file_names_the_file_and_both_extents() -> None:
    net = grid(24.93, 60.16)  # Helsinki
    lon, lat = on_street_points(grid(116.38, 39.90), 20, seed=3)  # Beijing points
    with pytest.raises(InputError) as exc:
        check_placement(net, lon, lat, source="beijing-register.csv")
    p = exc.value.problem
    assert (p.code, p.file) == ("points_off_network", "beijing-register.csv")
    assert p.message_en.startswith("20 of 20 points are more than 300 m from the walk network")
    assert "network 24.9300,60.1600 – 24.9400,60.1700" in p.message_en
    assert "wrong file" in p.message_en and "选错" in p.message_zh


def test_swapped_lat_lon_against_the_network_bounds() -> None:
    net = grid(24.93, 60.16)  # Helsinki: swapped points (60.16, 24.93) are valid coordinates
    lon, lat = on_street_points(net, 20, seed=4)
    with pytest.raises(InputError) as exc:
        check_placement(net, lat, lon, source="swapped.csv")
    p = exc.value.problem
    assert (p.code, p.file) == ("coordinates_swapped_vs_network", "swapped.csv")
    assert "100% of them snap once lon and lat are exchanged" in p.message_en


@pytest.mark.parametrize("truth", ["gcj02", "bd09"])
def test_chinese_crs_declared_as_wgs84_is_warned_with_the_fix(truth: Crs) -> None:
    net = grid(116.37, 39.90, n=31)  # 3 km × 3 km in Xicheng
    lon, lat = on_street_points(net, 200, seed=5)
    keep = (lon > 116.375) & (lon < 116.39) & (lat > 39.905) & (lat < 39.92)  # well inside
    shifted_lon, shifted_lat = from_wgs84(lon[keep], lat[keep], crs=truth)
    r = check_placement(net, shifted_lon, shifted_lat, source="amap.csv", declared_crs="wgs84")
    assert r.crs_suggestion == truth
    (w,) = r.warnings
    assert (w.code, w.file) == ("crs_mismatch", "amap.csv")
    assert w.message_en.endswith(f"Use --crs {truth}")
    assert "--crs" in w.message_zh
    declared, best = r.trials[0], next(t for t in r.trials if t.crs == truth)
    assert best.median_offset_m < 15.0 < declared.median_offset_m


def test_crs_mixup_with_points_mostly_off_network_is_an_error_naming_the_fix() -> None:
    net = grid(116.37, 39.90, n=4)  # ≈ 260 m × 330 m
    lon, lat = on_street_points(net, 20, seed=6)
    g_lon, g_lat = from_wgs84(lon, lat, crs="gcj02")  # ≈ 530 m east: off this small network
    with pytest.raises(InputError) as exc:
        check_placement(net, g_lon, g_lat, source="amap.csv", max_snap_m=40.0)
    assert exc.value.problem.code == "crs_mismatch"
    assert exc.value.problem.message_en.endswith("Use --crs gcj02")


def test_outside_china_no_crs_trials_run() -> None:
    net = grid(24.93, 60.16)
    lon, lat = on_street_points(net, 20, seed=7)
    r = check_placement(net, lon, lat, source="hel.csv")
    assert [t.crs for t in r.trials] == ["wgs84"]
    assert r.crs_suggestion is None


def test_reuses_the_callers_snap_and_checks_lengths() -> None:
    net = grid(116.38, 39.90)
    lon, lat = on_street_points(net, 10, seed=8)
    idx = EdgeIndex(net)
    snapped = idx.snap(lon, lat, max_snap_m=300.0)
    r = check_placement(net, lon, lat, source="x.csv", snapped=snapped, index=idx)
    assert r.snapped is snapped
    assert r.beyond_ids == ()
    with pytest.raises(ValueError, match="same length"):
        check_placement(net, lon, lat, source="x.csv", ids=["a"])


@pytest.fixture(scope="module")
def chengdu() -> tuple[WalkNetwork, np.ndarray, np.ndarray]:
    net, _ = read_osm_network(CHENGDU / "chengdu.osm")
    facs = read_osm_facilities(
        CHENGDU / "chengdu.osm",
        classify=lambda tags: ("x",) if ("amenity" in tags or "shop" in tags) else (),
    )
    return net, np.array([f.lon for f in facs]), np.array([f.lat for f in facs])


@pytest.mark.parametrize("declared", ["wgs84", "gcj02", "bd09"])
@pytest.mark.parametrize("truth", ["wgs84", "gcj02", "bd09"])
def test_real_chengdu_network_address_points(
    chengdu: tuple[WalkNetwork, np.ndarray, np.ndarray], truth: Crs, declared: Crs
) -> None:
    """Street-address points on the real Chengdu network: every mix-up found, no false alarm."""
    net = chengdu[0]
    lon, lat = on_street_points(net, 300, seed=9)
    raw_lon, raw_lat = from_wgs84(lon, lat, crs=truth)
    w_lon, w_lat = to_wgs84(raw_lon, raw_lat, crs=declared)
    r = check_placement(net, w_lon, w_lat, source="reg.csv", declared_crs=declared)
    assert r.crs_suggestion == (None if truth == declared else truth)


def test_real_chengdu_osm_amenities_raise_no_false_alarm(
    chengdu: tuple[WalkNetwork, np.ndarray, np.ndarray],
) -> None:
    """The 554 real OSM amenities/shops, correctly declared as WGS-84: no warning."""
    net, lon, lat = chengdu
    assert lon.shape == (554,)
    r = check_placement(net, lon, lat, source="osm")
    assert r.warnings == ()
    assert r.beyond.size == 0
    # and read as GCJ-02 by mistake, the shift is too small against in-block scatter to call
    # (documented limit): the check stays silent rather than guessing
    g_lon, g_lat = from_wgs84(lon, lat, crs="gcj02")
    silent = check_placement(net, g_lon, g_lat, source="osm-gcj")
    assert silent.crs_suggestion is None


def test_no_points_is_not_an_error() -> None:
    net = grid(116.38, 39.90)
    r = check_placement(net, np.empty(0), np.empty(0), source="empty.csv")
    assert (r.n_points, r.beyond.size, r.warnings, r.crs_suggestion) == (0, 0, (), None)
