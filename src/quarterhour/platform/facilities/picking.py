"""Pickable facilities: those the picker may see (its jurisdiction, or its own organisation's)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.access import scope_q
from quarterhour.platform.core.picking import Kind, register
from quarterhour.platform.core.standard import item_label
from quarterhour.platform.facilities.models import Facility


def _facilities(user: Any) -> QuerySet[Facility]:
    q = scope_q(
        user,
        district="community__street__district_id",
        street="community__street_id",
        community="community_id",
        provider="provider_id",
    )
    return (
        Facility.objects.filter(q)
        .select_related("community")
        .prefetch_related("items")
        .order_by("name", "pk")
    )


def _show(f: Facility) -> tuple[str, str]:
    items = "、".join(item_label(i.item_code) for i in f.items.all())
    name = f.name or items or str(_("未命名设施"))
    return (f"{name}（{f.community.name}）", items)


register(
    Kind(
        name="facility",
        title=_("设施"),
        rows=_facilities,
        match=lambda rows, q: rows.filter(search_text__contains=q),
        exact=lambda rows, text: rows.filter(Q(name=text) | Q(key=text)),
        show=_show,
    )
)
