"""Feedback, surveys, democratic reviews, defect notices and the year-end evaluation.

The year-end score (0–100) is the sum of four published parts:

* residents' ratings (40): mean of the year's feedback ratings and survey scores about the
  provider, 1–5 mapped to 0–40; no ratings → half marks, said so in the reasons;
* democratic review (30): 满意 = 1, 基本满意 = 0.6, 不满意 = 0, mean × 30; none → half marks;
* complaints (15): 15 − 3 per complaint received in the year (feedback of kind 投诉 and
  complaint requests the provider owned), not below 0;
* overdue requests (15): 15 − 3 per request the provider owned whose deadline (in the year)
  passed before it was closed, not below 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts.models import Membership, Role
from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.certification import services as cert_services
from quarterhour.platform.certification.models import Certification, State
from quarterhour.platform.core.clock import now_or as _now
from quarterhour.platform.core.errors import Invalid, Issue, Refusal, raise_if_any
from quarterhour.platform.core.notify import tell
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.core.transitions import StateMachine, Transition
from quarterhour.platform.evaluation import permissions as perm
from quarterhour.platform.evaluation.error_codes import EvaluationError as E
from quarterhour.platform.evaluation.models import (
    DefectNotice,
    Evaluation,
    Feedback,
    Review,
    Survey,
    SurveyResponse,
)
from quarterhour.platform.geography.models import Circle

WEIGHTS = {"ratings": 40, "reviews": 30, "complaints": 15, "overdue": 15}
PENALTY_PER_COMPLAINT = 3
PENALTY_PER_OVERDUE = 3
VERDICT_VALUE = {
    Review.Verdict.SATISFIED: 1.0,
    Review.Verdict.BASIC: 0.6,
    Review.Verdict.UNSATISFIED: 0.0,
}


FB = Feedback.Status
#: a resident's view: collected by the service station, forwarded to the provider, replied to
FEEDBACK = StateMachine(
    model=Feedback,
    transitions={
        "forward": Transition(frozenset({FB.RECEIVED}), FB.FORWARDED, _("转交服务商")),
        "reply": Transition(frozenset({FB.FORWARDED}), FB.REPLIED, _("回复")),
    },
    illegal_code=E.ILLEGAL_TRANSITION,
    state_field="status",
    state_label=lambda s: Feedback.Status(s).label,
)
DN = DefectNotice.Status
#: a defect notice: corrected in time, or enforced (the certification withdrawn) after it
DEFECTS = StateMachine(
    model=DefectNotice,
    transitions={
        "correct": Transition(frozenset({DN.OPEN}), DN.CORRECTED, _("确认已整改")),
        "enforce": Transition(frozenset({DN.OPEN}), DN.ENFORCED, _("逾期未整改，取消资格")),
    },
    illegal_code=E.ILLEGAL_TRANSITION,
    state_field="status",
    state_label=lambda s: DefectNotice.Status(s).label,
)


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权办理该监督评价事项"))


def _text(value: str, field: str) -> None:
    if not value.strip():
        raise Invalid(
            E.TEXT_REQUIRED,
            _("内容不能为空"),
            [Issue(E.TEXT_REQUIRED, _("内容不能为空"), field=field)],
        )


def _provider_staff(provider_id: int) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(role=Role.PROVIDER, provider_id=provider_id)
        .select_related("user")
        .order_by("pk")
    ]


# -- feedback ------------------------------


@transaction.atomic
def collect_feedback(
    *,
    actor: Any,
    provider: Provider,
    kind: str,
    text: str,
    rating: int | None = None,
    circle: Circle | None = None,
    resident_name: str = "",
    now: dt.datetime | None = None,
) -> Feedback:
    """The service station records a resident's praise, complaint or suggestion."""
    if not perm.can_collect_feedback(actor, provider):
        raise _refuse()
    issues: list[Issue] = []
    if kind not in Feedback.Kind.values:
        issues.append(Issue(E.FIELD_INVALID, _("请选择类型"), field="kind"))
    if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
        issues.append(Issue(E.RATING_RANGE, _("评分须为 1 到 5"), field="rating"))
    if not text.strip():
        issues.append(Issue(E.TEXT_REQUIRED, _("内容不能为空"), field="text"))
    raise_if_any(issues)
    fb = Feedback(
        provider=provider,
        circle=circle,
        kind=kind,
        rating=rating,
        text=text.strip(),
        resident_name=resident_name,
        received_by=actor,
        received_at=_now(now),
    )
    save_audited(fb, actor=actor, reason=str(_("收集评价意见")))
    return fb


