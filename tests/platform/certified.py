"""Test set-up: a provider holding a certification in force (written straight to the table, as
a fixture; the certification's own tests walk the real steps)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from quarterhour.platform.certification.models import Certification, State


def certify(provider: Any, *, state: str = State.CERTIFIED) -> Certification:
    community = provider.community or provider.street.communities.order_by("pk").first()
    return Certification.objects.create(
        provider=provider,
        community=community,
        state=state,
        category="convenience",
        item_codes=["shop.barber"],
        hotline=provider.hotline or "96156",
        applied_at=timezone.now(),
        certified_at=timezone.now(),
    )
