"""Journey 11 — the street officer certifies (签约服务商).

demo-street logs in from ``/``; its home holds 演示助老餐桌 (the residents' representatives voted
for it): it signs the agreement and publishes the notice, which anyone then reads from ``/``
without logging in. It handles the resident's objection to 演示维修服务部's notice (dismissed with
a reason; the notice runs on). When the notice period of 演示助老餐桌 is over, the scheduled job
certifies it by itself (the events say so) and its certified service is listed in the catalogue.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, run_jobs, shot

SIGNING = "演示助老餐桌"
OBJECTED = "演示维修服务部"
STATE = (
    "select c.state from certification_certification c join catalogue_provider p"
    " on p.id = c.provider_id where p.name = %s order by c.id desc limit 1"
)


def test_street_signs_publishes_handles_an_objection_and_the_notice_ends_by_itself(
    demo, page, browser
):
    login(page, "demo-street")
    page.locator("#todos a", has_text=f"{SIGNING} 已获居民代表会议通过：请签订协议").click()
    expect(page.locator("h1")).to_contain_text("居民代表会议通过")
    today = dt.date.today()
    form = page.locator("form", has=page.get_by_role("button", name="签订协议"))
    form.get_by_label("协议签订日期").fill(today.isoformat())
    form.get_by_label("认证期起").fill(today.isoformat())
    form.get_by_label("认证期止").fill(today.replace(year=today.year + 3).isoformat())
    form.get_by_role("button", name="签订协议").click()
    expect(page.locator("body")).to_contain_text("已签订协议，下一步：发布公示")
    assert demo.one(STATE, SIGNING) == "agreement_signed"

    end = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(18, 0))
    form = page.locator("form", has=page.get_by_role("button", name="开始公示"))
    form.get_by_label("公示结束").fill(end.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="开始公示").click()
    expect(page.locator("body")).to_contain_text("公示已发布")
    assert "公示中" in page.locator("h1").inner_text()
    shot(page, "j11-notice-published")
    assert demo.one(STATE, SIGNING) == "public_notice"

    # anyone reads the notice from the front page, without logging in
    anon = browser.new_context(locale="zh-CN").new_page()
    anon.goto(demo.url + "/")
    anon.locator("#tile-notices").click()
    card = anon.locator("article.notice", has_text=SIGNING)
    assert "日间照料室" in card.inner_text() and "赞成 27" in card.inner_text()
    assert anon.locator("#login-to-object").is_visible()
    shot(anon, "j11-notice-public")
    anon.context.close()

    # the objection to another notice, from the home's queue
    page.get_by_role("link", name="工作台").first.click()
    page.locator("#todos a", has_text=f"对 {OBJECTED} 的公示异议待处理").click()
    row = page.locator("#objections tr", has_text="上门维修曾多次迟到")
    row.get_by_label("处理意见").fill("经街道核实，迟到系暴雨停运所致，收费与公示一致（演示）")
    row.get_by_role("button", name="处理异议").click()
    expect(page.locator("body")).to_contain_text("异议已处理")
    assert "异议不成立" in page.locator("#objections").inner_text()
    shot(page, "j11-objection-handled")
    status, resolution = demo.one(
        "select o.status, o.resolution from certification_objection o"
        " join certification_certification c on c.id = o.certification_id"
        " join catalogue_provider p on p.id = c.provider_id where p.name = %s",
        OBJECTED,
    )
    assert status == "dismissed" and resolution.startswith("经街道核实")
    assert demo.one(STATE, OBJECTED) == "public_notice"

    # the notice period ends: the scheduled job certifies by itself
    notice_end = demo.one(
        "select c.notice_end from certification_certification c join catalogue_provider p"
        " on p.id = c.provider_id where p.name = %s and c.state = %s",
        SIGNING,
        "public_notice",
    )
    if isinstance(notice_end, str):  # SQLite keeps the text
        notice_end = dt.datetime.fromisoformat(notice_end)
    if notice_end.tzinfo is None:
        notice_end = notice_end.replace(tzinfo=dt.UTC)
    run_jobs(demo, at=notice_end + dt.timedelta(minutes=5), only="certification.tick")
    assert demo.one(STATE, SIGNING) == "certified"
    assert demo.one(STATE, OBJECTED) == "public_notice"  # its notice runs on
    listed = demo.one(
        "select s.is_active from certification_certification c"
        " join catalogue_service s on s.id = c.catalogue_service_id"
        " join catalogue_provider p on p.id = c.provider_id where p.name = %s",
        SIGNING,
    )
    assert listed in (True, 1)

    page.reload()
    page.get_by_role("link", name="工作台").first.click()
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="服务站点认证", exact=True).click()
    page.get_by_role("link", name=SIGNING).click()
    expect(page.locator("h1")).to_contain_text("已认证")
    events = page.locator("#events").inner_text()
    assert "系统（定时任务）" in events
    shot(page, "j11-certified")
