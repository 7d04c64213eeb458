"""Who may manage users and memberships.

City staff manage every account. District and street staff manage the accounts of their own
jurisdiction: they grant and remove roles inside it, at their own level or below (a district
officer: district, street, community and provider roles of its district; a street officer:
street, community and provider roles of its street), and open or close the accounts whose every
role lies there. Nobody grants a role above their own level; community and provider staff and
residents manage no accounts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from quarterhour.platform.core.access import Place, Role, any_covers, covers, memberships

#: the roles that administer accounts (within their jurisdiction)
ADMIN_ROLES = frozenset({Role.CITY, Role.DISTRICT, Role.STREET})

#: the level of each role; a role may be granted by an administrator of that level or above
LEVEL = {
    Role.CITY: 0,
    Role.RESIDENT: 0,  # a resident has no place: only city staff give or take it
    Role.DISTRICT: 1,
    Role.STREET: 2,
    Role.COMMUNITY: 3,
    Role.PROVIDER: 3,
}


def can_manage_users(user: Any) -> bool:
    """City staff: every account (and the admin pages for users)."""
    return any_covers(user, Place(None), lowest=Role.CITY)


def can_administer_accounts(user: Any) -> bool:
    """May the user open the accounts page at all (city, district or street staff)?"""
    return any(m.role in ADMIN_ROLES for m in memberships(user))


def place_of_membership(m: Any) -> Place:
    """Where a (possibly unsaved) membership sits in the hierarchy."""
    if m.role == Role.DISTRICT:
        return Place(m.district_id)
    if m.role == Role.STREET:
        return Place(m.street.district_id, m.street_id)
    if m.role == Role.COMMUNITY:
        return Place(m.community.street.district_id, m.community.street_id, m.community_id)
    if m.role == Role.PROVIDER:
        return Place(m.provider.street.district_id, m.provider.street_id)
    return Place(None)


def may_hold(actor: Any, membership: Any) -> bool:
    """May ``actor`` grant (or remove) ``membership``: a role at its level or below, inside its
    jurisdiction?"""
    level = LEVEL.get(membership.role)
    if level is None:
        return False
    place = place_of_membership(membership)
    return any(
        m.role in ADMIN_ROLES
        and LEVEL[Role(m.role)] <= level
        and covers(m, place, lowest=Role.STREET)
        for m in memberships(actor)
    )


def memberships_held_q(actor: Any) -> Q:
    """The memberships ``actor`` may grant or remove, as a filter on ``Membership`` (the same
    rule as :func:`may_hold`, for lists)."""
    nothing = Q(pk__in=[])
    q = nothing
    for m in memberships(actor):
        if m.role == Role.CITY:
            return Q()
        if m.role == Role.DISTRICT:
            q |= (
                Q(role=Role.DISTRICT, district_id=m.district_id)
                | Q(role=Role.STREET, street__district_id=m.district_id)
                | Q(role=Role.COMMUNITY, community__street__district_id=m.district_id)
                | Q(role=Role.PROVIDER, provider__street__district_id=m.district_id)
            )
        elif m.role == Role.STREET:
            q |= (
                Q(role=Role.STREET, street_id=m.street_id)
                | Q(role=Role.COMMUNITY, community__street_id=m.street_id)
                | Q(role=Role.PROVIDER, provider__street_id=m.street_id)
            )
    return q
