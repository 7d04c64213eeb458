"""To-dos from requests: a resident's own requests (who owns each, by when) and the ones to rate;
a staff member's requests to act on (their own, and their unit's), overdue first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from quarterhour.platform.core.access import Role, can_use_staff_pages, memberships
from quarterhour.platform.core.todos import Todo, todo_source
from quarterhour.platform.requests.models import OPEN_STATUSES, Level, ServiceRequest, Status
from quarterhour.platform.requests.services import owner_of

#: at most this many requests listed one by one; the rest as one line to the list page
SHOWN = 8

_RELATED = (
    "category",
    "owner_community",
    "owner_street",
    "owner_district",
    "owner_provider",
    "owner_user",
)


def acting_q(user: Any) -> Q:
    """Requests ``user`` may act on (as ``permissions.can_act``): owned by them in person, or by
    a unit they are staff of."""
    q = Q(pk__in=[])
    if can_use_staff_pages(user):
        q |= Q(owner_user_id=user.pk)
    for m in memberships(user):
        if m.role == Role.COMMUNITY:
            q |= Q(owner_level=Level.COMMUNITY, owner_community_id=m.community_id)
        elif m.role == Role.STREET:
            q |= Q(owner_level=Level.STREET, owner_street_id=m.street_id)
        elif m.role == Role.DISTRICT:
            q |= Q(owner_level=Level.DISTRICT, owner_district_id=m.district_id)
        elif m.role == Role.CITY:
            q |= Q(owner_level=Level.CITY)
        elif m.role == Role.PROVIDER:
            q |= Q(owner_level=Level.PROVIDER, owner_provider_id=m.provider_id)
    return q


def _line(req: ServiceRequest, now: dt.datetime, *, section: str, owner: bool) -> Todo:
    title = _("诉求 #%(n)s · %(c)s · %(s)s") % {
        "n": req.pk,
        "c": req.category.name,
        "s": req.get_status_display(),
    }
    note = _("负责：%(o)s") % {"o": owner_of(req).name()} if owner else ""
    return Todo(
        section=section,
        title=title,
        url=reverse("requests:detail", args=[req.pk]),
        due=req.due_at,
        overdue=req.due_at < now,
        note=note,
    )


def _capped(qs: Any, now: dt.datetime, *, section: str, owner: bool, rest_url: str) -> list[Todo]:
    rows = list(qs.select_related(*_RELATED).order_by("due_at", "pk")[: SHOWN + 1])
    out = [_line(r, now, section=section, owner=owner) for r in rows[:SHOWN]]
    if len(rows) > SHOWN:
        total = qs.count()
        out.append(
            Todo(
                section=section,
                title=_("还有 %(n)s 件，查看全部") % {"n": total - SHOWN},
                url=rest_url,
                count=total - SHOWN,
            )
        )
    return out


@todo_source("requests", order=10)
def request_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    listing = reverse("requests:list")
    out: list[Todo] = []
    acting = acting_q(user)
    mine = ServiceRequest.objects.filter(submitter_id=user.pk).exclude(acting)
    out += _capped(
        mine.filter(status__in=OPEN_STATUSES),
        now,
        section=_("我的诉求"),
        owner=True,
        rest_url=listing,
    )
    for req in mine.filter(status=Status.CLOSED, rating__isnull=True).select_related("category")[
        :SHOWN
    ]:
        out.append(
            Todo(
                section=_("我的诉求"),
                title=_("诉求 #%(n)s · %(c)s · 已办结，请评价")
                % {"n": req.pk, "c": req.category.name},
                url=reverse("requests:detail", args=[req.pk]),
            )
        )
    to_act = ServiceRequest.objects.filter(acting, status__in=OPEN_STATUSES)
    out += _capped(
        to_act,
        now,
        section=_("待办诉求"),
        owner=True,
        rest_url=f"{listing}?status={Status.NEW}",
    )
    return out
