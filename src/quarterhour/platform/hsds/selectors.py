"""Reads of the public directory for the HSDS API (no user scoping: all of it is public)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from quarterhour.platform.catalogue.models import Provider, Service, ServiceItem
from quarterhour.platform.hsds.taxonomy import Taxonomies, Term
from quarterhour.platform.portal.search import folded_q, matching_item_codes


def services(*, full: bool = True) -> QuerySet[Service]:
    """Services in key order; ``full=False`` reads only what a list item shows."""
    if not full:
        return Service.objects.select_related("provider").order_by("pk")
    return (
        Service.objects.select_related("provider", "facility__community__street__district")
        .prefetch_related(Prefetch("items", queryset=ServiceItem.objects.order_by("item_code")))
        .order_by("pk")
    )


def term_q(t: Term, tax: Taxonomies) -> Q:
    if t.kind == "category":
        return Q(category=t.code)
    # IN (subquery) is answered from the item-code index; a correlated EXISTS runs per row
    return Q(pk__in=ServiceItem.objects.filter(item_code__in=t.item_codes).values("service_id"))


def taxonomy_q(taxonomy_id: str, tax: Taxonomies) -> Q:
    terms = [t for t in tax.terms if t.taxonomy_id == taxonomy_id]
    if any(t.kind == "category" for t in terms):
        return Q(category__in=[t.code for t in terms if t.kind == "category"])
    codes = sorted({c for t in terms for c in t.item_codes})
    return Q(pk__in=ServiceItem.objects.filter(item_code__in=codes).values("service_id"))


def filter_services(
    qs: QuerySet[Service],
    *,
    search: str = "",
    term: Term | None = None,
    taxonomy_id: str | None = None,
    provider_pk: int | None = None,
    modified_after: dt.datetime | None = None,
    tax: Taxonomies,
) -> QuerySet[Service]:
    """Every given condition must hold (AND)."""
    if search:
        cond = folded_q(search, "search_text", "provider__search_text")
        codes = matching_item_codes(search)
        if codes:
            cond |= Q(pk__in=ServiceItem.objects.filter(item_code__in=codes).values("service_id"))
        qs = qs.filter(cond)
    if term is not None:
        qs = qs.filter(term_q(term, tax))
    if taxonomy_id is not None:
        qs = qs.filter(taxonomy_q(taxonomy_id, tax))
    if provider_pk is not None:
        qs = qs.filter(provider_id=provider_pk)
    if modified_after is not None:
        qs = qs.filter(updated_at__gte=modified_after)
    return qs


def organizations(*, search: str = "") -> QuerySet[Provider]:
    qs = Provider.objects.order_by("pk")
    if search:
        qs = qs.filter(folded_q(search, "search_text"))
    return qs
