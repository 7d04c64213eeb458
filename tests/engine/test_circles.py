"""Circle delineation: every community once (or its pieces summing to it), contiguity, bounds."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from quarterhour.engine._errors import InputErrors
from quarterhour.engine.circles import CircleLayout, community_adjacency, delineate_circles
from quarterhour.engine.network import WalkNetwork, build_network

M_LON = 1 / (111_195.0 * np.cos(np.radians(39.9)))
M_LAT = 1 / 111_195.0


def grid(nx: int, ny: int, step: float = 100.0, *, x0: float = 0.0) -> WalkNetwork:
    jj, ii = np.meshgrid(np.arange(nx), np.arange(ny))
    lon = 116.3 + (x0 + jj.ravel() * step) * M_LON
    lat = 39.9 + ii.ravel() * step * M_LAT
    idx = np.arange(nx * ny).reshape(ny, nx)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    return build_network(lon, lat, u, v, edge_length_m=np.full(u.shape[0], step))


def blocks(nx: int, ny: int, bx: int, by: int) -> np.ndarray:
    """Label each node of an nx × ny grid with its bx × by block (row-major block ids)."""
    jj, ii = np.meshgrid(np.arange(nx), np.arange(ny))
    return ((ii // by) * (nx // bx) + jj // bx).ravel().astype(np.int64)


def check_layout(net: WalkNetwork, layout: CircleLayout, pop: np.ndarray) -> None:
    """Every community's shares sum to 1; circle populations add up; circles contiguous."""
    share = np.zeros(pop.shape[0])
    for c in layout.circles:
        for p in c.parts:
            share[p.community] += p.share
        assert c.population == pytest.approx(sum(pop[p.community] * p.share for p in c.parts))
    assert share == pytest.approx(np.ones(pop.shape[0]))
    csr = net.csr()
    for i, c in enumerate(layout.circles):
        nodes = np.flatnonzero(layout.node_circle == i)
        assert nodes.shape[0] == c.n_nodes
        if nodes.shape[0]:
            n_comp, _ = connected_components(sp.csr_array(csr[nodes][:, nodes]), directed=False)
            assert n_comp == 1, c.circle_id
        if not c.in_range:
            assert c.reason, c.circle_id


def test_small_communities_merge_within_range() -> None:
    net = grid(20, 20)
    label = blocks(20, 20, 5, 5)  # 16 communities of 25 nodes
    pop = np.full(16, 4_000.0)
    layout = delineate_circles(net, label, [f"c{i}" for i in range(16)], pop)
    check_layout(net, layout, pop)
    sizes = sorted(c.population for c in layout.circles)
    assert all(10_000 <= s <= 20_000 for s in sizes)
    assert sum(sizes) == 64_000.0
    assert all(len(c.parts) in (3, 4) for c in layout.circles)
    # reproducible
    again = delineate_circles(net, label, [f"c{i}" for i in range(16)], pop)
    assert [c.parts for c in again.circles] == [c.parts for c in layout.circles]


def test_large_community_split_along_the_network() -> None:
    net = grid(30, 30)
    label = np.zeros(net.n_nodes, dtype=np.int64)
    pop = np.array([60_000.0])
    layout = delineate_circles(net, label, ["big"], pop)
    check_layout(net, layout, pop)
    assert len(layout.circles) == 4  # max(⌈60k/20k⌉, round(60k/15k)) pieces
    for c in layout.circles:
        assert c.parts[0].community == 0
        assert 13_000 <= c.population <= 17_000
        assert c.in_range


def test_isolated_small_community_keeps_a_reason() -> None:
    main = grid(10, 10)
    island = grid(3, 3, x0=5_000.0)
    lon = np.concatenate([main.node_lon, island.node_lon])
    lat = np.concatenate([main.node_lat, island.node_lat])
    u = np.concatenate([main.edge_u, island.edge_u + main.n_nodes])
    v = np.concatenate([main.edge_v, island.edge_v + main.n_nodes])
    net = build_network(lon, lat, u, v, edge_length_m=np.full(u.shape[0], 100.0))
    label = np.concatenate([blocks(10, 10, 5, 10), np.full(9, 2)])
    pop = np.array([8_000.0, 7_000.0, 3_000.0])
    layout = delineate_circles(net, label, ["a", "b", "island"], pop)
    check_layout(net, layout, pop)
    by_part = {tuple(p.community for p in c.parts): c for c in layout.circles}
    assert by_part[(0, 1)].population == 15_000.0 and by_part[(0, 1)].in_range
    isl = by_part[(2,)]
    assert not isl.in_range and isl.reason == "isolated_below_min"
    assert "isolated community" in isl.reason_text()


def test_streets_are_not_crossed_when_asked() -> None:
    net = grid(20, 10)
    label = blocks(20, 10, 5, 10)  # 4 communities in a row
    pop = np.full(4, 6_000.0)
    layout = delineate_circles(
        net, label, ["a", "b", "c", "d"], pop, street_of=["S1", "S1", "S2", "S2"]
    )
    check_layout(net, layout, pop)
    assert [[p.community for p in c.parts] for c in layout.circles] == [[0, 1], [2, 3]]


def test_service_centre_is_the_weighted_one_median() -> None:
    net = grid(5, 1)  # a line of 5 nodes 100 m apart
    w = np.array([1.0, 1.0, 1.0, 1.0, 10.0])
    layout = delineate_circles(
        net,
        np.zeros(5, dtype=np.int64),
        ["a"],
        np.array([14.0]),
        node_weight=w,
        min_pop=1.0,
        target_pop=14.0,
        max_pop=20.0,
    )
    (c,) = layout.circles
    assert c.centre_node == 4
    # walks 400 + 300 + 200 + 100 + 0 metres, one resident each, over 14 residents
    assert c.mean_walk_m == pytest.approx(1000.0 / 14.0)


def test_adjacency_counts_crossing_edges() -> None:
    net = grid(4, 2)
    label = blocks(4, 2, 2, 2)
    adj = community_adjacency(net, label, 2).toarray()
    assert adj.tolist() == [[0.0, 2.0], [2.0, 0.0]]


def test_bad_inputs_collected() -> None:
    net = grid(3, 3)
    with pytest.raises(InputErrors) as err:
        delineate_circles(
            net, np.zeros(9, dtype=np.int64), ["a"], np.array([-1.0]), min_pop=5.0, max_pop=1.0
        )
    assert [p.code for p in err.value.problems] == ["population_invalid", "range_invalid"]
