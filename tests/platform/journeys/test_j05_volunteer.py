"""Journey 5 — volunteer (社区志愿者注册登记制度).

A resident registers from 我的 with skills and availability, the community is chosen by name;
the community's clerk approves the registration from the to-dos on the workbench and sends the
new volunteer to an older resident's open need; the volunteer finds the need on the home,
records the time served; the older resident confirms it; the volunteer's confirmed hours are
then the same figure on the home, the volunteer's page, the certificate and the clerk's list.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.platform.journeys.choosing import SLOW
from tests.platform.journeys.conftest import DESKTOP, login, shot

NEED = "演示：周末陪老人聊天、读报一小时"


def person(browser: Any, demo: Any, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    context.set_default_timeout(SLOW)
    p = context.new_page()
    p.goto(demo.url + "/")
    login(p, username)
    return p


def test_resident_volunteers_is_approved_serves_and_sees_the_hours(demo, page, browser):
    page.set_default_timeout(SLOW)
    community = demo.one(
        "select c.name from geography_community c join accounts_membership m "
        "on m.community_id = c.id join accounts_user u on u.id = m.user_id "
        "where u.username = 'demo-community'"
    )
    login(page, "demo-resident")
    page.locator("#my-links").get_by_role("link", name="志愿服务").click()
    page.fill("input[name=name]", "孙女士")
    page.fill("input[name=phone]", "13800000001")
    page.get_by_label("所在社区").fill(community)
    page.get_by_label("生活照料").check()
    page.get_by_label("精神关怀").check()
    for day in "一二三四五六日":
        page.get_by_label(f"周{day}", exact=True).check()
    page.fill("input[name=opens]", "08:00")
    page.fill("input[name=closes]", "20:00")
    shot(page, "j05-register")
    page.get_by_role("button", name="提交登记").click()
    expect(page.locator(".msg").first).to_contain_text("注册已提交，待社区审核")
    assert "待审核" in page.locator("#my-volunteering").inner_text()
    user = demo.one("select id from accounts_user where username = 'demo-resident'")
    vid, status, skills = demo.one(
        "select id, status, skills from volunteers_volunteer where user_id = %s", user
    )
    assert status == "pending" and "care" in str(skills) and "companion" in str(skills)

    # the clerk: 待审核的志愿者 → 通过; 待匹配的需求 → the older resident's need → 指派
    clerk = person(browser, demo, "demo-community")
    clerk.locator("li.todo", has_text="待审核的志愿者").get_by_role("link").click()
    row = clerk.locator("#volunteers tbody tr", has_text="孙女士")
    assert "生活照料、精神关怀" in row.inner_text()
    row.get_by_role("button", name="通过", exact=True).click()
    expect(clerk.locator("#volunteers tbody tr", has_text="孙女士")).to_contain_text("已通过")
    assert demo.one("select status from volunteers_volunteer where id = %s", vid) == "approved"
    clerk.get_by_role("navigation").get_by_role("link", name="工作台").click()
    clerk.locator("li.todo", has_text="待匹配志愿者的互助需求").get_by_role("link").click()
    clerk.get_by_role("link", name=re.compile("周末陪老人聊天")).first.click()
    candidate = clerk.locator("#candidates tbody tr", has_text="孙女士")
    candidate.get_by_role("button", name="指派").click()
    expect(clerk.locator("h1")).to_contain_text("已匹配")
    need, state = demo.one(
        "select id, status from volunteers_need where description = %s and volunteer_id = %s",
        NEED,
        vid,
    )
    assert state == "matched"
    shot(clerk, "j05-assigned")

    # the volunteer: the need on the home, the time served recorded
    page.get_by_role("navigation").get_by_role("link", name="我的", exact=True).click()
    page.locator("#todos").get_by_role("link", name=re.compile("周末陪老人聊天")).click()
    page.fill("input[name=minutes]", "90")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("main")).to_contain_text("90 分钟")
    minutes, rstatus = demo.one(
        "select minutes, status from volunteers_servicerecord where need_id = %s", need
    )
    assert (minutes, rstatus) == (90, "pending")

    # the older resident confirms it from the home
    elder = person(browser, demo, "demo-elder")
    elder.locator("#todos").get_by_role("link", name=re.compile("为您服务的 90 分钟")).click()
    elder.get_by_role("button", name="确认").click()
    assert (
        demo.one("select status from volunteers_servicerecord where need_id = %s", need)
        == "confirmed"
    )

    # one figure everywhere: 90 minutes = 1.5 hours
    page.get_by_role("navigation").get_by_role("link", name="我的", exact=True).click()
    todo = page.locator("#todos").get_by_role("link", name=re.compile("已确认志愿服务"))
    assert "已确认志愿服务 1 次，共 1.5 小时" in todo.inner_text()
    shot(page, "j05-home-hours")
    page.locator("#my-links").get_by_role("link", name="志愿服务").click()
    expect(page.locator("#my-volunteering")).to_contain_text("已确认志愿服务 1 次，共 1.5 小时")
    page.get_by_role("link", name="打印服务证明").click()
    expect(page.locator("article.certificate")).to_contain_text("共计 1.5 小时")
    shot(page, "j05-certificate")
    clerk.get_by_role("navigation").get_by_role("link", name="工作台").click()
    clerk.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    clerk.get_by_role("link", name="志愿者", exact=True).click()
    row = clerk.locator("#volunteers tbody tr", has_text="孙女士")
    assert row.locator("td.hours").inner_text() == "1.5"
    shot(clerk, "j05-clerk-list")
    for p in (clerk, elder):
        p.context.close()
