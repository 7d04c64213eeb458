"""Writes to the request set-up: the categories (city staff), a district's own deadline per
category and its working calendar (district staff for their district; the default calendar:
city). Every write goes through ``core.recording.save_audited`` (who, when, the previous value)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from quarterhour.platform.accounts import permissions as account_perm
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.recording import delete_audited, save_audited
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


def may_edit_categories(actor: Any) -> bool:
    return bool(account_perm.can_manage_users(actor))


def may_configure(actor: Any, district: District | None) -> bool:
    """May ``actor`` set the deadlines and calendar of ``district`` (None: the default)?"""
    return bool(_may(actor, district))


def _check_limit(amount: int, unit: str, issues: list[Issue]) -> None:
    if not isinstance(amount, int) or not 0 < amount <= 1000:
        issues.append(Issue(E.BAD_DEADLINE, _("时限须为 1 到 1000 的整数"), field="amount"))
    if unit not in DeadlineUnit.values:
        issues.append(Issue(E.BAD_DEADLINE, _("时限单位须为工作日或工作小时"), field="unit"))


@transaction.atomic
def save_category(
    *,
    actor: Any,
    category: Category | None = None,
    code: str,
    name: str,
    name_en: str = "",
    description: str = "",
    group: str = "",
    keywords: str = "",
    kind: str = Category.Kind.REQUEST,
    deadline_amount: int = 3,
    deadline_unit: str = DeadlineUnit.DAYS,
    remind_before_hours: int = 4,
    is_active: bool = True,
) -> Category:
    """A new category, or ``category`` changed: its name, group, default deadline, whether open."""
    if not may_edit_categories(actor):
        raise PermissionRefused(E.PERMISSION_DENIED, _("只有市级工作人员可以设置诉求类别"))
    issues: list[Issue] = []
    if not name.strip():
        issues.append(Issue(E.NO_CATEGORY, _("请填写类别名称"), field="name"))
    _check_limit(deadline_amount, deadline_unit, issues)
    if kind not in Category.Kind.values:
        issues.append(Issue(E.NO_CATEGORY, _("请选择类型"), field="kind"))
    if not 0 <= remind_before_hours <= 1000:
        issues.append(Issue(E.BAD_DEADLINE, _("提醒时间须为 0 到 1000 小时"), field="remind"))
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
    row = category or Category(code=code.strip())
    row.name, row.name_en = name.strip(), name_en.strip()
    row.description, row.group, row.keywords = description.strip(), group.strip(), keywords
    row.kind, row.deadline_amount, row.deadline_unit = kind, deadline_amount, deadline_unit
    row.remind_before_hours, row.is_active = remind_before_hours, is_active
    save_audited(
        row, actor=actor, reason=str(_("新建诉求类别") if category is None else _("修改诉求类别"))
    )
    return row


@transaction.atomic
def set_district_deadline(
    *, actor: Any, category: Category, district: District, amount: int, unit: str
) -> CategoryDeadline:
    if not _may(actor, district):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权设置该区县的办结时限"))
    issues: list[Issue] = []
    _check_limit(amount, unit, issues)
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
    row = CategoryDeadline.objects.filter(category=category, district=district).first()
    row = row or CategoryDeadline(category=category, district=district)
    row.amount, row.unit = amount, unit
    save_audited(row, actor=actor, reason=str(_("区县办结时限")))
    return row


@transaction.atomic
def clear_district_deadline(*, actor: Any, category: Category, district: District) -> None:
    """The district follows the category's default deadline again."""
    if not _may(actor, district):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权设置该区县的办结时限"))
    for row in CategoryDeadline.objects.filter(category=category, district=district):
        delete_audited(row, actor=actor, reason=str(_("取消区县办结时限")))


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
    notes: Mapping[date, str] | None = None,
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
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
    cal = WorkCalendar.objects.filter(district=district).first() or WorkCalendar(district=district)
    cal.weekdays = "".join(sorted(set(weekdays)))
    cal.day_start, cal.day_end = day_start, day_end
    reason = _("工作日历（放假：%(off)s；上班：%(on)s）") % {
        "off": "、".join(map(str, sorted(off))),
        "on": "、".join(map(str, sorted(on))),
    }
    why = str(reason)[:100]
    save_audited(cal, actor=actor, reason=why)
    # the days are rewritten, each with its history entry (who, why: the days named above)
    for day in cal.days.all():
        delete_audited(day, actor=actor, reason=why)
    bulk_create_with_history(
        [
            CalendarDay(
                calendar=cal, date=d, is_workday=d in on, note=(notes or {}).get(d, "")[:64]
            )
            for d in sorted(off | on)
        ],
        CalendarDay,
        default_user=actor if getattr(actor, "pk", None) else None,
        default_change_reason=why,
    )
    return cal


def calendar_of(district: District | None) -> WorkCalendar | None:
    return WorkCalendar.objects.filter(district=district).prefetch_related("days").first()


@transaction.atomic
def add_statutory_days(*, actor: Any, district: District | None, year: int) -> WorkCalendar:
    """Add the year's public holidays and swapped working days (as published by the State
    Council) to the calendar, keeping its other days."""
    from quarterhour.platform.requests.holidays import statutory_days

    found = statutory_days(year)
    if found is None:
        message = _("%(y)s 年的法定节假日安排尚未收录，请逐日添加") % {"y": year}
        raise Invalid(E.BAD_CALENDAR, message, [Issue(E.BAD_CALENDAR, message, field="year")])
    cal = calendar_of(district)
    days = list(cal.days.all()) if cal is not None else []
    off = {d.date for d in days if not d.is_workday} | set(found.off)
    on = ({d.date for d in days if d.is_workday} | set(found.on)) - set(found.off)
    off -= on
    notes = {d.date: d.note for d in days} | found.off | found.on
    return set_calendar(
        actor=actor,
        district=district,
        weekdays=cal.weekdays if cal is not None else "12345",
        day_start=cal.day_start if cal is not None else time(9, 0),
        day_end=cal.day_end if cal is not None else time(17, 0),
        days_off=off,
        days_on=on,
        notes=notes,
    )
