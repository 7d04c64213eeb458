"""To-dos from supervision and evaluation: open satisfaction surveys a resident has not answered;
a provider's feedback to reply to, defects to correct and latest evaluation; the street's
feedback to forward and defects past their deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quarterhour.platform.core.access import Role, can_use_staff_pages, memberships
from quarterhour.platform.core.todos import Todo, todo_source
from quarterhour.platform.evaluation import permissions as perm
from quarterhour.platform.evaluation import selectors
from quarterhour.platform.evaluation.models import (
    DefectNotice,
    Evaluation,
    Feedback,
    Survey,
    SurveyResponse,
)

#: items listed one by one
SHOWN = 8


def _surveys(user: Any, today: dt.date) -> list[Todo]:
    answered = SurveyResponse.objects.filter(respondent=user).values("survey_id")
    open_now = (
        Survey.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .exclude(pk__in=answered)
        .order_by("closes_on")
    )
    return [
        Todo(
            section=_("满意度调查"),
            title=_("请填写：%(t)s") % {"t": s.title},
            url=reverse("evaluation:surveys"),
            due=s.closes_on,
        )
        for s in open_now[:SHOWN]
    ]


def _provider(user: Any, now: dt.datetime) -> list[Todo]:
    section = _("本单位的监督评价")
    overview = reverse("evaluation:overview")
    ids = [m.provider_id for m in memberships(user) if m.role == Role.PROVIDER]
    out: list[Todo] = []
    to_reply = Feedback.objects.filter(
        provider_id__in=ids, status=Feedback.Status.FORWARDED
    ).count()
    if to_reply:
        out.append(Todo(section=section, title=_("待回复的居民意见"), url=overview, count=to_reply))
    for n in DefectNotice.objects.filter(provider_id__in=ids, status=DefectNotice.Status.OPEN)[
        :SHOWN
    ]:
        out.append(
            Todo(
                section=section,
                title=_("整改通知：%(d)s") % {"d": n.defect[:40]},
                url=overview,
                due=n.correct_by,
                overdue=n.correct_by < now,
            )
        )
    latest = (
        Evaluation.objects.filter(provider_id__in=ids, published=True)
        .select_related("provider")
        .order_by("-year")
        .first()
    )
    if latest is not None:
        out.append(
            Todo(
                section=section,
                title=_("%(y)s 年度评价：%(s)s 分") % {"y": latest.year, "s": latest.score},
                url=overview,
                note=latest.provider.name,
            )
        )
    return out


def _overseer(user: Any, now: dt.datetime) -> list[Todo]:
    section = _("监督评价")
    overview = reverse("evaluation:overview")
    out: list[Todo] = []
    to_forward = [
        f
        for f in selectors.feedback_visible(user).filter(status=Feedback.Status.RECEIVED)[:200]
        if perm.can_collect_feedback(user, f.provider)
    ]
    if to_forward:
        out.append(
            Todo(
                section=section,
                title=_("已收集、待转交服务商的居民意见"),
                url=overview,
                count=len(to_forward),
            )
        )
    late = [
        n
        for n in selectors.notices_visible(user).filter(
            status=DefectNotice.Status.OPEN, correct_by__lt=now
        )[:200]
        if perm.can_evaluate_provider(user, n.provider)
    ]
    if late:
        out.append(
            Todo(
                section=section,
                title=_("逾期未整改的服务商"),
                url=overview,
                count=len(late),
                overdue=True,
            )
        )
    return out


@todo_source("evaluation", order=60)
def evaluation_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    out: list[Todo] = []
    if any(m.role == Role.RESIDENT for m in memberships(user)):
        out += _surveys(user, timezone.localdate(now))
    if any(m.role == Role.PROVIDER for m in memberships(user)):
        out += _provider(user, now)
    if can_use_staff_pages(user):
        out += _overseer(user, now)
    return out
