"""Reads of requests, scoped; contact details only for those with a need (the submitter and
the owners)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

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
    if status:
        qs = qs.filter(status=status)
    return qs


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
