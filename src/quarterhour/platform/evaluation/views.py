"""Pages for supervision: feedback (collect, forward, reply), year-end evaluations (evaluate,
publish, reward), defect notices; the public page of published results and supervision phones."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.catalogue.selectors import providers_visible
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.access import Role, memberships
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.evaluation import permissions as perm
from quarterhour.platform.evaluation import selectors, services
from quarterhour.platform.evaluation.error_codes import EvaluationError as E
from quarterhour.platform.evaluation.models import (
    DefectNotice,
    Evaluation,
    Feedback,
    Review,
    Survey,
)
from quarterhour.platform.geography.selectors import circles_visible


def _providers(user: Any) -> list[Provider]:
    """Providers the user may record feedback for (community staff: those of its street)."""
    streets = [
        m.community.street_id
        for m in memberships(user)
        if m.role == Role.COMMUNITY and m.community is not None  # the scope constraint holds it
    ]
    qs = Provider.objects.filter(Q(pk__in=providers_visible(user)) | Q(street_id__in=streets))
    return list(qs.distinct().order_by("name")[:500])


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    user = request.user
    return render(
        request,
        "evaluation/overview.html",
        {
            "feedback": selectors.feedback_visible(user)[:200],
            "evaluations": selectors.evaluations_visible(user)[:200],
            "notices": selectors.notices_visible(user)[:200],
            "providers": _providers(user),
            "surveys": selectors.surveys_visible(user)
            .annotate(n=Count("responses"), mean=Avg("responses__score"))
            .order_by("-opens_on")[:100],
            "survey_circles": [
                c
                for c in circles_visible(user).select_related("street")[:500]
                if perm.can_run_survey(user, c)
            ],
            "kinds": Feedback.Kind.choices,
            "verdicts": Review.Verdict.choices,
            "year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    d, user, action = request.POST, request.user, request.POST.get("action")

    def provider() -> Provider:  # the service decides whether the user may act for it
        return get_object_or_404(Provider, pk=pages.integer(d, "provider"))

    def rating() -> int | None:
        return pages.integer(d, "rating") if d.get("rating") else None

    calls = {
        "collect": lambda: services.collect_feedback(
            actor=user,
            provider=provider(),
            kind=pages.text(d, "kind"),
            text=pages.text(d, "text"),
            rating=rating(),
            resident_name=pages.text(d, "resident_name"),
        ),
        "forward": lambda: services.forward_feedback(
            actor=user, feedback=get_object_or_404(Feedback, pk=pages.integer(d, "feedback"))
        ),
        "reply": lambda: services.reply_feedback(
            actor=user,
            feedback=get_object_or_404(Feedback, pk=pages.integer(d, "feedback")),
            reply=pages.text(d, "reply"),
        ),
        "review": lambda: services.record_review(
            actor=user,
            provider=provider(),
            year=pages.integer(d, "year"),
            representative=pages.text(d, "representative"),
            verdict=pages.text(d, "verdict"),
            comment=pages.text(d, "comment"),
        ),
        "evaluate": lambda: services.evaluate(
            actor=user,
            provider=provider(),
            year=pages.integer(d, "year"),
            committee_note=pages.text(d, "committee_note"),
        ),
        "publish": lambda: services.publish(
            actor=user, evaluation=get_object_or_404(Evaluation, pk=pages.integer(d, "evaluation"))
        ),
        "reward": lambda: services.reward(
            actor=user,
            evaluation=get_object_or_404(Evaluation, pk=pages.integer(d, "evaluation")),
            note=pages.text(d, "note"),
        ),
        "notice": lambda: services.issue_defect_notice(
            actor=user,
            provider=provider(),
            defect=pages.text(d, "defect"),
            correct_by=pages.moment(d, "correct_by"),
        ),
        "survey": lambda: services.open_survey(
            actor=user,
            circle=get_object_or_404(circles_visible(user), pk=pages.integer(d, "circle")),
            title=pages.text(d, "title"),
            opens_on=pages.date(d, "opens_on"),
            closes_on=pages.date(d, "closes_on"),
        ),
        "corrected": lambda: services.accept_correction(
            actor=user,
            notice=get_object_or_404(DefectNotice, pk=pages.integer(d, "notice")),
            correction=pages.text(d, "correction"),
        ),
    }
    if action not in calls:
        raise PermissionRefused(E.UNKNOWN_ACTION, _("未知的操作"))
    return pages.run(request, calls[action], success=_("已保存"), to="evaluation:overview")


def public(request: HttpRequest) -> HttpResponse:
    """Published year-end evaluations and every street's supervision phone (no login)."""
    return render(
        request,
        "evaluation/public.html",
        {"evaluations": selectors.published()[:500], "phones": selectors.supervision_phones()},
    )


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    """Satisfaction surveys open today, for residents to answer (one answer each)."""
    today = timezone.localdate()
    open_now = Survey.objects.filter(opens_on__lte=today, closes_on__gte=today).select_related(
        "circle__street"
    )
    rows = [
        (s, Provider.objects.filter(street_id=s.circle.street_id).order_by("name")[:200])
        for s in open_now.order_by("closes_on")[:50]
    ]
    return render(request, "evaluation/surveys.html", {"rows": rows})


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    d = request.POST
    return pages.run(
        request,
        lambda: services.answer_survey(
            actor=request.user,
            survey=survey,
            score=pages.integer(d, "score"),
            provider=get_object_or_404(Provider, pk=pages.integer(d, "provider"))
            if d.get("provider")
            else None,
            comment=pages.text(d, "comment"),
        ),
        success=_("感谢您的评价"),
        to="evaluation:surveys",
    )
