"""Sharing pages: residents see open offers and book through the form; a booking outside the
window is refused with the reason and nothing stored; managers see bookings and withdraw."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quarterhour.platform.accounts.models import Membership
from quarterhour.platform.sharing.models import Booking
from tests.platform.sharing.helpers import offer


def next_saturday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


def test_book_through_the_page_and_manage(world):
    shared = offer(world)
    c = Client()
    c.force_login(world.users["resident"])
    assert "第一中学操场" in c.get(reverse("sharing:list")).content.decode()
    page = c.get(reverse("sharing:detail", args=[shared.pk])).content.decode()
    assert "近两周可预约时段" in page and "2 / 2" in page
    sat = next_saturday()
    r = c.post(
        reverse("sharing:book", args=[shared.pk]), {"date": str(sat), "start": "09:30"}, follow=True
    )
    assert "不在该设施的开放时段内" in r.content.decode()
    assert Booking.objects.count() == 0
    r = c.post(
        reverse("sharing:book", args=[shared.pk]),
        {"date": str(sat), "start": "09:00", "places": "1"},
        follow=True,
    )
    assert "预约成功" in r.content.decode()
    mine = c.get(reverse("sharing:mine")).content.decode()
    assert "第一中学操场" in mine and "有效" in mine
    staff = Membership.objects.get(provider=shared.unit).user
    c.force_login(staff)
    detail = c.get(reverse("sharing:detail", args=[shared.pk])).content.decode()
    assert "预约情况" in detail and "resident" in detail
    # tomorrow: under the 3 days' notice whatever the day of the week (the day before the
    # Saturday was 4 to 6 days ahead from Saturday to Tuesday, and the withdrawal went through)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    r = c.post(
        reverse("sharing:withdraw", args=[shared.pk]),
        {"effective_from": str(tomorrow), "reason": "维修"},
        follow=True,
    )
    assert "退出须至少提前 3 天告知" in r.content.decode()
    assert Booking.objects.get().status == "active"


def test_an_offer_is_public_while_offered_a_withdrawn_one_only_for_its_managers(world):
    from quarterhour.platform.sharing.models import SharedFacility

    shared = offer(world)
    c = Client()
    assert c.get(reverse("sharing:detail", args=[shared.pk])).status_code == 200
    c.force_login(world.users["provider"])  # staff of pA1, not of the unit
    assert c.get(reverse("sharing:detail", args=[shared.pk])).status_code == 200
    SharedFacility.objects.filter(pk=shared.pk).update(status="withdrawn")
    assert c.get(reverse("sharing:detail", args=[shared.pk])).status_code == 403


def test_unit_staff_offers_through_the_page(world):
    from tests.platform.sharing.helpers import unit_of

    unit, staff = unit_of(world, world.A1, world.a1x, "第一中学")
    c = Client()
    c.force_login(staff)
    form = c.get(reverse("sharing:new")).content.decode()
    assert 'data-picker="resident_unit"' in form and "第一中学" in form
    fields = {"unit__text": "第一中学", "name": "操场", "kind": "sports_ground", "price": "free"}
    bad = c.post(
        reverse("sharing:new"),
        {**fields, "capacity": "10", "days_1": "6", "start_1": "25:00", "end_1": "12:00"},
    )
    text = bad.content.decode()
    assert bad.status_code == 422 and "第 1 个时段的时间须为 HH:MM" in text
    # the second form row, ticked for three days, is named as the person's row 2, said once
    days = {"days_2": ["1", "3", "5"], "start_2": "18:00", "end_2": "17:00"}
    row2 = c.post(
        reverse("sharing:new"),
        {**fields, "capacity": "10", "days_1": "6", "start_1": "08:00", "end_1": "12:00"} | days,
    ).content.decode()
    # shown once in the summary and once at the field, as any single issue is
    assert (
        row2.count("第 2 个时段的结束须晚于开始") == text.count("第 1 个时段的时间须为 HH:MM") == 2
    )
    assert "第 3 个时段" not in row2 and "第 4 个时段" not in row2
    uneven = c.post(
        reverse("sharing:new"),
        {**fields, "capacity": "10", "days_1": "6", "start_1": "08:00", "end_1": "11:30"}
        | {"slot_1": "60"},
    )
    assert uneven.status_code == 422
    assert "共 210 分钟，不能按每 60 分钟分完（最后 30 分钟无法预约）" in uneven.content.decode()
    from quarterhour.platform.sharing.models import SharedFacility

    assert SharedFacility.objects.count() == 0
    ok = c.post(
        reverse("sharing:new"),
        {**fields, "unit": unit.pk, "capacity": "10", "days_1": "6", "start_1": "08:00"}
        | {"end_1": "12:00", "slot_1": "60", "days_2": "7", "start_2": "08:00", "end_2": "12:00"},
        follow=True,
    )
    assert "共享设施已登记" in ok.content.decode()
    s = SharedFacility.objects.get()
    assert (s.lon, s.lat) == (world.a1x.centre_lon, world.a1x.centre_lat)
    assert [(w.weekday, w.slot_minutes) for w in s.windows.all()] == [(6, 60), (7, 0)]
    detail = c.get(reverse("sharing:detail", args=[s.pk])).content.decode()
    assert "星期六 08:00–12:00" in detail


def test_street_registers_a_resident_unit_by_community_name(world):
    """The street registers a resident unit, its community chosen by name; a community of
    another street is refused and nothing is stored."""
    from quarterhour.platform.catalogue.models import Provider

    c = Client()
    c.force_login(world.users["street"])
    assert 'data-picker="community"' in c.get(reverse("sharing:unit_new")).content.decode()
    empty = c.post(reverse("sharing:unit_new"), {"name": "第二中学"})
    assert empty.status_code == 422 and "请选择社区" in empty.content.decode()
    r = c.post(
        reverse("sharing:unit_new"),
        {"name": "第二中学", "community__text": world.a1x.name, "address": "演示路 2 号"},
        follow=True,
    )
    assert "驻区单位已登记" in r.content.decode()
    unit = Provider.objects.get(name="第二中学")
    assert (unit.kind, unit.community, unit.street) == ("resident_unit", world.a1x, world.A1)
    before = Provider.objects.count()
    other = c.post(
        reverse("sharing:unit_new"), {"name": "外街道单位", "community__text": world.b1x.name}
    )
    assert other.status_code == 403 and Provider.objects.count() == before


def test_a_refused_offer_keeps_every_window_row(world):
    from tests.platform.sharing.helpers import unit_of

    unit, staff = unit_of(world, world.A1, world.a1x, "第一中学")
    c = Client()
    c.force_login(staff)
    rows = {
        "days_1": ["6", "7"],
        "start_1": "08:00",
        "end_1": "12:00",
        "slot_1": "60",
        "days_2": "3",
        "start_2": "18:00",
        "end_2": "17:00",  # ends before it starts: refused
        "slot_2": "0",
        "days_3": ["1", "5"],
        "start_3": "19:00",
        "end_3": "21:00",
        "slot_3": "30",
    }
    fields = {"unit": unit.pk, "name": "操场", "kind": "sports_ground", "price": "free"}
    bad = c.post(reverse("sharing:new"), {**fields, "capacity": "10", **rows})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "的结束须晚于开始" in html
    checked = set(re.findall(r'name="(days_\d)" value="(\d)" checked', html))
    assert checked == {("days_1", "6"), ("days_1", "7"), ("days_2", "3")} | {
        ("days_3", "1"),
        ("days_3", "5"),
    }
    sent = dict(re.findall(r'name="((?:start|end|slot)_\d)"(?: min="0")? value="([^"]*)"', html))
    assert sent == {k: v for k, v in rows.items() if not k.startswith("days_")}
    assert 'value="操场"' in html  # the rest of the form too
    # hostile row values come back escaped, never as markup, and never a 5xx
    odd = c.post(
        reverse("sharing:new"),
        {**fields, "capacity": "10", "days_1": ["9", "x"], "start_1": '"><b>', "slot_1": "-1"},
    )
    assert odd.status_code == 422
    assert 'name="start_1" value="&quot;&gt;&lt;b&gt;"' in odd.content.decode()
    # the first view is empty: no day ticked, slots 0
    fresh = c.get(reverse("sharing:new")).content.decode()
    assert " checked" not in fresh and 'name="slot_3" min="0" value="0"' in fresh
    from quarterhour.platform.sharing.models import SharedFacility

    assert not SharedFacility.objects.exists()
