"""Who may record funds and contracts, and read roll-ups (one condition per line).

The street records its own funds and contracts (or above); roll-ups are read by the district
(its streets) and the city."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import Role, any_covers, place_of_district, place_of_street

if TYPE_CHECKING:
    from quarterhour.platform.geography.models import District, Street


def can_record_funds(user: Any, street: Street) -> bool:
    return any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_view_rollup(user: Any, district: District) -> bool:
    return any_covers(user, place_of_district(district), lowest=Role.DISTRICT)
