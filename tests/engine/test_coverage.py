"""Coverage and compliance on hand-checked fixtures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quarterhour.engine._errors import InputError, InputErrors
from quarterhour.engine.coverage import (
    DemonstrationRule,
    ItemSpec,
    coverage_table,
    elderly_group,
    roll_up,
    weighted_quantiles,
)

NAN = np.nan
A = ItemSpec("A", "社区服务站", "community service station")
B = ItemSpec("B", "便利店", "convenience store")

# five homes in two communities (zone 2 has nobody); walk limit 1,000 m at 4 km/h (66.67 m/min)
WEIGHT = np.array([100.0, 200.0, 300.0, 50.0, 50.0])
ZONE = np.array([0, 0, 0, 1, 1], dtype=np.int64)
DIST = {
    "A": np.array([100.0, 500.0, NAN, 700.0, 900.0]),
    "B": np.full(5, NAN),
}


def test_counts_shares_and_minutes_by_hand() -> None:
    t = coverage_table(DIST, WEIGHT, ZONE, ("c0", "c1", "c2"), (A, B), limit_m=1000.0)
    c0, c1, c2 = t.zones
    a0 = c0.item("A")
    # c0: 100 + 200 of 600 within 1,000 m; minutes 1.5, 7.5, beyond
    assert (a0.population, a0.covered, a0.share) == (600.0, 300.0, 0.5)
    assert a0.median_min == pytest.approx(7.5)
    assert a0.p90_min is None  # 90 % of residents reach beyond the bounded search
    assert a0.met is False
    a1 = c1.item("A")
    assert (a1.covered, a1.share, a1.met) == (100.0, 1.0, True)
    assert a1.median_min == pytest.approx(10.5)
    assert a1.p90_min == pytest.approx(13.5)
    assert c1.items_required == 2 and c1.items_met == 1
    assert [s.code for s in c1.missing] == ["B"]
    assert c1.demonstration is False
    # a zone without residents: nothing to judge, every required item listed as missing
    assert c2.population == 0.0
    assert c2.item("A").share is None and c2.item("A").met is None
    assert [s.code for s in c2.missing] == ["A", "B"]


def test_threshold_per_item_and_demonstration_rule() -> None:
    lax = ItemSpec("A", "社区服务站", "community service station", share_threshold=0.5)
    t = coverage_table(
        DIST,
        WEIGHT,
        ZONE,
        ("c0", "c1"),
        (lax, B),
        limit_m=1000.0,
        rule=DemonstrationRule(min_met_share=0.5, must_meet=("A",)),
    )
    assert t.zones[0].item("A").met is True  # share 0.5 ≥ 0.5
    assert [z.demonstration for z in t.zones] == [True, True]
    strict = coverage_table(
        DIST,
        WEIGHT,
        ZONE,
        ("c0", "c1"),
        (lax, B),
        limit_m=1000.0,
        rule=DemonstrationRule(min_met_share=0.5, min_population=200.0),
    )
    assert [z.demonstration for z in strict.zones] == [True, False]


def test_optional_items_do_not_count_as_missing() -> None:
    opt = ItemSpec("B", "便利店", "convenience store", required=False)
    t = coverage_table(DIST, WEIGHT, ZONE, ("c0", "c1"), (A, opt), limit_m=1000.0)
    assert t.zones[1].items_required == 1
    assert t.zones[1].missing == ()
    assert t.zones[1].demonstration is True
    assert t.zones[1].all_met


def test_elderly_measured_at_elderly_pace() -> None:
    elderly = elderly_group([10.0, 0.0, 30.0, 20.0, 0.0])  # 3 km/h → 750 m in 15 minutes
    t = coverage_table(DIST, WEIGHT, ZONE, ("c0", "c1"), (A,), limit_m=1000.0, groups=[elderly])
    e0 = t.zones[0].item("A", "elderly")
    assert (e0.population, e0.covered, e0.share) == (40.0, 10.0, 0.25)
    assert e0.median_min is None
    e1 = t.zones[1].item("A", "elderly")
    # 700 m at 50 m/min = 14 minutes, inside 750 m
    assert (e1.covered, e1.share, e1.median_min) == (20.0, 1.0, pytest.approx(14.0))
    assert t.group_keys == ("elderly",)


def test_adult_limit_shorter_than_reach_bound() -> None:
    # 10 minutes at 4 km/h = 666.7 m: the 700 m and 900 m homes are no longer covered
    t = coverage_table(DIST, WEIGHT, ZONE, ("c0", "c1"), (A,), limit_m=1000.0, walk_minutes=10.0)
    assert t.limit_m == pytest.approx(666.6666667)
    assert t.zones[1].item("A").covered == 0.0


def test_group_beyond_reach_bound_is_refused() -> None:
    slow_limit = elderly_group(np.ones(5))
    with pytest.raises(InputError, match="group_limit"):
        coverage_table(DIST, WEIGHT, ZONE, ("c0", "c1"), (A,), limit_m=500.0, groups=[slow_limit])


def test_bad_population_rows_collected() -> None:
    w = WEIGHT.copy()
    w[1] = -5.0
    w[3] = NAN
    with pytest.raises(InputErrors) as err:
        coverage_table(DIST, w, ZONE, ("c0", "c1"), (A,), limit_m=1000.0)
    assert [p.row for p in err.value.problems] == [1, 3]


def test_weighted_quantiles_match_numpy_on_unit_weights() -> None:
    rng = np.random.default_rng(7)
    v = rng.uniform(0, 15, 101)
    q = weighted_quantiles(v, np.ones(101), np.zeros(101, dtype=np.int64), 1, (0.5, 0.9))
    assert q[0, 0] == np.quantile(v, 0.5, method="inverted_cdf")
    assert q[0, 1] == np.quantile(v, 0.9, method="inverted_cdf")


def test_roll_up_counts_targets_per_district() -> None:
    t = coverage_table(DIST, WEIGHT, ZONE, ("c0", "c1"), (A,), limit_m=1000.0)
    rows = roll_up(
        t,
        t,
        circle_area={"c0": "东城区", "c1": "西城区"},
        community_area={"c0": "东城区", "c1": "西城区"},
        urban={"c0": True, "c1": True},
    )
    city = rows[0]
    assert (city.circles_built, city.circles_demonstration) == (2, 1)
    assert (city.communities_urban, city.communities_urban_covered) == (2, 1)
    assert city.urban_share == 0.5
    assert city.demonstration_target == 300 and city.urban_share_target == 0.6
    assert [(r.area, r.circles_demonstration) for r in rows[1:]] == [("东城区", 0), ("西城区", 1)]


def test_specs_and_rule_from_the_beijing_standard() -> None:
    from quarterhour.engine.coverage import rule_from_standard, specs_from_standard
    from quarterhour.engine.standards import load_standard

    std = load_standard("beijing-2011")
    specs = specs_from_standard(std)
    assert len(specs) == 30
    by_code = {s.code: s for s in specs}
    # 居委会办公室 belongs to each community (judged by presence): shown, not required
    assert by_code["room.committee"].required is False
    assert by_code["site.market"].required is True
    assert by_code["site.market"].name_zh == "菜市场"
    assert sum(s.required for s in specs) == 23  # 30 items − 7 judged by presence
    assert rule_from_standard(std) == DemonstrationRule(min_met_share=1.0)


def test_min_items_rule() -> None:
    t = coverage_table(
        DIST,
        WEIGHT,
        ZONE,
        ("c0", "c1"),
        (A, B),
        limit_m=1000.0,
        rule=DemonstrationRule(min_items=1),
    )
    assert [z.demonstration for z in t.zones] == [False, True]


SAO_PAULO = Path(__file__).resolve().parents[3] / "shared" / "data" / "sao-paulo-r5py"


@pytest.mark.slow
def test_population_weighted_coverage_on_sao_paulo_grid() -> None:
    """Real network and real H3 population grid; shares recomputed by hand from reach output."""
    if not (SAO_PAULO / "spo_osm.pbf").exists():
        pytest.skip("shared São Paulo data not present")
    from quarterhour.engine.origins_io import read_origins
    from quarterhour.engine.osm_network import read_osm_network
    from quarterhour.engine.places import Facility
    from quarterhour.engine.population import derived_areas, zone_of_points
    from quarterhour.engine.reach import reach

    net, _ = read_osm_network(SAO_PAULO / "spo_osm.pbf")
    grid = read_origins(SAO_PAULO / "spo_hexgrid.csv")
    assert len(grid) == 323 and grid.weight.sum() == 517_570.0  # SOURCE.md
    # six "community centres" and four clinics at fixed grid cells (seeded choice)
    rng = np.random.default_rng(11)
    centres = rng.choice(len(grid), 6, replace=False)
    clinics = rng.choice(len(grid), 4, replace=False)
    facilities = [
        Facility(f"f{i}", "clinic", float(grid.lon[c]), float(grid.lat[c]), ("H",))
        for i, c in enumerate(clinics.tolist())
    ]
    result = reach(net, grid, facilities, item_codes=["H"], limit_m=1000.0)
    areas = derived_areas(net, grid.lon[centres], grid.lat[centres])
    zone = zone_of_points(net, areas, grid.lon, grid.lat)
    table = coverage_table(
        {"H": result.items["H"].distance_m}, grid.weight, zone, [f"z{i}" for i in range(6)],
        (ItemSpec("H", "卫生服务站", "clinic"),), limit_m=1000.0,
    )  # fmt: skip
    d = result.items["H"].distance_m
    total_cov = 0.0
    for z, zc in enumerate(table.zones):
        pop = cov = 0.0
        for i in range(len(grid)):  # plain loop: the independent recomputation
            if zone[i] == z:
                pop += grid.weight[i]
                if not np.isnan(d[i]) and d[i] <= 1000.0:
                    cov += grid.weight[i]
        assert zc.population == pytest.approx(pop)
        assert zc.item("H").covered == pytest.approx(cov)
        total_cov += cov
    assert sum(z.population for z in table.zones) == pytest.approx(
        float(grid.weight[zone >= 0].sum())
    )
    assert 0 < total_cov < 517_570.0  # four clinics cover some, not all, of the 6 × 6 km grid