@transaction.atomic
def forward_feedback(*, actor: Any, feedback: Feedback, now: dt.datetime | None = None) -> Feedback:
    at = _now(now)
    fb = FEEDBACK.move(
        feedback,
        "forward",
        actor=actor,
        now=at,
        fields={"forwarded_at": at},
        allowed=lambda row: perm.can_collect_feedback(actor, row.provider),
        refuse=_refuse,
    )
    tell(
        recipients=_provider_staff(fb.provider_id),
        kind="evaluation.feedback",
        subject=_("居民%(k)s，请回复") % {"k": fb.get_kind_display()},
        body=fb.text,
        obj=fb,
    )
    return fb


@transaction.atomic
def reply_feedback(
    *, actor: Any, feedback: Feedback, reply: str, now: dt.datetime | None = None
) -> Feedback:
    fb = FEEDBACK.lock(feedback)
    if not perm.can_reply_feedback(actor, fb):
        raise _refuse()
    if not FEEDBACK.can(fb, "reply"):
        raise Invalid(E.ILLEGAL_TRANSITION, _("只能回复已转交且未回复的意见"))
    _text(reply, "reply")
    at = _now(now)
    fb = FEEDBACK.move(
        fb,
        "reply",
        actor=actor,
        now=at,
        fields={"reply": reply.strip(), "replied_by": actor, "replied_at": at},
        locked=True,
    )
    tell(
        recipients=[fb.received_by],
        kind="evaluation.feedback_reply",
        subject=_("服务商已回复居民意见"),
        body=fb.reply,
        obj=fb,
    )
    return fb


# -- surveys and reviews ------------------------------


@transaction.atomic
def open_survey(
    *,
    actor: Any,
    circle: Circle,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    now: dt.datetime | None = None,
) -> Survey:
    if not perm.can_run_survey(actor, circle):
        raise _refuse()
    issues: list[Issue] = []
    if closes_on < opens_on:
        issues.append(Issue(E.DATES_INVALID, _("截止日期不能早于开始日期"), field="closes_on"))
    if closes_on < timezone.localdate(_now(now)):
        issues.append(Issue(E.DATES_INVALID, _("截止日期不能早于今天"), field="closes_on"))
    if not title.strip():
        issues.append(Issue(E.TEXT_REQUIRED, _("名称不能为空"), field="title"))
    raise_if_any(issues)
    survey = Survey(
        circle=circle, title=title.strip(), opens_on=opens_on, closes_on=closes_on, created_by=actor
    )
    save_audited(survey, actor=actor)
    return survey


def _survey_checks(actor: Any, survey: Survey, at: dt.datetime) -> list[Issue]:
    issues: list[Issue] = []
    if not survey.opens_on <= timezone.localdate(at) <= survey.closes_on:
        issues.append(Issue(E.SURVEY_CLOSED, _("调查不在填写期内")))
    return issues


def _score_ok(score: Any) -> bool:
    return isinstance(score, int) and 1 <= score <= 5


def _in_circle(survey: Survey, provider: Provider) -> bool:
    from quarterhour.platform.evaluation.selectors import survey_providers

    return survey_providers(survey).filter(pk=provider.pk).exists()


def _not_in_circle(provider: Provider) -> Issue:
    return Issue(
        E.NOT_IN_CIRCLE,
        _("%(p)s 不在本调查的服务圈内") % {"p": provider.name},
        field="provider",
    )


