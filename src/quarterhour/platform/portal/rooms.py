"""Rooms that resident units (驻区单位) open to residents at off-peak hours, near a point.

The offers in force (:func:`sharing.selectors.offers_open`) are read once per process under the
public directory's data version (which covers the offers and their windows) and the day, and
snapped to the walk network; a request picks the ones within a box around its point and reads
their walking distances off the same bounded search as the facilities, so a room is listed only
when it lies within the walk. No query per request.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone

from quarterhour.engine.geodesy import degrees_for_metres
from quarterhour.platform.facilities.hours import hours_words
from quarterhour.platform.portal import walking
from quarterhour.platform.web.pagecache import directory_version


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


@dataclass(frozen=True, slots=True, eq=False)
class _Offers:
    rows: list[Any]  # SharedFacility rows with unit and windows read
    windows: list[list[tuple[int, dt.time, dt.time]]]
    lon: Any  # float arrays
    lat: Any
    edge: Any  # snapped to the walk network (-1: too far from any street)
    along: Any
    offset: Any


_lock = threading.Lock()
_kept: dict[tuple[str, dt.date, int], _Offers] = {}


def windows_words(windows: list[tuple[int, dt.time, dt.time]]) -> str:
    """Recurring windows (ISO weekday, start, end) in words, like opening hours."""
    periods = [
        {"days": [day], "opens": f"{start:%H:%M}", "closes": f"{end:%H:%M}"}
        for day, start, end in windows
    ]
    return hours_words(periods)


def _offers(data: walking.WalkData, *, version: str, today: dt.date) -> _Offers:
    from quarterhour.platform.sharing.selectors import offers_open

    key = (version, today, data.record_id)
    known = _kept.get(key)
    if known is not None:
        return known
    rows = list(offers_open(today=today).order_by("pk"))
    windows = [[(w.weekday, w.start, w.end) for w in o.windows.all()] for o in rows]
    lon = np.array([o.lon for o in rows], dtype=np.float64)
    lat = np.array([o.lat for o in rows], dtype=np.float64)
    if rows:
        snap = data.index.snap(lon, lat, max_snap_m=walking.MAX_SNAP_M)
        edge, along, offset = np.where(snap.ok, snap.edge, -1), snap.along_m, snap.offset_m
    else:
        edge, along, offset = np.empty(0, dtype=np.int64), lon, lon
    made = _Offers(rows, windows, lon, lat, edge, along, offset)
    with _lock:
        _kept.clear()
        _kept[key] = made
    return made


def rooms_near(
    data: walking.WalkData,
    reach: walking.PointReach,
    *,
    speed_kmh: float,
    today: dt.date | None = None,
    version: str | None = None,
) -> list[RoomHit]:
    """Offers in force within ``reach`` (its limit on foot), nearest first."""
    day = today if today is not None else timezone.localdate()
    offers = _offers(data, version=directory_version() if version is None else version, today=day)
    if not offers.rows:
        return []
    stretch = data.stretch if math.isfinite(data.stretch) else 3.0
    radius = reach.limit_m * stretch * 1.001 + 1.0
    dlon, dlat = degrees_for_metres(radius, lat=reach.lat, min_cos=0.01)
    inside = np.flatnonzero(
        (np.abs(offers.lon - reach.lon) <= dlon)
        & (np.abs(offers.lat - reach.lat) <= dlat)
        & (offers.edge >= 0)
    )
    if inside.size == 0:
        return []
    net = data.network
    dist = reach.dist
    per_min = speed_kmh * 1000.0 / 60.0
    out: list[RoomHit] = []
    for i in inside.tolist():
        e = int(offers.edge[i])
        along, off = float(offers.along[i]), float(offers.offset[i])
        length = float(net.edge_length_m[e])
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        d = min(float(dist[u]) + along, float(dist[v]) + length - along) + off
        if e == reach.edge:
            d = min(d, reach.offset_m + abs(along - reach.along_m) + off)
        if not math.isfinite(d) or d > reach.limit_m:
            continue
        o = offers.rows[i]
        out.append(
            RoomHit(
                pk=o.pk,
                name=o.name,
                unit=o.unit.name,
                kind=str(o.get_kind_display()),
                price=str(o.get_price_display()),
                price_note=o.price_note,
                address=o.address,
                windows=windows_words(offers.windows[i]),
                capacity=o.capacity,
                metres=d,
                minutes=d / per_min,
            )
        )
    out.sort(key=lambda r: (r.metres, r.pk))
    return out
