"""The gathering of node origins' answers from the lanes (``_hierarchy.gather_nodes``, blocks
of origins written in non-temporal stores) against the definition, value for value."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quarterhour.engine._hierarchy import gather_nodes


@settings(max_examples=60, deadline=None)  # the first example compiles the kernel
@given(
    seed_=st.integers(0, 2**32 - 1),
    n_orig=st.integers(0, 70),
    width=st.sampled_from([1, 5, 16]),
    cut=st.floats(0.0, 1.0),
)
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
