"""Pages for supervision: feedback (collect, forward, reply), year-end evaluations (evaluate,
publish, reward), defect notices; the public page of published results and supervision phones."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.access import Role, memberships
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.core.picking import picked
from quarterhour.platform.evaluation import permissions as perm
from quarterhour.platform.evaluation import selectors, services
from quarterhour.platform.evaluation.models import (
    DefectNotice,
    Evaluation,
    Feedback,
    Review,
    Survey,
    SurveyResponse,
)
from quarterhour.platform.geography.selectors import circles_visible

#: the roles that record residents' views, and those that evaluate (the forms they are shown;
#: the services decide each write)
COLLECTORS = frozenset({Role.COMMUNITY, Role.STREET, Role.DISTRICT, Role.CITY})
EVALUATORS = frozenset({Role.STREET, Role.DISTRICT, Role.CITY})
#: what the page says after each action
DONE: dict[str, Any] = {
    "collect": _l("意见已登记；请转交服务商"),
    "forward": _l("已转交服务商，服务商回复后会通知您"),
    "reply": _l("已回复，社区服务站会看到您的回复"),
    "review": _l("民主评议已登记"),
    "evaluate": _l("年度评价已完成，得分和理由见下表；公布后居民可见"),
    "publish": _l("评价已公布"),
    "reward": _l("已表彰"),
    "notice": _l("整改通知已发出；逾期未整改将取消认证资格"),
    "survey": _l("调查已发起，居民可在“满意度调查”中填写"),
    "corrected": _l("已确认整改"),
}


def _request_rates(user: Any) -> dict[str, Any]:
    """The units' response, resolution and satisfaction rates (when requests are installed)."""
    from django.apps import apps

    if not apps.is_installed("quarterhour.platform.requests"):
        return {}
    from quarterhour.platform.requests.rates import unit_rates

    year = timezone.localdate().year
    return {"unit_rates": unit_rates(user, year=year), "rates_year": year}


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
            "surveys": selectors.surveys_visible(user)
            .annotate(n=Count("responses"), mean=Avg("responses__score"))
            .order_by("-opens_on")[:100],
            "survey_circles": [
                c
                for c in circles_visible(user).select_related("street")[:500]
                if perm.can_run_survey(user, c)
            ],
            "kinds": Feedback.Kind.choices,
            "can_collect": any(m.role in COLLECTORS for m in memberships(user)),
            "can_evaluate": any(m.role in EVALUATORS for m in memberships(user)),
            "my_providers": [m.provider_id for m in memberships(user) if m.role == Role.PROVIDER],
            "verdicts": Review.Verdict.choices,
            "year": timezone.localdate().year,
            **_request_rates(user),
        },
    )


@login_required
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    d, user, action = request.POST, request.user, request.POST.get("action")

    def provider() -> Provider:  # the service decides whether the user may act for it
        found: Provider = picked(d, "provider", kind_name="provider", user=user)
        return found

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
            circle=picked(d, "circle", kind_name="circle", user=user),
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
        raise PermissionRefused("unknown_action", _("未知的操作"))
    return pages.run(request, calls[action], success=str(DONE[action]), to="evaluation:overview")


def public(request: HttpRequest) -> HttpResponse:
    """Published year-end evaluations and every street's supervision phone (no login)."""
    return render(
        request,
        "evaluation/public.html",
        {"evaluations": selectors.published()[:500], "phones": selectors.supervision_phones()},
    )


SCORES = (
    (5, _l("很满意")),
    (4, _l("满意")),
    (3, _l("一般")),
    (2, _l("不满意")),
    (1, _l("很不满意")),
)


def _surveys_page(
    request: HttpRequest, errors: dict[str, list[str]] | None = None, *, failed: int = 0
) -> HttpResponse:
    today = timezone.localdate()
    open_now = Survey.objects.filter(opens_on__lte=today, closes_on__gte=today).select_related(
        "circle__street"
    )
    user = request.user
    rows = []
    for s in open_now.order_by("closes_on")[:50]:
        answered = (
            SurveyResponse.objects.filter(survey=s, respondent=user)
            .order_by("answered_at")
            .values_list("answered_at", flat=True)
            .first()
        )
        rows.append(
            {
                "survey": s,
                "providers": list(selectors.survey_providers(s)[:100]),
                "answered": answered,
                "errors": (errors or {}) if s.pk == failed else {},
            }
        )
    return render(
        request,
        "evaluation/surveys.html",
        {"rows": rows, "scores": SCORES, "can_answer": perm.is_resident(user)},
    )


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    """Satisfaction surveys open today, for residents to answer (once each)."""
    return _surveys_page(request)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("circle"), pk=pk)
    d = request.POST

    def score(name: str) -> int | None:
        return pages.integer(d, name, low=1, high=5) if d.get(name) else None

    def call() -> Any:
        scores: dict[Provider, int] = {}
        for provider in selectors.survey_providers(survey)[:100]:
            value = score(f"score_{provider.pk}")
            if value is not None:
                scores[provider] = value
        return services.answer_survey_once(
            actor=request.user,
            survey=survey,
            overall=score("overall"),
            scores=scores,
            comment=pages.text(d, "comment"),
        )

    return pages.run(
        request,
        call,
        success=_("感谢您的评价，已记录您的答卷"),
        to="evaluation:surveys",
        again=lambda errors: _surveys_page(request, errors, failed=survey.pk),
    )
