"""Who someone is in the platform, and where: roles, memberships, jurisdiction places.

The primitives every app's permission functions are built from. Jurisdiction nests city ⊃
district ⊃ street ⊃ community; provider staff act only for their own organisation; residents
edit nothing in the register. ``is_superuser`` and ``is_staff`` grant nothing.

Memberships are read through the user's ``memberships`` relation (``accounts.Membership``), so
this module needs no import of the accounts app: the apps sit above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from quarterhour.platform.geography.models import Community, District, Street


class Role(models.TextChoices):
    CITY = "city", _("市级工作人员")
    DISTRICT = "district", _("区县工作人员")
    STREET = "street", _("街道工作人员")
    COMMUNITY = "community", _("社区工作人员")
    PROVIDER = "provider", _("服务商工作人员")
    RESIDENT = "resident", _("居民")


#: roles that work inside the platform (staff pages)
STAFF_ROLES = frozenset({Role.CITY, Role.DISTRICT, Role.STREET, Role.COMMUNITY, Role.PROVIDER})

#: depth of each jurisdiction level; an action names the lowest level allowed to take it
_DEPTH = {Role.CITY: 0, Role.DISTRICT: 1, Role.STREET: 2, Role.COMMUNITY: 3}


@dataclass(frozen=True, slots=True)
class Place:
    """Where an object sits in the hierarchy (ids; None where it does not apply)."""

    district_id: int | None
    street_id: int | None = None
    community_id: int | None = None


def memberships(user: Any) -> tuple[Any, ...]:
    """The user's memberships (``accounts.Membership`` rows), loaded once per user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ()
    if not user.is_active:
        return ()
    cached = getattr(user, "_qh_memberships", None)
    if cached is None:
        cached = tuple(user.memberships.all())
        user._qh_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    """Drop the cache (after memberships change)."""
    if hasattr(user, "_qh_memberships"):
        del user._qh_memberships


def covers(m: Any, place: Place, *, lowest: Role) -> bool:
    """Does membership ``m`` reach ``place``, for an action open down to level ``lowest``?"""
    if m.role not in _DEPTH:
        return False
    if _DEPTH[Role(m.role)] > _DEPTH[lowest]:
        return False
    if m.role == Role.CITY:
        return True
    if m.role == Role.DISTRICT:
        return bool(m.district_id == place.district_id)
    if m.role == Role.STREET:
        return bool(m.street_id == place.street_id)
    if m.role == Role.COMMUNITY:
        return bool(m.community_id == place.community_id)
    return False


def any_covers(user: Any, place: Place, *, lowest: Role) -> bool:
    """Does any of the user's memberships reach ``place`` (down to level ``lowest``)?"""
    return any(covers(m, place, lowest=lowest) for m in memberships(user))


def is_provider_staff(user: Any, provider_id: int | None) -> bool:
    """Is the user on the staff of provider ``provider_id``?"""
    if provider_id is None:
        return False
    return any(m.role == Role.PROVIDER and m.provider_id == provider_id for m in memberships(user))


def is_resident(user: Any) -> bool:
    return any(m.role == Role.RESIDENT for m in memberships(user))


def can_use_staff_pages(user: Any) -> bool:
    return any(m.role in STAFF_ROLES for m in memberships(user))


def districts_reached(user: Any) -> frozenset[int] | None:
    """The districts the user's staff memberships lie in; None for city staff (every district).
    Used to bound what a picker offers: people choose among the units of their own district."""
    found: set[int] = set()
    for m in memberships(user):
        if m.role == Role.CITY:
            return None
        if m.role == Role.DISTRICT:
            found.add(m.district_id)
        elif m.role == Role.STREET:
            found.add(m.street.district_id)
        elif m.role == Role.COMMUNITY:
            found.add(m.community.street.district_id)
        elif m.role == Role.PROVIDER:
            found.add(m.provider.street.district_id)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Administered:
    """Where someone manages accounts: everywhere (city staff), or these districts and streets.
    The units offered when granting a role (``grant_*`` pickers)."""

    everywhere: bool
    districts: frozenset[int]
    streets: frozenset[int]

    def q(self, *, district: str, street: str | None = None) -> Q:
        """Rows within reach, given the lookup paths of a model to its district and street."""
        if self.everywhere:
            return Q()
        q = Q(**{f"{district}__in": self.districts})
        if street is not None:
            q |= Q(**{f"{street}__in": self.streets})
        return q


def administered(user: Any) -> Administered:
    """The districts and streets whose accounts ``user`` manages (city staff: all)."""
    districts: set[int] = set()
    streets: set[int] = set()
    for m in memberships(user):
        if m.role == Role.CITY:
            return Administered(True, frozenset(), frozenset())
        if m.role == Role.DISTRICT:
            districts.add(m.district_id)
        elif m.role == Role.STREET:
            streets.add(m.street_id)
    return Administered(False, frozenset(districts), frozenset(streets))


# -- places of register objects ---------------------------------------------------------------


def place_of_district(district: District) -> Place:
    return Place(district.pk)


def place_of_street(street: Street) -> Place:
    return Place(street.district_id, street.pk)


def place_of_community(community: Community) -> Place:
    return Place(community.street.district_id, community.street_id, community.pk)


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
