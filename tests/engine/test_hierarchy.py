"""The contraction-hierarchy sweeps against the per-item Dijkstra: same nearest facility."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quarterhour.engine._hierarchy import node_positions
from quarterhour.engine.hierarchy import Hierarchy, build_hierarchy
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.reach import prepare, reach
from tests.engine.randomnets import random_facility, random_network


def both_ways(net, origins, facilities, limit):  # type: ignore[no-untyped-def]
    codes = ["a", "b"]
    plain = reach(net, origins, facilities, item_codes=codes, limit_m=limit, max_snap_m=150.0)
    h = build_hierarchy(net, bound_m=limit + 1.0)
    prep = prepare(net, origins, facilities, max_snap_m=150.0, hierarchy=h)
    swept = reach(
        net, origins, facilities, item_codes=codes, limit_m=limit, max_snap_m=150.0, prepared=prep
    )
    return plain, swept


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    integer_lengths=st.booleans(),
    point_origins=st.booleans(),
)
def test_sweeps_name_the_same_nearest_facility_as_dijkstra(
    seed: int, integer_lengths: bool, point_origins: bool
) -> None:
    rng = np.random.default_rng(seed)
    net = random_network(rng, integer_lengths=integer_lengths)
    facilities = [random_facility(rng, net, f"f{i}") for i in range(int(rng.integers(1, 15)))]
    if point_origins:
        k = int(rng.integers(1, 80))
        pick = rng.integers(net.n_nodes, size=k)
        origins = Origins.from_points(
            [f"o{i}" for i in range(k)],
            net.node_lon[pick] + rng.normal(0, 0.0005, k),
            net.node_lat[pick] + rng.normal(0, 0.0005, k),
        )
    else:
        origins = Origins.from_network_nodes(net)
    limit = float(rng.choice([150.0, 400.0, 800.0, 1200.0]))
    plain, swept = both_ways(net, origins, facilities, limit)
    for code in ("a", "b"):
        p, s = plain.items[code], swept.items[code]
        assert p.reason == s.reason
        np.testing.assert_array_equal(np.isnan(p.distance_m), np.isnan(s.distance_m))
        # another order of additions: equal but for the last few bits
        np.testing.assert_allclose(s.distance_m, p.distance_m, rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(s.facility, p.facility)


def test_equally_far_facilities_go_to_the_lowest_index() -> None:
    # a straight street of whole-metre blocks; facilities at both ends, homes in the middle
    from quarterhour.engine.network import build_network

    lon = 116.30 + np.arange(5) * 0.001
    lat = np.full(5, 39.90)
    net = build_network(lon, lat, [0, 1, 2, 3], [1, 2, 3, 4], edge_length_m=[100.0] * 4)
    facilities = [
        Facility("east", "east", float(lon[4]), 39.90, ("a",)),
        Facility("west", "west", float(lon[0]), 39.90, ("a",)),
    ]
    plain, swept = both_ways(net, Origins.from_network_nodes(net), facilities, 1000.0)
    for res in (plain, swept):
        assert res.items["a"].facility.tolist() == [1, 1, 0, 0, 0]  # the middle: a tie → 0
        assert res.items["a"].distance_m.tolist() == [0.0, 100.0, 200.0, 100.0, 0.0]


def test_a_hierarchy_is_kept_and_read_back(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    net = random_network(rng, integer_lengths=False)
    h = build_hierarchy(net, bound_m=900.0)
    h.save(tmp_path / "h.npz")
    back = Hierarchy.load(tmp_path / "h.npz")
    assert back.fits(net, 900.0) and not back.fits(net, 901.0)
    for name in ("pos", "dn_ptr", "dn_src", "dn_w", "bounds", "tp_ptr", "tp_src", "tp_w"):
        np.testing.assert_array_equal(getattr(back, name), getattr(h, name))
    assert back.dn_ptr.dtype == np.int32  # 32-bit pointers while the arcs fit
    other = replace(net, edge_length_m=net.edge_length_m * 1.01)
    assert not back.fits(other, 900.0)  # another network (same size): not used for it


def test_the_arcs_by_their_higher_end_are_the_same_arcs(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    net = random_network(rng, integer_lengths=False)
    h = build_hierarchy(net, bound_m=900.0)
    up_ptr, up_src, up_w = h.up_arcs()
    assert h.up_arcs()[0] is up_ptr  # built once, kept
    lower = np.repeat(np.arange(h.n_nodes), np.diff(h.dn_ptr))
    higher = np.repeat(np.arange(h.n_nodes), np.diff(up_ptr))
    assert bool(np.all(h.dn_src < lower)) and bool(np.all(up_src > higher))
    down = sorted(zip(lower.tolist(), h.dn_src.tolist(), h.dn_w.tolist(), strict=True))
    up = sorted(zip(up_src.tolist(), higher.tolist(), up_w.tolist(), strict=True))
    assert down == up and len(down) == h.n_arcs > 0
    # a file of an earlier format (format 3: every arc twice; 4: one sweep order unsplit) is
    # refused, so that whoever keeps it builds it again
    for fmt in (3, 4):
        np.savez(
            tmp_path / "old.npz",
            format=np.int64(fmt),
            n_nodes=np.int64(h.n_nodes),
            bound_m=np.float64(h.bound_m),
            network_digest=np.str_(h.network_digest),
            pos=h.pos,
            dn_ptr=np.asarray(h.dn_ptr, dtype=np.int64),
            dn_src=h.dn_src,
            dn_w=h.dn_w,
            n_levels=np.int64(h.n_levels),
        )
        with pytest.raises(ValueError, match="format"):
            Hierarchy.load(tmp_path / "old.npz")


@settings(deadline=None)  # the first example compiles the kernel
@given(
    st.lists(st.integers(min_value=-3, max_value=49), max_size=80),
    st.permutations(list(range(50))),
)
def test_node_positions_are_each_nodes_place_and_minus_one_off_the_network(
    nodes: list[int], order: list[int]
) -> None:
    pos = np.asarray(order, dtype=np.int32)
    got = node_positions(pos, np.asarray(nodes, dtype=np.int64))
    assert got.dtype == np.int32
    assert got.tolist() == [order[v] if v >= 0 else -1 for v in nodes]


def test_node_positions_refuse_a_node_the_network_does_not_have() -> None:
    pos = np.arange(5, dtype=np.int32)
    with pytest.raises(IndexError):
        node_positions(pos, np.array([0, 5], dtype=np.int64))
