"""Read accounts: the people an administrator manages (see :mod:`.permissions`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from quarterhour.platform.accounts.models import Membership, User
from quarterhour.platform.accounts.permissions import (
    can_administer_accounts,
    can_manage_users,
    memberships_held_q,
)

#: the longest search text taken
SEARCH_MAX_CHARS = 50


def users_administered(actor: Any, *, search: str = "") -> QuerySet[User]:
    """The accounts ``actor`` manages: city staff every account; district and street staff the
    accounts with a role in their jurisdiction and none outside it. ``search``: part of the
    name or user name."""
    if not can_administer_accounts(actor):
        return User.objects.none()
    rows = User.objects.all()
    if not can_manage_users(actor):
        held = memberships_held_q(actor)
        rows = rows.filter(pk__in=Membership.objects.filter(held).values("user_id")).exclude(
            pk__in=Membership.objects.exclude(held).values("user_id")
        )
    text = "".join(ch for ch in search[:SEARCH_MAX_CHARS] if ch.isprintable()).strip()
    if text:
        rows = rows.filter(Q(display_name__icontains=text) | Q(username__icontains=text))
    return rows.prefetch_related(
        "memberships__district",
        "memberships__street",
        "memberships__community",
        "memberships__provider",
    ).order_by("display_name", "username", "pk")


def manages(actor: Any, user: User) -> bool:
    """Does ``actor`` manage ``user``'s account (may open and close it, see its roles)?"""
    if can_manage_users(actor):
        return True
    return users_administered(actor).filter(pk=user.pk).exists()
