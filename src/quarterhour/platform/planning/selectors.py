"""Reads of assessment runs and results, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from quarterhour.platform.core.access import scope_q
from quarterhour.platform.geography.models import Circle, Community
from quarterhour.platform.planning.assessment import inputs_date, scope_communities
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleItemResult,
    CircleResult,
    CommunityResult,
)


def runs_visible(user: Any) -> QuerySet[AssessmentRun]:
    return AssessmentRun.objects.filter(
        scope_q(user, district="district_id", street="street_id", community=None)
        | scope_q(user, district="street__district_id", street=None, community=None)
    ).select_related("district", "street", "requested_by", "network")


def with_latest_community_result(qs: QuerySet[Community]) -> QuerySet[Community]:
    """Communities annotated with their latest result's ``items_met`` / ``items_required`` (None
    when never assessed): two correlated lookups on the (community, is_latest) index, so a page
    of rows costs no extra query."""
    latest = CommunityResult.objects.filter(community=OuterRef("pk"), is_latest=True)
    return qs.annotate(
        items_met=Subquery(latest.values("items_met")[:1]),
        items_required=Subquery(latest.values("items_required")[:1]),
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
