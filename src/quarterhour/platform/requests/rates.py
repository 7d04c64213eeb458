"""Each unit's 响应率 / 解决率 / 满意率, as the 12345 接诉即办 assessment scores the units that hold
requests: of the requests a unit held in a year (received that year; for a provider's station
also those taken away from it for being late),

* 响应率 — answered in time: accepted or replied to before the deadline;
* 解决率 — closed by the unit;
* 满意率 — rated 4 or 5 of those the requester rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.geography.models import Community, Street
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests.models import Handover, Level, ServiceRequest, Status


@dataclass(frozen=True, slots=True)
class UnitRates:
    level: str
    name: str
    held: int
    responded: int
    resolved: int
    rated: int
    satisfied: int

    @staticmethod
    def _pct(a: int, b: int) -> float | None:
        return round(100.0 * a / b, 1) if b else None

    @property
    def response_rate(self) -> float | None:
        return self._pct(self.responded, self.held)

    @property
    def resolution_rate(self) -> float | None:
        return self._pct(self.resolved, self.held)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._pct(self.satisfied, self.rated)

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)


_FIELD = {
    Level.PROVIDER: ("owner_provider", Provider),
    Level.COMMUNITY: ("owner_community", Community),
    Level.STREET: ("owner_street", Street),
}


def unit_rates(user: Any, *, year: int, now: datetime | None = None) -> list[UnitRates]:
    """The rates of every unit holding requests ``user`` may see, received in ``year``."""
    tz = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    seen = ServiceRequest.objects.filter(rperm.scope_requests(user)).filter(
        received_at__gte=start, received_at__lt=end
    )
    out: list[UnitRates] = []
    for level, (field, model) in _FIELD.items():
        rows = (
            seen.filter(**{f"{field}__isnull": False})
            .values(field)
            .annotate(
                held=Count("pk"),
                responded=Count(
                    "pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("due_at"))
                ),
                resolved=Count("pk", filter=Q(status=Status.CLOSED)),
                rated=Count("pk", filter=Q(rating__isnull=False)),
                satisfied=Count("pk", filter=Q(rating__gte=4)),
            )
        )
        counts = {r[field]: r for r in rows}
        late: dict[int, int] = {}
        if level == Level.PROVIDER:
            for r in (
                Handover.objects.filter(
                    kind=Handover.Kind.ESCALATION, request__in=seen, from_provider__isnull=False
                )
                .exclude(request__owner_provider=F("from_provider"))
                .values("from_provider")
                .annotate(n=Count("request", distinct=True))
            ):
                late[r["from_provider"]] = r["n"]
        names = dict(
            model._default_manager.filter(pk__in=set(counts) | set(late)).values_list("pk", "name")
        )
        for pk in sorted(set(counts) | set(late), key=lambda k: names.get(k, "")):
            c = counts.get(pk, {})
            out.append(
                UnitRates(
                    level=level,
                    name=names.get(pk, ""),
                    held=c.get("held", 0) + late.get(pk, 0),
                    responded=c.get("responded", 0),
                    resolved=c.get("resolved", 0),
                    rated=c.get("rated", 0),
                    satisfied=c.get("satisfied", 0),
                )
            )
    return out
