"""Who may change the register (districts, streets, communities, circles, facilities,
providers, services, users, assessments): one ``can_*`` function per kind of action.

The conditions are one per line so the tests can cover every branch
(tests/platform/test_permissions.py holds the full matrix). The primitives (roles, places,
memberships) are in :mod:`quarterhour.platform.core.access`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import (
    Place,
    Role,
    any_covers,
    can_use_staff_pages,
    is_provider_staff,
    place_of_community,
    place_of_district,
    place_of_street,
)

if TYPE_CHECKING:
    from quarterhour.platform.catalogue.models import Provider, Service
    from quarterhour.platform.facilities.models import Facility
    from quarterhour.platform.geography.models import Circle, Community, District, Street

__all__ = ["can_use_staff_pages"]


# -- the permission functions -------------------------------------------------------------------


def can_manage_users(user: Any) -> bool:
    return any_covers(user, Place(None), lowest=Role.CITY)


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


def can_edit_facility(user: Any, community: Community, provider_id: int | None) -> bool:
    """Create or change a facility located in ``community`` (owned by ``provider_id``)."""
    if is_provider_staff(user, provider_id):
        return True
    return any_covers(user, place_of_community(community), lowest=Role.COMMUNITY)


def can_edit_provider(user: Any, street: Street, provider_id: int | None = None) -> bool:
    """Create (``provider_id`` None) or change a provider registered with ``street``."""
    if is_provider_staff(user, provider_id):
        return True
    return any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_edit_service(user: Any, provider: Provider) -> bool:
    return can_edit_provider(user, provider.street, provider.pk)


def can_run_assessment(
    user: Any, *, district: District | None = None, street: Street | None = None
) -> bool:
    if street is not None:
        return any_covers(user, place_of_street(street), lowest=Role.STREET)
    if district is not None:
        return any_covers(user, place_of_district(district), lowest=Role.DISTRICT)
    return any_covers(user, Place(None), lowest=Role.CITY)


def can_view_facility(user: Any, facility: Facility) -> bool:
    if is_provider_staff(user, facility.provider_id):
        return True
    return any_covers(user, place_of_community(facility.community), lowest=Role.COMMUNITY)


def can_view_circle(user: Any, circle: Circle) -> bool:
    if any_covers(user, place_of_street(circle.street), lowest=Role.STREET):
        return True
    members = [m.community for m in circle.memberships.all()]
    return any(any_covers(user, place_of_community(c), lowest=Role.COMMUNITY) for c in members)


def can_view_service(user: Any, service: Service) -> bool:
    return can_edit_service(user, service.provider)
