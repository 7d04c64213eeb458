"""Reads of assessment runs and results, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from quarterhour.platform.core.access import scope_q
from quarterhour.platform.geography.models import Circle, Community
from quarterhour.platform.planning.assessment import inputs_date, scope_communities
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleItemResult,
    CircleResult,
    CommunityItemResult,
    CommunityResult,
)


def runs_visible(user: Any) -> QuerySet[AssessmentRun]:
    return AssessmentRun.objects.filter(
        scope_q(user, district="district_id", street="street_id", community=None)
        | scope_q(user, district="street__district_id", street=None, community=None)
    ).select_related("district", "street", "requested_by", "network")


def with_latest_community_result(qs: QuerySet[Community]) -> QuerySet[Community]:
    """Communities annotated with their latest result's ``items_met`` / ``items_required`` (None
    when never assessed) and, of that run's items judged for the elderly at their pace, how many
    are met (``elderly_items_met`` of ``elderly_items``; None when the community list gave no
    elderly): correlated lookups on the (community, is_latest) index, so a page of rows costs
    no extra query."""
    latest = CommunityResult.objects.filter(community=OuterRef("pk"), is_latest=True)
    latest_run = CommunityResult.objects.filter(
        community=OuterRef(OuterRef("pk")), is_latest=True
    ).values("run_id")[:1]
    elderly = (
        CommunityItemResult.objects.filter(
            community=OuterRef("pk"), run_id=Subquery(latest_run), elderly_met__isnull=False
        )
        .values("community")
        .annotate(n=Count("pk"), met=Count("pk", filter=Q(elderly_met=True)))
    )
    return qs.annotate(
        items_met=Subquery(latest.values("items_met")[:1]),
        items_required=Subquery(latest.values("items_required")[:1]),
        elderly_items=Subquery(elderly.values("n")[:1]),
        elderly_items_met=Subquery(elderly.values("met")[:1]),
    )


def latest_circle_result(circle: Circle) -> CircleResult | None:
    return (
        CircleResult.objects.filter(circle=circle, is_latest=True)
        .select_related("run__network")
        .first()
    )


def circle_item_results(result: CircleResult) -> list[CircleItemResult]:
    return list(
        CircleItemResult.objects.filter(run_id=result.run_id, circle_id=result.circle_id).order_by(
            "item_code"
        )
    )


def is_stale(run: AssessmentRun, *, circle: Circle | None = None) -> bool:
    """Have the inputs changed since the run read them? With ``circle``: only the inputs of that
    circle's result (its member communities and the facilities within reach of them)."""
    if run.inputs_date is None:
        return False
    if circle is not None:
        communities = [m.community for m in circle.memberships.all()]
    else:
        communities = scope_communities(run)
    now = inputs_date(communities, run)
    return now is not None and now > run.inputs_date


@dataclass(frozen=True, slots=True)
class CircleChange:
    """How one circle's result moved from the run before to ``run``: the items it meets now
    and did not (``gained``), and the reverse (``lost``). ``before_met`` is None for a circle
    never assessed before."""

    circle: Circle
    before_met: int | None
    after_met: int
    required: int
    gained: tuple[str, ...]
    lost: tuple[str, ...]


def circle_changes(run: AssessmentRun) -> list[CircleChange]:
    """Each circle of a finished ``run`` against its previous finished result (three queries)."""
    results = list(run.circle_results.select_related("circle").order_by("circle__code"))
    ids = [r.circle_id for r in results]
    before: dict[int, CircleResult] = {}
    for r in CircleResult.objects.filter(
        circle_id__in=ids, run_id__lt=run.pk, run__status=AssessmentRun.Status.DONE
    ).order_by("circle_id", "-run_id"):
        before.setdefault(r.circle_id, r)
    met: dict[tuple[int, int], set[str]] = {}
    for run_id, circle_id, code in CircleItemResult.objects.filter(
        run_id__in={run.pk, *(b.run_id for b in before.values())}, circle_id__in=ids, met=True
    ).values_list("run_id", "circle_id", "item_code"):
        met.setdefault((run_id, circle_id), set()).add(code)
    out = []
    for r in results:
        prev = before.get(r.circle_id)
        now = met.get((run.pk, r.circle_id), set())
        then = met.get((prev.run_id, r.circle_id), set()) if prev is not None else now
        out.append(
            CircleChange(
                circle=r.circle,
                before_met=prev.items_met if prev is not None else None,
                after_met=r.items_met,
                required=r.items_required,
                gained=tuple(sorted(now - then)),
                lost=tuple(sorted(then - now)),
            )
        )
    return out
