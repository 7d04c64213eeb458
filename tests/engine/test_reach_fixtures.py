"""Reachability on hand-drawn networks whose answers are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.reach import (
    REASON_BEYOND_LIMIT,
    REASON_NO_FACILITY,
    REASON_ORIGIN_OFF_NETWORK,
    distance_matrix,
    reach,
)
from tests.engine.netfixtures import line_with_branch, lonlat


def fac(fid: str, x: float, y: float, *items: str) -> Facility:
    lon, lat = lonlat(x, y)
    return Facility(facility_id=fid, name=fid, lon=lon, lat=lat, item_codes=items)


def origins_xy(**pts: tuple[float, float]) -> Origins:
    ll = [lonlat(x, y) for x, y in pts.values()]
    return Origins.from_points(list(pts), [p[0] for p in ll], [p[1] for p in ll])


def test_node_origins_reach_facility_at_a_node() -> None:
    net, ids = line_with_branch()
    res = reach(
        net,
        Origins.from_network_nodes(net),
        [fac("pharmacy-C", 700, 0, "pharmacy")],
        item_codes=["pharmacy"],
        limit_m=1000,
    )
    d = res.items["pharmacy"].distance_m
    assert d[ids["C"]] == pytest.approx(0.0, abs=1e-6)
    assert d[ids["A"]] == pytest.approx(700.0, abs=1e-6)
    assert d[ids["D"]] == pytest.approx(300.0, abs=1e-6)
    assert d[ids["E"]] == pytest.approx(900.0, abs=1e-6)
    assert math.isnan(d[ids["F"]])  # 1,100 m: beyond the limit
    assert math.isnan(d[ids["G"]])  # disconnected part
    assert res.items["pharmacy"].facility[ids["A"]] == 0
    assert res.items["pharmacy"].facility[ids["F"]] == -1
    assert res.reasons("pharmacy")[ids["F"]] == REASON_BEYOND_LIMIT


def test_snapping_onto_the_middle_of_an_edge_counts_both_offsets_and_the_walk_along_it() -> None:
    net, _ = line_with_branch()
    # the shop stands 30 m north of B–C, 200 m east of B; homes: one on the same edge
    res = reach(
        net,
        origins_xy(same_edge=(600, -20), at_a=(0, 10), on_branch=(300, -250)),
        [fac("shop", 500, 30, "convenience")],
        item_codes=["convenience"],
        limit_m=1000,
    )
    d = res.items["convenience"].distance_m
    assert d[0] == pytest.approx(20 + 100 + 30, abs=0.01)  # along the edge, not via a node
    assert d[1] == pytest.approx(10 + 300 + 200 + 30, abs=0.01)
    assert d[2] == pytest.approx(250 + 200 + 30, abs=0.01)
    assert res.facility_snap.offset_m[0] == pytest.approx(30, abs=0.01)


def test_a_facility_exactly_at_the_limit_is_within_reach() -> None:
    net, ids = line_with_branch()
    res = reach(
        net,
        Origins.from_network_nodes(net),
        [fac("D", 1000, 0, "toilet")],
        item_codes=["toilet"],
        limit_m=1000,
    )
    assert res.items["toilet"].distance_m[ids["A"]] == pytest.approx(1000.0, abs=1e-6)
    assert res.items["toilet"].facility[ids["A"]] == 0


def test_dead_end_and_nearest_of_several() -> None:
    net, ids = line_with_branch()
    facilities = [fac("far", 0, 0, "market"), fac("near", 1000, 0, "market")]
    res = reach(
        net, Origins.from_network_nodes(net), facilities, item_codes=["market"], limit_m=1000
    )
    item = res.items["market"]
    assert item.facility[ids["D"]] == 1 and item.distance_m[ids["D"]] == pytest.approx(0, abs=1e-6)
    assert item.facility[ids["C"]] == 1 and item.distance_m[ids["C"]] == pytest.approx(300)
    assert item.facility[ids["B"]] == 0 and item.distance_m[ids["B"]] == pytest.approx(300)
    assert item.facility[ids["E"]] == 0 and item.distance_m[ids["E"]] == pytest.approx(800)


def test_disconnected_part_reaches_only_its_own_facilities() -> None:
    net, ids = line_with_branch()
    res = reach(
        net,
        Origins.from_network_nodes(net),
        [fac("GH", 50, 410, "barber")],
        item_codes=["barber"],
        limit_m=1000,
    )
    d = res.items["barber"].distance_m
    assert d[ids["G"]] == pytest.approx(60, abs=0.01)
    assert d[ids["H"]] == pytest.approx(60, abs=0.01)
    assert np.isnan(d[[ids[k] for k in "ABCDEF"]]).all()


def test_points_beyond_the_snap_limit_are_reported_not_attached() -> None:
    net, _ = line_with_branch()
    res = reach(
        net,
        origins_xy(near=(100, 50), far=(3000, 3000)),
        [fac("far-shop", -2000, -2000, "bank"), fac("shop", 100, -10, "bank")],
        item_codes=["bank", "post"],
        limit_m=1000,
        max_snap_m=300,
    )
    assert res.origin_snap is not None
    assert res.origin_snap.ok.tolist() == [True, False]
    assert res.facility_snap.ok.tolist() == [False, True]
    assert res.items["bank"].distance_m[0] == pytest.approx(60, abs=0.01)
    assert res.items["bank"].facility[0] == 1
    assert res.reasons("bank") == ["", REASON_ORIGIN_OFF_NETWORK]
    assert res.reasons("post") == [REASON_NO_FACILITY, REASON_NO_FACILITY]


def test_distance_matrix_matches_reach() -> None:
    net, _ = line_with_branch()
    homes = origins_xy(a=(0, 10), b=(600, -20), c=(300, -450), d=(50, 400))
    sites = [(500, 30), (1000, 0), (50, 390)]
    lon, lat = zip(*(lonlat(x, y) for x, y in sites), strict=True)
    mat = distance_matrix(net, lon, lat, homes, limit_m=1000).toarray()
    expected = np.array(
        [
            [540, 150, 680, 0],
            [0, 420, 0, 0],
            [0, 0, 0, 10],
        ]
    )
    # 0 in the dense view = beyond the limit (a site 1,000 m + snap away)
    assert np.allclose(mat, expected, atol=0.01)
