"""Random walk networks for property tests: a jittered grid in metres around Beijing with missing
links, and facilities near its nodes."""

from __future__ import annotations

import numpy as np

from quarterhour.engine.network import WalkNetwork, build_network
from quarterhour.engine.places import Facility

LON0, LAT0 = 116.30, 39.90
M_PER_DEG_LAT = 111_195.0


def lonlat(x: float, y: float) -> tuple[float, float]:
    return LON0 + x / (M_PER_DEG_LAT * np.cos(np.radians(LAT0))), LAT0 + y / M_PER_DEG_LAT


def random_network(rng: np.random.Generator, *, integer_lengths: bool) -> WalkNetwork:
    """A jittered grid with missing links; integer lengths make exact ties common."""
    side = int(rng.integers(4, 13))
    spacing = float(rng.uniform(60.0, 160.0))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = jj.ravel() * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    y = ii.ravel() * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    lon, lat = lonlat(x, y)  # type: ignore[arg-type]
    idx = np.arange(side * side).reshape(side, side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(u.shape[0]) > 0.15
    u, v = u[keep], v[keep]
    lengths = None
    if integer_lengths:
        lengths = np.round(np.hypot(x[u] - x[v], y[u] - y[v]) / 20.0) * 20.0
    return build_network(lon, lat, u, v, edge_length_m=lengths)


def random_facility(rng: np.random.Generator, net: WalkNetwork, fid: str) -> Facility:
    i = int(rng.integers(net.n_nodes))
    lon = float(net.node_lon[i] + rng.normal(0, 0.0004))
    lat = float(net.node_lat[i] + rng.normal(0, 0.0004))
    items = [("a",), ("b",), ("a", "b")][int(rng.integers(3))]
    return Facility(fid, fid, lon, lat, items)
