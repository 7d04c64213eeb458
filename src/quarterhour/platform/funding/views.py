"""Pages for funding: funds and contracts of the user's streets, the district roll-up and its
XLSX export."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.core.picking import picked
from quarterhour.platform.funding import permissions as perm
from quarterhour.platform.funding import selectors, services
from quarterhour.platform.funding.error_codes import FundingError as E
from quarterhour.platform.funding.export import rollup_xlsx
from quarterhour.platform.funding.models import Contract, Fund, Source, Use
from quarterhour.platform.geography.models import Circle, District
from quarterhour.platform.geography.selectors import districts_visible, streets_visible


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    return _overview(request)


def _overview(request: HttpRequest, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    """The page; after a refused form, again with each problem beside its field."""
    user = request.user
    streets = [s for s in streets_visible(user)[:500] if perm.can_record_funds(user, s)]
    return render(
        request,
        "funding/overview.html",
        {
            "funds": selectors.funds_visible(user)[:300],
            "contracts": selectors.contracts_visible(user)[:300],
            "streets": streets,
            "districts": [d for d in districts_visible(user) if perm.can_view_rollup(user, d)],
            "sources": Source.choices,
            "uses": Use.choices,
            "year": timezone.localdate().year,
            "errors": errors or {},
            "failed": request.POST.get("action", "") if errors else "",
        },
    )


@login_required
@require_POST
def record(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    d, user = request.POST, request.user
    try:
        street_pk = pages.integer(d, "street", low=1)
    except Invalid as exc:  # the street is a picker: only a forged form lacks it
        page = _overview(request, pages.errors_of(exc))
        page.status_code = 422
        return page
    street = get_object_or_404(streets_visible(user), pk=street_pk)
    call: Callable[[], Contract | Fund]
    if d.get("action") == "contract":
        call = lambda: services.record_contract(  # noqa: E731
            actor=user,
            street=street,
            provider=picked(d, "provider", kind_name="provider", user=user),
            number=pages.text(d, "number"),
            title=pages.text(d, "title"),
            amount=pages.text(d, "amount"),
            signed_on=pages.date(d, "signed_on"),
            starts_on=pages.date(d, "starts_on"),
            ends_on=pages.date(d, "ends_on"),
        )
    else:
        call = lambda: services.record_fund(  # noqa: E731
            actor=user,
            street=street,
            year=pages.integer(d, "year"),
            source=pages.text(d, "source"),
            use=pages.text(d, "use"),
            amount=pages.text(d, "amount"),
            circle=get_object_or_404(Circle, pk=pages.integer(d, "circle"))
            if d.get("circle")
            else None,
            donor=pages.text(d, "donor"),
            contract=picked(d, "contract", kind_name="contract", user=user, required=False),
            note=pages.text(d, "note"),
        )
    return pages.run(
        request,
        call,
        success=_("已登记"),
        to="funding:overview",
        again=lambda errors: _overview(request, errors),
    )


def _rollup_of(request: HttpRequest, district_pk: int, year: int) -> selectors.Rollup:
    pages.staff_only(request)
    district = get_object_or_404(District, pk=district_pk)
    if not perm.can_view_rollup(request.user, district):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权查看该区县的经费汇总"))
    return selectors.rollup(district, year)


@login_required
def rollup(request: HttpRequest, district_pk: int, year: int) -> HttpResponse:
    r = _rollup_of(request, district_pk, year)
    streets = list(r.by_street)
    table = [
        (
            st,
            [
                sum((v for (a, b, _u), v in r.cells.items() if a == st and b == s), start=0)
                for s in Source.values
            ],
            r.by_street[st],
        )
        for st in streets
    ]
    return render(
        request,
        "funding/rollup.html",
        {
            "r": r,
            "sources": Source.choices,
            "uses": Use.choices,
            "table": table,
            "source_totals": [r.by_source.get(s, 0) for s in Source.values],
            "use_totals": [(label, r.by_use.get(u, 0)) for u, label in Use.choices],
        },
    )


@login_required
def rollup_export(request: HttpRequest, district_pk: int, year: int) -> HttpResponse:
    r = _rollup_of(request, district_pk, year)
    response = HttpResponse(
        rollup_xlsx(r),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="funding-{r.district.code}-{year}.xlsx"'
    )
    return response
