"""Journey 15 — a provider applies for certification from its own home, follows each step, and
publishes its service items, methods, hours and hotline (公布具体服务项目、服务方式和服务专线).

demo-provider logs in from ``/``; its home says 演示便民服务社 is not certified and offers the
application: the community for the residents' representatives' vote is picked by name, the
items chosen in words, the hours ticked. The page then shows the five steps with the vote under
way at that community's service station. When the clerk has recorded the vote, the provider's
notifications and steps say so. Then, from the home, it publishes a new service, which residents
see on its public page.
"""

from __future__ import annotations

import datetime as dt
import json

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot

PROVIDER = "演示便民服务社"


def _pick(page, label: str, typed: str, wanted: str) -> None:
    box = page.get_by_label(label)
    box.fill(typed)
    list_id = box.get_attribute("list")
    page.locator(f"#{list_id} option").first.wait_for(state="attached")
    labels = page.eval_on_selector(f"#{list_id}", "l => [...l.options].map(o => o.value)")
    box.fill(next(v for v in labels if v.startswith(wanted)))


def test_provider_applies_follows_the_steps_and_publishes_a_service(demo, page, browser):
    login(page, "demo-provider")
    page.locator("#todos a", has_text=f"{PROVIDER} 尚未认证：申请服务站点认证").click()
    community = demo.one(
        "select m.name from accounts_membership ms join geography_community m"
        " on m.id = ms.community_id join accounts_user u on u.id = ms.user_id"
        " where u.username = %s",
        "demo-community",
    )
    _pick(page, "召开居民代表会议的社区", community.split(" ")[-1], community)
    page.get_by_label("服务类别").select_option(label="便民利民服务")
    page.get_by_label("服务项目").select_option(label=["理发店"])
    page.get_by_label("服务专线").fill("010-6000-3000")
    for day in ("周一", "周二", "周三", "周四", "周五"):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("开始").fill("09:00")
    page.get_by_label("结束").fill("18:00")
    page.get_by_label("上门服务").check()
    page.get_by_label("申请材料").fill("营业执照（演示）\n服务承诺书（演示）")
    shot(page, "j15-apply")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("body")).to_contain_text(
        "认证申请已提交，下一步：社区服务站召开居民代表会议表决"
    )
    steps = page.locator("#steps li")
    assert "已完成" in steps.nth(0).inner_text()
    assert "办理中" in steps.nth(1).inner_text() and community in steps.nth(1).inner_text()
    shot(page, "j15-applied")
    state, hours, items, home_visit = demo.one(
        "select c.state, c.opening_hours, c.item_codes, c.home_visit"
        " from certification_certification c join catalogue_provider p on p.id = c.provider_id"
        " where p.name = %s",
        PROVIDER,
    )
    hours = json.loads(hours) if isinstance(hours, str) else hours
    items = json.loads(items) if isinstance(items, str) else items
    assert state == "applied" and home_visit in (True, 1) and items == ["shop.barber"]
    assert hours == [{"days": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "18:00"}]

    # the clerk records the vote; the provider follows it from its home
    clerk = browser.new_context(locale="zh-CN").new_page()
    clerk.goto(demo.url + "/")
    login(clerk, "demo-community")
    clerk.locator("#todos a", has_text=f"{PROVIDER} 申请认证").click()
    form = clerk.locator("form", has=clerk.get_by_role("button", name="记录会议结果"))
    form.get_by_label("会议日期").fill(dt.date.today().isoformat())
    for label, n in (("出席人数", "30"), ("赞成票", "25"), ("反对票", "3"), ("弃权票", "2")):
        form.get_by_label(label).fill(n)
    form.get_by_label("会议决定").select_option(label="同意")
    form.get_by_role("button", name="记录会议结果").click()
    expect(clerk.locator("h1")).to_contain_text("居民代表会议通过")
    clerk.context.close()

    page.get_by_role("link", name="工作台").first.click()
    expect(page.locator("#todos", has_text="居民代表会议结果：同意")).to_have_count(1)
    page.locator("#todos a", has_text=f"{PROVIDER}：居民代表会议通过").click()
    steps = page.locator("#steps li")
    assert "已完成" in steps.nth(1).inner_text() and "赞成 25" in steps.nth(1).inner_text()
    assert "办理中" in steps.nth(2).inner_text() and "街道办事处" in steps.nth(2).inner_text()
    shot(page, "j15-following")

    # publish a service: items, methods, hours, hotline
    page.get_by_role("link", name="工作台").first.click()
    page.locator("#todos a", has_text=f"{PROVIDER} 公布的服务项目").click()
    form = page.locator("form", has=page.get_by_role("button", name="公布服务"))
    form.get_by_label("服务名称").fill("老人上门理发（演示）")
    form.get_by_label("服务类别").select_option(label="便民利民服务")
    form.get_by_label("服务项目").select_option(label=["理发店"])
    form.get_by_label("上门服务").check()
    form.get_by_label("预约服务").check()
    for day in ("周二", "周四"):
        form.get_by_label(day, exact=True).check()
    form.get_by_label("开始").fill("14:00")
    form.get_by_label("结束").fill("17:00")
    form.get_by_label("服务专线").fill("010-6000-3001")
    form.get_by_label("收费说明").fill("每次 10 元（演示）")
    form.get_by_role("button", name="公布服务").click()
    expect(page.locator("body")).to_contain_text("服务已公布")
    row = page.locator("#services tr", has_text="老人上门理发（演示）")
    assert "理发店" in row.inner_text() and "上门服务" in row.inner_text()
    assert "14:00" in row.inner_text()
    shot(page, "j15-services")
    hotline, active = demo.one(
        "select s.hotline, s.is_active from catalogue_service s join catalogue_provider p"
        " on p.id = s.provider_id where p.name = %s and s.name = %s",
        PROVIDER,
        "老人上门理发（演示）",
    )
    assert hotline == "010-6000-3001" and active in (True, 1)
    page.locator("#public-page").click()
    expect(page.locator("body")).to_contain_text("老人上门理发（演示）")
    shot(page, "j15-public-page")
