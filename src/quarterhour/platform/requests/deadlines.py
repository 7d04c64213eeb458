"""Deadlines of a category in a district, on that district's working calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from quarterhour.platform.requests.models import (
    Category,
    CategoryDeadline,
    DeadlineUnit,
    WorkCalendar,
)
from quarterhour.platform.requests.workcalendar import Calendar


def calendar_for(district_id: int | None) -> Calendar:
    """The district's calendar, else the default one (district empty), else Mon–Fri 9–17."""
    rows = {
        c.district_id: c
        for c in WorkCalendar.objects.filter(district_id__in=[district_id, None]).prefetch_related(
            "days"
        )
    }
    row = rows.get(district_id) or rows.get(None)
    tz = ZoneInfo(settings.TIME_ZONE)
    if row is None:
        return Calendar(tz=tz)
    days = list(row.days.all())
    return Calendar(
        weekdays=frozenset(int(c) for c in row.weekdays if c.isdigit()),
        day_start=row.day_start,
        day_end=row.day_end,
        days_off=frozenset(d.date for d in days if not d.is_workday),
        days_on=frozenset(d.date for d in days if d.is_workday),
        tz=tz,
    )


def limit_for(category: Category, district_id: int) -> tuple[int, str]:
    """(amount, unit) of the category's deadline in the district."""
    own = CategoryDeadline.objects.filter(category=category, district_id=district_id).first()
    if own is not None:
        return own.amount, own.unit
    return category.deadline_amount, category.deadline_unit


def due_and_remind(
    category: Category, district_id: int, start: datetime, *, calendar: Calendar | None = None
) -> tuple[datetime, datetime]:
    """When a request received at ``start`` is due, and when to remind its owner."""
    cal = calendar or calendar_for(district_id)
    amount, unit = limit_for(category, district_id)
    total = cal.day_length * amount if unit == DeadlineUnit.DAYS else timedelta(hours=amount)
    due = cal.add(start, hours=total / timedelta(hours=1))
    lead = timedelta(hours=category.remind_before_hours)
    remind = cal.add(start, hours=max(total - lead, timedelta(0)) / timedelta(hours=1))
    return due, remind
