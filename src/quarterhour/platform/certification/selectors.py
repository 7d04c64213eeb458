"""Reads of certifications: scoped lists, a provider's history, what is certified, open notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.certification.models import (
    Certification,
    CertificationEvent,
    State,
)
from quarterhour.platform.core.access import scope_q


def certifications_visible(user: Any) -> QuerySet[Certification]:
    return Certification.objects.filter(
        scope_q(
            user,
            district="provider__street__district_id",
            street="provider__street_id",
            community="community_id",
            provider="provider_id",
        )
    ).select_related("provider__street", "community")


def provider_history(provider: Provider) -> QuerySet[CertificationEvent]:
    """Every certification event of a provider, newest first (the provider's history page)."""
    return CertificationEvent.objects.filter(provider=provider).select_related(
        "actor", "certification"
    )


def is_certified(provider: Provider) -> bool:
    return Certification.objects.filter(provider=provider, state=State.CERTIFIED).exists()


def certified_providers() -> QuerySet[Provider]:
    """Providers holding a certification in force (public: the catalogue's certified list)."""
    return Provider.objects.filter(certifications__state=State.CERTIFIED).distinct()


def current_certification(provider: Provider) -> Certification | None:
    return (
        Certification.objects.filter(provider=provider, state=State.CERTIFIED)
        .order_by("-certified_at")
        .first()
    )


def open_notices(*, now: dt.datetime | None = None) -> QuerySet[Certification]:
    """Public notices residents can still object to (public page)."""
    at = now or timezone.now()
    return (
        Certification.objects.filter(Q(state=State.PUBLIC_NOTICE) & Q(notice_end__gt=at))
        .select_related("provider", "community")
        .order_by("notice_end")
    )
