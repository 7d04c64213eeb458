"""Degrees ↔ metres near a place: the flat factors for small local work on WGS-84 coordinates.

Within a district a degree of longitude and one of latitude are each, to a fraction of a per
cent, a fixed number of metres; code that grids, pads a box, measures a small polygon or scales a
map multiplies by these factors instead of projecting. The factors are named here once:

- :data:`M_PER_DEG` (111 320 m): a degree of longitude on the equator (WGS-84's semi-major axis
  × π/180 = 111 319.5 m, rounded). A degree of longitude at latitude φ is this × cos φ. Taken for
  a degree of latitude too, it treats the Earth as a sphere of that size (0.3 % long at 40° N).
- :data:`M_PER_DEG_LAT` (110 540 m): the usual rule-of-thumb degree of latitude (WGS-84's runs
  from 110 574 m on the equator to 111 694 m at the poles; 111 035 m at Beijing).

Great-circle lengths (the walk network's edges) use :func:`distance_m` or
:func:`quarterhour.engine.network.haversine_m`, on the mean radius
:data:`~quarterhour.engine.config.EARTH_RADIUS_M`.
"""

from __future__ import annotations

import math

from quarterhour.engine.config import EARTH_RADIUS_M

#: Metres in a degree of longitude on the equator (and of any great circle, on the sphere).
M_PER_DEG: float = 111_320.0
#: Metres in a degree of latitude (the common flat approximation).
M_PER_DEG_LAT: float = 110_540.0


def metres_per_degree(
    lat: float, *, lat_m: float = M_PER_DEG_LAT, min_cos: float = 0.0
) -> tuple[float, float]:
    """Metres in a degree of longitude and in a degree of latitude at latitude ``lat`` (degrees).

    ``lat_m`` is the degree of latitude (:data:`M_PER_DEG` for the sphere of the equator's
    degree). ``min_cos`` floors cos(lat), so that near a pole a degree of longitude never
    shrinks to nothing (a box padded by metres stays finite)."""
    return M_PER_DEG * max(min_cos, math.cos(math.radians(lat))), lat_m


def degrees_for_metres(
    metres: float, *, lat: float, lat_m: float = M_PER_DEG_LAT, min_cos: float = 0.0
) -> tuple[float, float]:
    """``metres`` as (degrees of longitude, degrees of latitude) at latitude ``lat``; the
    options as in :func:`metres_per_degree`."""
    mx, my = metres_per_degree(lat, lat_m=lat_m, min_cos=min_cos)
    return metres / mx, metres / my


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points (haversine on the mean radius;
    the scalar twin of :func:`quarterhour.engine.network.haversine_m`)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
