"""What every page with a form shares: parse form values into typed ones (a bad value becomes
:class:`Invalid` naming its field) and run one service call from a page.

On bad input a page shows each problem beside its field and keeps what was typed: the view passes
``again`` to :func:`run`, a function that renders the form page once more with ``errors`` (field →
messages; ``""`` for problems of the whole form). Templates show them with ``{% field_errors "name"
%}`` (``core/templatetags/picking.py``) and pickers show their own. Without ``again`` the problems
become messages at the top of the page the view redirects to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from quarterhour.platform.core import access
from quarterhour.platform.core.error_codes import CoreError
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused


def staff_only(request: HttpRequest) -> None:
    if not access.can_use_staff_pages(request.user):
        raise PermissionRefused(CoreError.STAFF_ONLY, _("此页面仅供工作人员使用"))


def _bad(field: str, message: str) -> Invalid:
    return Invalid(
        CoreError.FIELD_INVALID, message, [Issue(CoreError.FIELD_INVALID, message, field=field)]
    )


def text(data: Any, field: str) -> str:
    return str(data.get(field, "")).strip()


#: the largest whole number a form takes (counts, years, votes: far below any column's limit)
MAX_INT = 10**9


def integer(data: Any, field: str, *, low: int = -MAX_INT, high: int = MAX_INT) -> int:
    raw = str(data.get(field, "")).strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 12):
        raise _bad(field, _("请填写整数"))
    value = int(raw)
    if not low <= value <= high:
        raise _bad(field, _("应在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high})
    return value


def date(data: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(data.get(field, "")).strip()[:10])
    except ValueError:
        raise _bad(field, _("请填写日期，如 2026-12-03")) from None


def moment(data: Any, field: str) -> dt.datetime:
    raw = str(data.get(field, "")).strip()[:32]
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(field, _("请填写日期和时间，如 2026-12-03 09:30")) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def clock(data: Any, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(data.get(field, "")).strip()[:8])
    except ValueError:
        raise _bad(field, _("请填写时间，如 09:30")) from None


def flag(data: Any, field: str) -> bool:
    return str(data.get(field, "")).lower() in {"1", "on", "true", "yes"}


def errors_of(exc: Invalid) -> dict[str, list[str]]:
    """The problems of ``exc`` by field (``""``: the whole form), each message once."""
    out: dict[str, list[str]] = {}
    for issue in exc.issues:
        key = issue.field or ""
        text = str(issue.message)
        if text not in out.setdefault(key, []):
            out[key].append(text)
    if not out.get("") and not any(out.values()):
        out[""] = [str(exc.message)]
    return out


def run(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    success: str,
    to: str,
    again: Callable[[dict[str, list[str]]], HttpResponse] | None = None,
    **kw: Any,
) -> HttpResponse:
    """Call the service; on bad input show every problem and change nothing: beside each field
    on the same page when ``again`` renders it (answered 422), else as messages after the
    redirect. Permission refusals propagate (403 page saying why)."""
    try:
        call()
    except Invalid as exc:
        if again is not None:
            page = again(errors_of(exc))
            page.status_code = 422
            return page
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
