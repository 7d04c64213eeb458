"""To-dos from the inbox: the unread notifications, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from quarterhour.platform.core.todos import Todo, todo_source
from quarterhour.platform.notifications import selectors

#: unread notifications listed one by one
SHOWN = 3


@todo_source("notifications", order=5)
def notification_todos(user: Any, now: dt.datetime) -> list[Todo]:
    unread = selectors.inbox(user, unread_only=True)
    n = unread.count()
    if not n:
        return []
    inbox = reverse("notifications:inbox")
    section = _("我的通知")
    out = [
        Todo(section=section, title=note.subject, url=inbox, note=_("未读"))
        for note in unread.order_by("-created_at", "-pk")[:SHOWN]
    ]
    if n > SHOWN:
        out.append(Todo(section=section, title=_("还有未读通知"), url=inbox, count=n - SHOWN))
    return out
