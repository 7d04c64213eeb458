"""Reads of providers and services, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from quarterhour.platform.catalogue.models import Provider, Service
from quarterhour.platform.core.access import scope_q


def providers_visible(user: Any) -> QuerySet[Provider]:
    return Provider.objects.filter(
        scope_q(
            user,
            district="street__district_id",
            street="street_id",
            community=None,
            provider="pk",
        )
    )


def services_visible(user: Any) -> QuerySet[Service]:
    return Service.objects.filter(
        scope_q(
            user,
            district="provider__street__district_id",
            street="provider__street_id",
            community=None,
            provider="provider_id",
        )
    )
