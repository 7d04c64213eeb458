"""Who may run assessments, at which level."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import (
    Place,
    Role,
    any_covers,
    place_of_district,
    place_of_street,
)

if TYPE_CHECKING:
    from quarterhour.platform.geography.models import District, Street


def can_run_assessment(
    user: Any, *, district: District | None = None, street: Street | None = None
) -> bool:
    if street is not None:
        return any_covers(user, place_of_street(street), lowest=Role.STREET)
    if district is not None:
        return any_covers(user, place_of_district(district), lowest=Role.DISTRICT)
    return any_covers(user, Place(None), lowest=Role.CITY)


def can_plan_circle(user: Any, circle: Any) -> bool:
    """What-if scenarios of a circle: staff of its street, district or the city."""
    return any_covers(user, place_of_street(circle.street), lowest=Role.STREET)


def can_plan_district(user: Any, district: District) -> bool:
    """The district-wide what-if: staff of the district or the city."""
    return any_covers(user, place_of_district(district), lowest=Role.DISTRICT)
