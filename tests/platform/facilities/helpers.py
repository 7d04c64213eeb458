"""Test helper: everything a facility import may touch, to compare before and after."""

from __future__ import annotations

from typing import Any

from quarterhour.platform.facilities.models import Facility, FacilityItem


def snapshot() -> list[tuple[Any, ...]]:
    """Everything an import may touch: facilities, their items and their history."""
    return [
        *Facility.objects.order_by("pk").values_list(
            "pk", "key", "name", "lon", "lat", "community"
        ),
        *FacilityItem.objects.order_by("pk").values_list("pk", "facility_id", "item_code"),
        ("history", Facility.history.count(), FacilityItem.history.count()),
    ]
