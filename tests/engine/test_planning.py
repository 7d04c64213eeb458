"""The one planning pipeline (:mod:`quarterhour.engine.planning`): the standard honoured.

A straight street of 13 nodes 100 m apart (edge lengths exactly 100 m), every node an origin,
one facility at node 0 serving a 5-minute, a 10-minute and a 15-minute item of GB 50180-2018,
so the share of nodes within each item's walk is counted by hand: 300 m → nodes 0…3 (4 of 13),
500 m → 6, 1,000 m → 11; the elderly at 3 km/h of 4 km/h: 225 m → 3, 375 m → 4, 750 m → 8.
"""

from __future__ import annotations

import numpy as np
import pytest

from quarterhour.engine.coverage import specs_from_standard
from quarterhour.engine.network import build_network
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.planning import (
    PlanInputs,
    PlanOptions,
    Residents,
    SitingOptions,
    plan,
)
from quarterhour.engine.siting import candidates_from_nodes
from quarterhour.engine.standards import load_standard

M_PER_DEG = 111_195.0
N = 13
M5, M10, M15 = "m5.kindergarten", "m10.primary_school", "m15.junior_school"


def street() -> tuple[object, Origins]:
    lon = 116.0 + np.arange(N) * 100.0 / M_PER_DEG
    lat = np.full(N, 0.0)
    net = build_network(
        lon, lat, np.arange(N - 1), np.arange(1, N), edge_length_m=np.full(N - 1, 100.0)
    )
    return net, Origins.from_network_nodes(net)


def inputs(
    *, elderly: bool = False, facility_items: tuple[str, ...] = (M5, M10, M15)
) -> PlanInputs:
    net, origins = street()
    fac = Facility("f", "校", float(net.node_lon[0]), float(net.node_lat[0]), facility_items)
    groups = {"elderly": np.ones(N)} if elderly else {}
    return PlanInputs(
        network=net,
        standard=load_standard("gb50180-2018"),
        facilities=(fac,),
        residents=Residents(
            origins=origins,
            zone=np.zeros(N, dtype=np.int64),
            zone_ids=("all",),
            groups=groups,
            counted="network_points",
        ),
    )


def test_per_level_walking_distances_on_gb50180() -> None:
    std = load_standard("gb50180-2018")
    limits = {s.code: s.limit_m for s in specs_from_standard(std)}
    assert (limits[M5], limits[M10], limits[M15]) == (300.0, 500.0, 1000.0)
    result = plan(inputs=inputs(elderly=True), options=PlanOptions())
    zone = result.community_table.zones[0]
    assert zone.item(M5).covered == 4
    assert zone.item(M10).covered == 6
    assert zone.item(M15).covered == 11
    assert zone.item(M5, "elderly").covered == 3
    assert zone.item(M10, "elderly").covered == 4
    assert zone.item(M15, "elderly").covered == 8
    # minutes are only counted within the item's own distance: 300 m at 4 km/h = 4.5 min
    assert zone.item(M5).median_min is None  # 4 of 13 within 300 m
    assert result.counted == "network_points"
    assert (result.facilities.in_register, result.facilities.placed) == (1, 1)


def test_required_flags_and_demonstration_rule_come_from_the_standard() -> None:
    std = load_standard("gb50180-2018")
    optional = {it.code for it in std.items if not it.required}
    assert optional  # GB 50180-2018 marks some items △ optional
    result = plan(inputs=inputs(), options=PlanOptions())
    zone = result.community_table.zones[0]
    assert zone.items_required == sum(1 for it in std.items if it.required)
    assert not optional & {s.code for s in zone.missing}
    gaps = {g.item_code: g for g in result.gaps}
    assert set(gaps) == {s.code for s in zone.missing}
    assert gaps[M5].uncovered == 9 and gaps[M5].population == 13
    assert M15 in gaps  # 11 of 13 < the 0.9 threshold


def test_optional_items_of_mofcom_are_not_required() -> None:
    std = load_standard("mofcom-2021")
    specs = specs_from_standard(std)
    assert {s.code for s in specs if not s.required} == {
        it.code for it in std.items if not it.required
    }
    assert any(not s.required for s in specs)


def test_siting_uses_the_items_own_distance() -> None:
    """A kindergarten (300 m) sited among every node: nodes 0…3 are covered already, one new
    site covers at most 7 nodes (itself and 3 either side, e.g. at node 7: 4…10) — the walk's
    1,000 m would have covered all 13."""
    net, _ = street()
    result = plan(
        inputs=inputs(facility_items=(M5,)),
        options=PlanOptions(
            siting=SitingOptions(
                items=(M5,),
                k=1,
                greedy=True,
                multi_use=False,
                extra=tuple(candidates_from_nodes(net)),
            )
        ),
    )
    (p,) = result.plans
    assert p.result.covered_before == 4
    assert p.result.covered_after == pytest.approx(4 + 7)
