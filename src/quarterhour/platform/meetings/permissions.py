"""Who may convene and minute a joint meeting, and close an action (one condition per line).

The street leading the circle (or above) convenes and records; an action's owner marks it done,
as may the street."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import (
    Role,
    any_covers,
    can_use_staff_pages,
    districts_reached,
    place_of_street,
)

if TYPE_CHECKING:
    from quarterhour.platform.geography.models import Circle
    from quarterhour.platform.meetings.models import Action, Meeting


def can_convene_meeting(user: Any, circle: Circle) -> bool:
    return any_covers(user, place_of_street(circle.street), lowest=Role.STREET)


def can_record_meeting(user: Any, meeting: Meeting) -> bool:
    return can_convene_meeting(user, meeting.circle)


def can_close_action(user: Any, action: Action) -> bool:
    if action.owner_id == getattr(user, "pk", None):
        return True
    return can_record_meeting(user, action.meeting)


def can_own_action(owner: Any, meeting: Meeting) -> bool:
    """An action's owner is staff working in the meeting's district (or the city)."""
    if not can_use_staff_pages(owner):
        return False
    reached = districts_reached(owner)
    return reached is None or meeting.circle.street.district_id in reached
