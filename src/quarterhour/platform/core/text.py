"""What text and coordinates the platform takes in and lets out.

Refused on every way in (forms, Open311, imports, services): control characters other than tab,
line feed and carriage return (NUL, vertical tab, form feed, escape, DEL …), the two
non-characters U+FFFE/U+FFFF and lone surrogates — none is typed by a person, PostgreSQL refuses
NUL outright and XML 1.0 cannot carry any of them. Coordinates are finite and on the globe.

Text already stored before this rule is scrubbed on the way out (:func:`printable`), so a feed
stays well-formed whatever an old row holds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.error_codes import CoreError
from quarterhour.platform.core.errors import Invalid, Issue

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
CODE = CoreError.CONTROL_CHARACTER


def has_control(value: Any) -> bool:
    return isinstance(value, str) and FORBIDDEN.search(value) is not None


def has_control_anywhere(value: Any) -> bool:
    """In a string, or in any key or value of nested lists and mappings (a JSON document)."""
    if isinstance(value, str):
        return has_control(value)
    if isinstance(value, Mapping):
        return any(has_control_anywhere(k) or has_control_anywhere(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_control_anywhere(v) for v in value)
    return False


def printable(value: str) -> str:
    """``value`` without the characters refused on input (for output of old rows)."""
    return FORBIDDEN.sub("", value)


def control_issue(field: str) -> Issue:
    return Issue(CODE, _("含有不可见的控制字符，请删除后重试"), field=field)


def bad_fields(values: Mapping[str, Any]) -> list[str]:
    """The names (and keys) among ``values`` whose text holds a refused character; a value may
    be a string or a list of strings (a form's repeated field)."""
    out: list[str] = []
    for key, value in values.items():
        items: Iterable[Any] = value if isinstance(value, list | tuple) else [value]
        if has_control(key) or any(has_control(v) for v in items):
            out.append(printable(str(key)))
    return out


def check_texts(values: Mapping[str, Any]) -> None:
    """Refuse (:class:`Invalid`, one issue per field) when any value holds a refused character."""
    bad = bad_fields(values)
    if bad:
        issues = [control_issue(f) for f in bad]
        raise Invalid(CODE, issues[0].message, issues)


def coordinates_ok(lon: float | None, lat: float | None) -> bool:
    """Both given, finite and on the globe (WGS-84 degrees)."""
    if lon is None or lat is None:
        return False
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


def coordinate_issue(field: str = "lat/long") -> Issue:
    return Issue(
        CoreError.BAD_COORDINATES, _("经纬度须为有限数值，经度 −180…180，纬度 −90…90"), field=field
    )


def whole_number(raw: str, *, digits: int = 18) -> int | None:
    """``raw`` as a non-negative whole number of ASCII digits (``"²"`` and ``"١"`` are digits to
    ``str.isdigit`` but not to ``int``), or None."""
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= digits:
        return int(raw)
    return None
