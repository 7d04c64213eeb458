"""Pickable for requests: an address (a known place with a street address: a facility of the
register), so a resident or the hotline finds the place of a request by searching its address."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.picking import Kind, register
from quarterhour.platform.core.searchtext import fold
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import District


def _addresses(user: Any) -> QuerySet[Facility]:
    return (
        Facility.objects.filter(is_active=True)
        .exclude(address="")
        .select_related("community")
        .order_by("address", "pk")
    )


register(
    Kind(
        name="address",
        title=_("地址"),
        rows=_addresses,
        match=lambda rows, q: rows.filter(search_text__contains=fold(q)),
        exact=lambda rows, text: rows.filter(Q(address=text) | Q(name=text)),
        show=lambda f: (f"{f.address}（{f.name}）", f.community.name if f.community else ""),
    )
)


register(
    Kind(
        name="district",
        title=_("区县"),
        rows=lambda user: District.objects.order_by("code"),
        match=lambda rows, q: rows.filter(Q(name__icontains=q) | Q(code__startswith=q)),
        exact=lambda rows, text: rows.filter(Q(name=text) | Q(code=text)),
        show=lambda d: (d.name, d.code),
    )
)
