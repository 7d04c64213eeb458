"""Small helpers the mechanisms apps' staff pages share: parse form values into typed ones
(bad values become :class:`Invalid` naming the field) and run one service call, turning its
refusals into messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from quarterhour.platform.accounts import permissions as perm
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused


def staff_only(request: HttpRequest) -> None:
    if not perm.can_use_staff_pages(request.user):
        raise PermissionRefused("staff_only", _("此页面仅供工作人员使用"))


def _bad(field: str, message: str) -> Invalid:
    return Invalid("field_invalid", message, [Issue("field_invalid", message, field=field)])


def text(data: Any, field: str) -> str:
    return str(data.get(field, "")).strip()


def integer(data: Any, field: str) -> int:
    try:
        return int(str(data.get(field, "")).strip())
    except ValueError:
        raise _bad(field, _("%(f)s 须为整数") % {"f": field}) from None


def date(data: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(data.get(field, "")).strip())
    except ValueError:
        raise _bad(field, _("%(f)s 的日期格式应为 YYYY-MM-DD") % {"f": field}) from None


def moment(data: Any, field: str) -> dt.datetime:
    raw = str(data.get(field, "")).strip()
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(field, _("%(f)s 的时间格式应为 YYYY-MM-DD HH:MM") % {"f": field}) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def clock(data: Any, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(data.get(field, "")).strip())
    except ValueError:
        raise _bad(field, _("%(f)s 的时间格式应为 HH:MM") % {"f": field}) from None


def flag(data: Any, field: str) -> bool:
    return str(data.get(field, "")).lower() in {"1", "on", "true", "yes"}


def run(
    request: HttpRequest, call: Callable[[], Any], *, success: str, to: str, **kw: Any
) -> HttpResponse:
    """Call the service; on bad input show every problem and change nothing. Permission
    refusals propagate (403 page saying why)."""
    try:
        call()
    except Invalid as exc:
        shown = {str(exc.message)}
        messages.error(request, str(exc.message))
        for issue in exc.issues:
            text = str(issue.message)
            if text not in shown:
                shown.add(text)
                messages.error(request, text)
    else:
        messages.success(request, success)
    # ``**kw`` may hold ``permanent``, so the stubs' overloads can only answer Any
    response: HttpResponse = redirect(to, **kw)
    return response
