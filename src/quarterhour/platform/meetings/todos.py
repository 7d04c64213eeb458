"""To-dos from joint meetings: the follow-up actions a person owns (overdue first); for the
street, its meetings' actions past their deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.todos import Todo, todo_source
from quarterhour.platform.meetings import selectors

#: actions listed one by one
SHOWN = 8


@todo_source("meetings", order=50)
def meeting_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate(now)
    section = _("联席会议落实事项")
    out: list[Todo] = []
    for a in selectors.task_list(user)[:SHOWN]:
        out.append(
            Todo(
                section=section,
                title=a.description[:60],
                url=reverse("meetings:tasks"),
                due=a.due_on,
                overdue=a.due_on < today,
                note=a.meeting.title,
            )
        )
    if can_use_staff_pages(user):
        late = (
            selectors.overdue_actions(today=today)
            .filter(meeting__in=selectors.meetings_visible(user))
            .exclude(owner=user)
            .count()
        )
        if late:
            out.append(
                Todo(
                    section=section,
                    title=_("辖区会议中逾期未完成的落实事项"),
                    url=reverse("meetings:list"),
                    count=late,
                    overdue=True,
                )
            )
    return out
