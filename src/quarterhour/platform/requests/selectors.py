"""Reads of requests, scoped; contact details only for those with a need (the submitter and
the owners)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from quarterhour.platform.notifications.channels import mask_phone
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests.models import Category, Event, Handover, ServiceRequest


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