@transaction.atomic
def answer_survey(
    *,
    actor: Any,
    survey: Survey,
    score: int,
    provider: Provider | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """One score: of the circle as a whole (no provider) or of one provider of the circle."""
    if not perm.can_answer_survey(actor, survey):
        raise _refuse()
    at = _now(now)
    issues = _survey_checks(actor, survey, at)
    if not _score_ok(score):
        issues.append(Issue(E.RATING_RANGE, _("满意度须为 1 到 5"), field="score"))
    if provider is not None and not _in_circle(survey, provider):
        issues.append(_not_in_circle(provider))
    if SurveyResponse.objects.filter(survey=survey, respondent=actor, provider=provider).exists():
        issues.append(Issue(E.ALREADY_ANSWERED, _("您已填写过该调查")))
    raise_if_any(issues)
    return SurveyResponse.objects.create(
        survey=survey,
        respondent=actor,
        provider=provider,
        score=score,
        comment=comment,
        answered_at=at,
    )


@transaction.atomic
def answer_survey_once(
    *,
    actor: Any,
    survey: Survey,
    overall: int | None,
    scores: Mapping[Provider, int],
    comment: str = "",
    now: dt.datetime | None = None,
) -> list[SurveyResponse]:
    """A resident's whole answer to a survey, given once: the circle as a whole and any of its
    providers (those left out are not scored). A second answer is refused."""
    if not perm.can_answer_survey(actor, survey):
        raise _refuse()
    at = _now(now)
    issues = _survey_checks(actor, survey, at)
    if SurveyResponse.objects.filter(survey=survey, respondent=actor).exists():
        issues.append(Issue(E.ALREADY_ANSWERED, _("您已填写过该调查，每位居民填写一次")))
    if overall is not None and not _score_ok(overall):
        issues.append(Issue(E.RATING_RANGE, _("满意度须为 1 到 5"), field="overall"))
    for provider, score in scores.items():
        if not _in_circle(survey, provider):
            issues.append(_not_in_circle(provider))
        elif not _score_ok(score):
            issues.append(
                Issue(E.RATING_RANGE, _("满意度须为 1 到 5"), field=f"score_{provider.pk}")
            )
    if overall is None and not scores:
        issues.append(Issue(E.NOTHING_ANSWERED, _("请至少选择一项满意度"), field="overall"))
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
    rated = sorted(scores.items(), key=lambda kv: kv[0].pk)
    rows: list[tuple[Provider | None, int]] = [(None, overall)] if overall is not None else []
    rows += rated
    return [
        SurveyResponse.objects.create(
            survey=survey,
            respondent=actor,
            provider=provider,
            score=score,
            comment=comment.strip(),
            answered_at=at,
        )
        for provider, score in rows
    ]


@transaction.atomic
def record_review(
    *,
    actor: Any,
    provider: Provider,
    year: int,
    representative: str,
    verdict: str,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Review:
    """Democratic review (民主评议) by one residents' representative."""
    if not perm.can_record_review(actor, provider):
        raise _refuse()
    issues: list[Issue] = []
    if verdict not in Review.Verdict.values:
        issues.append(Issue(E.FIELD_INVALID, _("请选择评议结果"), field="verdict"))
    if not representative.strip():
        issues.append(Issue(E.TEXT_REQUIRED, _("请填写居民代表"), field="representative"))
    if Review.objects.filter(
        provider=provider, year=year, representative=representative.strip()
    ).exists():
        issues.append(Issue(E.ALREADY_REVIEWED, _("该代表本年度已评议过该服务商")))
    raise_if_any(issues)
    review = Review(
        provider=provider,
        year=year,
        representative=representative.strip(),
        verdict=verdict,
        comment=comment,
        recorded_by=actor,
        recorded_at=_now(now),
    )
    save_audited(review, actor=actor)
    return review


# -- defects: notice, correction, enforcement ------------------------------


@transaction.atomic
def issue_defect_notice(
    *,
    actor: Any,
    provider: Provider,
    defect: str,
    correct_by: dt.datetime,
    now: dt.datetime | None = None,
) -> DefectNotice:
    if not perm.can_evaluate_provider(actor, provider):
        raise _refuse()
    at = _now(now)
    issues: list[Issue] = []
    if not defect.strip():
        issues.append(Issue(E.TEXT_REQUIRED, _("请写明问题"), field="defect"))
    if correct_by <= at:
        issues.append(Issue(E.DEADLINE_IN_PAST, _("整改期限必须晚于现在"), field="correct_by"))
    raise_if_any(issues)
    notice = DefectNotice(
        provider=provider,
        defect=defect.strip(),
        issued_by=actor,
        issued_at=at,
        correct_by=correct_by,
    )
    save_audited(notice, actor=actor, reason=str(_("发出整改通知")))
    tell(
        recipients=_provider_staff(provider.pk),
        kind="evaluation.defect_notice",
        subject=_("整改通知：请于 %(d)s 前整改") % {"d": timezone.localtime(correct_by)},
        body=notice.defect,
        obj=notice,
    )
    return notice


@transaction.atomic
def accept_correction(
    *, actor: Any, notice: DefectNotice, correction: str, now: dt.datetime | None = None
) -> DefectNotice:
    row = DEFECTS.lock(notice)
    if not perm.can_evaluate_provider(actor, row.provider):
        raise _refuse()
    if not DEFECTS.can(row, "correct"):
        raise Invalid(E.ILLEGAL_TRANSITION, _("该整改通知已办结"))
    _text(correction, "correction")
    at = _now(now)
    return DEFECTS.move(
        row,
        "correct",
        actor=actor,
        now=at,
        fields={"correction": correction.strip(), "closed_at": at},
        locked=True,
    )


def enforce_defect_notices(*, now: dt.datetime | None = None) -> list[DefectNotice]:
    """Scheduled job: notices past their deadline and not corrected end the provider's
    certification (取消资格) with the notice as the reason. Returns the enforced notices."""
    at = _now(now)
    enforced: list[DefectNotice] = []
    due = DefectNotice.objects.filter(status=DefectNotice.Status.OPEN, correct_by__lte=at)
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            row = DEFECTS.lock(DefectNotice(pk=pk))
            if not DEFECTS.can(row, "enforce"):
                continue
            reason = gettext_now("逾期未整改：%(d)s（整改期限 %(t)s）") % {
                "d": row.defect,
                "t": timezone.localtime(row.correct_by).strftime("%Y-%m-%d %H:%M"),
            }
            for cert in Certification.objects.filter(
                provider_id=row.provider_id, state__in=[State.CERTIFIED, State.SUSPENDED]
            ):
                cert_services.disqualify_by_rule(certification=cert, reason=reason, now=at)
            row = DEFECTS.move(
                row,
                "enforce",
                actor=None,
                now=at,
                reason=reason,
                fields={"closed_at": at},
                locked=True,
            )
            enforced.append(row)
    return enforced


# -- the year-end evaluation ------------------------------


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def overdue_requests(provider: Provider, year: int, *, now: dt.datetime | None = None) -> int:
    """Requests the provider owned whose deadline fell in ``year`` and passed before closing
    (from the requests app; 0 when it is not installed)."""
    if not apps.is_installed("quarterhour.platform.requests"):
        return 0
    req: ModuleType | None
    try:
        from quarterhour.platform.requests import selectors as req
    except ImportError:
        req = None
    if req is not None and hasattr(req, "overdue_count_for_provider"):
        return int(req.overdue_count_for_provider(provider, year=year, now=now))
    from quarterhour.platform.requests.models import ServiceRequest

    start, end = _year_range(year)
    at = _now(now)
    late = Q(closed_at__isnull=False, closed_at__gt=F("due_at")) | Q(
        closed_at__isnull=True, due_at__lt=at
    )
    return ServiceRequest.objects.filter(
        Q(owner_provider=provider) & Q(due_at__gte=start, due_at__lt=end) & late
    ).count()


def request_complaints(provider: Provider, year: int) -> int:
    """Complaints filed as requests (category kind 投诉) that the provider owned, received in
    ``year`` (0 when the requests app is not installed)."""
    if not apps.is_installed("quarterhour.platform.requests"):
        return 0
    from quarterhour.platform.requests.models import ServiceRequest

    start, end = _year_range(year)
    return ServiceRequest.objects.filter(
        owner_provider=provider,
        category__kind="complaint",
        received_at__gte=start,
        received_at__lt=end,
    ).count()


def score_parts(provider: Provider, year: int, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The four parts of the year-end score with the figures behind them."""
    start, end = _year_range(year)
    fb = Feedback.objects.filter(provider=provider, received_at__gte=start, received_at__lt=end)
    fb_ratings = fb.filter(rating__isnull=False).aggregate(n=Count("pk"), avg=Avg("rating"))
    sv = SurveyResponse.objects.filter(
        provider=provider, answered_at__gte=start, answered_at__lt=end
    ).aggregate(n=Count("pk"), avg=Avg("score"))
    n_ratings = (fb_ratings["n"] or 0) + (sv["n"] or 0)
    if n_ratings:
        total = (fb_ratings["avg"] or 0) * (fb_ratings["n"] or 0) + (sv["avg"] or 0) * (
            sv["n"] or 0
        )
        mean = total / n_ratings
        mean_rating: float | None = mean
        ratings = (mean - 1) / 4 * WEIGHTS["ratings"]
    else:
        mean_rating = None
        ratings = WEIGHTS["ratings"] / 2
    reviews = list(Review.objects.filter(provider=provider, year=year))
    if reviews:
        mean_verdict = sum(VERDICT_VALUE[Review.Verdict(r.verdict)] for r in reviews) / len(reviews)
        review_mean: float | None = mean_verdict
        review_part = mean_verdict * WEIGHTS["reviews"]
    else:
        review_mean = None
        review_part = WEIGHTS["reviews"] / 2
    complaints = fb.filter(kind=Feedback.Kind.COMPLAINT).count() + request_complaints(
        provider, year
    )
    overdue = overdue_requests(provider, year, now=now)
    return {
        "ratings": {"n": n_ratings, "mean": mean_rating, "points": round(ratings, 1)},
        "reviews": {"n": len(reviews), "mean": review_mean, "points": round(review_part, 1)},
        "complaints": {
            "n": complaints,
            "points": max(0, WEIGHTS["complaints"] - PENALTY_PER_COMPLAINT * complaints),
        },
        "overdue": {
            "n": overdue,
            "points": max(0, WEIGHTS["overdue"] - PENALTY_PER_OVERDUE * overdue),
        },
    }


def _reasons(parts: dict[str, Any]) -> str:
    r, v, c, o = parts["ratings"], parts["reviews"], parts["complaints"], parts["overdue"]
    lines = [
        (
            gettext_now("居民评分：%(n)d 条，平均 %(m).2f 分，得 %(p).1f / 40")
            % {"n": r["n"], "m": r["mean"], "p": r["points"]}
            if r["n"]
            else gettext_now("居民评分：无，按中间分计 %(p).1f / 40") % {"p": r["points"]}
        ),
        (
            gettext_now("民主评议：%(n)d 位代表，满意度 %(m).0f%%，得 %(p).1f / 30")
            % {"n": v["n"], "m": v["mean"] * 100, "p": v["points"]}
            if v["n"]
            else gettext_now("民主评议：无，按中间分计 %(p).1f / 30") % {"p": v["points"]}
        ),
        gettext_now("投诉：%(n)d 件，得 %(p)d / 15") % {"n": c["n"], "p": c["points"]},
        gettext_now("超期未办结诉求：%(n)d 件，得 %(p)d / 15") % {"n": o["n"], "p": o["points"]},
    ]
    return "\n".join(lines)


@transaction.atomic
def evaluate(
    *,
    actor: Any,
    provider: Provider,
    year: int,
    committee_note: str = "",
    now: dt.datetime | None = None,
) -> Evaluation:
    """The supervision committee's year-end evaluation (draft until published)."""
    if not perm.can_evaluate_provider(actor, provider):
        raise _refuse()
    parts = score_parts(provider, year, now=now)
    score = sum((Decimal(str(p["points"])) for p in parts.values()), Decimal(0))
    row = Evaluation.objects.select_for_update().filter(provider=provider, year=year).first()
    if row is not None and row.published:
        raise Invalid(E.ALREADY_PUBLISHED, _("该年度评价已公布，不能重新评价"))
    row = row or Evaluation(provider=provider, year=year)
    row.score = score.quantize(Decimal("0.1"))
    row.parts = parts
    row.reasons = _reasons(parts)
    row.committee_note = committee_note
    row.evaluated_by = actor
    row.evaluated_at = _now(now)
    save_audited(row, actor=actor, reason=str(_("年度评价")))
    return row


@transaction.atomic
def publish(*, actor: Any, evaluation: Evaluation, now: dt.datetime | None = None) -> Evaluation:
    row = (
        Evaluation.objects.select_for_update()
        .select_related("provider__street")
        .get(pk=evaluation.pk)
    )
    if not perm.can_evaluate_provider(actor, row.provider):
        raise _refuse()
    if row.published:
        raise Invalid(E.ALREADY_PUBLISHED, _("该评价已公布"))
    row.published = True
    row.published_at = _now(now)
    save_audited(row, actor=actor, reason=str(_("公布评价结果")))
    tell(
        recipients=_provider_staff(row.provider_id),
        kind="evaluation.published",
        subject=_("%(y)d 年度评价结果：%(s)s 分") % {"y": row.year, "s": row.score},
        body=row.reasons,
        obj=row,
    )
    return row


@transaction.atomic
def reward(*, actor: Any, evaluation: Evaluation, note: str) -> Evaluation:
    """表彰: reward a provider whose published evaluation is among the best."""
    row = (
        Evaluation.objects.select_for_update()
        .select_related("provider__street")
        .get(pk=evaluation.pk)
    )
    if not perm.can_evaluate_provider(actor, row.provider):
        raise _refuse()
    if not row.published:
        raise Invalid(E.ILLEGAL_TRANSITION, _("评价公布后才能表彰"))
    _text(note, "note")
    row.rewarded = True
    row.reward_note = note.strip()
    save_audited(row, actor=actor, reason=str(_("给予奖励")))
    tell(
        recipients=_provider_staff(row.provider_id),
        kind="evaluation.reward",
        subject=_("%(y)d 年度表彰") % {"y": row.year},
        body=row.reward_note,
        obj=row,
    )
    return row
