"""Working-time arithmetic: add N working hours or days to an instant, count working time.

A :class:`Calendar` is a plain value (no database): the working weekdays, the daily hours, the
exceptions (holidays off, swapped weekend days on) and the local time zone. A deadline in
working *days* is that many whole working days of working time (received Monday 10:00 with a
one-day limit → due Tuesday 10:00); a deadline in working *hours* counts only time inside
working hours (received Friday 16:00 with 2 hours, 9–17 → due Monday 10:00). A request
received outside working hours starts counting at the next working moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: a calendar with no working day in this many days is refused (would loop for ever)
MAX_SCAN_DAYS = 400


@dataclass(frozen=True, slots=True)
class Calendar:
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO: 1 = Monday
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    days_off: frozenset[date] = field(default_factory=frozenset)
    days_on: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def __post_init__(self) -> None:
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be after day_start")
        if not self.weekdays and not self.days_on:
            raise ValueError("a calendar needs at least one working day")

    @property
    def day_length(self) -> timedelta:
        return _dt(date(2000, 1, 3), self.day_end, None) - _dt(
            date(2000, 1, 3), self.day_start, None
        )

    def is_workday(self, d: date) -> bool:
        if d in self.days_on:
            return True
        if d in self.days_off:
            return False
        return d.isoweekday() in self.weekdays

    def add(self, start: datetime, *, hours: float = 0.0, days: int = 0) -> datetime:
        """``start`` plus working time (``days`` whole working days + ``hours``)."""
        if start.tzinfo is None:
            raise ValueError("start must be time-zone aware")
        remaining = self.day_length * days + timedelta(hours=hours)
        local = start.astimezone(self.tz)
        d = local.date()
        for _ in range(MAX_SCAN_DAYS + 7 * days + int(hours)):
            if self.is_workday(d):
                open_ = _dt(d, self.day_start, self.tz)
                close = _dt(d, self.day_end, self.tz)
                cursor = max(local, open_)
                if cursor < close:
                    available = close - cursor
                    if remaining <= available:
                        return (cursor + remaining).astimezone(start.tzinfo)
                    remaining -= available
            d += timedelta(days=1)
            local = _dt(d, time(0, 0), self.tz)
        raise ValueError("no working time found in the calendar")

    def working_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        if b < a:
            return -self.working_between(b, a)
        la, lb = a.astimezone(self.tz), b.astimezone(self.tz)
        total = timedelta(0)
        d = la.date()
        while d <= lb.date():
            if self.is_workday(d):
                lo = max(la, _dt(d, self.day_start, self.tz))
                hi = min(lb, _dt(d, self.day_end, self.tz))
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total


def _dt(d: date, t: time, tz: ZoneInfo | None) -> datetime:
    return datetime.combine(d, t, tzinfo=tz)
