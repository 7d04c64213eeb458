"""工作目标 · The policy's targets against the latest assessment, per district (a selector).

意见 一(三): demonstration circles (示范点) against the city's number, and the share of urban
communities covered against its share (60 %). An urban community counts as covered when its
latest assessment meets every required item of the standard (达标); a circle counts as a
demonstration circle when its latest result says so. The gap list (缺什么) counts, per item, the
circles whose latest result misses it. Only what the viewer's jurisdiction covers is counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q

from quarterhour.platform.core import standard
from quarterhour.platform.geography.models import Community
from quarterhour.platform.geography.selectors import circles_visible, communities_visible
from quarterhour.platform.planning.models import CircleResult, CommunityResult


@dataclass(frozen=True, slots=True)
class DistrictTargets:
    name: str
    circles: int
    circles_assessed: int
    demonstration: int
    urban_communities: int
    urban_covered: int

    @property
    def urban_share(self) -> float | None:
        return self.urban_covered / self.urban_communities if self.urban_communities else None


@dataclass(frozen=True, slots=True)
class Gap:
    item_code: str
    label: str
    circles: int
    examples: tuple[tuple[int, str], ...]  # (circle pk, name), the first few


@dataclass(frozen=True, slots=True)
class TargetsOverview:
    districts: tuple[DistrictTargets, ...]
    demonstration_target: int | None
    demonstration_year: int | None
    urban_share_target: float | None
    urban_share_year: int | None
    gaps: tuple[Gap, ...] = field(default=())

    def total(self, name: str) -> int:
        return sum(getattr(d, name) for d in self.districts)

    @property
    def urban_share(self) -> float | None:
        n = self.total("urban_communities")
        return self.total("urban_covered") / n if n else None

    @property
    def urban_share_target_percent(self) -> int | None:
        t = self.urban_share_target
        return None if t is None else round(t * 100)

    # the totals the page shows (templates cannot pass arguments)
    @property
    def total_circles(self) -> int:
        return self.total("circles")

    @property
    def total_circles_assessed(self) -> int:
        return self.total("circles_assessed")

    @property
    def total_demonstration(self) -> int:
        return self.total("demonstration")

    @property
    def total_urban_communities(self) -> int:
        return self.total("urban_communities")

    @property
    def total_urban_covered(self) -> int:
        return self.total("urban_covered")


def targets_overview(user: Any, *, examples: int = 5) -> TargetsOverview:
    circles = circles_visible(user)
    communities = communities_visible(user)
    latest_circles = CircleResult.objects.filter(circle__in=circles, is_latest=True)
    by_district: dict[str, dict[str, int]] = {}

    def row(name: str) -> dict[str, int]:
        return by_district.setdefault(
            name,
            dict.fromkeys(
                ("circles", "circles_assessed", "demonstration", "urban", "urban_covered"), 0
            ),
        )

    for rc in circles.values("street__district__name").annotate(n=Count("pk")):
        row(rc["street__district__name"])["circles"] = rc["n"]
    for ra in latest_circles.values("circle__street__district__name").annotate(
        n=Count("pk"), demo=Count("pk", filter=Q(demonstration=True))
    ):
        d = row(ra["circle__street__district__name"])
        d["circles_assessed"], d["demonstration"] = ra["n"], ra["demo"]
    urban = communities.filter(urban_rural=Community.UrbanRural.URBAN)
    for ru in urban.values("street__district__name").annotate(n=Count("pk")):
        row(ru["street__district__name"])["urban"] = ru["n"]
    covered = CommunityResult.objects.filter(
        community__in=urban,
        is_latest=True,
        items_required__gt=0,
        items_met__gte=F("items_required"),
    )
    for rv in covered.values("community__street__district__name").annotate(n=Count("pk")):
        row(rv["community__street__district__name"])["urban_covered"] = rv["n"]

    missing: Counter[str] = Counter()
    seen: dict[str, list[tuple[int, str]]] = {}
    for r in latest_circles.order_by("circle__code").values("missing", "circle_id", "circle__name"):
        for code in r["missing"] or ():
            missing[code] += 1
            seen.setdefault(code, [])
            if len(seen[code]) < examples:
                seen[code].append((r["circle_id"], r["circle__name"]))
    targets = standard.engine_standard().targets
    return TargetsOverview(
        districts=tuple(
            DistrictTargets(
                name=name,
                circles=d["circles"],
                circles_assessed=d["circles_assessed"],
                demonstration=d["demonstration"],
                urban_communities=d["urban"],
                urban_covered=d["urban_covered"],
            )
            for name, d in sorted(by_district.items())
        ),
        demonstration_target=targets.demonstration_circles,
        demonstration_year=targets.demonstration_year,
        urban_share_target=targets.urban_community_share,
        urban_share_year=targets.urban_community_year,
        gaps=tuple(
            Gap(code, standard.item_label(code), n, tuple(seen[code]))
            for code, n in sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
    )
