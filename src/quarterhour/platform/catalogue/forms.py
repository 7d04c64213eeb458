"""Reading the service fields people fill in (hours as weekdays ticked and two times)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core import forms as pages

WEEKDAYS = (
    (1, _("一")),
    (2, _("二")),
    (3, _("三")),
    (4, _("四")),
    (5, _("五")),
    (6, _("六")),
    (7, _("日")),
)
_DAYS = {str(n) for n, _label in WEEKDAYS}


def hours_from_form(d: Any) -> list[dict[str, Any]]:
    """One period of opening hours: the weekdays ticked (``days``), ``opens`` and ``closes``.
    Nothing filled in means the hours are not given; a half-filled period is returned as it
    is, for the hours' own check to refuse in words."""
    days = sorted({int(v) for v in d.getlist("days") if v in _DAYS})
    opens, closes = pages.text(d, "opens"), pages.text(d, "closes")
    if not days and not opens and not closes:
        return []
    return [{"days": days, "opens": opens, "closes": closes}]


def chosen_days(d: Any) -> list[int]:
    return [int(v) for v in d.getlist("days") if v in _DAYS]
