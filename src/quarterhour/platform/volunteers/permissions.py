"""Who may register, approve, post, match and confirm (one condition per line).

Anyone with an account registers as a volunteer; the community (or above) approves volunteers of
its community and matches needs there; residents post needs for themselves, community staff for
anyone in their community; the volunteer records hours, the recipient confirms them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import Role, any_covers, memberships, place_of_community

if TYPE_CHECKING:
    from quarterhour.platform.geography.models import Community
    from quarterhour.platform.volunteers.models import Need, ServiceRecord, Volunteer


def can_register_volunteer(user: Any) -> bool:
    return bool(memberships(user))


def can_approve_volunteer(user: Any, volunteer: Volunteer) -> bool:
    return any_covers(user, place_of_community(volunteer.community), lowest=Role.COMMUNITY)


def can_post_need(user: Any, community: Community, recipient: Any) -> bool:
    if any_covers(user, place_of_community(community), lowest=Role.COMMUNITY):
        return True
    if getattr(recipient, "pk", None) != getattr(user, "pk", None):
        return False
    return any(m.role == Role.RESIDENT for m in memberships(user))


def can_match_need(user: Any, need: Need) -> bool:
    return any_covers(user, place_of_community(need.community), lowest=Role.COMMUNITY)


def can_record_hours(user: Any, need: Need) -> bool:
    if need.volunteer is not None and need.volunteer.user_id == getattr(user, "pk", None):
        return True
    return any_covers(user, place_of_community(need.community), lowest=Role.COMMUNITY)


def can_confirm_hours(user: Any, record: ServiceRecord) -> bool:
    return record.need.recipient_id == getattr(user, "pk", None)


def can_take_need(user: Any, need: Need, volunteer: Volunteer) -> bool:
    """A volunteer offers to help (我来帮忙) with a need: their own approved registration, in the
    need's street (the area the community matches volunteers from)."""
    if volunteer.user_id != getattr(user, "pk", None):
        return False
    if volunteer.status != volunteer.Status.APPROVED:
        return False
    return bool(volunteer.community.street_id == need.community.street_id)
