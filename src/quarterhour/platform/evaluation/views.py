"""Pages for supervision: feedback (collect, forward, reply), year-end evaluations (evaluate,
publish, reward), defect notices; the public page of published results and supervision phones."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.accounts.models import Role
from quarterhour.platform.accounts.permissions import memberships
from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.catalogue.selectors import providers_visible
from quarterhour.platform.certification import pages
from quarterhour.platform.errors import PermissionRefused
from quarterhour.platform.evaluation import selectors, services
from quarterhour.platform.evaluation.models import DefectNotice, Evaluation, Feedback, Review


def _providers(user: Any) -> list[Provider]:
    """Providers the user may record feedback for (community staff: those of its street)."""
    streets = [m.community.street_id for m in memberships(user) if m.role == Role.COMMUNITY]
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
        "corrected": lambda: services.accept_correction(
            actor=user,
            notice=get_object_or_404(DefectNotice, pk=pages.integer(d, "notice")),
            correction=pages.text(d, "correction"),
        ),
    }
    if action not in calls:
        raise PermissionRefused("unknown_action", _("未知的操作"))
    return pages.run(request, calls[action], success=_("已保存"), to="evaluation:overview")


def public(request: HttpRequest) -> HttpResponse:
    """Published year-end evaluations and every street's supervision phone (no login)."""
    return render(
        request,
        "evaluation/public.html",
        {"evaluations": selectors.published()[:500], "phones": selectors.supervision_phones()},
    )
