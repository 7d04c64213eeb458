"""Reads for supervision: scoped feedback and notices, published evaluations (public), the best
of a year, and the published supervision phone numbers per street."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core.access import scope_q
from quarterhour.platform.evaluation.models import DefectNotice, Evaluation, Feedback, Survey
from quarterhour.platform.geography.models import Street


def _provider_scope(user: Any, prefix: str = "provider__") -> Any:
    return scope_q(
        user,
        district=f"{prefix}street__district_id",
        street=f"{prefix}street_id",
        community=f"{prefix}street__communities",
        provider=f"{prefix}id",
    )


def feedback_visible(user: Any) -> QuerySet[Feedback]:
    return (
        Feedback.objects.filter(_provider_scope(user))
        .select_related("provider", "circle")
        .distinct()
    )


def notices_visible(user: Any) -> QuerySet[DefectNotice]:
    return DefectNotice.objects.filter(_provider_scope(user)).select_related("provider").distinct()


def evaluations_visible(user: Any) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(_provider_scope(user)).select_related("provider").distinct()


def surveys_visible(user: Any) -> QuerySet[Survey]:
    return Survey.objects.filter(
        scope_q(
            user,
            district="circle__street__district_id",
            street="circle__street_id",
            community="circle__memberships__community_id",
        )
    ).distinct()


def survey_providers(survey: Survey) -> QuerySet[Provider]:
    """The providers a survey asks about: those of its circle's communities, and those of its
    street registered without a community."""
    circle = survey.circle
    return (
        Provider.objects.filter(
            Q(community__circle_memberships__circle=circle)
            | Q(community__isnull=True, street_id=circle.street_id)
        )
        .distinct()
        .order_by("name", "pk")
    )


def published(*, year: int | None = None, street: Street | None = None) -> QuerySet[Evaluation]:
    """Published year-end evaluations (public page), best first."""
    qs = Evaluation.objects.filter(published=True).select_related("provider__street")
    if year is not None:
        qs = qs.filter(year=year)
    if street is not None:
        qs = qs.filter(provider__street=street)
    return qs.order_by("-year", "-score", "provider__name")


def best(*, street: Street, year: int, n: int = 3) -> list[Evaluation]:
    """The ``n`` best published evaluations of a street's providers (candidates for reward)."""
    return list(published(year=year, street=street)[:n])


def supervision_phones() -> QuerySet[Street]:
    """Streets with their published supervision phone (监督电话), for the public page."""
    return (
        Street.objects.exclude(supervision_phone="")
        .select_related("district")
        .order_by("district__code", "code")
    )
