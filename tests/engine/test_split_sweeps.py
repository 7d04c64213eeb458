"""The sweep order split for threads (a top, then parts): every arc stays within its part or
leads into the top, and sweeping one set of lanes on several threads gives the very same
lanes as one thread, bit for bit."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quarterhour.engine import reach as reach_module
from quarterhour.engine._hierarchy import (
    LANES,
    reset,
    seed,
    sweep_range,
    sweep_range_lanes,
    sweep_up,
    sweep_up_lanes,
)
from quarterhour.engine.facility_items import indexed
from quarterhour.engine.hierarchy import Hierarchy, build_hierarchy, run_sweeps
from quarterhour.engine.network import WalkNetwork, build_network
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.reach import lane_buffers, prepare, reach
from tests.engine.randomnets import lonlat, random_facility


def grid(rng: np.random.Generator, side: int) -> WalkNetwork:
    """A jittered grid of ``side`` × ``side`` nodes, 60–120 m apart, with missing links and a
    few long diagonals (so the hierarchy has shortcuts and the top is not trivial)."""
    spacing = float(rng.uniform(60.0, 120.0))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = jj.ravel() * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    y = ii.ravel() * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    lon, lat = lonlat(x, y)  # type: ignore[arg-type]
    idx = np.arange(side * side).reshape(side, side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel(), idx[:-1, :-1].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel(), idx[1:, 1:].ravel()])
    keep = rng.random(u.shape[0]) < np.where(
        np.arange(u.shape[0]) < 2 * side * (side - 1), 0.85, 0.1
    )
    u, v = u[keep], v[keep]
    lengths = np.round(np.hypot(x[u] - x[v], y[u] - y[v]) / 10.0) * 10.0  # ties are common
    return build_network(lon, lat, u, v, edge_length_m=lengths)


def groups(h: Hierarchy) -> np.ndarray:
    """Per position: 0 in the top, 1 + i in part i."""
    return np.repeat(np.arange(h.n_parts + 1), np.diff(h.bounds))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed_=st.integers(0, 2**32 - 1), parts=st.sampled_from([1, 2, 3]))
def test_every_arc_stays_in_its_part_or_leads_into_the_top(seed_: int, parts: int) -> None:
    rng = np.random.default_rng(seed_)
    net = grid(rng, int(rng.integers(8, 40)))
    h = build_hierarchy(net, bound_m=float(rng.choice([300.0, 800.0, 1500.0])), parts=parts)
    n = h.n_nodes
    assert h.n_parts == parts and h.bounds[0] == 0 and h.bounds[-1] == n
    assert bool(np.all(np.diff(h.bounds) >= 0))
    assert sorted(h.pos.tolist()) == list(range(n))  # a permutation
    g = groups(h)
    lower = np.repeat(np.arange(n), np.diff(h.dn_ptr))
    higher = h.dn_src
    assert bool(np.all(higher < lower))  # every node after its higher neighbours
    gl, gh = g[lower], g[higher]
    # a part's node: its higher neighbours in its part or the top; the top's: in the top
    assert bool(np.all((gh == gl) | (gh == 0)))
    # the arcs into the top from below it, by their higher end: exactly those arcs
    t = int(h.bounds[1])
    assert h.tp_ptr.shape[0] == t + 1
    tp_higher = np.repeat(np.arange(t), np.diff(h.tp_ptr))
    into = (gh == 0) & (gl != 0)
    want = sorted(
        zip(higher[into].tolist(), lower[into].tolist(), h.dn_w[into].tolist(), strict=True)
    )
    got = sorted(zip(tp_higher.tolist(), h.tp_src.tolist(), h.tp_w.tolist(), strict=True))
    assert got == want
    if parts > 1 and n >= 400:
        assert 0 < t < n // 2  # the top is a small part of the nodes
        assert all(int(c) > 0 for c in np.diff(h.bounds)[1:])


def swept(
    h: Hierarchy, rng_seed: int, width: int, limit: float, threads: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lanes by node (not by position) after both sweeps from random sources."""
    rng = np.random.default_rng(rng_seed)
    n = h.n_nodes
    k = int(rng.integers(1, 3 * width + 2))
    node = rng.integers(n, size=k)
    d0 = np.round(rng.uniform(0.0, limit * 1.2, k) / 10.0) * 10.0  # some beyond the limit
    lane = rng.integers(width, size=k).astype(np.int32)
    label = rng.integers(0, 5 * k, size=k).astype(np.int32)
    dist, lab, live = lane_buffers(n, width)
    cut = int(rng.integers(0, n + 1))  # reset in two ranges, as two threads do
    reset(dist, lab, live, 0, cut)
    reset(dist, lab, live, cut, n)
    seed(dist, lab, live, lane, h.pos[node].astype(np.int32), d0, label, limit)
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads - 1) as pool:
            run_sweeps(h, dist, lab, live, limit, pool=pool, threads=threads)
    else:
        run_sweeps(h, dist, lab, live, limit)
    at = h.pos.astype(np.int64)
    return dist.reshape(n, width)[at], lab.reshape(n, width)[at], live[at]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed_=st.integers(0, 2**32 - 1), width=st.sampled_from([1, 4, 8, 16]))
def test_split_sweeps_equal_one_sweep_bit_for_bit(seed_: int, width: int) -> None:
    rng = np.random.default_rng(seed_)
    net = grid(rng, int(rng.integers(8, 40)))
    bound = float(rng.choice([300.0, 800.0, 1500.0]))
    limit = bound * float(rng.uniform(0.5, 1.0))
    one = build_hierarchy(net, bound_m=bound, parts=1)
    want = swept(one, seed_, width, limit, 1)
    for parts in (1, 2, 3):
        h = one if parts == 1 else build_hierarchy(net, bound_m=bound, parts=parts)
        for threads in (1, 2, 3, 4):
            got = swept(h, seed_, width, limit, threads)
            for a, b in zip(got, want, strict=True):
                assert np.array_equal(a, b), (parts, threads)


