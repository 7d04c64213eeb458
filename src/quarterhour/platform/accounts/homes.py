"""Where each person's home is: staff (community, street, district, city, provider) work from the
workbench (工作台, ``web:home``); residents, and anyone without a staff role, from 我的
(``accounts:mine``). Login lands there; error pages lead back there."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from quarterhour.platform.core.access import can_use_staff_pages


def home_url(user: Any) -> str:
    if can_use_staff_pages(user):
        return reverse("web:home")
    return reverse("accounts:mine")
