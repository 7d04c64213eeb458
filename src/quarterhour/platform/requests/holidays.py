"""China's statutory public holidays and the swapped working weekend days (调休) of a year, as
published each year by the State Council, read from the ``chinesecalendar`` package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

#: the package's holiday names in words
NAMES = {
    "New Year's Day": _("元旦"),
    "Spring Festival": _("春节"),
    "Tomb-sweeping Day": _("清明节"),
    "Labour Day": _("劳动节"),
    "Dragon Boat Festival": _("端午节"),
    "National Day": _("国庆节"),
    "Mid-autumn Festival": _("中秋节"),
    "Anti-Fascist 70th Day": _("抗战胜利纪念日"),
}


@dataclass(frozen=True, slots=True)
class Statutory:
    off: dict[date, str]  # holidays on days that would be working days
    on: dict[date, str]  # weekend days that are working days (调休上班)


def statutory_days(year: int) -> Statutory | None:
    """The year's arrangement, or None when it is not published (not in the package yet)."""
    import chinese_calendar as cc

    off = {
        d: str(NAMES.get(name, name))
        for d, name in cc.holidays.items()
        if d.year == year and d.isoweekday() <= 5
    }
    on = {
        d: str(_("%(h)s调休上班") % {"h": NAMES.get(name, name)})
        for d, name in cc.workdays.items()
        if d.year == year and d.isoweekday() > 5
    }
    if not off and not on:
        return None
    return Statutory(off, on)
