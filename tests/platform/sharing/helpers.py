"""Test helpers: a resident unit offering its sports ground (Saturday mornings in hour slots,
Wednesday evenings) and a booking of it, on a fixed clock (``T0`` a Monday)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.sharing import services
from quarterhour.platform.sharing.models import Booking, SharedFacility
from tests.platform.conftest import make_user

TZ = timezone.get_fixed_timezone(8 * 60)
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday
SAT = dt.date(2026, 3, 7)
WED = dt.date(2026, 3, 4)
WINDOWS = [
    {"weekday": 6, "start": "08:00", "end": "12:00", "slot_minutes": 60},
    {"weekday": 3, "start": "18:00", "end": "21:00"},
]


def unit_of(w: Any, street: Any, community: Any, name: str) -> tuple[Any, Any]:
    unit = Provider.objects.create(
        name=name, street=street, community=community, kind="resident_unit"
    )
    staff = make_user(f"unit_{community.code}", "provider", provider=unit)
    return unit, staff


def offer(w: Any, *, capacity: int = 2, **kw: Any) -> SharedFacility:
    unit, staff = kw.pop("unit_staff", None) or unit_of(w, w.A1, w.a1x, "第一中学")
    args = {
        "actor": staff,
        "unit": unit,
        "community": w.a1x,
        "name": "第一中学操场",
        "kind": "sports_ground",
        "lon": w.a1x.centre_lon,
        "lat": w.a1x.centre_lat,
        "price": "free",
        "capacity": capacity,
        "windows": WINDOWS,
        "item_codes": ["center.sports"],
    }
    args.update(kw)
    return services.offer(**args)


def book(w: Any, shared: SharedFacility, *, role: str = "resident", **kw: Any) -> Booking:
    args = {
        "actor": w.users[role],
        "shared": shared,
        "date": SAT,
        "start": dt.time(9, 0),
        "now": T0,
    }
    args.update(kw)
    return services.book(**args)
