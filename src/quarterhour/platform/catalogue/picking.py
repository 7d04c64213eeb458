"""Pickable organisations: providers, and the resident units among them, of the picker's own
district(s) (city staff: all); and, on the accounts page, the providers a provider-staff role
may be granted in (those of the districts and streets whose accounts the picker manages)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core.access import administered, districts_reached
from quarterhour.platform.core.picking import Kind, register


def _providers(user: Any, *, units_only: bool = False) -> QuerySet[Provider]:
    rows = Provider.objects.select_related("street").order_by("name", "pk")
    if units_only:
        rows = rows.filter(kind=Provider.Kind.RESIDENT_UNIT)
    reached = districts_reached(user)
    return rows if reached is None else rows.filter(street__district_id__in=reached)


def _match(rows: QuerySet[Any], q: str) -> QuerySet[Any]:
    return rows.filter(Q(search_text__contains=q) | Q(credit_code__startswith=q.upper()))


def _exact(rows: QuerySet[Any], text: str) -> QuerySet[Any]:
    return rows.filter(Q(name=text) | Q(credit_code=text.upper()))


def _show(p: Provider) -> tuple[str, str]:
    return (f"{p.name}（{p.street.name}）", str(p.get_kind_display()))


register(
    Kind(
        name="provider",
        title=_("服务商"),
        rows=_providers,
        match=_match,
        exact=_exact,
        show=_show,
    )
)

register(
    Kind(
        name="resident_unit",
        title=_("驻区单位"),
        rows=lambda user: _providers(user, units_only=True),
        match=_match,
        exact=_exact,
        show=_show,
    )
)

register(
    Kind(
        name="grant_provider",
        title=_("服务商"),
        rows=lambda user: (
            Provider.objects.filter(
                administered(user).q(district="street__district_id", street="street_id")
            )
            .select_related("street")
            .order_by("name", "pk")
        ),
        match=_match,
        exact=_exact,
        show=_show,
    )
)
