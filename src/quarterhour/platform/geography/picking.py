"""Pickable geography: communities and streets (anyone may pick them), circles (staff)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.picking import Kind, register
from quarterhour.platform.geography.models import Circle, Community, Street
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
