"""Structured opening hours, so "open now" can be answered.

Stored as a list of periods ``{"days": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30"}``
(ISO weekdays, 1 = Monday; 24-hour local times; ``closes`` ≤ ``opens`` runs past midnight).
An empty list means "hours unknown", not "closed".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.utils.translation import get_language
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
    ``24小时``; several separated by ``;``/``；``; else OpenStreetMap's ``opening_hours`` syntax
    (:func:`periods_from_osm`). None when not understood."""
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
            return periods_from_osm(text)
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
            return periods_from_osm(text)
        out.append({"days": days, "opens": opens, "closes": closes})
    return out


# --- OpenStreetMap opening_hours --------------------------------------------------------------

#: weeks the OSM rules are read on (Mondays across a year): rules that differ between them
#: (seasons, week numbers, month ranges) are not weekly and stay a note
_REFERENCE_MONDAYS = ((2025, 1, 6), (2025, 4, 7), (2025, 7, 7), (2025, 10, 6))
#: event times that need the place's coordinates to mean anything
_SOLAR = ("sunrise", "sunset", "dawn", "dusk")
_DAY_MIN = 24 * 60


def _week_segments(oh: Any, monday: datetime) -> list[list[tuple[int, int]]] | None:
    """Open minutes of each day (index 0 = Monday) as ``(start, end)`` within the day; None when
    a stretch is "unknown" or open with a comment (by appointment …): not plain hours."""
    from opening_hours import State

    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    end_of_week = monday + timedelta(days=7)
    for start, end, state, comment in oh.intervals(monday, end_of_week):
        if state == State.UNKNOWN or (state == State.OPEN and comment):
            return None
        if state != State.OPEN:
            continue
        at = start
        while at < end:
            midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
            day_end = min(end, midnight + timedelta(days=1))
            d = (midnight - monday).days
            a = int((at - midnight).total_seconds() // 60)
            b = int((day_end - midnight).total_seconds() // 60)
            if 0 <= d < 7 and b > a:
                days[d].append((a, b))
            at = day_end
    return days


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def periods_from_osm(text: str) -> list[dict[str, Any]] | None:
    """OpenStreetMap ``opening_hours`` (``Mo-Fr 08:00-18:00; Sa 10:00-16:00; PH off``, ``24/7``)
    as periods, read by the opening-hours-py parser. None when the text is not OSM syntax or its
    hours are not the same every week; public holidays (``PH``) are not modelled and fall away.
    A stretch past midnight (``Fr 18:00-02:00``) becomes one period that closes the next day."""
    import opening_hours

    # the parser's own error class is missing from its type stubs
    parser_error: type[Exception] = getattr(opening_hours, "ParserError", ValueError)
    if any(word in text.lower() for word in _SOLAR):
        return None
    try:
        oh = opening_hours.OpeningHours(text)
    except (parser_error, ValueError):
        return None
    weeks = [_week_segments(oh, datetime(*ymd)) for ymd in _REFERENCE_MONDAYS]
    first = weeks[0]
    if first is None or any(w != first for w in weeks[1:]):
        return None
    days = [list(d) for d in first]
    # join "Fr 18:00-24:00" with "Sa 00:00-02:00" into one period past midnight
    for d in range(7):
        nxt = (d + 1) % 7
        tail = [s for s in days[d] if s[1] == _DAY_MIN and s[0] > 0]
        head = [s for s in days[nxt] if s[0] == 0 and s[1] < _DAY_MIN]
        if tail and head and head[0][1] <= tail[0][0]:
            days[d].remove(tail[0])
            days[nxt].remove(head[0])
            days[d].append((tail[0][0], _DAY_MIN + head[0][1]))
    by_segment: dict[tuple[int, int], list[int]] = {}
    for d, segments in enumerate(days):
        for seg in sorted(segments):
            by_segment.setdefault(seg, []).append(d + 1)
    out: list[dict[str, Any]] = []
    for (a, b), weekdays in sorted(by_segment.items(), key=lambda kv: (kv[1][0], kv[0])):
        closes = "24:00" if b == _DAY_MIN else _hhmm(b % _DAY_MIN)
        out.append({"days": weekdays, "opens": _hhmm(a), "closes": closes})
    return out


# --- hours in words ---------------------------------------------------------------------------


def _day_names() -> list[str]:
    return [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


def _clock(text: str) -> str:
    """``08:30`` → ``8:30`` (as a person writes it)."""
    h, m = text.split(":")
    return f"{int(h)}:{m}"


def _days_words(days: list[int]) -> str:
    """``[1, 2, 3, 4, 5]`` → 周一至周五; ``[6, 7]`` → 周六、周日; all seven → 每天."""
    names = _day_names()
    if days == list(range(1, 8)):
        return str(_("每天"))
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(_("%(a)s至%(b)s") % {"a": names[run[0] - 1], "b": names[run[-1] - 1]})
        else:
            parts.extend(names[d - 1] for d in run)
    return str(_("、")).join(parts)


def _span_words(opens: str, closes: str) -> str:
    if opens == "00:00" and closes == "24:00":
        return str(_("全天"))
    if _t(closes) <= _t(opens):
        return _("%(a)s–次日 %(b)s") % {"a": _clock(opens), "b": _clock(closes)}
    return f"{_clock(opens)}–{_clock(closes)}"


def hours_words(periods: Sequence[dict[str, Any]]) -> str:
    """Opening hours as a person reads them: ``周一至周五 8:00–18:00；周六、周日 9:00–17:00``
    (English under the English switch); ``24 小时营业``; "" for unknown hours. Places share a
    few patterns: each is worded once per language and process."""
    if not periods:
        return ""
    key = tuple((tuple(p["days"]), p["opens"], p["closes"]) for p in periods)
    return _words(key, get_language() or "")


@functools.lru_cache(maxsize=4096)
def _words(periods: tuple[tuple[tuple[int, ...], str, str], ...], _language: str) -> str:
    per_day: dict[int, list[tuple[str, str]]] = {d: [] for d in range(1, 8)}
    for days, opens, closes in periods:
        for d in days:
            per_day[d].append((opens, closes))
    if all(spans == [("00:00", "24:00")] for spans in per_day.values()):
        return str(_("24 小时营业"))
    groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for d in range(1, 8):
        spans = tuple(sorted(per_day[d]))
        if spans:
            groups.setdefault(spans, []).append(d)
    phrases = [
        f"{_days_words(days)} {str(_('、')).join(_span_words(a, b) for a, b in spans)}"
        for spans, days in sorted(groups.items(), key=lambda kv: kv[1][0])
    ]
    return str(_("；")).join(phrases)
