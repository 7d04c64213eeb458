"""Reads of requests, scoped; contact details only for those with a need (the submitter and
the owners)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from quarterhour.engine.geodesy import distance_m
from quarterhour.platform.notifications.channels import mask_phone
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests.models import (
    OPEN_STATUSES,
    Category,
    Event,
    Handover,
    ServiceRequest,
)


def requests_visible(user: Any) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(rperm.scope_requests(user))


def request_list(user: Any, *, status: str | None = None) -> QuerySet[ServiceRequest]:
    qs = requests_visible(user).select_related(
        "category",
        "community",
        "owner_community",
        "owner_street",
        "owner_district",
        "owner_provider",
        "owner_user",
    )
    if status == OVERDUE:
        qs = qs.filter(
            Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now()) | Q(escalations__gt=0)
        )
    elif status:
        qs = qs.filter(status=status)
    return qs


#: the list's pseudo-status: open past the deadline, or handed up for being late
OVERDUE = "overdue"


def categories_open() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).prefetch_related("attributes")


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    phone: str
    email: str


def contact(user: Any, req: ServiceRequest) -> Contact:
    """The requester's contact details as ``user`` may see them (masked otherwise)."""
    if rperm.can_see_contact(user, req):
        return Contact(req.contact_name, req.contact_phone, req.contact_email)
    hidden = "***"
    return Contact(
        hidden if req.contact_name else "",
        mask_phone(req.contact_phone) if req.contact_phone else "",
        hidden if req.contact_email else "",
    )


def history(req: ServiceRequest) -> tuple[list[Event], list[Handover]]:
    events = list(req.events.select_related("actor"))
    handovers = list(req.handovers.select_related("by", "from_user", "to_user"))
    return events, handovers


def overdue_count_for_provider(provider: Any, *, year: int, now: datetime | None = None) -> int:
    """Requests that went past their deadline while ``provider``'s station owned them, in
    ``year``: escalated away from it, closed late by it, or still open and late with it."""
    tz = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    at = now or timezone.now()
    escalated = set(
        Handover.objects.filter(
            kind=Handover.Kind.ESCALATION, from_provider=provider, at__gte=start, at__lt=end
        ).values_list("request_id", flat=True)
    )
    mine = ServiceRequest.objects.filter(owner_provider=provider, due_at__gte=start, due_at__lt=end)
    late_closed = mine.filter(closed_at__isnull=False, closed_at__gt=F("due_at"))
    late_open = mine.filter(status__in=OPEN_STATUSES, due_at__lt=at)
    late = set(late_closed.values_list("pk", flat=True)) | set(
        late_open.values_list("pk", flat=True)
    )
    return len(escalated | late)


#: how near (metres) an open request of the same category must be to be offered as the same one;
#: ``QH_REQUEST_DUPLICATE_M`` in the settings changes it
DUPLICATE_M = 300.0


def duplicate_radius_m() -> float:
    from django.conf import settings

    return float(getattr(settings, "QH_REQUEST_DUPLICATE_M", DUPLICATE_M))


def _point(req: ServiceRequest) -> tuple[float, float] | None:
    if req.lon is not None and req.lat is not None:
        return req.lon, req.lat
    c = req.community
    if c.centre_lon is None or c.centre_lat is None:
        return None
    return float(c.centre_lon), float(c.centre_lat)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two lon/lat points (the engine's geodesy)."""
    return distance_m(a[0], a[1], b[0], b[1])


def likely_duplicates(
    *,
    category: Category,
    community: Any,
    lon: float | None,
    lat: float | None,
    radius_m: float | None = None,
    limit: int = 3,
) -> list[tuple[ServiceRequest, float]]:
    """Open requests of the same category within ``radius_m`` of the place (its point, else its
    community's centre), nearest first, with their distance in metres."""
    radius = duplicate_radius_m() if radius_m is None else radius_m
    if lon is not None and lat is not None:
        here: tuple[float, float] | None = (lon, lat)
    elif community.centre_lon is not None and community.centre_lat is not None:
        here = (float(community.centre_lon), float(community.centre_lat))
    else:
        here = None
    qs = (
        ServiceRequest.objects.filter(
            category=category, status__in=OPEN_STATUSES, street_id=community.street_id
        )
        .select_related(
            "category",
            "community",
            "owner_community",
            "owner_street",
            "owner_district",
            "owner_provider",
            "owner_user",
        )
        .order_by("-received_at")[:500]
    )
    found = []
    for req in qs:
        there = _point(req)
        if here is None or there is None:
            if req.community_id == community.pk:
                found.append((req, 0.0))
            continue
        d = metres(here, there)
        if d <= radius:
            found.append((req, d))
    found.sort(key=lambda x: x[1])
    return found[:limit]


def followed(user: Any, req: ServiceRequest) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and req.followers.filter(user_id=uid).exists()
