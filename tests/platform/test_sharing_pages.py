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


def test_provider_of_another_district_cannot_see_an_offer(world):
    shared = offer(world)
    c = Client()
    c.force_login(world.users["provider"])  # staff of pA1, not of the unit
    assert c.get(reverse("sharing:detail", args=[shared.pk])).status_code == 403
