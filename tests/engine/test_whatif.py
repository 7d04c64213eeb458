"""What-if changes against a full run with the change made: every answer equal, to the bit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.reach import prepare, reach
from quarterhour.engine.whatif import Change, Scenario, apply, scenario
from tests.engine.randomnets import LAT0, LON0, random_facility, random_network


def full_run(sc: Scenario, origins: Origins, facilities: list[Facility], limit: float) -> dict:
    prep = prepare(sc.network, origins, facilities, max_snap_m=150.0, hierarchy=sc.hierarchy)
    res = reach(
        sc.network,
        origins,
        facilities,
        item_codes=["a", "b"],
        limit_m=limit,
        max_snap_m=150.0,
        prepared=prep,
        workers=1,
    )
    return res.items


def assert_same(got: dict, want: dict) -> None:
    for code in ("a", "b"):
        g, w = got[code], want[code]
        np.testing.assert_array_equal(g.distance_m, w.distance_m)  # NaN == NaN, else bits
        np.testing.assert_array_equal(g.facility, w.facility)
        assert g.reason == w.reason


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32 - 1),
    integer_lengths=st.booleans(),
    point_origins=st.booleans(),
    n_changes=st.integers(1, 4),
    in_place=st.booleans(),
)
def test_changes_equal_a_full_run(
    seed: int, integer_lengths: bool, point_origins: bool, n_changes: int, in_place: bool
) -> None:
    rng = np.random.default_rng(seed)
    net = random_network(rng, integer_lengths=integer_lengths)
    n_fac = int(rng.integers(1, 12))
    facilities = [random_facility(rng, net, f"f{i}") for i in range(n_fac)]
    if point_origins:
        k = int(rng.integers(1, 60))
        pick = rng.integers(net.n_nodes, size=k)
        origins = Origins.from_points(
            [f"o{i}" for i in range(k)],
            net.node_lon[pick] + rng.normal(0, 0.0005, k),
            net.node_lat[pick] + rng.normal(0, 0.0005, k),
        )
    else:
        origins = Origins.from_network_nodes(net)
    limit = float(rng.choice([150.0, 400.0, 800.0, 1200.0]))
    sc = scenario(net, origins, facilities, item_codes=["a", "b"], limit_m=limit, max_snap_m=150.0)
    model = list(facilities)  # the full run's list: a closed facility serves nothing
    for step in range(n_changes):
        kind = int(rng.integers(3))
        open_ = [i for i in range(len(model)) if i not in sc.closed]
        if kind == 0 or not open_:
            fac = random_facility(rng, net, f"new{step}")
            change = Change.add(fac)
            model.append(fac)
        else:
            i = open_[int(rng.integers(len(open_)))]
            if kind == 1:
                other = random_facility(rng, net, "x")
                change = Change.move(i, other.lon, other.lat)
                model[i] = replace(model[i], lon=other.lon, lat=other.lat)
            else:
                change = Change.close(i)
                model[i] = replace(model[i], item_codes=())
        before = {
            c: replace(r, distance_m=r.distance_m.copy(), facility=r.facility.copy())
            for c, r in sc.result.items.items()
        }
        old, old_snap = (
            sc,
            tuple(a.copy() for a in (sc.facility_snap.edge, sc.facility_snap.along_m)),
        )
        old_lonlat = (sc.fac_lon.copy(), sc.fac_lat.copy())
        sc, what = apply(sc, change, in_place=in_place)
        if not in_place:  # the scenario before is left as it was
            for c, r in before.items():
                np.testing.assert_array_equal(old.result.items[c].distance_m, r.distance_m)
                np.testing.assert_array_equal(old.result.items[c].facility, r.facility)
            np.testing.assert_array_equal(old.facility_snap.edge, old_snap[0])
            np.testing.assert_array_equal(old.facility_snap.along_m, old_snap[1])
            np.testing.assert_array_equal(old.fac_lon, old_lonlat[0])
            np.testing.assert_array_equal(old.fac_lat, old_lonlat[1])
        want = full_run(sc, origins, model, limit)
        assert_same(sc.result.items, want)
        for code in ("a", "b"):
            b, a = before[code], sc.result.items[code]
            differs = (b.facility != a.facility) | ~(
                (b.distance_m == a.distance_m) | (np.isnan(b.distance_m) & np.isnan(a.distance_m))
            )
            listed = what.items[code].origin if code in what.items else np.empty(0, np.int64)
            assert sorted(np.flatnonzero(differs).tolist()) == sorted(listed.tolist())


def test_closing_the_only_facility_says_no_facility() -> None:
    rng = np.random.default_rng(3)
    net = random_network(rng, integer_lengths=False)
    fac = Facility("only", "only", float(net.node_lon[5]), float(net.node_lat[5]), ("a",))
    origins = Origins.from_network_nodes(net)
    sc = scenario(net, origins, [fac], item_codes=["a", "b"], limit_m=800.0, max_snap_m=150.0)
    assert sc.result.items["a"].reason == ""
    reached = int(np.isfinite(sc.result.items["a"].distance_m).sum())
    assert reached > 0
    sc, what = apply(sc, Change.close(0))
    assert sc.result.items["a"].reason == "no_facility"
    assert what.items["a"].origin.size == reached
    assert np.isnan(what.items["a"].after_m).all()
    assert (what.items["a"].before_facility == 0).all()


def test_a_facility_off_the_network_changes_nothing() -> None:
    rng = np.random.default_rng(4)
    net = random_network(rng, integer_lengths=False)
    origins = Origins.from_network_nodes(net)
    fac = Facility("f", "f", float(net.node_lon[0]), float(net.node_lat[0]), ("a",))
    sc = scenario(net, origins, [fac], item_codes=["a"], limit_m=800.0, max_snap_m=150.0)
    far = Facility("far", "far", LON0 + 1.0, LAT0 + 1.0, ("a",))
    sc2, what = apply(sc, Change.add(far))
    assert not what.snapped
    assert what.items == {}
    np.testing.assert_array_equal(sc2.result.items["a"].distance_m, sc.result.items["a"].distance_m)


def test_unknown_change_is_refused() -> None:
    rng = np.random.default_rng(5)
    net = random_network(rng, integer_lengths=False)
    origins = Origins.from_network_nodes(net)
    fac = Facility("f", "f", float(net.node_lon[0]), float(net.node_lat[0]), ("a",))
    sc = scenario(net, origins, [fac], item_codes=["a"], limit_m=800.0, max_snap_m=150.0)
    with pytest.raises(ValueError):
        apply(sc, Change.close(7))
    closed, _ = apply(sc, Change.close(0))
    with pytest.raises(ValueError):
        apply(closed, Change.move(0, LON0, LAT0))
    with pytest.raises(ValueError):
        apply(sc, Change("rename", index=0))
