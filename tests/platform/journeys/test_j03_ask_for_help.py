"""Journey 3 — ask for help and follow it (首问负责、限时办结; 96156).

A resident chooses a category, a place (community by name, or an address found by search) and a
description; where the same problem is already open nearby the page offers to join it instead of
filing again; a filed request says who owns it and by when. Another resident, told by a
notification that her request is done, rates it from 我的.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot
from tests.platform.journeys.requests_steps import choose, station_community


def test_resident_is_offered_the_open_duplicate_then_files_her_own(demo, page):
    login(page, "demo-resident2")
    page.locator("#my-links").get_by_role("link", name="提交诉求", exact=True).click()
    home = station_community(demo, "demo-community")
    # the same problem as an open request there (the seeded broken stair light): offered to join
    page.get_by_label("类别").select_option(label="社区环境 · 公共设施报修")
    choose(page, page.get_by_label("所在社区"), home, starting=home)
    page.get_by_label("内容").fill("演示：楼道灯坏了好几天。")
    page.get_by_role("button", name="提交").click()
    offer = page.locator("#duplicates")
    assert "附近已有相同的诉求" in offer.inner_text()
    shot(page, "j03-duplicate-offered")
    before = demo.one("select count(*) from requests_servicerequest")
    offer.get_by_role("button", name="关注这个诉求，不再重复提交").first.click()
    expect(page.locator(".messages, [role=status], body").first).to_contain_text("不必重复提交")
    joined = demo.one(
        "select f.request_id from requests_follower f join accounts_user u on u.id = f.user_id"
        " where u.username = 'demo-resident2'"
    )
    assert demo.one("select count(*) from requests_servicerequest") == before
    assert f"#{joined}" in page.locator("h1").inner_text()
    assert "另有 1 位居民反映了同一问题" in page.locator("#followers").inner_text()
    assert "内容仅提交人和办理人员可见" in page.locator("dl.facts").inner_text()

    # a problem of her own, at an address found by search: owned by that place's station
    page.get_by_role("navigation").get_by_role("link", name="提交诉求", exact=True).click()
    page.get_by_label("类别").select_option(label="养老服务 · 助餐服务")
    street_address = demo.one(
        "select address from facilities_facility where address like 'Mikonkatu%%'"
        " order by address limit 1"
    )
    chosen = choose(page, page.get_by_label("搜索地址"), "mikonkatu", starting=street_address)
    page.get_by_label("详细位置（楼号、单元等）").fill("3 楼")
    page.get_by_label("内容").fill("演示：母亲独居，想订工作日午餐送餐上门。")
    page.get_by_role("button", name="提交").click()
    said = page.locator("body").inner_text()
    m = re.search(r"诉求 #(\d+) 已登记，由 (.+?) 负责，(\d{4}-\d\d-\d\d \d\d:\d\d) 前办结", said)
    assert m, said
    pk = int(m.group(1))
    owner, due = demo.one(
        "select c.name, r.due_at from requests_servicerequest r"
        " join geography_community c on c.id = r.owner_community_id where r.id = %s",
        pk,
    )
    assert owner in m.group(2)
    assert str(due)[:4] == m.group(3)[:4]
    row = demo.one(
        "select r.channel, r.status, r.address, u.username from requests_servicerequest r"
        " join accounts_user u on u.id = r.submitter_id where r.id = %s",
        pk,
    )
    assert row == ("web", "new", chosen.split("（")[0], "demo-resident2")
    assert "由 " in page.locator("#who-when").inner_text()
    shot(page, "j03-filed")
    # 我的: both, the one she filed and the one she joined
    page.get_by_role("navigation").get_by_role("link", name="我的", exact=True).click()
    page.locator("#my-links").get_by_role("link", name="我的诉求").click()
    listed = page.locator("#requests").inner_text()
    assert "助餐服务" in listed and "公共设施报修" in listed


def test_resident_told_it_is_done_rates_it(demo, page):
    login(page, "demo-resident")
    page.get_by_role("navigation").get_by_role("link", name="通知").click()
    told = page.locator("body").inner_text()
    assert re.search(r"您的诉求 #\d+ 已办结，请评价", told)
    page.get_by_role("navigation").get_by_role("link", name="我的", exact=True).click()
    page.locator("#my-links").get_by_role("link", name="我的诉求").click()
    page.locator("#requests tr", has_text="居家维修").filter(has_text="已办结").get_by_role(
        "link"
    ).first.click()
    pk = int(re.search(r"#(\d+)", page.locator("h1").inner_text()).group(1))
    form = page.locator("#rate")
    form.get_by_label("满意度").select_option("4")
    form.get_by_label("评价").fill("演示：师傅很准时。")
    form.get_by_role("button", name="提交评价").click()
    expect(page.locator("#rating")).to_contain_text("4/5")
    assert demo.one(
        "select rating, rating_comment from requests_servicerequest where id = %s", pk
    ) == (4, "演示：师傅很准时。")
    shot(page, "j03-rated")
