"""Sharing pages: residents see open offers and book through the form; a booking outside the
window is refused with the reason and nothing stored; managers see bookings and withdraw."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.platform.test_sharing import offer

from quarterhour.platform.accounts.models import Membership
from quarterhour.platform.sharing.models import Booking


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
    r = c.post(
        reverse("sharing:withdraw", args=[shared.pk]),
        {"effective_from": str(sat - dt.timedelta(days=1)), "reason": "维修"},
        follow=True,
    )
    assert "退出须至少提前 3 天告知" in r.content.decode()
    assert Booking.objects.get().status == "active"


def test_an_offered_room_is_public_but_only_its_bookers_book_and_its_managers_see_bookings(world):
    shared = offer(world)
    url = reverse("sharing:detail", args=[shared.pk])
    c = Client()
    visitor = c.get(url).content.decode()
    assert shared.name in visitor and "登录后预约" in visitor
    assert 'id="bookings"' not in visitor and 'name="places"' not in visitor
    c.force_login(world.users["provider"])  # staff of pA1, not of the unit
    other = c.get(url).content.decode()
    assert 'id="bookings"' not in other and "退出共享" not in other
    shared.status = shared.Status.WITHDRAWN
    shared.save(update_fields=["status"])
    assert c.get(url).status_code == 403


def test_unit_staff_offers_through_the_page(world):
    from tests.platform.test_sharing import unit_of

    unit, staff = unit_of(world, world.A1, world.a1x, "第一中学")
    c = Client()
    c.force_login(staff)
    assert "第一中学" in c.get(reverse("sharing:new")).content.decode()
    bad = c.post(
        reverse("sharing:new"),
        {
            "unit": unit.pk,
            "name": "操场",
            "kind": "sports_ground",
            "price": "free",
            "capacity": "10",
            "windows": "8 25:00 12:00",
        },
        follow=True,
    )
    text = bad.content.decode()
    assert "第 1 个时段的星期须为 1–7" in text and "第 1 个时段的时间须为 HH:MM" in text
    from quarterhour.platform.sharing.models import SharedFacility

    assert SharedFacility.objects.count() == 0
    c.post(
        reverse("sharing:new"),
        {
            "unit": unit.pk,
            "name": "操场",
            "kind": "sports_ground",
            "price": "free",
            "capacity": "10",
            "windows": "6 08:00 12:00 60\n7 08:00 12:00",
        },
    )
    s = SharedFacility.objects.get()
    assert (s.lon, s.lat) == (world.a1x.centre_lon, world.a1x.centre_lat)
    assert [(w.weekday, w.slot_minutes) for w in s.windows.all()] == [(6, 60), (7, 0)]