def item_facilities(
    rng: np.random.Generator, net: WalkNetwork, codes: list[str], n: int
) -> list[Facility]:
    """``n`` facilities near random nodes, facility i serving ``codes[i % len(codes)]`` and
    one random code more (often the same)."""
    out = []
    for i in range(n):
        f = random_facility(rng, net, f"f{i}")
        items = tuple(sorted({codes[i % len(codes)], codes[int(rng.integers(len(codes)))]}))
        out.append(Facility(f.facility_id, f.name, f.lon, f.lat, items))
    return out


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_reach_on_shared_lanes_equals_one_thread(workers: int) -> None:
    rng = np.random.default_rng(5)
    net = grid(rng, 36)
    codes = [f"i{j}" for j in range(20)]  # two passes of 16 lanes and 4
    facilities = item_facilities(rng, net, codes, 200)
    origins = Origins.from_network_nodes(net)
    results = []
    for parts, w in ((1, 1), (2, workers), (3, workers)):
        h = build_hierarchy(net, bound_m=700.0, parts=parts)
        prep = prepare(net, origins, facilities, hierarchy=h)
        results.append(
            reach(
                net, origins, facilities, item_codes=codes, limit_m=600.0, workers=w, prepared=prep
            )
        )
    for res in results[1:]:
        for code in codes:
            a, b = res.items[code], results[0].items[code]
            assert np.array_equal(a.distance_m, b.distance_m, equal_nan=True)
            assert np.array_equal(a.facility, b.facility)
    assert np.isfinite(results[0].items["i0"].distance_m).mean() > 0.3


def test_kept_work_arrays_and_kept_columns_answer_as_fresh_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A small network's lanes stay with the thread between runs (made once, reused), a large
    one's are made per run; the facilities' kept columns stand for the objects. Every
    combination gives the same answers, bit for bit."""
    rng = np.random.default_rng(11)
    net = grid(rng, 30)
    codes = [f"i{j}" for j in range(20)]  # two passes
    facilities = item_facilities(rng, net, codes, 150)
    origins = Origins.from_network_nodes(net)
    h = build_hierarchy(net, bound_m=700.0, parts=2)

    def run(fs: Sequence[Facility]) -> list[tuple[np.ndarray, np.ndarray]]:
        prep = prepare(net, origins, fs, hierarchy=h)
        res = reach(net, origins, fs, item_codes=codes, limit_m=600.0, workers=2, prepared=prep)
        return [(res.items[c].distance_m, res.items[c].facility) for c in codes]

    first = run(facilities)
    kept = reach_module._KEPT.bufs
    assert kept[0].shape[0] == h.n_nodes * LANES
    again = run(indexed(facilities))
    assert reach_module._KEPT.bufs is kept  # the same arrays, not made again
    monkeypatch.setattr(reach_module, "KEEP_WORK_BYTES", 0)
    fresh = run(facilities)
    assert reach_module._KEPT.bufs is kept  # a run's own arrays, the kept ones untouched
    for other in (again, fresh):
        for (d0, f0), (d1, f1) in zip(first, other, strict=True):
            assert np.array_equal(d0, d1, equal_nan=True) and np.array_equal(f0, f1)
    assert np.isfinite(first[0][0]).mean() > 0.3


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed_=st.integers(0, 2**32 - 1), parts=st.sampled_from([1, 2]))
def test_vector_lanes_equal_the_lane_loops_bit_for_bit(seed_: int, parts: int) -> None:
    """At the reach's width the sweeps compare the lanes as vectors (:mod:`._lane_vectors`):
    the lanes, labels and live flags end exactly as the plain loops over the lanes leave
    them, ties (lengths rounded to 10 m) and sources beyond the limit included."""
    rng = np.random.default_rng(seed_)
    net = grid(rng, int(rng.integers(8, 40)))
    bound = float(rng.choice([300.0, 800.0, 1500.0]))
    limit = bound * float(rng.uniform(0.5, 1.0))
    h = build_hierarchy(net, bound_m=bound, parts=parts)
    n, width = h.n_nodes, LANES
    k = int(rng.integers(1, 3 * width + 2))
    node = rng.integers(n, size=k)
    d0 = np.round(rng.uniform(0.0, limit * 1.2, k) / 10.0) * 10.0
    d0[0] = 0.0  # one source at least within the limit (the others may be beyond)
    lane = rng.integers(width, size=k).astype(np.int32)
    label = rng.integers(0, 5 * k, size=k).astype(np.int32)
    lanes = []
    for up, down in ((sweep_up, sweep_range), (sweep_up_lanes, sweep_range_lanes)):
        dist, lab, live = lane_buffers(n, width)
        reset(dist, lab, live, 0, n)
        seed(dist, lab, live, lane, h.pos[node].astype(np.int32), d0, label, limit)
        top = int(h.bounds[1])
        if parts > 1:  # as run_sweeps on threads: each part, the top from below, the top
            for lo, hi in zip(h.bounds[1:-1], h.bounds[2:], strict=True):
                up(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, int(lo), int(hi), top)
            down(h.tp_ptr, h.tp_src, h.tp_w, dist, lab, live, limit, 0, top, True)
            up(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, 0, top, 0)
        else:
            up(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, 0, n, 0)
        down(h.dn_ptr, h.dn_src, h.dn_w, dist, lab, live, limit, 0, n, True)
        lanes.append((dist, lab, live))
    assert int(np.count_nonzero(np.isfinite(lanes[0][0]))) > 0
    for a, b in zip(*lanes, strict=True):
        assert np.array_equal(a, b)
