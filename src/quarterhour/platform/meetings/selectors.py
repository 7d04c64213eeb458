"""Reads of joint meetings (scoped) and each person's task list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from quarterhour.platform.core.access import scope_q
from quarterhour.platform.meetings.models import Action, Meeting


def meetings_visible(user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(
            scope_q(
                user,
                district="circle__street__district_id",
                street="circle__street_id",
                community="circle__memberships__community_id",
            )
        )
        .select_related("circle")
        .distinct()
    )


def task_list(user: Any, *, include_done: bool = False) -> QuerySet[Action]:
    """The user's follow-up actions from joint meetings, soonest due first."""
    qs = Action.objects.filter(owner=user).select_related("meeting__circle")
    if not include_done:
        qs = qs.filter(status=Action.Status.OPEN)
    return qs.order_by("due_on", "pk")


def overdue_actions(*, today: dt.date | None = None) -> QuerySet[Action]:
    day = today or timezone.localdate()
    return Action.objects.filter(status=Action.Status.OPEN, due_on__lt=day).select_related("owner")
