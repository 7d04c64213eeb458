"""An independent oracle: networkx Dijkstra on the network's own edges, plus the snap offsets."""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np

from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.snapping import Snapped


def nx_graph(network: WalkNetwork) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(network.n_nodes))
    for u, v, w in zip(
        network.edge_u.tolist(),
        network.edge_v.tolist(),
        network.edge_length_m.tolist(),
        strict=True,
    ):
        if not g.has_edge(u, v) or g[u][v]["weight"] > w:
            g.add_edge(u, v, weight=w)
    return g


def _ends(network: WalkNetwork, snap: Snapped, i: int) -> list[tuple[int, float]]:
    """(node, distance from the point to that node along its edge, offset included)."""
    e = int(snap.edge[i])
    a = float(snap.along_m[i])
    off = float(snap.offset_m[i])
    length = float(network.edge_length_m[e])
    return [(int(network.edge_u[e]), off + a), (int(network.edge_v[e]), off + length - a)]


def nearest_by_oracle(
    network: WalkNetwork,
    g: nx.Graph,
    *,
    origin_snap: Snapped | None,
    origin_nodes: Sequence[int] | None,
    origin_index: int,
    facility_snap: Snapped,
    facility_indices: Sequence[int],
    limit_m: float,
) -> float:
    """Shortest walk from one origin to any of the facilities (inf when beyond the limit)."""
    if origin_snap is None:
        assert origin_nodes is not None
        starts = [(int(origin_nodes[origin_index]), 0.0)]
        o_edge, o_along, o_off = -1, math.nan, 0.0
    else:
        if origin_snap.edge[origin_index] < 0:
            return math.inf
        starts = _ends(network, origin_snap, origin_index)
        o_edge = int(origin_snap.edge[origin_index])
        o_along = float(origin_snap.along_m[origin_index])
        o_off = float(origin_snap.offset_m[origin_index])
    dist: dict[int, float] = {}
    for node, d0 in starts:
        for k, v in nx.single_source_dijkstra_path_length(g, node, cutoff=limit_m + 1).items():
            dist[k] = min(dist.get(k, math.inf), d0 + v)
    best = math.inf
    for f in facility_indices:
        if facility_snap.edge[f] < 0:
            continue
        for node, df in _ends(network, facility_snap, f):
            best = min(best, dist.get(node, math.inf) + df)
        if int(facility_snap.edge[f]) == o_edge:  # same edge: walk straight along it
            direct = (
                o_off + abs(o_along - float(facility_snap.along_m[f])) + facility_snap.offset_m[f]
            )
            best = min(best, float(direct))
    return best if best <= limit_m + 1e-9 else math.inf


def random_points_near(
    network: WalkNetwork, n: int, *, seed: int, spread_deg: float = 0.002
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, network.n_nodes, n)
    return (
        network.node_lon[pick] + rng.uniform(-spread_deg, spread_deg, n),
        network.node_lat[pick] + rng.uniform(-spread_deg, spread_deg, n),
    )
