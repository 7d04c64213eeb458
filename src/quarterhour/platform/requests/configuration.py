"""Writes to the request set-up: a district's own deadline per category and its working
calendar (district staff for their district; the default calendar and categories: city)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts import permissions as account_perm
from quarterhour.platform.core.errors import Issue, PermissionRefused, raise_if_any
from quarterhour.platform.geography import permissions as geo_perm
from quarterhour.platform.geography.models import District
from quarterhour.platform.requests.error_codes import RequestError as E
from quarterhour.platform.requests.models import (
    CalendarDay,
    Category,
    CategoryDeadline,
    DeadlineUnit,
    WorkCalendar,
)


def _may(actor: Any, district: District | None) -> bool:
    if district is None:
        return account_perm.can_manage_users(actor)  # city level
    return geo_perm.can_edit_district(actor, district)


@transaction.atomic
def set_district_deadline(
    *, actor: Any, category: Category, district: District, amount: int, unit: str
) -> CategoryDeadline:
    if not _may(actor, district):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权设置该区县的办结时限"))
    issues = []
    if not isinstance(amount, int) or amount <= 0:
        issues.append(Issue(E.BAD_DEADLINE, _("时限须为正整数"), field="amount"))
    if unit not in DeadlineUnit.values:
        issues.append(Issue(E.BAD_DEADLINE, _("时限单位须为工作日或工作小时"), field="unit"))
    raise_if_any(issues)
    row, _created = CategoryDeadline.objects.update_or_create(
        category=category, district=district, defaults={"amount": amount, "unit": unit}
    )
    return row


@transaction.atomic
def set_calendar(
    *,
    actor: Any,
    district: District | None,
    weekdays: str = "12345",
    day_start: time = time(9, 0),
    day_end: time = time(17, 0),
    days_off: Iterable[date] = (),
    days_on: Iterable[date] = (),
) -> WorkCalendar:
    """Replace the district's (or, with ``district`` None, the default) working calendar."""
    if not _may(actor, district):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权设置该区县的工作日历"))
    off, on = set(days_off), set(days_on)
    issues = []
    if not weekdays or any(c not in "1234567" for c in weekdays):
        issues.append(Issue(E.BAD_CALENDAR, _("工作日须为 1–7 的数字（1=周一）"), field="weekdays"))
    if day_end <= day_start:
        issues.append(Issue(E.BAD_CALENDAR, _("下班时间须晚于上班时间"), field="day_end"))
    both = sorted(off & on)
    if both:
        issues.append(
            Issue(
                E.BAD_CALENDAR,
                _("同一天不能既放假又上班：%(d)s") % {"d": ", ".join(map(str, both))},
                field="days",
            )
        )
    raise_if_any(issues)
    cal, _created = WorkCalendar.objects.update_or_create(
        district=district,
        defaults={
            "weekdays": "".join(sorted(set(weekdays))),
            "day_start": day_start,
            "day_end": day_end,
        },
    )
    cal.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=cal, date=d, is_workday=False) for d in sorted(off)]
        + [CalendarDay(calendar=cal, date=d, is_workday=True) for d in sorted(on)]
    )
    return cal
