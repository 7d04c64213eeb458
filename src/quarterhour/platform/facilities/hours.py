"""Structured opening hours, so "open now" can be answered.

Stored as a list of periods ``{"days": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30"}``
(ISO weekdays, 1 = Monday; 24-hour local times; ``closes`` ≤ ``opens`` runs past midnight).
An empty list means "hours unknown", not "closed".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext as _

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_DAYS_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}


def _t(text: str) -> time:
    if text == "24:00":
        return time(23, 59, 59)
    h, m = text.split(":")
    return time(int(h), int(m))


def validate_hours(periods: Any) -> list[str]:
    """Problems with a periods list (empty when valid)."""
    problems: list[str] = []
    if not isinstance(periods, list):
        return [_("营业时间须为时段列表")]
    for i, p in enumerate(periods, start=1):
        if not isinstance(p, dict):
            problems.append(_("第 %(i)d 个时段格式错误") % {"i": i})
            continue
        days = p.get("days")
        if not isinstance(days, list) or not days or any(d not in range(1, 8) for d in days):
            problems.append(_("第 %(i)d 个时段的星期须为 1–7") % {"i": i})
        for key in ("opens", "closes"):
            if not isinstance(p.get(key), str) or not _HHMM.match(p[key]):
                problems.append(_("第 %(i)d 个时段的时间须为 HH:MM") % {"i": i})
    return problems


def is_open(periods: Sequence[dict[str, Any]], at: datetime) -> bool | None:
    """True/False for a local datetime; None when the hours are unknown (empty)."""
    if not periods:
        return None
    day = at.isoweekday()
    now = at.time()
    for p in periods:
        opens, closes = _t(p["opens"]), _t(p["closes"])
        if closes > opens:
            if day in p["days"] and opens <= now < closes:
                return True
        else:  # past midnight
            if day in p["days"] and now >= opens:
                return True
            prev = 7 if day == 1 else day - 1
            if prev in p["days"] and now < closes:
                return True
    return False


def next_change(periods: Sequence[dict[str, Any]], at: datetime) -> datetime | None:
    """The first opening or closing time after ``at``: the earliest moment :func:`is_open` may
    answer differently (None for unknown hours, which never change by themselves)."""
    if not periods:
        return None
    best: datetime | None = None
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    for d in range(-1, 9):  # a period that began yesterday may close today; a week ahead
        day = midnight + timedelta(days=d)
        weekday = day.isoweekday()
        for p in periods:
            if weekday not in p["days"]:
                continue
            opens, closes = _t(p["opens"]), _t(p["closes"])
            close_day = day if closes > opens else day + timedelta(days=1)
            for when in (
                day.replace(hour=opens.hour, minute=opens.minute, second=opens.second),
                close_day.replace(hour=closes.hour, minute=closes.minute, second=closes.second),
            ):
                if when > at and (best is None or when < best):
                    best = when
    return best


def first_change(all_periods: Iterable[Sequence[dict[str, Any]]], at: datetime) -> datetime | None:
    """The earliest :func:`next_change` among several places' hours (None: none ever changes)."""
    times = [t for t in (next_change(p, at) for p in all_periods) if t is not None]
    return min(times) if times else None


def parse_hours_text(text: str) -> list[dict[str, Any]] | None:
    """Parse common register forms: ``08:00-20:00`` (every day), ``周一至周五 8:30-17:30``,
    ``24小时``; several separated by ``;``/``；``. None when not understood."""
    text = (
        text.strip()
        .replace("：", ":")
        .replace("－", "-")
        .replace("—", "-")
        .replace("~", "-")
        .replace("～", "-")
    )
    if not text:
        return []
    if text in {"24小时", "24h", "全天", "24 hours"}:
        return [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "24:00"}]
    out: list[dict[str, Any]] = []
    for part in re.split(r"[;；,，]", text):
        part = part.strip()
        if not part:
            continue
        m = re.match(
            r"^(?:(?:周|星期)([一二三四五六日天])(?:\s*[至到-]\s*(?:周|星期)?([一二三四五六日天]))?\s*)?"
            r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$",
            part,
        )
        if not m:
            return None
        d1, d2, t1, t2 = m.groups()
        if d1 is None:
            days = [1, 2, 3, 4, 5, 6, 7]
        elif d2 is None:
            days = [_DAYS_ZH[d1]]
        else:
            a, b = _DAYS_ZH[d1], _DAYS_ZH[d2]
            days = list(range(a, b + 1)) if a <= b else [*range(a, 8), *range(1, b + 1)]
        opens, closes = t1.zfill(5), t2.zfill(5)
        if not _HHMM.match(opens) or not _HHMM.match(closes):
            return None
        out.append({"days": days, "opens": opens, "closes": closes})
    return out
