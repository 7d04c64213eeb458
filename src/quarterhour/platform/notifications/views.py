"""A person's inbox: list, mark one or all read, channel preferences."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from quarterhour.platform.notifications import selectors, services
from quarterhour.platform.notifications.models import Notification


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = selectors.inbox(request.user, unread_only=request.GET.get("unread") == "1")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread": selectors.unread_count(request.user),
            "pref": selectors.preference(request.user),
        },
    )


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.inbox(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    services.mark_read(actor=request.user, notification=note)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(actor=request.user)
    return redirect("notifications:inbox")


@login_required
@require_POST
def preference(request: HttpRequest) -> HttpResponse:
    services.set_preference(
        actor=request.user,
        email=request.POST.get("email") == "on",
        sms=request.POST.get("sms") == "on",
    )
    return redirect("notifications:inbox")


__all__ = ["Notification", "inbox", "preference", "read", "read_all"]
