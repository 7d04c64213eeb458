"""Query parameters of the HSDS API, checked once: every problem is a 400 with a code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from quarterhour.platform.hsds.error_codes import HsdsError

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 50
MAX_PROXIMITY_M = 5000.0


class BadRequest(Exception):
    def __init__(self, code: HsdsError, message: str, *, status: int = 400) -> None:
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"[{code}] {message}")


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int
    ndjson: bool


def text(q: QueryDict, name: str, *, max_len: int = 200) -> str:
    value = q.get(name, "")
    if "\x00" in value:
        raise BadRequest(HsdsError.BAD_PARAMETER, _("参数 %(p)s 含有非法字符") % {"p": name})
    return value.strip()[:max_len]


def integer(q: QueryDict, name: str, *, default: int, lo: int, hi: int) -> int:
    raw = text(q, name)
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(HsdsError.BAD_PARAMETER, _("参数 %(p)s 须为整数") % {"p": name}) from None
    if not lo <= value <= hi:
        raise BadRequest(
            HsdsError.BAD_PARAMETER,
            _("参数 %(p)s 须在 %(lo)d 到 %(hi)d 之间") % {"p": name, "lo": lo, "hi": hi},
        )
    return value


def number(q: QueryDict, name: str, *, lo: float, hi: float) -> float | None:
    raw = text(q, name)
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not lo <= value <= hi:  # also false for NaN
        raise BadRequest(
            HsdsError.BAD_PARAMETER,
            _("参数 %(p)s 须为 %(lo)g 到 %(hi)g 之间的数") % {"p": name, "lo": lo, "hi": hi},
        )
    return value


def boolean(q: QueryDict, name: str) -> bool:
    raw = text(q, name).lower()
    if raw in ("", "false", "0", "no"):
        return False
    if raw in ("true", "1", "yes"):
        return True
    raise BadRequest(HsdsError.BAD_PARAMETER, _("参数 %(p)s 须为 true 或 false") % {"p": name})


def paging(q: QueryDict) -> Paging:
    fmt = text(q, "format").lower() or "json"
    if fmt not in ("json", "ndjson"):
        raise BadRequest(HsdsError.BAD_PARAMETER, _("format 须为 json 或 ndjson"))
    return Paging(
        page=integer(q, "page", default=1, lo=1, hi=MAX_PAGE),
        per_page=integer(q, "per_page", default=DEFAULT_PER_PAGE, lo=1, hi=MAX_PER_PAGE),
        ndjson=fmt == "ndjson",
    )


def modified_after(q: QueryDict) -> dt.datetime | None:
    raw = text(q, "modified_after")
    if not raw:
        return None
    try:
        when = parse_datetime(raw.replace(" ", "+"))
        if when is None:
            day = parse_date(raw)
            when = None if day is None else dt.datetime.combine(day, dt.time())
    except ValueError:
        when = None
    if when is None or not 1900 <= when.year <= 9998:
        raise BadRequest(
            HsdsError.BAD_PARAMETER,
            _("modified_after 须为 ISO 8601 日期时间，如 2024-05-01T08:00:00+08:00"),
        )
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when
