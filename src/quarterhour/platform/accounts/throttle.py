"""Login throttling with django-axes: whose address a request comes from, and one limit for an
account and another (higher) for an address.

The address is the connection's own unless settings say ``QH_TRUSTED_PROXIES`` reverse proxies
stand in front (``QUARTERHOUR_TRUSTED_PROXIES``): then it is the entry of ``X-Forwarded-For`` that
the outermost trusted proxy appended (each proxy appends the address it was reached from, so the
client's own entries, which it may forge, are to the left of it).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address login failures are counted against (``AXES_CLIENT_IP_CALLABLE``)."""
    own = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "QH_TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return _address(own)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:  # did not come through every proxy: believe only the connection
        return _address(own)
    return _address(hops[-proxies]) or _address(own)


class AccountAndAddressHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with a limit per lock-out parameter: ``AXES_FAILURE_LIMIT`` for an
    account, ``QH_LOGIN_ADDRESS_LIMIT`` for an address (axes compares one number with one limit,
    so an address's failures are scaled to the account's limit)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = [
            qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for qs in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != 2:  # AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]
            return int(super().get_failures(request, credentials))
        per_account, per_address = counts
        account_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = int(getattr(settings, "QH_LOGIN_ADDRESS_LIMIT", account_limit))
        return max(int(per_account), int(per_address) * account_limit // address_limit)
