"""Journey 16 — the provider works its requests: accept, answer, close; sees its ratings and its
response / resolution / satisfaction rates on the evaluation page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot


def test_provider_accepts_answers_closes_and_sees_its_rates(demo, page):
    login(page, "demo-provider")
    page.get_by_role("navigation").get_by_role("link", name="诉求", exact=True).click()
    listed = page.locator("#requests")
    assert "5/5" in listed.inner_text() or "4/5" in listed.inner_text()  # its ratings
    listed.locator("tr", has_text="家政服务").filter(has_text="待受理").get_by_role(
        "link"
    ).first.click()
    pk = int(re.search(r"#(\d+)", page.locator("h1").inner_text()).group(1))
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("#status")).to_contain_text("办理中")
    page.get_by_label("答复居民").fill("演示：周六上午 9 点上门保洁，约 3 小时。")
    page.get_by_role("button", name="答复", exact=True).click()
    expect(page.locator("#status")).to_contain_text("已答复")
    assert "周六上午 9 点" in page.locator("#notes").inner_text()
    shot(page, "j16-replied")
    page.get_by_label("办结说明").fill("演示：已完成上门保洁，居民确认。")
    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.locator("#status")).to_contain_text("已办结")
    rows = demo.sql(
        "select e.action, e.from_status, e.to_status, u.username from requests_event e"
        " join accounts_user u on u.id = e.actor_id where e.request_id = %s"
        " and e.action in ('accept', 'reply', 'close') order by e.at, e.id",
        pk,
    )
    assert [tuple(r) for r in rows] == [
        ("accept", "new", "accepted", "demo-provider"),
        ("reply", "accepted", "replied", "demo-provider"),
        ("close", "replied", "closed", "demo-provider"),
    ]
    status, responded = demo.one(
        "select status, responded_at is not null from requests_servicerequest where id = %s", pk
    )
    assert (status, bool(responded)) == ("closed", True)
    shot(page, "j16-closed")

    page.get_by_role("navigation").get_by_role("link", name="监督评价").click()
    provider = demo.one(
        "select p.name from catalogue_provider p join accounts_membership m"
        " on m.provider_id = p.id join accounts_user u on u.id = m.user_id"
        " where u.username = 'demo-provider'"
    )
    row = page.locator("#rates tr", has_text=provider).inner_text()
    assert "响应率" in page.locator("#rates").inner_text()
    assert re.search(r"\d+(\.\d)?%（\d+/\d+）", row), row
    assert "100.0%（1/1）" in row  # the one rated request: 4 of 5
    shot(page, "j16-rates")
