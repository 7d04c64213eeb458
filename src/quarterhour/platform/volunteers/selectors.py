"""Reads of volunteers, needs and hours: scoped lists, per-volunteer totals, certificates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from quarterhour.platform.core.access import scope_q
from quarterhour.platform.volunteers.models import Need, ServiceRecord, Volunteer


def volunteers_visible(user: Any) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(
        scope_q(
            user,
            district="community__street__district_id",
            street="community__street_id",
            community="community_id",
        )
    ).select_related("community")


def needs_visible(user: Any) -> QuerySet[Need]:
    own = Q(recipient=user) | Q(volunteer__user=user) if getattr(user, "pk", None) else Q(pk__in=[])
    return Need.objects.filter(
        scope_q(
            user,
            district="community__street__district_id",
            street="community__street_id",
            community="community_id",
        )
        | own
    ).select_related("community", "volunteer", "recipient")


def needs_to_help(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Need]:
    """Open needs an approved volunteer may take (我来帮忙): in the volunteer's street, of one of
    their skills, not their own and not yet past; soonest first. None for anyone else."""
    if getattr(user, "pk", None) is None:
        return Need.objects.none()
    volunteer = Volunteer.objects.filter(user_id=user.pk, status=Volunteer.Status.APPROVED).first()
    if volunteer is None:
        return Need.objects.none()
    return (
        Need.objects.filter(
            status=Need.Status.OPEN,
            community__street_id=volunteer.community.street_id,
            skill__in=list(volunteer.skills),
            wanted_at__gte=now or timezone.now(),
        )
        .exclude(recipient_id=volunteer.user_id)
        .select_related("community")
        .order_by("wanted_at", "pk")
    )


def hours_of(minutes: int | None) -> float:
    """Confirmed minutes as the hours every page shows (one decimal, the same figure on the
    volunteer's home, the community's list and the certificate)."""
    return round((minutes or 0) / 60, 1)


@dataclass(frozen=True, slots=True)
class Totals:
    volunteer: Volunteer
    services: int
    minutes: int

    @property
    def hours(self) -> float:
        return hours_of(self.minutes)


def totals(volunteer: Volunteer, *, year: int | None = None) -> Totals:
    """Confirmed service of one volunteer (all time, or one calendar year)."""
    qs = ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.CONFIRMED)
    if year is not None:
        qs = qs.filter(served_on__gte=dt.date(year, 1, 1), served_on__lt=dt.date(year + 1, 1, 1))
    agg = qs.aggregate(n=Count("pk"), m=Sum("minutes"))
    return Totals(volunteer, agg["n"] or 0, agg["m"] or 0)


def totals_table(volunteers: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """Volunteers annotated with confirmed ``n_services`` and ``confirmed_minutes``."""
    confirmed = Q(records__status=ServiceRecord.Status.CONFIRMED)
    return volunteers.annotate(
        n_services=Count("records", filter=confirmed),
        confirmed_minutes=Sum("records__minutes", filter=confirmed),
    )


def certificate_number(volunteer: Volunteer, year: int | None) -> str:
    """A stable number printed on the certificate: community code, volunteer id, year."""
    return f"ZY-{volunteer.community.code}-{volunteer.pk:06d}-{year or 'ALL'}"


def network_for(lon: float, lat: float) -> Any:
    """The newest stored walk network covering the point (None when there is none)."""
    from quarterhour.platform.planning.models import WalkNetworkFile
    from quarterhour.platform.planning.networks import load_network

    record = (
        WalkNetworkFile.objects.filter(
            min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return load_network(record) if record is not None else None
