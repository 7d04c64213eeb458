"""Who may offer, withdraw and book shared facilities (one condition per line).

The unit's own staff (provider role on the unit) and community staff of the facility's community
(or above) manage an offer; residents book for themselves, community staff (or above) book for
residents; a booking is cancelled by its booker or by staff who may manage the offer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import (
    Role,
    any_covers,
    is_provider_staff,
    memberships,
    place_of_community,
)

if TYPE_CHECKING:
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.geography.models import Community
    from quarterhour.platform.sharing.models import Booking, SharedFacility


def can_offer_facility(user: Any, unit: Provider, community: Community) -> bool:
    if is_provider_staff(user, unit.pk):
        return True
    return any_covers(user, place_of_community(community), lowest=Role.COMMUNITY)


def can_manage_shared(user: Any, shared: SharedFacility) -> bool:
    return can_offer_facility(user, shared.unit, shared.community)


def can_book(user: Any, shared: SharedFacility) -> bool:
    if any(m.role == Role.RESIDENT for m in memberships(user)):
        return True
    return any_covers(user, place_of_community(shared.community), lowest=Role.COMMUNITY)


def can_cancel_booking(user: Any, booking: Booking) -> bool:
    if getattr(user, "pk", None) is not None and booking.booker_id == user.pk:
        return True
    return can_manage_shared(user, booking.slot.shared)
