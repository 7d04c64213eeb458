"""Who may do what with a request. One condition per line, like accounts/permissions.py.

* act (accept, transfer, close, reject): the owner person, or a member of the owning unit
  (community / street / district / city staff of exactly that unit, or the owning provider's
  staff). Higher levels do not act on a lower unit's request — escalation hands it up.
* view: the submitter, the owners, and staff whose jurisdiction contains the request's place.
* see contact details (name, phone, e-mail): the submitter and those who may act.
* rate / reopen: the submitter only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from quarterhour.platform.accounts.models import Membership, Role
from quarterhour.platform.core.access import Place, can_use_staff_pages, memberships
from quarterhour.platform.requests.models import Follower, Level, ServiceRequest


def _member_of_owner(m: Membership, req: ServiceRequest) -> bool:
    if req.owner_level == Level.COMMUNITY:
        return m.role == Role.COMMUNITY and m.community_id == req.owner_community_id
    if req.owner_level == Level.STREET:
        return m.role == Role.STREET and m.street_id == req.owner_street_id
    if req.owner_level == Level.DISTRICT:
        return m.role == Role.DISTRICT and m.district_id == req.owner_district_id
    if req.owner_level == Level.CITY:
        return m.role == Role.CITY
    if req.owner_level == Level.PROVIDER:
        return m.role == Role.PROVIDER and m.provider_id == req.owner_provider_id
    return False


def can_act(user: Any, req: ServiceRequest) -> bool:
    if req.owner_user_id is not None and req.owner_user_id == getattr(user, "pk", None):
        return bool(memberships(user))
    return any(_member_of_owner(m, req) for m in memberships(user))


def _covers_place(m: Membership, place: Place) -> bool:
    if m.role == Role.CITY:
        return True
    if m.role == Role.DISTRICT:
        return m.district_id == place.district_id
    if m.role == Role.STREET:
        return m.street_id == place.street_id
    if m.role == Role.COMMUNITY:
        return m.community_id == place.community_id
    return False


def is_submitter(user: Any, req: ServiceRequest) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and req.submitter_id == uid and bool(user.is_active)


def is_follower(user: Any, req: ServiceRequest) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and req.followers.filter(user_id=uid).exists()


def can_view(user: Any, req: ServiceRequest) -> bool:
    if is_submitter(user, req):
        return True
    if is_follower(user, req):
        return True
    if can_act(user, req):
        return True
    place = Place(req.district_id, req.street_id, req.community_id)
    return any(_covers_place(m, place) for m in memberships(user))


def can_read_content(user: Any, req: ServiceRequest) -> bool:
    """The description: the submitter, the owners and the staff of the place (not those who
    only joined the request: it may speak of the submitter's home)."""
    if is_submitter(user, req) or can_act(user, req):
        return True
    place = Place(req.district_id, req.street_id, req.community_id)
    return any(_covers_place(m, place) for m in memberships(user))


def can_see_contact(user: Any, req: ServiceRequest) -> bool:
    if is_submitter(user, req):
        return True
    return can_act(user, req)


def can_enter_call(user: Any) -> bool:
    """Staff enter hotline calls and walk-in visits (they become the first responder)."""
    return can_use_staff_pages(user)


def can_submit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_rate(user: Any, req: ServiceRequest) -> bool:
    return is_submitter(user, req)


def can_reopen(user: Any, req: ServiceRequest) -> bool:
    if is_submitter(user, req):
        return True
    return can_act(user, req)


def scope_requests(user: Any) -> Q:
    """Rows ``user`` may see (list pages)."""
    uid = getattr(user, "pk", None)
    q = Q(pk__in=[])
    if uid is None:
        return q
    q |= (
        Q(submitter_id=uid)
        | Q(owner_user_id=uid)
        | Q(pk__in=Follower.objects.filter(user_id=uid).values("request_id"))
    )
    for m in memberships(user):
        if m.role == Role.CITY:
            return Q()
        if m.role == Role.DISTRICT:
            q |= Q(district_id=m.district_id) | Q(owner_district_id=m.district_id)
        if m.role == Role.STREET:
            q |= Q(street_id=m.street_id) | Q(owner_street_id=m.street_id)
        if m.role == Role.COMMUNITY:
            q |= Q(community_id=m.community_id) | Q(owner_community_id=m.community_id)
        if m.role == Role.PROVIDER:
            q |= Q(owner_provider_id=m.provider_id)
    return q
