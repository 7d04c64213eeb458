"""Seeded generators for benchmark inputs: grid-like street networks and facilities."""

from __future__ import annotations

import numpy as np

from quarterhour.engine.network import WalkNetwork, build_network
from quarterhour.engine.places import Facility

#: 30 item codes stand-ins are not needed: benchmarks use the real standard's codes when given
LON0, LAT0 = 116.20, 39.80  # Beijing


def grid_network(n_nodes: int, *, seed: int = 0, spacing_m: float = 80.0) -> WalkNetwork:
    """A perturbed square grid of about ``n_nodes`` nodes (~80 m blocks) with 8 % of links missing.

    Coordinates are WGS-84 around Beijing; lengths are great-circle lengths.
    """
    rng = np.random.default_rng(seed)
    side = round(float(np.sqrt(n_nodes)))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    dlat = spacing_m / 111_195.0
    dlon = dlat / np.cos(np.radians(LAT0))
    lon = LON0 + (jj.ravel() + rng.uniform(-0.25, 0.25, side * side)) * dlon
    lat = LAT0 + (ii.ravel() + rng.uniform(-0.25, 0.25, side * side)) * dlat
    idx = np.arange(side * side).reshape(side, side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(u.shape[0]) > 0.08
    return build_network(lon, lat, u[keep], v[keep], source=f"grid-{side}x{side}-seed{seed}")


def facilities_at_nodes(
    network: WalkNetwork,
    item_codes: list[str],
    *,
    seed: int = 1,
    per_km2: tuple[float, float] = (0.3, 3.0),
) -> list[Facility]:
    """For each item, facilities at random nodes, density drawn between ``per_km2`` bounds.

    Facilities sit exactly on nodes so that peers that snap to nodes (pandana) see the same input:
    only nodes that have an edge and whose position no other node shares (OSM has coincident,
    unconnected nodes; a point there belongs to either) are used.
    """
    rng = np.random.default_rng(seed)
    degree = np.bincount(
        np.concatenate([network.edge_u, network.edge_v]), minlength=network.n_nodes
    )
    _, first, counts = np.unique(
        np.column_stack([network.node_lon, network.node_lat]),
        axis=0,
        return_index=True,
        return_counts=True,
    )
    unique_pos = np.zeros(network.n_nodes, dtype=bool)
    unique_pos[first[counts == 1]] = True
    eligible = np.flatnonzero((degree > 0) & unique_pos)
    x0, y0, x1, y1 = network.bounds()
    area_km2 = (x1 - x0) * 111.195 * np.cos(np.radians((y0 + y1) / 2)) * (y1 - y0) * 111.195
    out: list[Facility] = []
    for code in item_codes:
        codes = (code,)  # one tuple for all the item's facilities
        density = rng.uniform(*per_km2)
        k = max(1, int(density * area_km2))
        nodes = rng.choice(eligible, size=min(k, eligible.size), replace=False)
        for j, node in enumerate(np.sort(nodes).tolist()):
            out.append(
                Facility(
                    facility_id=f"{code}-{j}",
                    name="",
                    lon=float(network.node_lon[node]),
                    lat=float(network.node_lat[node]),
                    item_codes=codes,
                )
            )
    return out
