from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.web.navigation import nav_links


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "qh_demo": bool(getattr(settings, "QH_DEMO", False)),
        "qh_staff": can_use_staff_pages(user),
        "qh_nav": nav_links(user),
    }
