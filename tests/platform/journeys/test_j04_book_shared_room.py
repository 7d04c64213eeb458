"""Journey 4 — book a shared room (驻区单位…错时、低偿或者无偿开放).

A resident, from 我的, opens the resident units' shared facilities, picks the school gym, sees
the coming openings with their free places, books a free one, finds it in 我的预约 (and on the
home's to-dos), and cancels it; the slot's places come back. Stored outcome read from the demo's
database at each step.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.platform.journeys.choosing import SLOW
from tests.platform.journeys.conftest import login, shot

GYM = "南港第一中学体育馆（错时开放，演示）"


def test_resident_books_a_free_window_sees_it_and_cancels(demo, page):
    page.set_default_timeout(SLOW)
    login(page, "demo-resident")
    assert page.locator("h1").inner_text() == "我的"
    page.locator("#my-links").get_by_role("link", name="预约共享设施").click()
    page.get_by_role("link", name=GYM).click()
    expect(page.locator("h1")).to_have_text(re.compile("^" + re.escape(GYM)))
    assert "星期六 08:00–12:00" in page.locator("main").inner_text()
    shot(page, "j04-openings")

    # the first opening with a free place: its date and time, then 预约
    row = page.locator("#openings tbody tr", has=page.get_by_role("button", name="预约")).first
    when, hours, free = (row.locator("td").nth(i).inner_text() for i in range(3))
    left, capacity = (int(x) for x in free.split("/"))
    row.get_by_role("button", name="预约").click()
    expect(page.locator(".msg").first).to_contain_text("预约成功")
    user = demo.one("select id from accounts_user where username = 'demo-resident'")
    booking, status, taken, begins = demo.sql(
        "select b.id, b.status, s.taken, s.start from sharing_booking b join sharing_slot s "
        "on s.id = b.slot_id join sharing_sharedfacility f on f.id = s.shared_id "
        "where b.booker_id = %s and f.name = %s order by b.id desc",
        user,
        GYM,
    )[0]
    assert str(begins)[:5] == hours.split("–")[0]
    assert status == "active" and taken == capacity - left + 1
    row = page.locator("#openings tbody tr", has_text=hours).filter(has_text=when)
    assert row.locator("td").nth(2).inner_text().strip() == f"{left - 1} / {capacity}"

    # 我的 shows it among the to-dos; 我的预约 lists it
    page.get_by_role("navigation").get_by_role("link", name="我的", exact=True).click()
    expect(page.locator("#todos")).to_contain_text(GYM)
    page.locator("#my-links").get_by_role("link", name="我的预约").click()
    mine = page.locator("#my-bookings tbody tr", has_text=GYM).filter(has_text=when)
    assert "有效" in mine.inner_text()
    shot(page, "j04-my-bookings")
    mine.get_by_role("button", name="取消").click()
    expect(page.locator(".msg").first).to_contain_text("预约已取消")
    assert "已取消" in page.locator("#my-bookings tbody tr", has_text=when).first.inner_text()
    status, taken_after = demo.one(
        "select b.status, s.taken from sharing_booking b join sharing_slot s on s.id = b.slot_id "
        "where b.id = %s",
        booking,
    )
    assert status == "cancelled" and taken_after == taken - 1
    shot(page, "j04-cancelled")
