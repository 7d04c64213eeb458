"""Certification pages: the whole path driven through the forms (CSRF-protected POSTs), errors
shown in the user's language with nothing stored, jurisdiction refusals, the public notices page,
the mechanisms hub."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quarterhour.platform.certification.models import Certification, CertificationEvent


def _post(client, url, data):
    return client.post(url, data, follow=True)


def test_certification_through_the_pages(world):
    c = Client()
    c.force_login(world.users["provider"])
    page = c.get(reverse("certification:apply", args=[world.pA1.pk]))
    assert page.status_code == 200 and "提出认证申请" in page.content.decode()
    r = _post(
        c,
        reverse("certification:apply", args=[world.pA1.pk]),
        {
            "community": world.a1x.pk,
            "category": "convenience",
            "item_codes": ["shop.pharmacy"],
            "hotline": "010-1234",
            "documents": "营业执照",
        },
    )
    assert "认证申请已提交" in r.content.decode()
    cert = Certification.objects.get()
    c.force_login(world.users["community"])
    url = reverse("certification:act", args=[cert.pk])
    bad = _post(
        c,
        url,
        {
            "action": "record_meeting",
            "meeting_date": str(timezone.localdate()),
            "attendees": "10",
            "votes_for": "6",
            "votes_against": "1",
            "votes_abstain": "1",
            "decision": "approve",
        },
    )
    assert "与出席人数 10 不符" in bad.content.decode()
    cert.refresh_from_db()
    assert cert.state == "applied" and cert.meeting_attendees is None
    ok = _post(
        c,
        url,
        {
            "action": "record_meeting",
            "meeting_date": str(timezone.localdate()),
            "attendees": "10",
            "votes_for": "8",
            "votes_against": "1",
            "votes_abstain": "1",
            "decision": "approve",
        },
    )
    assert "已转街道办事处签订协议" in ok.content.decode()
    c.force_login(world.users["street"])
    today = timezone.localdate()
    _post(
        c,
        url,
        {
            "action": "sign_agreement",
            "signed_on": str(today),
            "term_start": str(today),
            "term_end": str(today + dt.timedelta(days=730)),
            "unified_sign": "on",
        },
    )
    past = _post(c, url, {"action": "start_notice", "notice_end": "2020-01-01T10:00"})
    assert "公示结束时间必须晚于现在" in past.content.decode()
    end = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    _post(c, url, {"action": "start_notice", "notice_end": end})
    cert.refresh_from_db()
    assert cert.state == "public_notice"
    # residents see the notice and object
    c.force_login(world.users["resident"])
    notices = c.get(reverse("certification:notices")).content.decode()
    assert "长安便民服务社" in notices and 'name="csrfmiddlewaretoken"' in notices
    _post(c, reverse("certification:object", args=[cert.pk]), {"text": "营业时间不实"})
    assert cert.objections.count() == 1
    c.force_login(world.users["street"])
    detail = c.get(reverse("certification:detail", args=[cert.pk])).content.decode()
    assert "营业时间不实" in detail and "公示中" in detail
    history = c.get(reverse("certification:history", args=[world.pA1.pk])).content.decode()
    assert (
        history.count("<tr>") == 1 + CertificationEvent.objects.filter(provider=world.pA1).count()
    )


def test_other_jurisdiction_is_refused_with_a_reason(world):
    c = Client()
    c.force_login(world.users["city"])
    from quarterhour.platform.certification import services

    cert = services.apply(
        actor=world.users["city"],
        provider=world.pB1,
        community=world.b1x,
        category="convenience",
        item_codes=["shop.housekeeping"],
        hotline="1",
    )
    c.force_login(world.users["street"])
    r = c.get(reverse("certification:detail", args=[cert.pk]))
    assert r.status_code == 403 and "该认证不在您的辖区内" in r.content.decode()
    r = c.post(reverse("certification:act", args=[cert.pk]), {"action": "certify"})
    assert r.status_code == 403
    assert c.get(reverse("certification:list")).content.decode().count("东华门家政") == 0


def test_csrf_is_enforced_on_actions(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["resident"])
    assert c.post(reverse("certification:object", args=[1]), {"text": "x"}).status_code == 403


def test_hub_page_and_english(world):
    c = Client()
    c.force_login(world.users["street"])
    text = c.get(reverse("certification:mechanisms")).content.decode()
    assert "联席会议" in text and "经费保障" in text
    assert "运行机制" in c.get(reverse("web:home")).content.decode()


def test_admin_lists_are_scoped_and_read_only(world):
    from quarterhour.platform.certification import services

    city = world.users["city"]
    for p, c in ((world.pA1, world.a1x), (world.pB1, world.b1x)):
        services.apply(
            actor=city,
            provider=p,
            community=c,
            category="convenience",
            item_codes=["shop.pharmacy"],
            hotline="1",
        )
    client = Client()
    client.force_login(world.users["street"])
    for name in (
        "certification_certification",
        "sharing_sharedfacility",
        "sharing_booking",
        "volunteers_volunteer",
        "volunteers_need",
        "evaluation_feedback",
        "evaluation_evaluation",
        "evaluation_defectnotice",
        "meetings_meeting",
        "meetings_action",
        "funding_fund",
        "funding_contract",
    ):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    text = client.get(reverse("admin:certification_certification_changelist")).content.decode()
    assert "长安便民服务社" in text and "东华门家政" not in text
    cert = Certification.objects.get(provider=world.pA1)
    page = client.get(reverse("admin:certification_certification_change", args=[cert.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_pages_switch_to_english(world):
    from django.utils import translation

    client = Client()
    client.force_login(world.users["street"])
    client.cookies["django_language"] = "en"
    text = client.get(reverse("certification:mechanisms")).content.decode()
    assert "Operating mechanisms" in text and "Joint meetings" in text
    with translation.override("en"):
        from quarterhour.platform.certification.models import State

        assert str(State.PUBLIC_NOTICE.label) == "Under public notice"
        from quarterhour.platform.funding.models import Source

        assert str(Source.DONATION_UNIT.label) == "Donation by a unit"
