"""Which community a point lies in (the first station responsible for it).

Community boundaries (GeoJSON, WGS-84) are indexed once per process in a shapely STRtree and
rebuilt when the set of communities changes (or after ``TTL_S``); a community without a
boundary catches points within ``CENTRE_RADIUS_M`` of its centre.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import shapely
from django.db.models import Count, Max
from shapely.geometry import shape

from quarterhour.engine.geodesy import distance_m
from quarterhour.platform.geography.models import Community

TTL_S = 300.0
CENTRE_RADIUS_M = 1000.0


@dataclass(frozen=True, slots=True)
class _Index:
    key: tuple[int, int]
    built: float
    tree: shapely.STRtree | None
    ids: tuple[int, ...]
    centres: tuple[tuple[int, float, float], ...]


_lock = threading.Lock()
_index: _Index | None = None


def _build(key: tuple[int, int]) -> _Index:
    geoms, ids, centres = [], [], []
    rows = Community.objects.values_list("pk", "boundary_geojson", "centre_lon", "centre_lat")
    for pk, boundary, lon, lat in rows:
        if boundary:
            try:
                g = shape(json.loads(boundary))
            except (ValueError, TypeError, KeyError, AttributeError):
                g = None
            if g is not None and not g.is_empty:
                shapely.prepare(g)
                geoms.append(g)
                ids.append(pk)
                continue
        if lon is not None and lat is not None:
            centres.append((pk, lon, lat))
    tree = shapely.STRtree(geoms) if geoms else None
    return _Index(key, time.monotonic(), tree, tuple(ids), tuple(centres))


def _current() -> _Index:
    global _index
    agg = Community.objects.aggregate(n=Count("pk"), m=Max("pk"))
    key = (int(agg["n"] or 0), int(agg["m"] or 0))
    with _lock:
        idx = _index
        if idx is None or idx.key != key or time.monotonic() - idx.built > TTL_S:
            idx = _index = _build(key)
        return idx


def _hits(idx: _Index, lon: float, lat: float) -> set[int]:
    if idx.tree is None:
        return set()
    return {
        idx.ids[int(i)] for i in idx.tree.query(shapely.Point(lon, lat), predicate="intersects")
    }


def boundaries_at(lon: float, lat: float) -> set[int]:
    """The ids of every community whose boundary holds (lon, lat) (its edge included); no
    fallback to centres."""
    return _hits(_current(), lon, lat)


def community_at(lon: float, lat: float) -> int | None:
    """The id of the community containing (lon, lat), or None."""
    idx = _current()
    hits = _hits(idx, lon, lat)
    if hits:
        return min(hits)  # on a shared edge: the lower id
    best: tuple[float, int] | None = None
    for pk, clon, clat in idx.centres:
        d = distance_m(lon, lat, clon, clat)
        if d <= CENTRE_RADIUS_M and (best is None or d < best[0]):
            best = (d, pk)
    return best[1] if best else None
