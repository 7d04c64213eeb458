"""Who may see and change facilities: the jurisdiction they lie in, or their own organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import Role, any_covers, is_provider_staff, place_of_community

if TYPE_CHECKING:
    from quarterhour.platform.facilities.models import Facility
    from quarterhour.platform.geography.models import Community


def can_edit_facility(user: Any, community: Community, provider_id: int | None) -> bool:
    """Create or change a facility located in ``community`` (owned by ``provider_id``)."""
    if is_provider_staff(user, provider_id):
        return True
    return any_covers(user, place_of_community(community), lowest=Role.COMMUNITY)


def can_view_facility(user: Any, facility: Facility) -> bool:
    if is_provider_staff(user, facility.provider_id):
        return True
    return any_covers(user, place_of_community(facility.community), lowest=Role.COMMUNITY)
