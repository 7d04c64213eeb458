"""Hand-drawn fixture networks with known lengths, built in metres around a real place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from quarterhour.engine.network import WalkNetwork, build_network
from quarterhour.engine.snapping import LocalProjection

#: fixtures sit in central Beijing; x east, y north, metres
ORIGIN_LON, ORIGIN_LAT = 116.39, 39.91
PROJ = LocalProjection(ORIGIN_LON, ORIGIN_LAT)


def lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = PROJ.to_lonlat([x], [y])
    return float(lon[0]), float(lat[0])


def network_from_xy(
    nodes: Mapping[str, tuple[float, float]], edges: Sequence[tuple[str, str]]
) -> tuple[WalkNetwork, dict[str, int]]:
    """Nodes given by name at (x, y) metres; every edge's length is its straight length."""
    names = list(nodes)
    ids = {name: i for i, name in enumerate(names)}
    xy = np.array([nodes[n] for n in names], dtype=float)
    lon, lat = PROJ.to_lonlat(xy[:, 0], xy[:, 1])
    u = np.array([ids[a] for a, _ in edges])
    v = np.array([ids[b] for _, b in edges])
    length = np.hypot(*(xy[u] - xy[v]).T)
    return build_network(lon, lat, u, v, edge_length_m=length, source="fixture"), ids


def line_with_branch() -> tuple[WalkNetwork, dict[str, int]]:
    """The main fixture::

        G ──100── H                         (disconnected part, 400 m north of A)

        A ──300── B ──────400────── C ──300── D   (D: dead end)
                  │
                 500
                  │
                  E ──200── F

    A(0,0) B(300,0) C(700,0) D(1000,0) E(300,-500) F(500,-500) G(0,400) H(100,400).
    """
    return network_from_xy(
        {
            "A": (0, 0),
            "B": (300, 0),
            "C": (700, 0),
            "D": (1000, 0),
            "E": (300, -500),
            "F": (500, -500),
            "G": (0, 400),
            "H": (100, 400),
        },
        [("A", "B"), ("B", "C"), ("C", "D"), ("B", "E"), ("E", "F"), ("G", "H")],
    )
