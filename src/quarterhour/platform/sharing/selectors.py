"""Reads of shared facilities: scoped lists, upcoming slots with free places, and the facilities
the planning side counts in coverage and offers as siting candidates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from quarterhour.engine import places
from quarterhour.platform.core.access import scope_q
from quarterhour.platform.sharing.models import Booking, SharedFacility, Slot


def shared_visible(user: Any) -> QuerySet[SharedFacility]:
    """Offers a staff member manages or oversees (residents see :func:`offers_open`)."""
    return SharedFacility.objects.filter(
        scope_q(
            user,
            district="community__street__district_id",
            street="community__street_id",
            community="community_id",
            provider="unit_id",
        )
    ).select_related("unit", "community")


def offers_open(*, today: dt.date | None = None) -> QuerySet[SharedFacility]:
    """Offers residents can book today or later."""
    day = today or timezone.localdate()
    return (
        SharedFacility.objects.filter(
            Q(status=SharedFacility.Status.OFFERED)
            | Q(status=SharedFacility.Status.WITHDRAWN, withdrawn_from__gt=day)
        )
        .select_related("unit", "community")
        .prefetch_related("windows")
    )


def bookings_of(user: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(booker=user).select_related("slot__shared")


def bookings_of_facility(shared: SharedFacility) -> QuerySet[Booking]:
    """Bookings of one offer (for its managers; booker names only, no phone numbers)."""
    return Booking.objects.filter(slot__shared=shared).select_related("slot", "booker")


@dataclass(frozen=True, slots=True)
class Opening:
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return self.capacity - self.taken


def upcoming(
    shared: SharedFacility, *, start: dt.date, days: int = 14, after: dt.datetime | None = None
) -> list[Opening]:
    """Every slot occurrence of the next ``days`` days with its free places (only those
    beginning later than ``after`` when it is given: a begun slot cannot be booked)."""
    cutoff = timezone.localtime(after).replace(tzinfo=None) if after is not None else None
    taken = {
        (s.date, s.start): s
        for s in Slot.objects.filter(
            shared=shared, date__gte=start, date__lt=start + dt.timedelta(days=days)
        )
    }
    out: list[Opening] = []
    windows = list(shared.windows.all())
    for k in range(days):
        day = start + dt.timedelta(days=k)
        if shared.withdrawn_from is not None and day >= shared.withdrawn_from:
            break
        for w in windows:
            if w.weekday != day.isoweekday():
                continue
            if (w.valid_from and day < w.valid_from) or (w.valid_until and day > w.valid_until):
                continue
            step = w.slot_minutes or None
            at = dt.datetime.combine(day, w.start)
            stop = dt.datetime.combine(day, w.end)
            while at < stop:
                end = at + dt.timedelta(minutes=step) if step else stop
                if end > stop:
                    break
                if cutoff is not None and at <= cutoff:
                    at = end
                    continue
                slot = taken.get((day, at.time()))
                out.append(
                    Opening(day, at.time(), end.time(), shared.capacity, slot.taken if slot else 0)
                )
                at = end
    return out


def planning_facilities(
    *, bbox: tuple[float, float, float, float] | None = None, today: dt.date | None = None
) -> list[places.Facility]:
    """Shared facilities in force, as engine facilities: the planning side adds them to the
    register's facilities when it computes coverage, and to its siting candidates. Ids are
    ``shared:<pk>``; only offers with standard items count for coverage."""
    qs = offers_open(today=today).order_by("pk")
    if bbox is not None:
        qs = qs.filter(lon__gte=bbox[0], lat__gte=bbox[1], lon__lte=bbox[2], lat__lte=bbox[3])
    return [
        places.Facility(
            facility_id=f"shared:{s.pk}",
            name=s.name,
            lon=s.lon,
            lat=s.lat,
            item_codes=tuple(s.item_codes),
            address=s.address,
            source="sharing",
            tags=(("kind", s.kind), ("price", s.price), ("unit", s.unit.name)),
        )
        for s in qs
    ]


def siting_candidates(
    *, bbox: tuple[float, float, float, float] | None = None
) -> list[tuple[str, float, float]]:
    """(id, lon, lat) of every shared facility on offer: places a missing item could be sited
    in without building (the planning side passes them to the engine's siting as candidates)."""
    return [(f.facility_id, f.lon, f.lat) for f in planning_facilities(bbox=bbox)]
