"""The what-if page's call: several changes in turn on a cached base, zone figures before and
after; equal to a full coverage table with the changes made, the base left as it was."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quarterhour.engine.coverage import ItemSpec, coverage_table
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.whatif import Change, scenario
from quarterhour.engine.whatif_zones import ZoneIndex, apply_all
from tests.engine.randomnets import random_facility, random_network
from tests.engine.test_whatif import full_run

SPECS = [ItemSpec("a", "甲", "A"), ItemSpec("b", "乙", "B")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_changes=st.integers(1, 3))
def test_changes_in_turn_equal_a_full_table_and_leave_the_base(seed: int, n_changes: int) -> None:
    rng = np.random.default_rng(seed)
    net = random_network(rng, integer_lengths=bool(rng.integers(2)))
    facilities = [random_facility(rng, net, f"f{i}") for i in range(int(rng.integers(2, 7)))]
    origins = replace(
        Origins.from_network_nodes(net), weight=rng.integers(1, 5, net.n_nodes).astype(float)
    )
    zone = rng.integers(0, 4, net.n_nodes).astype(np.int64)
    limit = float(rng.choice([300.0, 800.0]))
    sc = scenario(net, origins, facilities, item_codes=["a", "b"], limit_m=limit, max_snap_m=150.0)
    kept = {c: (r.distance_m.copy(), r.facility.copy()) for c, r in sc.result.items.items()}
    kept_edge = sc.facility_snap.edge.copy()
    model: list[Facility] = list(facilities)
    changes: list[Change] = []
    for step in range(n_changes):
        kind = int(rng.integers(3))
        closed = {c.index for c in changes if c.action == "close"}
        open_ = [i for i in range(len(model)) if i not in closed]
        if kind == 0 or not open_:
            fac = random_facility(rng, net, f"new{step}")
            changes.append(Change.add(fac))
            model.append(fac)
        elif kind == 1:
            i = open_[int(rng.integers(len(open_)))]
            other = random_facility(rng, net, "x")
            changes.append(Change.move(i, other.lon, other.lat))
            model[i] = replace(model[i], lon=other.lon, lat=other.lat)
        else:
            i = open_[int(rng.integers(len(open_)))]
            changes.append(Change.close(i))
            model[i] = replace(model[i], item_codes=())
    kw = {"limit_m": limit, "walk_minutes": 15.0, "speed_kmh": 5.0}
    now, made, found = apply_all(
        sc, changes, weight=origins.weight, zones=ZoneIndex.build(zone, 4), item_specs=SPECS, **kw
    )
    assert len(made) == n_changes
    for c, (d, f) in kept.items():  # the cached base is as it was
        np.testing.assert_array_equal(sc.result.items[c].distance_m, d)
        np.testing.assert_array_equal(sc.result.items[c].facility, f)
    np.testing.assert_array_equal(sc.facility_snap.edge, kept_edge)
    want = full_run(sc, origins, model, limit)
    for c in ("a", "b"):
        np.testing.assert_array_equal(now.result.items[c].distance_m, want[c].distance_m)
        np.testing.assert_array_equal(now.result.items[c].facility, want[c].facility)
    names = [str(z) for z in range(4)]
    full = coverage_table(
        {c: want[c].distance_m for c in ("a", "b")}, origins.weight, zone, names, SPECS, **kw
    )
    base = coverage_table(
        {c: d for c, (d, _) in kept.items()}, origins.weight, zone, names, SPECS, **kw
    )
    for f in found:
        got = next(i for i in full.zones[f.zone].items if i.item_code == f.item_code)
        was = next(i for i in base.zones[f.zone].items if i.item_code == f.item_code)
        assert (got.covered, got.median_min, got.p90_min) == (
            f.after.covered, f.after.median_min, f.after.p90_min,
        )  # fmt: skip
        assert (was.covered, was.median_min, was.p90_min) == (
            f.before.covered, f.before.median_min, f.before.p90_min,
        )  # fmt: skip
    listed = {(f.zone, f.item_code) for f in found}
    for z in range(4):  # every pair not listed is unchanged
        for a, b in zip(full.zones[z].items, base.zones[z].items, strict=True):
            if (z, a.item_code) not in listed:
                assert (a.covered, a.median_min, a.p90_min) == (b.covered, b.median_min, b.p90_min)
