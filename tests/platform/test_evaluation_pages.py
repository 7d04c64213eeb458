"""Evaluation pages: collect and forward feedback through the forms; the public results page
with supervision phones needs no login."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from quarterhour.platform.evaluation import services
from quarterhour.platform.evaluation.models import Feedback


def test_feedback_forms_and_public_page(world):
    c = Client()
    c.force_login(world.users["community"])
    r = c.post(
        reverse("evaluation:act"),
        {
            "action": "collect",
            "provider": world.pA1.pk,
            "kind": "complaint",
            "rating": "9",
            "text": "慢",
        },
        follow=True,
    )
    assert "评分须为 1 到 5" in r.content.decode() and Feedback.objects.count() == 0
    c.post(
        reverse("evaluation:act"),
        {
            "action": "collect",
            "provider": world.pA1.pk,
            "kind": "complaint",
            "rating": "2",
            "text": "慢",
        },
    )
    fb = Feedback.objects.get()
    c.post(reverse("evaluation:act"), {"action": "forward", "feedback": fb.pk})
    fb.refresh_from_db()
    assert fb.status == "forwarded"
    ev = services.evaluate(actor=world.users["street"], provider=world.pA1, year=2026)
    services.publish(actor=world.users["street"], evaluation=ev)
    world.A1.supervision_phone = "010-1234-5678"
    world.A1.save()
    anon = Client()
    page = anon.get(reverse("evaluation:public")).content.decode()
    assert "长安便民服务社" in page and "010-1234-5678" in page and str(ev.score) in page
    c.force_login(world.users["resident"])
    assert c.get(reverse("evaluation:overview")).status_code == 403


def test_survey_opened_and_answered_through_pages(world):
    import datetime as dt

    from django.utils import timezone

    from quarterhour.platform.evaluation.models import Survey, SurveyResponse

    c = Client()
    c.force_login(world.users["street"])
    today = timezone.localdate()
    c.post(
        reverse("evaluation:act"),
        {
            "action": "survey",
            "circle": world.cA1.pk,
            "title": "季度调查",
            "opens_on": str(today),
            "closes_on": str(today + dt.timedelta(days=10)),
        },
    )
    s = Survey.objects.get()
    c.force_login(world.users["resident"])
    page = c.get(reverse("evaluation:surveys")).content.decode()
    assert "季度调查" in page and "长安便民服务社" in page
    r = c.post(
        reverse("evaluation:answer", args=[s.pk]),
        {f"score_{world.pA1.pk}": "4", "comment": "好"},
        follow=True,
    )
    assert "感谢您的评价" in r.content.decode() and "您已于" in r.content.decode()
    r = c.post(
        reverse("evaluation:answer", args=[s.pk]),
        {f"score_{world.pA1.pk}": "5"},
        follow=True,
    )
    assert r.status_code == 422 and "您已填写过该调查" in r.content.decode()
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [4]
    c.force_login(world.users["street"])
    overview = c.get(reverse("evaluation:overview")).content.decode()
    assert "季度调查" in overview and "4.00" in overview
