"""Circle delineation benchmark: 3,000 communities (Beijing's order of magnitude) in ≤ 30 s.

Generated, seeded: a 24 km × 24 km street grid (100 m blocks, ≈ 58,000 nodes), 3,000 community
centres scattered on it with populations drawn from a log-normal around 5,000 residents
(a few above 20,000, so 一社区多圈 splits happen too). Community areas are derived from the
network (multi-source Dijkstra, :func:`quarterhour.engine.population.derived_areas`), then
:func:`quarterhour.engine.circles.delineate_circles` draws the circles. No peer: no library
we know of draws population-bounded contiguous regions on a walk network (PySAL's max-p
regionalisation works on polygon contiguity and is far slower at this size).

Run: python benchmarks/bench_circles.py [--runs 3] [--communities 3000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.sparse.csgraph import connected_components

from quarterhour.engine.circles import delineate_circles
from quarterhour.engine.network import build_network
from quarterhour.engine.population import derived_areas

M_PER_DEG_LAT = 111_195.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--communities", type=int, default=3000)
    ap.add_argument("--size", type=float, default=24_000.0)
    args = ap.parse_args()
    rng = np.random.default_rng(3000)
    step = 100.0
    n = int(args.size // step) + 1
    lat0, lon0 = 39.9, 116.3
    jj, ii = np.meshgrid(np.arange(n), np.arange(n))
    k_lon = 1 / (M_PER_DEG_LAT * np.cos(np.radians(lat0)))
    lon = lon0 + jj.ravel() * step * k_lon
    lat = lat0 + ii.ravel() * step / M_PER_DEG_LAT
    idx = np.arange(n * n).reshape(n, n)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    net = build_network(lon, lat, u, v, edge_length_m=np.full(u.shape[0], step))
    c = args.communities
    clon = lon0 + rng.uniform(0, args.size, c) * k_lon
    clat = lat0 + rng.uniform(0, args.size, c) / M_PER_DEG_LAT
    pop = np.round(rng.lognormal(np.log(5000.0), 0.6, c))
    ids = [f"c{i:04d}" for i in range(c)]
    print(
        f"network {net.n_nodes:,} nodes / {net.n_edges:,} edges; {c} communities, "
        f"{pop.sum():,.0f} residents, {int((pop > 20_000).sum())} above 20,000"
    )
    t_areas, t_circles = [], []
    layout = None
    for _ in range(args.runs):
        t = time.perf_counter()
        areas = derived_areas(net, clon, clat)
        t_areas.append(time.perf_counter() - t)
        t = time.perf_counter()
        layout = delineate_circles(net, areas.node_community, ids, pop)
        t_circles.append(time.perf_counter() - t)
    assert layout is not None
    spread = layout.population_spread()
    out = [ci for ci in layout.circles if not ci.in_range]
    reasons: dict[str, int] = {}
    for ci in out:
        reasons[ci.reason] = reasons.get(ci.reason, 0) + 1
    print(f"derived areas : median {statistics.median(t_areas):6.2f} s")
    print(f"circles       : median {statistics.median(t_circles):6.2f} s  (runs {args.runs})")
    print(
        f"→ {int(spread['circles'])} circles; population min {spread['min']:,.0f} / median "
        f"{spread['median']:,.0f} / max {spread['max']:,.0f}; in range "
        f"{spread['in_range_share']:.1%}; out of range by reason: {reasons or '—'}"
    )
    splits = sum(1 for ci in layout.circles if any(p.share < 1 for p in ci.parts))
    print(f"circles holding a piece of a split community: {splits}")
    # checks: every community's shares sum to 1; every circle connected on the network
    total = np.zeros(c)
    for ci in layout.circles:
        for p in ci.parts:
            total[p.community] += p.share
    csr = net.csr()
    order = np.argsort(layout.node_circle, kind="stable")
    starts = np.searchsorted(layout.node_circle[order], np.arange(len(layout.circles) + 1))
    broken = 0
    for i in range(len(layout.circles)):
        nodes = order[starts[i] : starts[i + 1]]
        if nodes.size and connected_components(csr[nodes][:, nodes], directed=False)[0] > 1:
            broken += 1
    print(
        f"check: max |Σ shares − 1| = {np.abs(total - 1).max():.2e}; "
        f"non-contiguous circles: {broken}"
    )


if __name__ == "__main__":
    main()
