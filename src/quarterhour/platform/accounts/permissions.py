"""Who may manage users and memberships."""

from __future__ import annotations

from typing import Any

from quarterhour.platform.core.access import Place, Role, any_covers


def can_manage_users(user: Any) -> bool:
    return any_covers(user, Place(None), lowest=Role.CITY)
