"""Meeting pages: convene, record the minutes through the form, the owner's task list."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quarterhour.platform.meetings.models import Action, Meeting


def test_convene_record_and_tasks_through_pages(world):
    c = Client()
    c.force_login(world.users["street"])
    c.post(
        reverse("meetings:convene"),
        {
            "circle": world.cA1.pk,
            "title": "联席会议",
            "held_at": "2026-05-12T14:30",
            "agenda": "场地开放",
        },
    )
    m = Meeting.objects.get()
    due = timezone.localdate() + dt.timedelta(days=10)
    bad = c.post(
        reverse("meetings:detail", args=[m.pk]),
        {
            "attendees": "王主任 | 街道",
            "decisions": "开放操场",
            "actions": "签协议 | nobody | 2030-01-01",
        },
        follow=True,
    )
    # an unknown name is answered as a resident's is: no probing for who exists
    assert "责任人须为工作人员" in bad.content.decode() and Action.objects.count() == 0
    resident = c.post(
        reverse("meetings:detail", args=[m.pk]),
        {
            "attendees": "王主任 | 街道",
            "decisions": "开放操场",
            "actions": "签协议 | resident | 2030-01-01",
        },
        follow=True,
    )
    said = [str(x) for x in bad.context["messages"]][-1:]
    assert said == [str(x) for x in resident.context["messages"]] == ["责任人须为工作人员"]
    c.post(
        reverse("meetings:detail", args=[m.pk]),
        {
            "attendees": "王主任 | 街道\n李经理 | 服务社",
            "decisions": "开放操场",
            "actions": f"签协议 | community_a1x | {due} | 1",
            "minutes": "纪要",
        },
    )
    m.refresh_from_db()
    assert m.status == "held" and m.attendees.count() == 2
    c.force_login(world.users["community"])
    tasks = c.get(reverse("meetings:tasks")).content.decode()
    assert "签协议" in tasks
    a = Action.objects.get()
    c.post(reverse("meetings:close", args=[a.pk]), {"note": "已签"})
    assert Action.objects.get().status == "done"
    assert "没有待办事项" in c.get(reverse("meetings:tasks")).content.decode()
