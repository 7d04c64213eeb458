"""The hand-checkable grid network of the platform tests: nodes every 50 m (edges exactly 50 m) at
local offsets 25, 75, … m from the south-west corner of the test world, 40 columns × 20 rows (see
``tests/platform/planning/test_assessment.py`` for the shares it gives)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from quarterhour.engine.network import build_network
from tests.platform.conftest import DLAT, DLON

BASE_LON, BASE_LAT = 116.36, 39.90


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    return BASE_LON + x_m / 500.0 * DLON, BASE_LAT + y_m / 500.0 * DLAT


def grid_network():
    xs = [25 + 50 * i for i in range(40)]
    ys = [25 + 50 * j for j in range(20)]
    lon, lat, u, v = [], [], [], []
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            a, b = lonlat(x, y)
            lon.append(a)
            lat.append(b)
            k = j * len(xs) + i
            if i + 1 < len(xs):
                u.append(k)
                v.append(k + 1)
            if j + 1 < len(ys):
                u.append(k)
                v.append(k + len(xs))
    return build_network(lon, lat, u, v, edge_length_m=np.full(len(u), 50.0), source="grid")


#: the columns of the permission tables: every role of the test world, and a superuser
ROLES = ("city", "district", "street", "community", "provider", "resident", "superuser")


def permission_cases(
    expected: Mapping[str, Sequence[str]], *, roles: Sequence[str] = ROLES
) -> list[tuple[str, str, str, bool]]:
    """A permission table's cells as ``(action, role, side, allowed)`` for ``parametrize``: a row
    per action, a column per role (in ``roles`` order), each cell two letters — the user's own
    side of the world, then the other side — Y allowed, N refused."""
    assert all(len(row) == len(roles) for row in expected.values()), "a column per role"
    return [
        (action, role, side, row[i][j] == "Y")
        for action, row in expected.items()
        for i, role in enumerate(roles)
        for j, side in enumerate(("own", "other"))
    ]
