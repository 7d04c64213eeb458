"""Pickable for funding: a service-purchase contract of the streets whose funds the picker records
(the fund form links a purchase to its contract by choosing it, not by typing its number)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.picking import Kind, register
from quarterhour.platform.funding.models import Contract
from quarterhour.platform.funding.selectors import contracts_recordable


def _show(c: Contract) -> tuple[str, str]:
    return (
        f"{c.number}（{c.title}）",
        f"{c.street.name} · {c.provider.name} · {c.amount} · {c.starts_on}–{c.ends_on}",
    )


register(
    Kind(
        name="contract",
        title=_("购买服务合同"),
        rows=contracts_recordable,
        match=lambda rows, q: rows.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(provider__search_text__contains=q)
        ),
        exact=lambda rows, text: rows.filter(number=text),
        show=_show,
    )
)
