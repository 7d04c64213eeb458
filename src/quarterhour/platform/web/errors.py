"""The error pages (400, 403, 404, 500, and a refused form token): Chinese first, the reason in
words (never a code), and a way back that works for whoever is looking: the person's own home
when logged in, the front page otherwise.

Wired as ``handler400`` … ``handler500`` in the URL map and ``CSRF_FAILURE_VIEW`` in settings.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from quarterhour.platform.core.errors import PlatformError


def _way_back(request: HttpRequest) -> dict[str, Any]:
    from quarterhour.platform.accounts.homes import home_url

    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {"home_url": home_url(user) if signed_in else "", "signed_in": signed_in}


def _page(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    body = loader.render_to_string(template, {**_way_back(request), **context}, request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception.message) if isinstance(exception, PlatformError) else ""
    return _page(request, "400.html", 400, reason=reason)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Say why in words: a :class:`PlatformError`'s message; for anything else a sentence of
    our own (Django's own refusals carry English or nothing)."""
    reason = str(exception.message) if isinstance(exception, PlatformError) else ""
    return _page(request, "403.html", 403, reason=reason or _("您无权查看此页面。"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A page that needs nothing that may have failed: no database, no context processors."""
    body = loader.render_to_string("500.html", {})
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form's token was refused (page open too long, cookies off, or another site's form)."""
    return _page(request, "403_csrf.html", 403)
