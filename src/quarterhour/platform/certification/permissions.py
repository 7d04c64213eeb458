"""Who may move a certification, where (one condition per line; the full matrix is tested in
tests/platform/certification/test_certification_permissions.py).

Applications come from the provider's own staff or the street; the meeting is recorded by the
community where it was held (or above); the agreement, notice, certification and sanctions
belong to the street (or above); objections come from residents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quarterhour.platform.core.access import (
    Role,
    any_covers,
    is_provider_staff,
    memberships,
    place_of_community,
    place_of_street,
)

if TYPE_CHECKING:
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.certification.models import Certification


def is_resident(user: Any) -> bool:
    return any(m.role == Role.RESIDENT for m in memberships(user))


def can_apply_certification(user: Any, provider: Provider) -> bool:
    if is_provider_staff(user, provider.pk):
        return True
    return any_covers(user, place_of_street(provider.street), lowest=Role.STREET)


def can_withdraw_certification(user: Any, cert: Certification) -> bool:
    return can_apply_certification(user, cert.provider)


def can_record_meeting(user: Any, cert: Certification) -> bool:
    return any_covers(user, place_of_community(cert.community), lowest=Role.COMMUNITY)


def can_decide_certification(user: Any, cert: Certification) -> bool:
    """Sign the agreement, open the notice, certify, resolve objections, renew, sanction."""
    return any_covers(user, place_of_street(cert.provider.street), lowest=Role.STREET)


def can_object_certification(user: Any, cert: Certification) -> bool:
    return is_resident(user)


def can_view_certification(user: Any, cert: Certification) -> bool:
    if is_provider_staff(user, cert.provider_id):
        return True
    if any_covers(user, place_of_street(cert.provider.street), lowest=Role.STREET):
        return True
    return any_covers(user, place_of_community(cert.community), lowest=Role.COMMUNITY)
