"""Pickable people: staff of the picker's own district(s) (city staff: everyone), shown by name and
role — never by phone or e-mail. Residents are not offered. And, for the accounts page, the
units a role may be granted in: those the picker administers (city staff: all)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts.models import User
from quarterhour.platform.core.access import STAFF_ROLES, districts_reached
from quarterhour.platform.core.picking import Kind, register


def _staff(user: Any) -> QuerySet[User]:
    rows = User.objects.filter(is_active=True, memberships__role__in=list(STAFF_ROLES))
    reached = districts_reached(user)
    if reached is not None:
        rows = rows.filter(
            Q(memberships__district_id__in=reached)
            | Q(memberships__street__district_id__in=reached)
            | Q(memberships__community__street__district_id__in=reached)
            | Q(memberships__provider__street__district_id__in=reached)
        )
    return rows.distinct().prefetch_related("memberships").order_by("display_name", "username")


def _show(u: User) -> tuple[str, str]:
    roles = "；".join(str(m) for m in u.memberships.all())
    return (f"{u.display_name or u.username}（{u.username}）", roles)


def _match(rows: QuerySet[Any], q: str) -> QuerySet[Any]:
    return rows.filter(Q(display_name__icontains=q) | Q(username__icontains=q))


register(
    Kind(
        name="staff",
        title=_("工作人员"),
        rows=_staff,
        match=_match,
        exact=lambda rows, text: rows.filter(Q(username=text) | Q(display_name=text)),
        show=_show,
    )
)


#: picker kind of each unit on the accounts page (registered by the unit's own app:
#: ``geography/picking.py``, ``requests/picking.py``, ``catalogue/picking.py``), offering the
#: units the picker administers (``core.access.administered``)
UNIT_KINDS = {
    "district": "grant_district",
    "street": "grant_street",
    "community": "grant_community",
    "provider": "grant_provider",
}
