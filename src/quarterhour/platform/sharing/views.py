"""Pages for shared facilities: offers (staff: those they manage; residents: those open), an
offer's coming openings with free places and the booking form, my bookings, withdrawal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.errors import PermissionRefused
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
            "openings": selectors.upcoming(shared, start=today, days=14),
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


def _windows(raw: str) -> list[dict[str, object]]:
    """Lines ``星期 开始 结束 [时段分钟]``, e.g. ``6 08:00 12:00 60``."""
    out: list[dict[str, object]] = []
    for line in raw.splitlines():
        parts = line.split()
        if not parts:
            continue
        out.append(
            {
                "weekday": int(parts[0]) if parts[0].isdigit() else parts[0],
                "start": parts[1] if len(parts) > 1 else "",
                "end": parts[2] if len(parts) > 2 else "",
                "slot_minutes": int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else 0,
            }
        )
    return out


@login_required
def offer_new(request: HttpRequest) -> HttpResponse:
    """A resident unit's staff (or the community) offers a facility."""
    units = Provider.objects.filter(kind=Provider.Kind.RESIDENT_UNIT).select_related(
        "street", "community"
    )
    mine = [
        u
        for u in units.order_by("name")[:500]
        if u.community is not None and perm.can_offer_facility(request.user, u, u.community)
    ]
    if request.method == "POST":
        d = request.POST

        def call() -> SharedFacility:
            unit = get_object_or_404(units, pk=pages.integer(d, "unit"))
            community = unit.community
            if community is None:
                raise PermissionRefused(E.PERMISSION_DENIED, _("该单位没有所在社区"))
            return services.offer(
                actor=request.user,
                unit=unit,
                community=community,
                name=pages.text(d, "name"),
                kind=pages.text(d, "kind"),
                lon=float(d.get("lon") or community.centre_lon or 0.0),
                lat=float(d.get("lat") or community.centre_lat or 0.0),
                price=pages.text(d, "price"),
                price_note=pages.text(d, "price_note"),
                capacity=pages.integer(d, "capacity"),
                windows=_windows(d.get("windows", "")),
                item_codes=d.getlist("item_codes"),
                address=pages.text(d, "address"),
            )

        return pages.run(request, call, success=_("共享设施已登记"), to="sharing:list")
    return render(
        request,
        "sharing/new.html",
        {"units": mine, "kinds": Kind.choices, "prices": Price.choices},
    )
