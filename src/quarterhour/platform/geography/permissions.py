"""Who may change the register of districts, streets, communities and circles (one ``can_*`` per
action; tests/platform/core/test_permissions.py holds the matrix)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import (
    Place,
    Role,
    any_covers,
    place_of_community,
    place_of_district,
    place_of_street,
)

if TYPE_CHECKING:
    from quarterhour.platform.geography.models import Circle, Community, District, Street


def can_edit_district(user: Any, district: District) -> bool:
    return any_covers(user, place_of_district(district), lowest=Role.DISTRICT)


def can_create_district(user: Any) -> bool:
    return any_covers(user, Place(None), lowest=Role.CITY)


def can_create_street(user: Any, district: District) -> bool:
    return any_covers(user, place_of_district(district), lowest=Role.DISTRICT)


def can_edit_street(user: Any, street: Street) -> bool:
    return any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_create_community(user: Any, street: Street) -> bool:
    return any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_edit_community(user: Any, community: Community) -> bool:
    return any_covers(user, place_of_community(community), lowest=Role.COMMUNITY)


def can_edit_circle(user: Any, street: Street, communities: Iterable[Community]) -> bool:
    """Create or change a circle led by ``street`` whose members are ``communities``."""
    if not any_covers(user, place_of_street(street), lowest=Role.STREET):
        return False
    return all(any_covers(user, place_of_community(c), lowest=Role.STREET) for c in communities)


def can_view_circle(user: Any, circle: Circle) -> bool:
    if any_covers(user, place_of_street(circle.street), lowest=Role.STREET):
        return True
    members = [m.community for m in circle.memberships.all()]
    return any(any_covers(user, place_of_community(c), lowest=Role.COMMUNITY) for c in members)
