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
    form = c.get(reverse("meetings:detail", args=[m.pk])).content.decode()
    assert 'data-picker="staff"' in form and 'name="owner_1"' in form
    base = {"attendees": "王主任 | 街道", "decisions": "开放操场"}
    bad = c.post(
        reverse("meetings:detail", args=[m.pk]),
        {**base, "action_1": "签协议", "owner_1__text": "nobody", "due_1": str(due)},
    )
    # a name that is not staff of the district is not found (residents are never offered)
    assert bad.status_code == 422 and "没有找到" in bad.content.decode()
    resident = c.post(
        reverse("meetings:detail", args=[m.pk]),
        {**base, "action_1": "签协议", "owner_1": world.users["resident"].pk, "due_1": str(due)},
    )
    assert resident.status_code == 422 and Action.objects.count() == 0
    other = c.post(
        reverse("meetings:detail", args=[m.pk]),
        {**base, "action_1": "签协议", "owner_1": world.users["street"].pk, "due_1": "2020-01-01"},
    )
    assert other.status_code == 422 and "完成期限不能早于今天" in other.content.decode()
    ok = c.post(
        reverse("meetings:detail", args=[m.pk]),
        {
            "attendees": "王主任 | 街道\n李经理 | 服务社",
            "decisions": "开放操场",
            "action_1": "签协议",
            "owner_1__text": "community_a1x",
            "due_1": str(due),
            "decision_1": "1",
            "minutes": "纪要",
        },
        follow=True,
    )
    assert "会议记录已保存" in ok.content.decode()
    m.refresh_from_db()
    assert m.status == "held" and m.attendees.count() == 2
    a = Action.objects.get()
    assert (a.owner, a.due_on, a.decision.number) == (world.users["community"], due, 1)
    c.force_login(world.users["community"])
    assert "签协议" in c.get(reverse("web:home")).content.decode()
    tasks = c.get(reverse("meetings:tasks")).content.decode()
    assert "签协议" in tasks
    c.post(reverse("meetings:close", args=[a.pk]), {"note": "已签"})
    assert Action.objects.get().status == "done"
    assert "没有待办事项" in c.get(reverse("meetings:tasks")).content.decode()
