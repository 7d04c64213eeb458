"""The gathering of origins' answers from the lanes (``_hierarchy.gather_nodes`` for origins
at nodes, ``gather_points`` for origins on edges; blocks of origins written in non-temporal
stores) against the definition, value for value."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quarterhour.engine._hierarchy import gather_nodes, gather_points

#: a seed for the values, how many origins, lanes a position, and where two threads' runs meet
_cases = given(
    seed_=st.integers(0, 2**32 - 1),
    n_orig=st.integers(0, 70),
    width=st.sampled_from([1, 5, 16]),
    cut=st.floats(0.0, 1.0),
)


@settings(max_examples=60, deadline=None)  # the first example compiles the kernel
@_cases
def test_gathered_answers_are_the_lanes_within_the_limit(
    seed_: int, n_orig: int, width: int, cut: float
) -> None:
    rng = np.random.default_rng(seed_)
    n_nodes = 40
    limit = 1000.0
    dist = rng.uniform(0.0, 1500.0, n_nodes * width)
    dist[rng.random(dist.shape[0]) < 0.1] = np.inf
    lab = rng.integers(0, 500, n_nodes * width).astype(np.int32)
    pos = rng.integers(-1, n_nodes, n_orig).astype(np.int32)  # -1: off the network
    n_lanes = int(rng.integers(1, width + 1))
    out_d = np.full((n_lanes, n_orig), -7.0)
    out_f = np.full((n_lanes, n_orig), -7, dtype=np.int32)
    mid = int(cut * n_orig)  # two threads' runs, cut anywhere
    for lo, hi in ((0, mid), (mid, n_orig)):
        gather_nodes(dist, lab, pos, limit, n_lanes, width, out_d, out_f, lo, hi)
    for o in range(n_orig):
        for k in range(n_lanes):
            p = int(pos[o])
            d = dist[p * width + k] if p >= 0 else np.nan
            if p >= 0 and d <= limit:
                assert out_d[k, o] == d
                assert out_f[k, o] == lab[p * width + k]
            else:
                assert np.isnan(out_d[k, o])
                assert out_f[k, o] == -1


@settings(max_examples=60, deadline=None)  # the first example compiles the kernel
@_cases
def test_gathered_point_answers_are_the_best_of_both_ends_and_the_edge(
    seed_: int, n_orig: int, width: int, cut: float
) -> None:
    rng = np.random.default_rng(seed_)
    n_nodes, n_edges = 40, 8
    limit = 1000.0
    # whole metres from a few values, so that candidates tie and the lower label must win
    dist = rng.integers(0, 12, n_nodes * width).astype(np.float64) * 100.0
    dist[rng.random(dist.shape[0]) < 0.1] = np.inf
    lab = rng.integers(0, 9, n_nodes * width).astype(np.int32)
    pos_u = rng.integers(-1, n_nodes, n_orig).astype(np.int32)  # -1: not snapped
    pos_v = rng.integers(0, n_nodes, n_orig).astype(np.int32)
    along = rng.integers(0, 4, n_orig).astype(np.float64) * 50.0
    rest = rng.integers(0, 4, n_orig).astype(np.float64) * 50.0
    offset = rng.integers(0, 3, n_orig).astype(np.float64) * 25.0
    edge = rng.integers(-1, n_edges, n_orig).astype(np.int64)  # -1: at a node
    n_same = int(rng.integers(0, 25))
    same_edge = np.sort(rng.integers(0, n_edges, n_same)).astype(np.int64)
    same_lane = rng.integers(0, width, n_same).astype(np.int32)  # some past n_lanes
    same_along = rng.integers(0, 4, n_same).astype(np.float64) * 50.0
    same_off = rng.integers(0, 3, n_same).astype(np.float64) * 25.0
    same_label = rng.integers(0, 9, n_same).astype(np.int32)
    same_ptr = np.where(edge >= 0, np.searchsorted(same_edge, edge), -1).astype(np.int64)
    n_lanes = int(rng.integers(1, width + 1))
    out_d = np.full((n_lanes, n_orig), -7.0)
    out_f = np.full((n_lanes, n_orig), -7, dtype=np.int32)
    mid = int(cut * n_orig)  # two threads' runs, cut anywhere
    for lo, hi in ((0, mid), (mid, n_orig)):
        gather_points(
            dist, lab, pos_u, pos_v, along, rest, offset, edge, same_ptr, same_edge,
            same_lane, same_along, same_off, same_label, limit, n_lanes, width, out_d, out_f,
            lo, hi,
        )  # fmt: skip
    for o in range(n_orig):
        for k in range(n_lanes):
            u, v = int(pos_u[o]), int(pos_v[o])
            if u < 0:
                assert np.isnan(out_d[k, o]) and out_f[k, o] == -1
                continue
            candidates = [
                (dist[u * width + k] + along[o], int(lab[u * width + k])),
                (dist[v * width + k] + rest[o], int(lab[v * width + k])),
            ] + [
                (same_off[i] + abs(along[o] - same_along[i]), int(same_label[i]))
                for i in range(n_same)
                if edge[o] >= 0 and same_edge[i] == edge[o] and same_lane[i] == k
            ]
            best, label = min(candidates)
            total = best + offset[o]
            if total <= limit:
                assert out_d[k, o] == total and out_f[k, o] == label
            else:
                assert np.isnan(out_d[k, o]) and out_f[k, o] == -1
