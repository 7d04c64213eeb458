"""Journey 7 — take a hotline call (96156 社区服务热线).

The community station's clerk records a call from her home: the caller's phone, the category and
the place found by community name; she owns the request as its first responder and the page says
so with the deadline; she dispatches it to the certified provider chosen by name, with a reason,
and sees the overdue requests of her community.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot
from tests.platform.journeys.requests_steps import choose, station_community


def test_clerk_takes_a_call_owns_it_and_dispatches_it(demo, page):
    login(page, "demo-community")
    page.get_by_role("navigation").get_by_role("link", name="登记来电").click()
    expect(page.locator("body")).to_contain_text("首问负责")
    page.get_by_label("来源").select_option(label="热线电话")
    page.get_by_label("来电人电话").fill("13911112222")
    page.get_by_label("来电人称呼").fill("演示来电人 冯先生")
    page.get_by_label("类别").select_option(label="生活服务 · 家政服务")
    home = station_community(demo, "demo-community")
    choose(page, page.get_by_label("所在社区"), home, starting=home)
    page.get_by_label("详细位置（楼号、单元等）").fill("5 号楼 1 单元 302")
    page.get_by_label("内容").fill("演示：来电人腿部骨折，需要两周的上门做饭和保洁。")
    shot(page, "j07-call-form")
    page.get_by_role("button", name="提交").click()
    said = page.locator("body").inner_text()
    m = re.search(r"诉求 #(\d+) 已登记，由 (.+?) 负责，(\d{4}-\d\d-\d\d \d\d:\d\d) 前办结", said)
    assert m, said
    pk = int(m.group(1))
    assert "刘站长" in m.group(2)
    row = demo.one(
        "select r.channel, r.owner_level, u.username, r.contact_phone"
        " from requests_servicerequest r join accounts_user u on u.id = r.owner_user_id"
        " where r.id = %s",
        pk,
    )
    assert row == ("hotline", "community", "demo-community", "13911112222")
    assert "13911112222" in page.locator("#contact").inner_text()

    # dispatch to the provider, chosen by name
    form = page.locator("#transfer-provider")
    provider = demo.one(
        "select p.name from catalogue_provider p join accounts_membership m"
        " on m.provider_id = p.id join accounts_user u on u.id = m.user_id"
        " where u.username = 'demo-provider'"
    )
    choose(page, form.get_by_label("派给服务商"), provider[:4], starting=provider)
    form.get_by_label("原因").fill("演示：签约服务商提供上门家政")
    form.get_by_role("button", name="转办").click()
    expect(page.locator(".msg").first).to_contain_text("已转办，现由")
    said = page.locator(".msg").first.inner_text()
    assert "已转办，现由" in said and provider in said
    assert provider in page.locator("#owner").inner_text()
    level, reason = demo.one(
        "select h.to_level, h.reason from requests_handover h where h.request_id = %s", pk
    )
    assert (level, reason) == ("provider", "演示：签约服务商提供上门家政")
    assert demo.one("select owner_level from requests_servicerequest where id = %s", pk) == (
        "provider"
    )
    shot(page, "j07-dispatched")

    # what is overdue in her community
    page.get_by_role("navigation").get_by_role("link", name="诉求", exact=True).click()
    page.get_by_label("状态").select_option(label="超期（含已升级）")
    page.get_by_role("button", name="筛选").click()
    listed = page.locator("#requests").inner_text()
    assert "超期升级 1 次" in listed and "家政服务" in listed
    shot(page, "j07-overdue")
