"""Reads of the administrative register, scoped to what the user may see."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from quarterhour.engine.network import haversine_m
from quarterhour.platform.core.access import scope_q
from quarterhour.platform.geography.models import (
    Circle,
    CircleMembership,
    Community,
    District,
    Street,
)

#: how far (m) a facility may be from the nearest community centre when no community has a
#: boundary, and still be placed in it
NEAREST_CENTRE_MAX_M = 2_000.0


def districts_visible(user: Any) -> QuerySet[District]:
    return District.objects.filter(
        scope_q(user, district="pk", street="streets__pk", community="streets__communities__pk")
    ).distinct()


def streets_visible(user: Any) -> QuerySet[Street]:
    return Street.objects.filter(
        scope_q(user, district="district_id", street="pk", community="communities__pk")
    ).distinct()


def communities_visible(user: Any) -> QuerySet[Community]:
    return Community.objects.filter(
        scope_q(user, district="street__district_id", street="street_id", community="pk")
    )


def circles_visible(user: Any) -> QuerySet[Circle]:
    q = scope_q(
        user,
        district="street__district_id",
        street="street_id",
        community="memberships__community_id",
    )
    ids = Circle.objects.filter(q).values("pk")
    return Circle.objects.filter(pk__in=ids)


#: big text columns the list pages never show
_LIST_DEFER = ("boundary_geojson", "street__boundary_geojson", "street__district__boundary_geojson")


def community_list(
    user: Any, *, street_id: int | None = None, search: str = ""
) -> QuerySet[Community]:
    """Communities for the list page: street and district joined, circle count as a correlated
    subquery (no GROUP BY over every column; the paginator's count ignores it). ``street_id``
    narrows to one street, ``search`` to names containing it or codes starting with it."""
    qs = communities_visible(user).select_related("street__district").defer(*_LIST_DEFER)
    if street_id is not None:
        qs = qs.filter(street_id=street_id)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__startswith=search))
    n_circles = (
        CircleMembership.objects.filter(community=OuterRef("pk"))
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(n_circles=Coalesce(Subquery(n_circles), 0)).order_by("code")


def street_choices(user: Any) -> list[tuple[int, str]]:
    """(pk, name) of the streets ``user`` sees, by code (the list page's street filter)."""
    return list(streets_visible(user).order_by("code").values_list("pk", "name"))


def circle_list(user: Any) -> QuerySet[Circle]:
    n_members = (
        CircleMembership.objects.filter(circle=OuterRef("pk"))
        .order_by()
        .values("circle")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        circles_visible(user)
        .select_related("street__district")
        .defer("street__boundary_geojson", "street__district__boundary_geojson", "notes")
        .annotate(n_members=Coalesce(Subquery(n_members), 0))
        .order_by("code")
    )


def district_communities(district: District) -> QuerySet[Community]:
    """The district's communities (those of its streets), by code."""
    return Community.objects.filter(street__district=district).order_by("code")


def circle_detail(pk: int) -> Circle:
    members = CircleMembership.objects.select_related("community__street").order_by(
        "community__code"
    )
    return (
        Circle.objects.select_related("street__district", "service_centre")
        .prefetch_related(Prefetch("memberships", queryset=members))
        .get(pk=pk)
    )


class CommunityLocator:
    """Find the community a point lies in: by boundary where communities have one, else the
    nearest community centre within :data:`NEAREST_CENTRE_MAX_M`. None = outside every one."""

    def __init__(self, communities: Iterable[Community]) -> None:
        shaped: list[Community] = []
        geoms: list[Any] = []
        centred: list[Community] = []
        for c in communities:
            if c.boundary_geojson:
                shaped.append(c)
                geoms.append(shapely.from_geojson(c.boundary_geojson))
            elif c.centre_lon is not None and c.centre_lat is not None:
                centred.append(c)
        self._shaped = shaped
        self._tree = shapely.STRtree(geoms) if geoms else None
        self._centred = centred
        self._clon = np.array([c.centre_lon for c in centred], dtype=np.float64)
        self._clat = np.array([c.centre_lat for c in centred], dtype=np.float64)

    def locate(self, lon: float, lat: float) -> Community | None:
        return self.locate_many([lon], [lat])[0]

    def locate_many(self, lon: Sequence[float], lat: Sequence[float]) -> list[Community | None]:
        n = len(lon)
        out: list[Community | None] = [None] * n
        if self._tree is not None and n:
            points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
            pi, gi = self._tree.query(points, predicate="intersects")
            for p, g in zip(pi.tolist(), gi.tolist(), strict=True):
                if out[p] is None:
                    out[p] = self._shaped[g]
        if len(self._centred):
            for i in range(n):
                if out[i] is not None:
                    continue
                d = haversine_m(lon[i], lat[i], self._clon, self._clat)
                j = int(np.argmin(d))
                if d[j] <= NEAREST_CENTRE_MAX_M:
                    out[i] = self._centred[j]
        return out


def boundary_coordinates(geojson_text: str) -> Sequence[Sequence[Sequence[float]]]:
    """The outer rings of a (Multi)Polygon GeoJSON geometry (for drawing)."""
    if not geojson_text:
        return []
    geom = json.loads(geojson_text)
    if geom.get("type") == "Feature":
        geom = geom["geometry"]
    if geom["type"] == "Polygon":
        return [geom["coordinates"][0]]
    if geom["type"] == "MultiPolygon":
        return [poly[0] for poly in geom["coordinates"]]
    return []
