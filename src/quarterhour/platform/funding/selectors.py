"""Reads of funds: scoped lists and the roll-up by district and year (source × use)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from quarterhour.platform.core.access import administered, scope_q
from quarterhour.platform.funding.models import Contract, Fund, Source, Use
from quarterhour.platform.geography.models import District

CENT = Decimal("0.01")


def funds_visible(user: Any) -> QuerySet[Fund]:
    return Fund.objects.filter(
        scope_q(user, district="street__district_id", street="street_id", community=None)
    ).select_related("street", "circle", "contract")


def contracts_visible(user: Any) -> QuerySet[Contract]:
    return Contract.objects.filter(
        scope_q(
            user,
            district="street__district_id",
            street="street_id",
            community=None,
            provider="provider_id",
        )
    ).select_related("street", "provider")


def contracts_recordable(user: Any) -> QuerySet[Contract]:
    """The contracts a fund of this user may name: those of the streets whose funds the user
    records (street staff: its street; district: its streets; city: all), newest first."""
    return (
        Contract.objects.filter(
            administered(user).q(district="street__district_id", street="street_id")
        )
        .select_related("street", "provider")
        .order_by("-signed_on", "number")
    )


@dataclass
class Rollup:
    district: District
    year: int
    #: (street name, source, use) → amount; rows for every street with money that year
    cells: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    by_source: dict[str, Decimal] = field(default_factory=dict)
    by_use: dict[str, Decimal] = field(default_factory=dict)
    by_street: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal("0")
    contracts: list[Contract] = field(default_factory=list)


def rollup(district: District, year: int) -> Rollup:
    """Sums of a district's funds in ``year`` by street, source and use (one query), and the
    service-purchase contracts signed that year."""
    out = Rollup(district, year)
    rows = (
        Fund.objects.filter(street__district=district, year=year)
        .values("street__code", "street__name", "source", "use")
        .annotate(total=Sum("amount"))
        .order_by("street__code", "source", "use")
    )
    for r in rows:
        amount = Decimal(r["total"]).quantize(CENT)  # SQLite sums lose the scale
        street = r["street__name"]
        out.cells[(street, r["source"], r["use"])] = amount
        out.by_source[r["source"]] = out.by_source.get(r["source"], Decimal(0)) + amount
        out.by_use[r["use"]] = out.by_use.get(r["use"], Decimal(0)) + amount
        out.by_street[street] = out.by_street.get(street, Decimal(0)) + amount
        out.total += amount
    out.contracts = list(
        Contract.objects.filter(street__district=district, signed_on__year=year)
        .select_related("street", "provider")
        .order_by("street__code", "number")
    )
    return out


SOURCES = list(Source)
USES = list(Use)
