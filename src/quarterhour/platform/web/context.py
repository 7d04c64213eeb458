from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from quarterhour.platform.core.access import can_use_staff_pages


def platform(request: HttpRequest) -> dict[str, Any]:
    return {
        "qh_demo": bool(getattr(settings, "QH_DEMO", False)),
        "qh_staff": can_use_staff_pages(getattr(request, "user", None)),
    }
