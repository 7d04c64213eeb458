"""The pedestrian policy: each rule on tags, and on a hand-written OSM file read end to end."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from quarterhour.engine.osm_network import read_osm_network
from quarterhour.engine.walk_policy import (
    REASON_TEXT,
    is_walkable,
    reason_rule,
    refusal_reason,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "osm"

# (tags, expected refusal reason); "" = walkable
RULES: list[tuple[dict[str, str], str]] = [
    ({"highway": "footway"}, ""),
    ({"highway": "path"}, ""),
    ({"highway": "pedestrian"}, ""),
    ({"highway": "pedestrian", "area": "yes"}, ""),
    ({"highway": "steps"}, ""),
    ({"highway": "living_street"}, ""),
    ({"highway": "residential"}, ""),
    ({"highway": "service", "service": "driveway"}, ""),
    ({"highway": "unclassified"}, ""),
    ({"highway": "road"}, ""),
    ({"highway": "track"}, ""),
    ({"highway": "tertiary_link"}, ""),
    ({"highway": "secondary"}, ""),
    ({"highway": "primary_link"}, ""),
    ({"highway": "corridor", "indoor": "yes"}, ""),
    ({"highway": "elevator"}, ""),
    ({"highway": "bridleway"}, ""),
    ({"highway": "cycleway"}, ""),
    ({"highway": "cycleway", "foot": "no"}, "foot_refused:foot=no"),
    ({"highway": "primary", "oneway": "yes"}, ""),
    ({"highway": "footway", "oneway:foot": "yes"}, ""),
    ({"highway": "residential", "sidewalk": "separate"}, ""),
    ({"highway": "motorway"}, "not_for_walking:highway=motorway"),
    ({"highway": "motorway_link", "foot": "yes"}, "not_for_walking:highway=motorway_link"),
    ({"highway": "trunk"}, "trunk_without_sidewalk:highway=trunk"),
    ({"highway": "trunk_link"}, "trunk_without_sidewalk:highway=trunk_link"),
    ({"highway": "trunk", "sidewalk": "both"}, ""),
    ({"highway": "trunk", "sidewalk:right": "yes"}, ""),
    ({"highway": "trunk", "sidewalk:both": "yes"}, ""),
    ({"highway": "trunk", "sidewalk": "no"}, "trunk_without_sidewalk:highway=trunk"),
    ({"highway": "trunk", "sidewalk": "separate"}, "trunk_without_sidewalk:highway=trunk"),
    ({"highway": "trunk", "foot": "yes"}, ""),
    ({"highway": "trunk", "foot": "designated"}, ""),
    ({"highway": "trunk", "foot": "no", "sidewalk": "both"}, "foot_refused:foot=no"),
    ({"highway": "residential", "access": "private"}, "access_refused:access=private"),
    ({"highway": "residential", "access": "no"}, "access_refused:access=no"),
    ({"highway": "service", "access": "private", "foot": "yes"}, ""),
    ({"highway": "service", "access": "no", "foot": "designated"}, ""),
    ({"highway": "service", "access": "private", "foot": "permissive"}, ""),
    ({"highway": "service", "access": "customers"}, ""),
    ({"highway": "service", "access": "destination"}, ""),
    ({"highway": "footway", "foot": "no"}, "foot_refused:foot=no"),
    ({"highway": "footway", "foot": "private"}, "foot_refused:foot=private"),
    ({"highway": "primary", "foot": "use_sidepath"}, "foot_refused:foot=use_sidepath"),
    ({"highway": "footway", "foot": "designated"}, ""),
    ({"highway": "construction", "construction": "footway"}, "lifecycle:highway=construction"),
    ({"highway": "proposed"}, "lifecycle:highway=proposed"),
    ({"highway": "abandoned"}, "lifecycle:highway=abandoned"),
    ({"highway": "planned"}, "lifecycle:highway=planned"),
    ({"highway": "platform"}, "not_for_walking:highway=platform"),
    ({"highway": "bus_guideway"}, "not_for_walking:highway=bus_guideway"),
    ({"highway": "raceway"}, "not_for_walking:highway=raceway"),
    ({"highway": "services"}, "not_for_walking:highway=services"),
    ({"highway": "made_up_value"}, "not_for_walking:highway=made_up_value"),
    ({"building": "yes"}, "no_highway"),
    ({"area:highway": "footway"}, "no_highway"),
    ({"indoor": "corridor"}, "no_highway"),
    ({"highway": ""}, "no_highway"),
    ({"highway": "residential", "foot": "no;yes"}, "foot_refused:foot=no"),
    ({"highway": "residential", "foot": "yes;no"}, ""),
    ({"highway": " Footway "}, ""),
    ({"highway": "residential", "foot": "NO"}, "foot_refused:foot=no"),
]


@pytest.mark.parametrize(("tags", "reason"), RULES)
def test_rule(tags: dict[str, str], reason: str) -> None:
    assert refusal_reason(tags) == reason
    assert is_walkable(tags) is (reason == "")


def test_every_reason_has_text_in_both_languages() -> None:
    rules = {reason_rule(r) for _t, r in RULES if r}
    assert rules == set(REASON_TEXT)
    for zh, en in REASON_TEXT.values():
        assert zh and en


def test_reason_rule() -> None:
    assert reason_rule("foot_refused:foot=no") == "foot_refused"
    assert reason_rule("no_highway") == "no_highway"


# The fixture file: way N owns nodes 10N+1 and 10N+2, 0.001° apart north-south at the equator.
WALKABLE_WAYS = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 20, 21, 24, 25, 27, 33, 35, 36, 38, 39, 40,
}  # fmt: skip
REFUSED = {
    "foot_refused:foot=no": 3,  # ways 14, 26, 37
    "foot_refused:foot=use_sidepath": 1,  # 34
    "not_for_walking:highway=motorway": 1,  # 17
    "not_for_walking:highway=motorway_link": 1,  # 18
    "trunk_without_sidewalk:highway=trunk": 1,  # 19
    "trunk_without_sidewalk:highway=trunk_link": 1,  # 22
    "access_refused:access=private": 1,  # 23
    "lifecycle:highway=construction": 1,  # 28
    "lifecycle:highway=proposed": 1,  # 29
    "lifecycle:highway=abandoned": 1,  # 30
    "not_for_walking:highway=platform": 1,  # 31
}


def test_policy_fixture_read_end_to_end() -> None:
    net, report = read_osm_network(FIXTURES / "policy.osm", keep_largest_component=False)
    kept_ways = {int(i) // 10 for i in net.node_osm_id.tolist()}
    assert kept_ways == WALKABLE_WAYS
    assert report.ways_kept == len(WALKABLE_WAYS)
    assert report.ways_refused == REFUSED
    # way 32 (building=yes) has no highway tag: never counted as a road
    assert report.highway_ways == 39
    assert net.n_nodes == 2 * len(WALKABLE_WAYS)
    assert net.n_edges == len(WALKABLE_WAYS)
    assert report.components == len(WALKABLE_WAYS)
    # each edge is 0.001° of a meridian: R·π/180·0.001
    expected = 6_371_008.8 * math.pi / 180.0 * 0.001
    np.testing.assert_allclose(net.edge_length_m, expected, rtol=1e-12)
    assert expected == pytest.approx(111.195, abs=5e-4)
    # each edge joins the two nodes of one way
    u_osm = net.node_osm_id[net.edge_u]
    v_osm = net.node_osm_id[net.edge_v]
    assert np.all(u_osm // 10 == v_osm // 10)
