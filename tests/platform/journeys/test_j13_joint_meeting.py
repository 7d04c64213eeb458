"""Journey 13 — hold a joint meeting (联席会议制度).

The street officer convenes a meeting of a circle from the workbench, then minutes it: who
attended, the decisions, and follow-up actions whose owners are chosen by name from the staff
suggestions (never a typed login name); the owner finds the action on the home and marks it done.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.platform.journeys.choosing import SLOW, choose
from tests.platform.journeys.conftest import DESKTOP, login, shot

TITLE = "演示：服务圈补缺专题联席会议（旅程）"
ACTION = "演示：核实早餐点选址并报街道（旅程）"


def test_street_minutes_a_meeting_and_the_owner_closes_the_action(demo, page, browser):
    page.set_default_timeout(SLOW)
    clerk_name = demo.one(
        "select display_name from accounts_user where username = 'demo-community'"
    )
    login(page, "demo-street")
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="联席会议").click()
    expect(page.locator("#meetings", has_text="第三季度")).to_have_count(1)  # the demo's meeting
    form = page.locator("form", has=page.get_by_role("button", name="召集"))
    form.get_by_label("会议名称").fill(TITLE)
    when = dt.date.today() + dt.timedelta(days=3)
    form.get_by_label("会议时间").fill(f"{when}T15:00")
    form.get_by_label("地点").fill("南港街道办事处二楼会议室（演示）")
    form.get_by_label("议程").fill("1. 早餐点补缺\n2. 场地开放")
    form.get_by_role("button", name="召集").click()
    expect(page.locator(".msg").first).to_contain_text("会议已创建")
    page.get_by_role("link", name=TITLE).click()

    page.get_by_label("参会人（每行：姓名 | 单位）").fill(
        "张干事 | 南港街道办事处\n刘站长 | 社区服务站\n周经理 | 演示便民服务社"
    )
    page.get_by_label("会议决定（每行一项，按顺序编号）").fill(
        "演示：增设早餐点\n演示：体育馆周六开放"
    )
    row = page.locator(".action-row").first
    row.get_by_label("事项").fill(ACTION)
    owner = row.locator("input[data-picker=staff]")
    choose(page, owner, "刘站长", starts=clerk_name)
    due = dt.date.today() + dt.timedelta(days=10)
    row.get_by_label("完成期限").fill(str(due))
    row.get_by_label("对应决定序号").fill("1")
    page.get_by_label("会议纪要").fill("演示纪要：同意两项决定。")
    shot(page, "j13-minutes-form")
    page.get_by_role("button", name="保存会议记录").click()
    expect(page.locator(".msg").first).to_contain_text("会议记录已保存")
    assert "刘站长" in page.locator("#attendees").inner_text()
    assert "增设早餐点" in page.locator("#decisions").inner_text()
    assert clerk_name in page.locator("#actions").inner_text()
    shot(page, "j13-held")
    status, n_att, n_dec = demo.one(
        "select m.status, (select count(*) from meetings_attendee a where a.meeting_id = m.id), "
        "(select count(*) from meetings_meetingdecision d where d.meeting_id = m.id) "
        "from meetings_meeting m where m.title = %s",
        TITLE,
    )
    assert (status, n_att, n_dec) == ("held", 3, 2)
    owner_name, due_on, state = demo.one(
        "select u.username, a.due_on, a.status from meetings_action a "
        "join accounts_user u on u.id = a.owner_id where a.description = %s",
        ACTION,
    )
    assert (owner_name, str(due_on)[:10], state) == ("demo-community", str(due), "open")

    # the owner: the action on the workbench, done with a note
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    context.set_default_timeout(SLOW)
    try:
        clerk = context.new_page()
        clerk.goto(demo.url + "/")
        login(clerk, "demo-community")
        todo = clerk.locator("li.todo", has_text=ACTION[:20])
        expect(todo).to_have_count(1)
        expect(todo).to_contain_text(str(due))
        shot(clerk, "j13-owner-home")
        todo.get_by_role("link").click()
        task = clerk.locator("#tasks tbody tr", has_text=ACTION)
        task.get_by_placeholder("完成情况").fill("演示：已报送选址方案")
        task.get_by_role("button", name="完成").click()
        expect(clerk.locator(".msg").first).to_contain_text("已完成")
    finally:
        context.close()
    assert demo.one("select status from meetings_action where description = %s", ACTION) == "done"
