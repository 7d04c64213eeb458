"""Journey 8 — the community service station runs the residents' representatives' vote
(经社区居民代表会议讨论通过).

demo-community logs in from ``/``; its home's queue holds the demo's application of 演示家政服务点
waiting for the vote; the clerk opens it, records the meeting (votes that do not add up are
refused in words, nothing stored), records it again correctly, and the page says it went to the
street; the street officer then finds it on its own home, to sign the agreement.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot

PROVIDER = "演示家政服务点"


def test_clerk_records_the_vote_from_the_queue_and_the_street_has_it(demo, page, browser):
    login(page, "demo-community")
    todo = page.locator("#todos a", has_text=f"{PROVIDER} 申请认证：请召开居民代表会议并记录表决")
    todo.click()
    expect(page.locator("h1")).to_contain_text(PROVIDER)
    assert "已申请" in page.locator("h1").inner_text()
    steps = page.locator("#steps").inner_text()
    assert "居民代表会议表决" in steps and "办理中" in steps
    shot(page, "j08-application")

    today = dt.date.today().isoformat()
    form = page.locator("form", has=page.get_by_role("button", name="记录会议结果"))
    form.get_by_label("会议日期").fill(today)
    form.get_by_label("出席人数").fill("25")
    form.get_by_label("赞成票").fill("20")
    form.get_by_label("反对票").fill("3")
    form.get_by_label("弃权票").fill("1")
    form.get_by_label("会议决定").select_option(label="同意")
    form.get_by_role("button", name="记录会议结果").click()
    assert "与出席人数 25 不符" in " ".join(page.locator(".msg").all_inner_texts())
    state = "select c.state from certification_certification c join catalogue_provider p"
    state += " on p.id = c.provider_id where p.name = %s"
    assert demo.one(state, PROVIDER) == "applied"

    form = page.locator("form", has=page.get_by_role("button", name="记录会议结果"))
    form.get_by_label("会议日期").fill(today)
    form.get_by_label("出席人数").fill("24")
    form.get_by_label("赞成票").fill("20")
    form.get_by_label("反对票").fill("3")
    form.get_by_label("弃权票").fill("1")
    form.get_by_label("会议决定").select_option(label="同意")
    form.get_by_role("button", name="记录会议结果").click()
    expect(page.locator("body")).to_contain_text("已转街道办事处签订协议")
    assert "居民代表会议通过" in page.locator("h1").inner_text()
    assert "赞成 20，反对 3，弃权 1" in page.locator("#steps").inner_text()
    shot(page, "j08-voted")
    row = demo.one(
        "select c.state, c.meeting_attendees, c.votes_for, c.meeting_decision"
        " from certification_certification c join catalogue_provider p on p.id = c.provider_id"
        " where p.name = %s",
        PROVIDER,
    )
    assert row == ("meeting_approved", 24, 20, "approve")
    assert (
        demo.one(
            "select count(*) from certification_certificationevent e join catalogue_provider p"
            " on p.id = e.provider_id where p.name = %s and e.action = %s",
            PROVIDER,
            "meeting_approve",
        )
        == 1
    )

    # the street officer has it to sign
    street = browser.new_context(locale="zh-CN").new_page()
    street.goto(demo.url + "/")
    login(street, "demo-street")
    expect(
        street.locator("#todos a", has_text=f"{PROVIDER} 已获居民代表会议通过：请签订协议")
    ).to_have_count(1)
    street.context.close()
