"""Who may do what, where: every permission decision of the platform, in a few functions.

Each ``can_*`` function answers for one kind of action; the conditions are one per line so the
tests can cover every branch (tests/platform/test_permissions.py holds the full matrix).
Jurisdiction nests city ⊃ district ⊃ street ⊃ community; provider staff act only for their own
organisation; residents edit nothing here. ``is_superuser`` and ``is_staff`` grant nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from quarterhour.platform.accounts.models import STAFF_ROLES, Membership, Role

if TYPE_CHECKING:
    from quarterhour.platform.catalogue.models import Provider, Service
    from quarterhour.platform.facilities.models import Facility
    from quarterhour.platform.geography.models import Circle, Community, District, Street

#: depth of each jurisdiction level; an action names the lowest level allowed to take it
_DEPTH = {Role.CITY: 0, Role.DISTRICT: 1, Role.STREET: 2, Role.COMMUNITY: 3}


@dataclass(frozen=True, slots=True)
class Place:
    """Where an object sits in the hierarchy (ids; None where it does not apply)."""

    district_id: int | None
    street_id: int | None = None
    community_id: int | None = None


def memberships(user: Any) -> tuple[Membership, ...]:
    """The user's memberships, loaded once per user object (cached on it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    if not user.is_active:
        return ()
    cached = getattr(user, "_qh_memberships", None)
    if cached is None:
        cached = tuple(Membership.objects.filter(user=user))
        user._qh_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    """Drop the cache (after memberships change)."""
    if hasattr(user, "_qh_memberships"):
        del user._qh_memberships


def _covers(m: Membership, place: Place, *, lowest: Role) -> bool:
    """Does membership ``m`` reach ``place``, for an action open down to level ``lowest``?"""
    if m.role not in _DEPTH:
        return False
    if _DEPTH[Role(m.role)] > _DEPTH[lowest]:
        return False
    if m.role == Role.CITY:
        return True
    if m.role == Role.DISTRICT:
        return m.district_id == place.district_id
    if m.role == Role.STREET:
        return m.street_id == place.street_id
    if m.role == Role.COMMUNITY:
        return m.community_id == place.community_id
    return False


def _any_covers(user: Any, place: Place, *, lowest: Role) -> bool:
    return any(_covers(m, place, lowest=lowest) for m in memberships(user))


def _is_provider_staff(user: Any, provider_id: int | None) -> bool:
    if provider_id is None:
        return False
    return any(m.role == Role.PROVIDER and m.provider_id == provider_id for m in memberships(user))


# -- places of register objects ---------------------------------------------------------------


def place_of_district(district: District) -> Place:
    return Place(district.pk)


def place_of_street(street: Street) -> Place:
    return Place(street.district_id, street.pk)


def place_of_community(community: Community) -> Place:
    return Place(community.street.district_id, community.street_id, community.pk)


# -- the permission functions -------------------------------------------------------------------


def can_use_staff_pages(user: Any) -> bool:
    return any(m.role in STAFF_ROLES for m in memberships(user))


def can_manage_users(user: Any) -> bool:
    return _any_covers(user, Place(None), lowest=Role.CITY)


def can_edit_district(user: Any, district: District) -> bool:
    return _any_covers(user, place_of_district(district), lowest=Role.DISTRICT)


def can_create_district(user: Any) -> bool:
    return _any_covers(user, Place(None), lowest=Role.CITY)


def can_create_street(user: Any, district: District) -> bool:
    return _any_covers(user, place_of_district(district), lowest=Role.DISTRICT)


def can_edit_street(user: Any, street: Street) -> bool:
    return _any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_create_community(user: Any, street: Street) -> bool:
    return _any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_edit_community(user: Any, community: Community) -> bool:
    return _any_covers(user, place_of_community(community), lowest=Role.COMMUNITY)


def can_edit_circle(user: Any, street: Street, communities: Iterable[Community]) -> bool:
    """Create or change a circle led by ``street`` whose members are ``communities``."""
    if not _any_covers(user, place_of_street(street), lowest=Role.STREET):
        return False
    return all(_any_covers(user, place_of_community(c), lowest=Role.STREET) for c in communities)


def can_edit_facility(user: Any, community: Community, provider_id: int | None) -> bool:
    """Create or change a facility located in ``community`` (owned by ``provider_id``)."""
    if _is_provider_staff(user, provider_id):
        return True
    return _any_covers(user, place_of_community(community), lowest=Role.COMMUNITY)


def can_edit_provider(user: Any, street: Street, provider_id: int | None = None) -> bool:
    """Create (``provider_id`` None) or change a provider registered with ``street``."""
    if _is_provider_staff(user, provider_id):
        return True
    return _any_covers(user, place_of_street(street), lowest=Role.STREET)


def can_edit_service(user: Any, provider: Provider) -> bool:
    return can_edit_provider(user, provider.street, provider.pk)


def can_run_assessment(
    user: Any, *, district: District | None = None, street: Street | None = None
) -> bool:
    if street is not None:
        return _any_covers(user, place_of_street(street), lowest=Role.STREET)
    if district is not None:
        return _any_covers(user, place_of_district(district), lowest=Role.DISTRICT)
    return _any_covers(user, Place(None), lowest=Role.CITY)


def can_view_facility(user: Any, facility: Facility) -> bool:
    if _is_provider_staff(user, facility.provider_id):
        return True
    return _any_covers(user, place_of_community(facility.community), lowest=Role.COMMUNITY)


def can_view_circle(user: Any, circle: Circle) -> bool:
    if _any_covers(user, place_of_street(circle.street), lowest=Role.STREET):
        return True
    members = [m.community for m in circle.memberships.all()]
    return any(_any_covers(user, place_of_community(c), lowest=Role.COMMUNITY) for c in members)


def can_view_service(user: Any, service: Service) -> bool:
    return can_edit_service(user, service.provider)


# -- scoping of querysets ------------------------------------------------------------------------


def scope_q(
    user: Any,
    *,
    district: str | None,
    street: str | None,
    community: str | None,
    provider: str | None = None,
) -> Q:
    """A filter selecting the rows ``user`` may see, given the lookup paths of a model to its
    district / street / community / provider ids (None where the model has no such link)."""
    nothing = Q(pk__in=[])
    q = nothing
    for m in memberships(user):
        if m.role == Role.CITY:
            return Q()
        if m.role == Role.DISTRICT and district:
            q |= Q(**{district: m.district_id})
        if m.role == Role.STREET and street:
            q |= Q(**{street: m.street_id})
        if m.role == Role.COMMUNITY and community:
            q |= Q(**{community: m.community_id})
        if m.role == Role.PROVIDER and provider:
            q |= Q(**{provider: m.provider_id})
    return q
