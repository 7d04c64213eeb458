"""To-dos from shared facilities: a person's coming bookings; for those who manage offers, the
bookings of the coming week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.todos import Todo, todo_source
from quarterhour.platform.sharing import selectors
from quarterhour.platform.sharing.models import Booking

#: bookings listed one by one
SHOWN = 8
#: how far ahead a manager's to-do counts bookings
WEEK = dt.timedelta(days=7)


@todo_source("sharing", order=30)
def sharing_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate(now)
    out: list[Todo] = []
    mine = (
        selectors.bookings_of(user)
        .filter(status=Booking.Status.ACTIVE, slot__date__gte=today)
        .order_by("slot__date", "slot__start")
    )
    for b in mine[:SHOWN]:
        out.append(
            Todo(
                section=_("我的预约"),
                title=_("%(f)s · %(d)s %(t)s")
                % {
                    "f": b.slot.shared.name,
                    "d": b.slot.date.strftime("%Y-%m-%d"),
                    "t": b.slot.start.strftime("%H:%M"),
                },
                url=reverse("sharing:mine"),
                due=b.slot.date,
            )
        )
    if can_use_staff_pages(user):
        coming = Booking.objects.filter(
            status=Booking.Status.ACTIVE,
            slot__shared__in=selectors.shared_visible(user),
            slot__date__gte=today,
            slot__date__lt=today + WEEK,
        ).count()
        if coming:
            out.append(
                Todo(
                    section=_("共享设施"),
                    title=_("今后 7 天的共享设施预约"),
                    url=reverse("sharing:list"),
                    count=coming,
                )
            )
    return out
