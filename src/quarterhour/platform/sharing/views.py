"""Pages for shared facilities: offers (staff: those they manage; residents: those open), an
offer's coming openings with free places and the booking form, my bookings, withdrawal."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.catalogue.services import provider_create
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.picking import picked
from quarterhour.platform.sharing import permissions as perm
from quarterhour.platform.sharing import selectors, services
from quarterhour.platform.sharing.error_codes import SharingError as E
from quarterhour.platform.sharing.models import Booking, Kind, Price, SharedFacility


@login_required
def offer_list(request: HttpRequest) -> HttpResponse:
    staff = can_use_staff_pages(request.user)
    offers = selectors.shared_visible(request.user) if staff else selectors.offers_open()
    return render(request, "sharing/list.html", {"offers": offers, "staff": staff})


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An offered room is public (the portal links it): its windows and free places; booking for
    those who may book, a login hint for visitors; withdrawn rooms only for their managers."""
    shared = get_object_or_404(SharedFacility.objects.select_related("unit", "community"), pk=pk)
    manager = request.user.is_authenticated and perm.can_manage_shared(request.user, shared)
    if not manager and shared.status != SharedFacility.Status.OFFERED:
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权查看该共享设施"))
    today = timezone.localdate()
    return render(
        request,
        "sharing/detail.html",
        {
            "shared": shared,
            "windows": shared.windows.all(),
            "openings": selectors.upcoming(shared, start=today, days=14, after=timezone.now()),
            "can_book": request.user.is_authenticated and perm.can_book(request.user, shared),
            "manager": manager,
            "bookings": selectors.bookings_of_facility(shared).filter(slot__date__gte=today)
            if manager
            else [],
        },
    )


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    shared = get_object_or_404(SharedFacility, pk=pk)
    d = request.POST
    return pages.run(
        request,
        lambda: services.book(
            actor=request.user,
            shared=shared,
            date=pages.date(d, "date"),
            start=pages.clock(d, "start"),
            places=pages.integer(d, "places") if d.get("places") else 1,
            note=pages.text(d, "note"),
        ),
        success=_("预约成功"),
        to="sharing:detail",
        pk=shared.pk,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    shared = get_object_or_404(SharedFacility, pk=pk)
    d = request.POST
    return pages.run(
        request,
        lambda: services.withdraw(
            actor=request.user,
            shared=shared,
            effective_from=pages.date(d, "effective_from"),
            reason=pages.text(d, "reason"),
        ),
        success=_("已登记退出，已通知受影响的预约人"),
        to="sharing:detail",
        pk=shared.pk,
    )


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    return render(
        request, "sharing/mine.html", {"bookings": selectors.bookings_of(request.user)[:200]}
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=pk)
    return pages.run(
        request,
        lambda: services.cancel(actor=request.user, booking=booking),
        success=_("预约已取消"),
        to="sharing:mine",
    )


#: window rows on the offer form (each: days of the week, start, end, slot length)
WINDOW_ROWS = 3
DAYS = [(i, n) for i, n in enumerate("一二三四五六日", start=1)]


def _windows(d: Any) -> list[dict[str, object]]:
    """The form's window rows as the service's windows: one per ticked day of each filled row."""
    out: list[dict[str, object]] = []
    for k in range(1, WINDOW_ROWS + 1):
        days = [
            int(x) for x in d.getlist(f"days_{k}") if x.isascii() and x.isdigit() and len(x) == 1
        ]
        start, end = pages.text(d, f"start_{k}")[:8], pages.text(d, f"end_{k}")[:8]
        if not days and not start and not end:
            continue
        raw = pages.text(d, f"slot_{k}")
        slot: object = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else (raw or 0)
        for day in days or [0]:
            out.append({"weekday": day, "start": start, "end": end, "slot_minutes": slot, "row": k})
    return out


def _window_rows(d: Any) -> list[dict[str, object]]:
    """The form's window rows as the person entered them (an empty form on first view): a refused
    offer comes back with every row filled as it was sent."""
    rows: list[dict[str, object]] = []
    for k in range(1, WINDOW_ROWS + 1):
        ticked = {x for x in d.getlist(f"days_{k}") if x.isascii() and x.isdigit() and len(x) == 1}
        rows.append(
            {
                "k": k,
                "days": [(i, n, str(i) in ticked) for i, n in DAYS],
                "start": pages.text(d, f"start_{k}")[:8],
                "end": pages.text(d, f"end_{k}")[:8],
                "slot": pages.text(d, f"slot_{k}")[:6] or "0",
            }
        )
    return rows


def _offer_form(request: HttpRequest, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return render(
        request,
        "sharing/new.html",
        {
            "kinds": Kind.choices,
            "prices": Price.choices,
            "rows": _window_rows(request.POST),
            "errors": errors or {},
        },
    )


@login_required
def offer_new(request: HttpRequest) -> HttpResponse:
    """A resident unit's staff, the community or the street offers a facility of a registered
    resident unit (chosen by name) with its off-peak windows."""
    pages.staff_only(request)
    if request.method != "POST":
        return _offer_form(request)
    d = request.POST

    def call() -> SharedFacility:
        unit = picked(d, "unit", kind_name="resident_unit", user=request.user)
        community = unit.community
        if community is None:
            raise Invalid(
                E.UNIT_WITHOUT_COMMUNITY,
                _("该单位没有登记所在社区"),
                [Issue(E.UNIT_WITHOUT_COMMUNITY, _("该单位没有登记所在社区"), field="unit")],
            )
        return services.offer(
            actor=request.user,
            unit=unit,
            community=community,
            name=pages.text(d, "name"),
            kind=pages.text(d, "kind"),
            lon=float(community.centre_lon or 0.0),
            lat=float(community.centre_lat or 0.0),
            price=pages.text(d, "price"),
            price_note=pages.text(d, "price_note"),
            capacity=pages.integer(d, "capacity", low=1, high=100_000),
            windows=_windows(d),
            address=pages.text(d, "address") or unit.address,
        )

    return pages.run(
        request,
        call,
        success=_("共享设施已登记，居民可在“我的周边”和共享设施列表中查看并预约"),
        to="sharing:list",
        again=lambda errors: _offer_form(request, errors),
    )


def _unit_form(request: HttpRequest, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return render(request, "sharing/unit_new.html", {"errors": errors or {}})


@login_required
def unit_new(request: HttpRequest) -> HttpResponse:
    """The street registers a resident unit (驻区单位) of its area, placed in a community chosen
    by name; then its shared facilities are offered."""
    pages.staff_only(request)
    if request.method != "POST":
        return _unit_form(request)
    d = request.POST

    def call() -> Provider:
        community = picked(d, "community", kind_name="community", user=request.user)
        return provider_create(
            actor=request.user,
            street=community.street,
            name=pages.text(d, "name")[:200],
            kind=Provider.Kind.RESIDENT_UNIT,
            community=community,
            address=pages.text(d, "address")[:300],
            hotline=pages.text(d, "hotline")[:64],
            description=pages.text(d, "description")[:2000],
        )

    return pages.run(
        request,
        call,
        success=_("驻区单位已登记，请继续登记它向居民开放的共享设施"),
        to="sharing:new",
        again=lambda errors: _unit_form(request, errors),
    )
