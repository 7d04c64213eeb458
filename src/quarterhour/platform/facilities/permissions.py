"""Who may see and change facilities: the jurisdiction they lie in, or their own organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import Role, any_covers, is_provider_staff, place_of_community

if TYPE_CHECKING:
    from quarterhour.platform.geography.models import Community


def can_edit_facility(user: Any, community: Community, provider_id: int | None) -> bool:
    """Create or change a facility located in ``community`` (owned by ``provider_id``)."""
    if is_provider_staff(user, provider_id):
        return True
    return any_covers(user, place_of_community(community), lowest=Role.COMMUNITY)
