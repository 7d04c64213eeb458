"""Rooms that resident units (驻区单位) open to residents at off-peak hours, near a point.

Read from the sharing app's offers in force (:func:`sharing.selectors.offers_open`); walking
distances come from the same bounded search as the facilities (the offers are snapped to the
walk network and read off the reached nodes), so a room is listed only when it lies within the
walk. No offers near the point costs one small query.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from quarterhour.platform.facilities.hours import hours_words
from quarterhour.platform.portal import walking


@dataclass(frozen=True, slots=True)
class RoomHit:
    pk: int
    name: str
    unit: str
    kind: str  # in words
    price: str  # in words
    price_note: str
    address: str
    windows: str  # the open windows in words: 周六、周日 9:00–12:00
    capacity: int
    metres: float
    minutes: float


def windows_words(windows: list[tuple[int, dt.time, dt.time]]) -> str:
    """Recurring windows (ISO weekday, start, end) in words, like opening hours."""
    periods = [
        {"days": [day], "opens": f"{start:%H:%M}", "closes": f"{end:%H:%M}"}
        for day, start, end in windows
    ]
    return hours_words(periods)


def rooms_near(
    data: walking.WalkData,
    reach: walking.PointReach,
    *,
    speed_kmh: float,
    today: dt.date | None = None,
) -> list[RoomHit]:
    """Offers in force within ``reach`` (its limit on foot), nearest first."""
    from quarterhour.platform.sharing.selectors import offers_open

    radius = reach.limit_m * (data.stretch if math.isfinite(data.stretch) else 3.0) * 1.001 + 1.0
    dlat = radius / 110_540.0
    dlon = radius / (111_320.0 * max(0.01, math.cos(math.radians(reach.lat))))
    offers = list(
        offers_open(today=today).filter(
            lon__range=(reach.lon - dlon, reach.lon + dlon),
            lat__range=(reach.lat - dlat, reach.lat + dlat),
        )
    )
    if not offers:
        return []
    net = data.network
    snap = data.index.snap(
        [o.lon for o in offers], [o.lat for o in offers], max_snap_m=walking.MAX_SNAP_M
    )
    dist = reach.dist
    per_min = speed_kmh * 1000.0 / 60.0
    out: list[RoomHit] = []
    for i, o in enumerate(offers):
        if not snap.ok[i]:
            continue
        e = int(snap.edge[i])
        along, off = float(snap.along_m[i]), float(snap.offset_m[i])
        length = float(net.edge_length_m[e])
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        d = min(float(dist[u]) + along, float(dist[v]) + length - along) + off
        if e == reach.edge:
            d = min(d, reach.offset_m + abs(along - reach.along_m) + off)
        if not np.isfinite(d) or d > reach.limit_m:
            continue
        out.append(
            RoomHit(
                pk=o.pk,
                name=o.name,
                unit=o.unit.name,
                kind=str(o.get_kind_display()),
                price=str(o.get_price_display()),
                price_note=o.price_note,
                address=o.address,
                windows=windows_words([(w.weekday, w.start, w.end) for w in o.windows.all()]),
                capacity=o.capacity,
                metres=d,
                minutes=d / per_min,
            )
        )
    out.sort(key=lambda r: (r.metres, r.pk))
    return out
