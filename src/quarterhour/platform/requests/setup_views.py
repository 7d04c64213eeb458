"""The request set-up pages (诉求设置): categories and their default deadlines (city staff), each
district's own deadlines and working calendar (its district staff; the default calendar: city)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.geography.models import District
from quarterhour.platform.requests import configuration as conf
from quarterhour.platform.requests.deadlines import calendar_for
from quarterhour.platform.requests.error_codes import RequestError as E
from quarterhour.platform.requests.models import Category, CategoryDeadline, DeadlineUnit

WEEKDAYS = (
    (1, gettext_lazy("周一")),
    (2, gettext_lazy("周二")),
    (3, gettext_lazy("周三")),
    (4, gettext_lazy("周四")),
    (5, gettext_lazy("周五")),
    (6, gettext_lazy("周六")),
    (7, gettext_lazy("周日")),
)


def districts_configurable(user: Any) -> list[District]:
    return [d for d in District.objects.order_by("code") if conf.may_configure(user, d)]


def may_set_up(user: Any) -> bool:
    """Is there anything on the set-up pages ``user`` may change?"""
    return conf.may_edit_categories(user) or bool(districts_configurable(user))


def _guard(request: HttpRequest) -> None:
    pages.staff_only(request)
    if not may_set_up(request.user):
        raise PermissionRefused(
            E.PERMISSION_DENIED, _("只有区县和市级工作人员可以设置诉求类别和时限")
        )


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    _guard(request)
    districts = districts_configurable(request.user)
    own = {
        (d.category_id, d.district_id): d
        for d in CategoryDeadline.objects.filter(district__in=districts)
    }
    rows = [
        (c, [(d, own.get((c.pk, d.pk))) for d in districts])
        for c in Category.objects.order_by("group", "code")
    ]
    return render(
        request,
        "requests/setup/index.html",
        {
            "rows": rows,
            "districts": districts,
            "may_edit_categories": conf.may_edit_categories(request.user),
        },
    )


def _category_page(
    request: HttpRequest, category: Category | None, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    districts = districts_configurable(request.user)
    own = {}
    if category is not None:
        own = {d.district_id: d for d in category.district_deadlines.filter(district__in=districts)}
    return render(
        request,
        "requests/setup/category.html",
        {
            "category": category,
            "data": request.POST if errors else None,
            "errors": errors or {},
            "kinds": Category.Kind.choices,
            "units": DeadlineUnit.choices,
            "districts": [(d, own.get(d.pk)) for d in districts],
            "may_edit_categories": conf.may_edit_categories(request.user),
        },
    )


@login_required
def category(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _guard(request)
    row = get_object_or_404(Category, pk=pk) if pk is not None else None
    if request.method != "POST":
        return _category_page(request, row)
    d = request.POST
    return pages.run(
        request,
        lambda: conf.save_category(
            actor=request.user,
            category=row,
            code=pages.text(d, "code")[:32] if row is None else row.code,
            name=pages.text(d, "name")[:100],
            name_en=pages.text(d, "name_en")[:100],
            group=pages.text(d, "group")[:64],
            description=pages.text(d, "description")[:500],
            keywords=row.keywords if row is not None else pages.text(d, "name")[:100],
            kind=pages.text(d, "kind"),
            deadline_amount=pages.integer(d, "deadline_amount", low=1, high=1000),
            deadline_unit=pages.text(d, "deadline_unit"),
            remind_before_hours=pages.integer(d, "remind_before_hours", low=0, high=1000),
            is_active=pages.flag(d, "is_active"),
        ),
        success=_("类别已保存"),
        to="requests:setup",
        again=lambda errors: _category_page(request, row, errors),
    )


@login_required
@require_POST
def district_deadline(request: HttpRequest, pk: int, district: int) -> HttpResponse:
    _guard(request)
    row = get_object_or_404(Category, pk=pk)
    place = get_object_or_404(District, pk=district)
    d = request.POST
    call: Callable[[], object]
    if d.get("clear"):
        call = lambda: conf.clear_district_deadline(  # noqa: E731
            actor=request.user, category=row, district=place
        )
    else:
        call = lambda: conf.set_district_deadline(  # noqa: E731
            actor=request.user,
            category=row,
            district=place,
            amount=pages.integer(d, "amount", low=1, high=1000),
            unit=pages.text(d, "unit"),
        )
    return pages.run(
        request,
        call,
        success=_("%(d)s 的办结时限已保存") % {"d": place.name},
        to="requests:category",
        pk=row.pk,
    )


def _calendar_district(request: HttpRequest, district: int | None) -> District | None:
    place = get_object_or_404(District, pk=district) if district is not None else None
    if not conf.may_configure(request.user, place):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权设置该区县的工作日历"))
    return place


def _calendar_page(
    request: HttpRequest, place: District | None, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    row = conf.calendar_of(place)
    cal = calendar_for(place.pk if place is not None else None)
    return render(
        request,
        "requests/setup/calendar.html",
        {
            "place": place,
            "row": row,
            "own": row is not None,
            "weekdays": [(n, label, n in cal.weekdays) for n, label in WEEKDAYS],
            "day_start": cal.day_start,
            "day_end": cal.day_end,
            "days": list(row.days.all()) if row is not None else [],
            "errors": errors or {},
            "districts": districts_configurable(request.user),
            "may_default": conf.may_configure(request.user, None),
        },
        status=200,
    )


@login_required
def calendar(request: HttpRequest, district: int | None = None) -> HttpResponse:
    _guard(request)
    place = _calendar_district(request, district)
    if request.method != "POST":
        return _calendar_page(request, place)
    d = request.POST
    action = d.get("action", "")
    row = conf.calendar_of(place)
    days = list(row.days.all()) if row is not None else []
    off = {x.date for x in days if not x.is_workday}
    on = {x.date for x in days if x.is_workday}
    notes = {x.date: x.note for x in days}
    weekdays = row.weekdays if row is not None else "12345"
    start, end = (row.day_start, row.day_end) if row is not None else (None, None)

    def save() -> Any:
        nonlocal weekdays, start, end
        if action == "statutory":
            return conf.add_statutory_days(
                actor=request.user,
                district=place,
                year=pages.integer(d, "year", low=2000, high=2100),
            )
        if action == "hours":
            weekdays = "".join(str(n) for n, _label in WEEKDAYS if d.get(f"weekday{n}"))
            start, end = pages.clock(d, "day_start"), pages.clock(d, "day_end")
        elif action == "add":
            day = pages.date(d, "date")
            off.discard(day)
            on.discard(day)
            (on if d.get("kind") == "on" else off).add(day)
            notes[day] = pages.text(d, "note")[:64]
        elif action == "remove":
            day = pages.date(d, "date")
            off.discard(day)
            on.discard(day)
        else:
            raise Http404
        return conf.set_calendar(
            actor=request.user,
            district=place,
            weekdays=weekdays,
            day_start=start or time(9, 0),
            day_end=end or time(17, 0),
            days_off=off,
            days_on=on,
            notes=notes,
        )

    kw = {"district": place.pk} if place is not None else {}
    return pages.run(
        request,
        save,
        success=_("工作日历已保存"),
        to="requests:calendar_district" if place is not None else "requests:calendar",
        again=lambda errors: _calendar_page(request, place, errors),
        **kw,
    )
