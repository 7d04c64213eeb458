"""The platform benchmark city, set up in one place for ``bench_platform_tiles.py`` and
``compare_revisions.py`` (their ``platform`` stage).

Called inside a child process whose Django is set up and migrated (a temporary data directory
on SQLite): the walk network stored, 500 m grid cells with at least 15 network nodes as
communities (one district, streets of 2 km × 2 km blocks, 12 residents per node, like the demo),
the facilities put in the register, a city user. Imports nothing else from ``benchmarks`` (and
only the platform's long-standing services), so that ``compare_revisions.py`` can load it by its
path into another revision's tree.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Facility

#: side of a community's cell, metres
CELL_M = 500.0
#: the fewest network nodes a cell needs to be a community
MIN_NODES = 15


@dataclass
class City:
    record: Any  # the stored WalkNetworkFile
    district: Any
    user: Any  # a city-level staff user ("bench-city")
    communities: dict[tuple[int, int], Any]  # by (column, row) of the cell
    col: np.ndarray  # each network node's cell column
    row: np.ndarray  # and row


def build_city(
    network: WalkNetwork,
    found: Sequence[Facility],
    *,
    name: str,
    skip_outside: bool = False,
) -> City:
    """Store ``network`` as ``name``, lay the communities over it and register ``found``.

    ``skip_outside``: pass ``outside="skip"`` to the register import when the revision's
    ``upsert_facilities`` has that option (older revisions refused facilities outside every
    community unless told to skip them)."""
    from quarterhour.platform.accounts.models import Membership, User
    from quarterhour.platform.facilities.imports import upsert_facilities
    from quarterhour.platform.geography.models import Community, District, Street
    from quarterhour.platform.planning.networks import store_network

    record = store_network(network, name=name)
    lon, lat = network.node_lon, network.node_lat
    x0, y0 = float(lon.min()), float(lat.min())
    dlat = CELL_M / 111_320.0
    dlon = CELL_M / (111_320.0 * math.cos(math.radians(float(lat.mean()))))
    col = np.floor((lon - x0) / dlon).astype(int)
    row = np.floor((lat - y0) / dlat).astype(int)
    cells: dict[tuple[int, int], int] = {}
    for c, r in zip(col.tolist(), row.tolist(), strict=True):
        cells[(c, r)] = cells.get((c, r), 0) + 1
    district = District.objects.create(code="510104000000", name="锦江区（基准）")
    streets: dict[tuple[int, int], Any] = {}
    placed: dict[tuple[int, int], Any] = {}
    for (c, r), n in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if n < MIN_NODES:
            continue
        block = (c // 4, r // 4)
        if block not in streets:
            k = len(streets) + 1
            streets[block] = Street.objects.create(
                code=f"510104{k:03d}000", district=district, name=f"街道 {k}"
            )
        s = streets[block]
        k = Community.objects.filter(street=s).count() + 1
        lon0, lat0 = x0 + c * dlon, y0 + r * dlat
        ring = [
            [lon0, lat0],
            [lon0 + dlon, lat0],
            [lon0 + dlon, lat0 + dlat],
            [lon0, lat0 + dlat],
            [lon0, lat0],
        ]
        placed[(c, r)] = Community.objects.create(
            code=f"{s.code[:9]}{k:03d}",
            street=s,
            name=f"社区 {c}-{r}",
            population=n * 12,
            centre_lon=lon0 + dlon / 2,
            centre_lat=lat0 + dlat / 2,
            boundary_geojson=json.dumps({"type": "Polygon", "coordinates": [ring]}),
        )
    if skip_outside and "outside" in inspect.signature(upsert_facilities).parameters:
        upsert_facilities(found, outside="skip")  # type: ignore[call-arg]
    else:
        upsert_facilities(found)
    user = User.objects.create_user(username="bench-city", password="bench-city-password")
    user.is_staff = True
    user.save()
    Membership.objects.create(user=user, role="city")
    return City(record, district, user, placed, col, row)
