"""The partners' keys page (开放接口密钥) for city staff: issue a key (shown once), see each key's
use, set when it expires, revoke it. Every change through :mod:`.keys` (audited)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.open311 import keys
from quarterhour.platform.open311.models import ApiClient


def _guard(request: HttpRequest) -> None:
    pages.staff_only(request)
    if not keys.may_manage_keys(request.user):
        raise keys.refuse_keys()


def _end_of(data: Any, field: str) -> datetime | None:
    """An optional expiry date: the key works until the end of that day (local time)."""
    if not pages.text(data, field):
        return None
    day = pages.date(data, field)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _page(
    request: HttpRequest,
    *,
    new_key: str = "",
    new_client: ApiClient | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "open311/keys.html",
        {
            "clients": ApiClient.objects.select_related("created_by").order_by("-created_at"),
            "new_key": new_key,
            "new_client": new_client,
            "errors": errors or {},
            "data": request.POST if errors else None,
            "api_root": request.build_absolute_uri("/api/open311/v2/"),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
def key_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    if request.method != "POST":
        return _page(request)
    d = request.POST
    try:
        client, raw = keys.issue_key(
            actor=request.user,
            name=pages.text(d, "name")[:100],
            contact=pages.text(d, "contact")[:200],
            expires_at=_end_of(d, "expires_on"),
        )
    except Invalid as exc:
        return _page(request, errors=pages.errors_of(exc), status=422)
    # the plain key is in this answer only: never stored, never shown again
    response = _page(request, new_key=raw, new_client=client)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def key_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _guard(request)
    client = get_object_or_404(ApiClient, pk=pk)
    if action == "revoke":
        return pages.run(
            request,
            lambda: keys.revoke_key(actor=request.user, client=client),
            success=_("已吊销“%(n)s”的密钥，使用它的请求将被拒绝") % {"n": client.name},
            to="partners:keys",
        )
    return pages.run(
        request,
        lambda: keys.expire_key(
            actor=request.user, client=client, expires_at=_end_of(request.POST, "expires_on")
        ),
        success=_("已更新“%(n)s”的到期时间") % {"n": client.name},
        to="partners:keys",
    )
