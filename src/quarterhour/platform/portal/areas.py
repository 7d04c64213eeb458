"""The walking area (isochrone) and the walked streets of near me's map, kept per snapped place.

A place is where a point snaps to the walk network: the edge, the distance along it and the
distance off it, each to the metre, and the walk limit. Points that snap to the same place
share one answer (their walking areas differ by at most ≈1.4 m of walking, far below what the map
shows), so a second request from the same spot — a resident reopening the page, neighbours
of the same building, the map asked again after the page — snaps only and reads the answer,
already serialised, from memory. The answer depends on the network alone (not on the
register), so it is kept while the network is: here, per process, and in the shared ``"pages"``
cache (every worker of a host; keyed by the network record and the place), so a place one
worker computed is read, not computed again, by the others.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings

from quarterhour.engine.geodesy import metres_per_degree
from quarterhour.platform.portal import walking
from quarterhour.platform.web.pagecache import page_cache

#: how long an answer stays in the shared cache (its key names the network: a new one is a new
#: key; this only bounds the space)
SHARED_SECONDS = 24 * 3600
#: places kept per process (an answer is a few to a few tens of kilobytes); the setting
#: ``QH_WALK_AREA_KEEP`` (environment ``QUARTERHOUR_WALK_AREA_KEEP``; 0 keeps none, as before
#: this cache — the benchmarks' "before")
KEEP = 2048


def _keep() -> int:
    return int(getattr(settings, "QH_WALK_AREA_KEEP", KEEP))


@dataclass(frozen=True, slots=True)
class Area:
    area_m2: int
    body: str  # the JSON members "isochrone" and "network", serialised once


_kept: OrderedDict[tuple[Any, ...], Area] = OrderedDict()
_owner: list[walking.WalkData] = []  # the network the kept answers belong to
_lock = threading.Lock()


def place_key(data: walking.WalkData, lon: float, lat: float, limit_m: float) -> tuple[Any, ...]:
    """The snapped place of a point (raises PointOffNetworkError when it is off the network)."""
    snap = data.index.snap([lon], [lat], max_snap_m=walking.MAX_SNAP_M)
    if not snap.ok[0]:
        raise walking.PointOffNetworkError(
            f"该点距步行网络超过 {walking.MAX_SNAP_M:.0f} 米",
            f"the point is more than {walking.MAX_SNAP_M:.0f} m from the walk network",
        )
    return (
        data.record_id,
        int(snap.edge[0]),
        round(float(snap.along_m[0])),
        round(float(snap.offset_m[0])),
        float(limit_m),
    )


def _area_m2(geom: Any, lat: float) -> float:
    scaled = shapely.transform(geom, lambda xy: xy * list(metres_per_degree(lat)))
    return float(scaled.area)


def _compute(data: walking.WalkData, lon: float, lat: float, limit_m: float) -> Area:
    reach = walking.reach_from(data, lon, lat, limit_m=limit_m)
    area = walking.walk_area(data, reach)
    local = walking.local_network(data, reach)
    xy = np.round(
        np.stack(
            [
                local.node_lon[local.edge_u],
                local.node_lat[local.edge_u],
                local.node_lon[local.edge_v],
                local.node_lat[local.edge_v],
            ],
            axis=1,
        ),
        6,
    )
    lines = [[[a, b], [c, d]] for a, b, c, d in xy.tolist()]
    body = json.dumps(
        {
            "isochrone": walking.geometry_geojson(area),
            "network": {"type": "MultiLineString", "coordinates": lines},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return Area(area_m2=round(_area_m2(area, lat)), body=body[1:-1])


def walk_area_at(
    data: walking.WalkData, lon: float, lat: float, *, limit_m: float
) -> tuple[Area, bool]:
    """The answer for the point's snapped place, and whether it was kept already."""
    key = place_key(data, lon, lat, limit_m)
    with _lock:
        if not _owner or _owner[0] is not data:  # another network (or a re-import)
            _kept.clear()
            _owner[:] = [data]
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
            return hit, True
    shared = page_cache() if _keep() > 0 else None
    skey = _shared_key(key)
    got = shared.get(skey) if shared is not None else None
    if isinstance(got, tuple) and len(got) == 2:  # another worker computed it
        made, was_kept = Area(area_m2=int(got[0]), body=str(got[1])), True
    else:
        made, was_kept = _compute(data, lon, lat, limit_m), False
        if shared is not None:
            shared.set(skey, (made.area_m2, made.body), SHARED_SECONDS)
    with _lock:
        if (_owner and _owner[0] is not data) or _keep() <= 0:
            return made, was_kept
        _kept[key] = made
        while len(_kept) > _keep():
            _kept.popitem(last=False)
    return made, was_kept


def _shared_key(key: tuple[Any, ...]) -> str:
    return "qh:area:" + hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()


def forget() -> None:
    with _lock:
        _kept.clear()
