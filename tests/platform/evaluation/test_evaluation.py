"""Supervision and evaluation: feedback forwarded and replied (every transition), surveys,
democratic reviews, the year-end score with its reasons, publication, rewards, defect notices
enforced by the job (loss of certification), supervision phones; permissions per role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from quarterhour.platform.certification.models import CertificationEvent, State
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.evaluation import selectors, services
from quarterhour.platform.evaluation.models import (
    DefectNotice,
    Evaluation,
    Feedback,
    Review,
    SurveyResponse,
)
from quarterhour.platform.notifications.models import Notification
from tests.platform.certification.helpers import certified
from tests.platform.conftest import make_user
from tests.platform.helpers import permission_cases

TZ = timezone.get_fixed_timezone(8 * 60)
T0 = dt.datetime(2026, 6, 1, 10, 0, tzinfo=TZ)
DAY = dt.timedelta(days=1)


def feedback(w: Any, *, kind: str = "complaint", rating: int | None = 2, **kw: Any) -> Feedback:
    args = {
        "actor": w.users["community"],
        "provider": w.pA1,
        "kind": kind,
        "text": "送药太慢",
        "rating": rating,
        "circle": w.cA1,
        "now": T0,
    }
    args.update(kw)
    return services.collect_feedback(**args)


def test_feedback_received_forwarded_replied(world):
    fb = feedback(world)
    assert fb.status == "received"
    with pytest.raises(Invalid) as exc:  # reply before forwarding
        services.reply_feedback(actor=world.users["provider"], feedback=fb, reply="改进")
    assert exc.value.code == "evaluation_illegal_transition"
    services.forward_feedback(actor=world.users["community"], feedback=fb, now=T0)
    assert Notification.objects.filter(
        recipient=world.users["provider"], kind="evaluation.feedback"
    ).exists()
    with pytest.raises(Invalid) as exc:  # forwarded twice
        services.forward_feedback(actor=world.users["community"], feedback=fb)
    assert exc.value.code == "evaluation_illegal_transition"
    with pytest.raises(PermissionRefused):  # only the provider replies
        services.reply_feedback(actor=world.users["street"], feedback=fb, reply="x")
    with pytest.raises(Invalid) as exc:
        services.reply_feedback(actor=world.users["provider"], feedback=fb, reply=" ")
    assert exc.value.code == "evaluation_text_required"
    fb = services.reply_feedback(
        actor=world.users["provider"], feedback=fb, reply="已增加配送员", now=T0 + DAY
    )
    assert (fb.status, fb.reply, fb.replied_by) == (
        "replied",
        "已增加配送员",
        world.users["provider"],
    )
    assert [h.history_change_reason for h in fb.history.order_by("history_id")] == [
        "收集评价意见",
        "转交服务商",
        "回复",
    ]
    with pytest.raises(Invalid):
        services.reply_feedback(actor=world.users["provider"], feedback=fb, reply="again")


def test_bad_feedback_is_refused_and_nothing_stored(world):
    with pytest.raises(Invalid) as exc:
        feedback(world, rating=6, text=" ", kind="rant")
    assert [i.code for i in exc.value.issues] == [
        "field_invalid",
        "evaluation_rating_range",
        "evaluation_text_required",
    ]
    assert Feedback.objects.count() == 0


def test_survey_window_and_one_answer_per_person(world):
    s = services.open_survey(
        actor=world.users["street"],
        circle=world.cA1,
        title="2026 年第二季度满意度调查",
        opens_on=T0.date(),
        closes_on=T0.date() + 30 * DAY,
        now=T0,
    )
    r = world.users["resident"]
    services.answer_survey(actor=r, survey=s, score=4, provider=world.pA1, now=T0)
    with pytest.raises(Invalid) as exc:
        services.answer_survey(actor=r, survey=s, score=5, provider=world.pA1, now=T0)
    assert exc.value.code == "evaluation_already_answered"
    with pytest.raises(Invalid) as exc:
        services.answer_survey(
            actor=make_user("r2", "resident"), survey=s, score=3, now=T0 + 40 * DAY
        )
    assert exc.value.code == "evaluation_survey_closed"
    assert SurveyResponse.objects.count() == 1
    with pytest.raises(Invalid) as exc:
        services.open_survey(
            actor=world.users["street"],
            circle=world.cA1,
            title="x",
            opens_on=T0.date(),
            closes_on=T0.date() - DAY,
            now=T0,
        )
    assert exc.value.code == "evaluation_dates_invalid"
    with pytest.raises(PermissionRefused):
        services.open_survey(
            actor=world.users["street"],
            circle=world.cB1,
            title="x",
            opens_on=T0.date(),
            closes_on=T0.date(),
            now=T0,
        )


def test_a_resident_answers_a_survey_once_and_only_about_the_circles_providers(world):
    s = services.open_survey(
        actor=world.users["street"],
        circle=world.cA1,
        title="2026 年第三季度满意度调查",
        opens_on=T0.date(),
        closes_on=T0.date() + 30 * DAY,
        now=T0,
    )
    assert list(selectors.survey_providers(s)) == [world.pA1]  # pB1 is of another street
    r = world.users["resident"]
    with pytest.raises(Invalid) as exc:
        services.answer_survey_once(
            actor=r, survey=s, overall=4, scores={world.pA1: 5, world.pB1: 1}, now=T0
        )
    assert exc.value.code == "evaluation_provider_not_in_circle"
    assert "东华门家政 不在本调查的服务圈内" in str(exc.value.message)
    with pytest.raises(Invalid) as exc:
        services.answer_survey(actor=r, survey=s, score=2, provider=world.pB1, now=T0)
    assert exc.value.code == "evaluation_provider_not_in_circle"
    with pytest.raises(Invalid) as exc:
        services.answer_survey_once(actor=r, survey=s, overall=None, scores={}, now=T0)
    assert exc.value.code == "evaluation_nothing_answered"
    assert SurveyResponse.objects.count() == 0
    made = services.answer_survey_once(
        actor=r, survey=s, overall=4, scores={world.pA1: 5}, comment=" 好 ", now=T0
    )
    assert [(m.provider, m.score, m.comment) for m in made] == [
        (None, 4, "好"),
        (world.pA1, 5, "好"),
    ]
    with pytest.raises(Invalid) as exc:
        services.answer_survey_once(actor=r, survey=s, overall=3, scores={}, now=T0 + DAY)
    assert exc.value.code == "evaluation_already_answered"
    with pytest.raises(PermissionRefused):
        services.answer_survey_once(
            actor=world.users["street"], survey=s, overall=3, scores={}, now=T0
        )
    assert SurveyResponse.objects.count() == 2


def test_year_end_score_combines_ratings_reviews_complaints_and_overdue(world):
    # ratings: feedback 2 and 4, survey 5 → mean 11/3; two complaints; reviews 满意 + 不满意
    feedback(world, rating=2)
    feedback(world, kind="praise", rating=4, text="态度好")
    feedback(world, rating=None, text="价格高")
    feedback(world, rating=1, now=dt.datetime(2025, 12, 31, 23, 0, tzinfo=TZ))  # last year
    s = services.open_survey(
        actor=world.users["street"],
        circle=world.cA1,
        title="年度调查",
        opens_on=T0.date(),
        closes_on=T0.date() + DAY,
        now=T0,
    )
    services.answer_survey(
        actor=world.users["resident"], survey=s, score=5, provider=world.pA1, now=T0
    )
    services.answer_survey(actor=world.users["resident"], survey=s, score=1, now=T0)  # circle only
    for rep, verdict in (("张三", "satisfied"), ("李四", "unsatisfied")):
        services.record_review(
            actor=world.users["community"],
            provider=world.pA1,
            year=2026,
            representative=rep,
            verdict=verdict,
            now=T0,
        )
    with pytest.raises(Invalid) as exc:
        services.record_review(
            actor=world.users["community"],
            provider=world.pA1,
            year=2026,
            representative="张三",
            verdict="basic",
        )
    assert exc.value.code == "evaluation_already_reviewed"
    ev = services.evaluate(actor=world.users["street"], provider=world.pA1, year=2026, now=T0)
    mean = (2 + 4 + 5) / 3
    ratings = round((mean - 1) / 4 * 40, 1)  # 26.7
    reviews = round((1.0 + 0.0) / 2 * 30, 1)  # 15.0
    complaints = 15 - 3 * 2
    overdue = 15
    assert ev.parts["ratings"] == {"n": 3, "mean": pytest.approx(mean), "points": ratings}
    assert ev.parts["reviews"]["points"] == reviews
    assert ev.parts["complaints"] == {"n": 2, "points": complaints}
    assert ev.parts["overdue"] == {"n": 0, "points": overdue}
    assert ev.score == Decimal(str(ratings + reviews + complaints + overdue)).quantize(
        Decimal("0.1")
    )
    assert ev.score == Decimal("65.7")
    assert ev.reasons.splitlines() == [
        "居民评分：3 条，平均 3.67 分，得 26.7 / 40",
        "民主评议：2 位代表，满意度 50%，得 15.0 / 30",
        "投诉：2 件，得 9 / 15",
        "超期未办结诉求：0 件，得 15 / 15",
    ]
    assert not selectors.published().exists()
    services.publish(actor=world.users["street"], evaluation=ev, now=T0)
    assert list(selectors.published(year=2026)) == [ev]
    assert Notification.objects.filter(
        recipient=world.users["provider"], kind="evaluation.published"
    ).exists()
    with pytest.raises(Invalid) as exc:
        services.evaluate(actor=world.users["street"], provider=world.pA1, year=2026)
    assert exc.value.code == "evaluation_already_published"
    services.reward(actor=world.users["street"], evaluation=ev, note="年度优秀服务站点")
    ev.refresh_from_db()
    assert ev.rewarded and selectors.best(street=world.A1, year=2026) == [ev]


def test_no_data_gives_half_marks_with_the_reason_said(world):
    ev = services.evaluate(actor=world.users["street"], provider=world.pA1, year=2026, now=T0)
    assert ev.score == Decimal("65.0")  # 20 + 15 + 15 + 15
    assert "居民评分：无，按中间分计 20.0 / 40" in ev.reasons
    with pytest.raises(Invalid) as exc:
        services.reward(actor=world.users["street"], evaluation=ev, note="x")
    assert exc.value.code == "evaluation_illegal_transition"


def test_uncorrected_defect_after_notice_loses_certification(world):
    cert = certified(world)
    street = world.users["street"]
    at = dt.datetime(2026, 4, 1, 9, 0, tzinfo=TZ)
    with pytest.raises(Invalid) as exc:
        services.issue_defect_notice(
            actor=street, provider=world.pA1, defect="过期药品", correct_by=at - DAY, now=at
        )
    assert exc.value.code == "evaluation_deadline_in_past"
    notice = services.issue_defect_notice(
        actor=street, provider=world.pA1, defect="过期药品未下架", correct_by=at + 10 * DAY, now=at
    )
    assert services.enforce_defect_notices(now=at + 5 * DAY) == []
    enforced = services.enforce_defect_notices(now=at + 11 * DAY)
    assert [n.pk for n in enforced] == [notice.pk]
    cert.refresh_from_db()
    assert cert.state == State.DISQUALIFIED
    ev = CertificationEvent.objects.get(certification=cert, action="disqualify")
    assert ev.actor is None and ev.reason.startswith("逾期未整改：过期药品未下架")
    assert DefectNotice.objects.get().status == "enforced"
    assert services.enforce_defect_notices(now=at + 12 * DAY) == []


def test_corrected_defect_keeps_certification(world):
    cert = certified(world)
    street = world.users["street"]
    at = dt.datetime(2026, 4, 1, 9, 0, tzinfo=TZ)
    notice = services.issue_defect_notice(
        actor=street, provider=world.pA1, defect="标识缺失", correct_by=at + 10 * DAY, now=at
    )
    services.accept_correction(actor=street, notice=notice, correction="已补挂统一标识", now=at)
    assert services.enforce_defect_notices(now=at + 11 * DAY) == []
    cert.refresh_from_db()
    assert cert.state == State.CERTIFIED
    with pytest.raises(Invalid):
        services.accept_correction(actor=street, notice=notice, correction="again")


def test_supervision_phones_are_published_per_street(world):
    world.A1.supervision_phone = "010-6601-2345"
    world.A1.save()
    assert [(s.name, s.supervision_phone) for s in selectors.supervision_phones()] == [
        ("西长安街街道", "010-6601-2345")
    ]


# -- permissions ------------------------------

# fmt: off
EXPECTED = {
    #                city  district street community provider resident superuser
    "collect":      ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN"),
    "reply":        ("NN", "NN",    "NN",  "NN",     "YN",    "NN",    "NN"),
    "review":       ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN"),
    "evaluate":     ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "notice":       ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
}
# fmt: on


@pytest.mark.parametrize(("action", "role", "side", "allowed"), permission_cases(EXPECTED))
def test_evaluation_permission(world, action, role, side, allowed):
    provider = world.pA1 if side == "own" else world.pB1
    user = world.users[role]
    city = world.users["city"]
    now = timezone.now()
    if action == "reply":
        fb = services.collect_feedback(actor=city, provider=provider, kind="complaint", text="x")
        services.forward_feedback(actor=city, feedback=fb)

    def call() -> Any:
        if action == "collect":
            return services.collect_feedback(
                actor=user, provider=provider, kind="praise", text="好"
            )
        if action == "reply":
            return services.reply_feedback(actor=user, feedback=fb, reply="谢谢")
        if action == "review":
            return services.record_review(
                actor=user, provider=provider, year=2026, representative="王五", verdict="basic"
            )
        if action == "evaluate":
            return services.evaluate(actor=user, provider=provider, year=2026)
        return services.issue_defect_notice(
            actor=user, provider=provider, defect="x", correct_by=now + DAY
        )

    def state() -> tuple[int, ...]:
        return (
            Feedback.objects.count(),
            Feedback.objects.filter(status="replied").count(),
            Review.objects.count(),
            Evaluation.objects.count(),
            DefectNotice.objects.count(),
        )

    before = state()
    if allowed:
        call()
        assert state() != before
    else:
        with pytest.raises(PermissionRefused):
            call()
        assert state() == before


def test_overdue_and_complaint_requests_count_in_the_score(world):
    from quarterhour.platform.requests.models import Category, ServiceRequest

    help_ = Category.objects.create(code="help", name="求助")
    complaint = Category.objects.create(code="complain", name="投诉", kind="complaint")
    due = dt.datetime(2026, 5, 10, 17, 0, tzinfo=TZ)

    def req(category: Any, *, closed: dt.datetime | None, provider: Any = None) -> None:
        ServiceRequest.objects.create(
            category=category,
            status="closed" if closed else "accepted",
            channel="web",
            community=world.a1x,
            street=world.A1,
            district=world.A,
            owner_level="provider",
            owner_provider=provider or world.pA1,
            received_at=due - 3 * DAY,
            due_at=due,
            remind_at=due - DAY,
            updated_at=due,
            closed_at=closed,
        )

    req(help_, closed=due + DAY)  # closed late: overdue
    req(help_, closed=None)  # still open after its deadline: overdue
    req(help_, closed=due - DAY)  # closed in time
    req(complaint, closed=due - DAY)  # a complaint, handled in time
    req(help_, closed=None, provider=world.pB1)  # another provider's
    assert services.overdue_requests(world.pA1, 2026, now=T0) == 2
    assert services.overdue_requests(world.pA1, 2025, now=T0) == 0
    # the evaluation's own "now" decides whether an open request is late yet
    assert services.overdue_requests(world.pA1, 2026, now=due - DAY) == 1
    ev = services.evaluate(actor=world.users["street"], provider=world.pA1, year=2026, now=T0)
    assert ev.parts["overdue"] == {"n": 2, "points": 9}
    assert ev.parts["complaints"] == {"n": 1, "points": 12}
    assert "超期未办结诉求：2 件，得 9 / 15" in ev.reasons
