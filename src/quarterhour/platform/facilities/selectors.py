"""Reads of the facility register, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from quarterhour.platform.core.access import scope_q
from quarterhour.platform.facilities.models import Facility, FacilityItem


def facilities_visible(user: Any) -> QuerySet[Facility]:
    return Facility.objects.filter(
        scope_q(
            user,
            district="community__street__district_id",
            street="community__street_id",
            community="community_id",
            provider="provider_id",
        )
    )


def with_items(qs: QuerySet[Facility]) -> QuerySet[Facility]:
    return qs.prefetch_related(
        Prefetch("items", queryset=FacilityItem.objects.order_by("item_code"))
    )


def facilities_near_communities(community_ids: list[int]) -> QuerySet[Facility]:
    """Active facilities in these communities, items prefetched (for the circle map)."""
    return with_items(
        Facility.objects.filter(community_id__in=community_ids, is_active=True).order_by("pk")
    )
