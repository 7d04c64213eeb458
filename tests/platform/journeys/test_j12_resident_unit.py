"""Journey 12 — register a resident unit and its shared facility (辖区单位参与机制).

The street officer, from the workbench, registers a unit of the area (its community chosen by
name from the suggestions), then offers the unit's meeting room (the unit chosen by name):
weekdays as boxes, times as times; a window its slots do not fill is refused with the minutes
that would be lost; once set right the room is listed, and it is public with its openings.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.platform.journeys.choosing import SLOW, choose
from tests.platform.journeys.conftest import login, shot

UNIT = "南港街道社区卫生服务中心（演示新登记单位）"
ROOM = "卫生服务中心多功能厅（演示）"


def test_street_registers_a_unit_and_offers_its_room(demo, page):
    page.set_default_timeout(SLOW)
    community = demo.one(
        "select c.name from geography_community c join accounts_membership m "
        "on m.community_id = c.id join accounts_user u on u.id = m.user_id "
        "where u.username = 'demo-community2'"
    )
    login(page, "demo-street")
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="驻区单位共享设施").click()
    page.get_by_role("link", name="登记驻区单位").click()
    page.get_by_label("单位名称").fill(UNIT)
    choose(page, page.get_by_label("所在社区"), community.split()[-1], starts=community)
    page.get_by_label("地址").fill("南港街道演示路 20 号（演示）")
    page.get_by_label("联系电话").fill("010-6000-3003")
    shot(page, "j12-unit")
    page.get_by_role("button", name="登记单位").click()
    expect(page.locator(".msg").first).to_contain_text("驻区单位已登记")
    kind, unit_community = demo.one(
        "select p.kind, c.name from catalogue_provider p join geography_community c "
        "on c.id = p.community_id where p.name = %s",
        UNIT,
    )
    assert (kind, unit_community) == ("resident_unit", community)

    # the offer form: the unit by name, Saturday 09:00–11:30 in hour slots (refused), then 12:00
    assert page.locator("h1").inner_text() == "登记共享设施"
    choose(page, page.get_by_label("驻区单位"), "卫生服务中心", starts=UNIT)
    page.get_by_label("设施名称").fill(ROOM)
    # a select's accessible name carries its options ("收费 免费低偿"): found by its name
    page.locator("select[name=kind]").select_option(label="会议室")
    page.locator("select[name=price]").select_option(label="免费")
    page.get_by_label("每时段容量（人）").fill("12")
    row = page.locator(".window-row").first
    row.get_by_label("周六").check()
    row.get_by_label("开始").fill("09:00")
    row.get_by_label("结束").fill("11:30")
    row.get_by_label("每个时段（分钟，0 为整段）").fill("60")
    page.get_by_role("button", name="登记", exact=True).click()
    refused = page.locator(".error-summary").inner_text()
    assert "共 150 分钟，不能按每 60 分钟分完（最后 30 分钟无法预约）" in refused
    assert demo.sql("select id from sharing_sharedfacility where name = %s", ROOM) == []
    shot(page, "j12-window-refused")
    # the refused form comes back with the row as entered: only the end needs changing
    row = page.locator(".window-row").first
    assert row.get_by_label("周六").is_checked()
    assert row.get_by_label("开始").input_value() == "09:00"
    assert row.get_by_label("每个时段（分钟，0 为整段）").input_value() == "60"
    row.get_by_label("结束").fill("12:00")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.locator(".msg").first).to_contain_text("共享设施已登记")
    windows = demo.sql(
        "select w.weekday, w.start, w.end, w.slot_minutes from sharing_window w "
        "join sharing_sharedfacility f on f.id = w.shared_id where f.name = %s",
        ROOM,
    )
    assert [(d, str(s)[:5], str(e)[:5], m) for d, s, e, m in windows] == [(6, "09:00", "12:00", 60)]
    page.get_by_role("link", name=ROOM).click()
    text = page.locator("main").inner_text()
    assert "星期六 09:00–12:00" in text and "09:00–10:00" in text and "11:00–12:00" in text
    shot(page, "j12-offered")
