"""Pickable geography: communities and streets (anyone may pick them), circles (staff); and, on
the accounts page, the districts, streets and communities a role may be granted in (those whose
accounts the picker manages)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.access import administered
from quarterhour.platform.core.picking import Kind, register
from quarterhour.platform.geography.models import Circle, Community, District, Street
from quarterhour.platform.geography.selectors import circles_visible


def _named(rows: QuerySet[Any], q: str) -> QuerySet[Any]:
    return rows.filter(Q(name__icontains=q) | Q(code__startswith=q))


def _exact(rows: QuerySet[Any], text: str) -> QuerySet[Any]:
    return rows.filter(Q(name=text) | Q(code=text))


register(
    Kind(
        name="community",
        title=_("社区"),
        rows=lambda user: Community.objects.select_related("street").order_by(
            "street__code", "code"
        ),
        match=_named,
        exact=_exact,
        show=lambda c: (f"{c.name}（{c.street.name}）", c.code),
        public=True,
    )
)

register(
    Kind(
        name="street",
        title=_("街道"),
        rows=lambda user: Street.objects.select_related("district").order_by("code"),
        match=_named,
        exact=_exact,
        show=lambda s: (f"{s.name}（{s.district.name}）", s.code),
        public=True,
    )
)


def _circles(user: Any) -> QuerySet[Circle]:
    return circles_visible(user).select_related("street").order_by("code")


register(
    Kind(
        name="circle",
        title=_("服务圈"),
        rows=_circles,
        match=_named,
        exact=_exact,
        show=lambda c: (f"{c.name}（{c.street.name}）", c.code),
    )
)


def _show_street(s: Street) -> tuple[str, str]:
    return (f"{s.name}（{s.district.name}）", s.code)


def _show_community(c: Community) -> tuple[str, str]:
    return (f"{c.name}（{c.street.name}）", c.code)


register(
    Kind(
        name="grant_district",
        title=_("区县"),
        rows=lambda user: District.objects.filter(administered(user).q(district="pk")).order_by(
            "code"
        ),
        match=_named,
        exact=_exact,
        show=lambda d: (d.name, d.code),
    )
)

register(
    Kind(
        name="grant_street",
        title=_("街道"),
        rows=lambda user: (
            Street.objects.filter(administered(user).q(district="district_id", street="pk"))
            .select_related("district")
            .order_by("code")
        ),
        match=_named,
        exact=_exact,
        show=_show_street,
    )
)

register(
    Kind(
        name="grant_community",
        title=_("社区"),
        rows=lambda user: (
            Community.objects.filter(
                administered(user).q(district="street__district_id", street="street_id")
            )
            .select_related("street")
            .order_by("street__code", "code")
        ),
        match=_named,
        exact=_exact,
        show=_show_community,
    )
)
