"""Journey 18 (科学规划、合理配置): a street officer tries a new facility on a circle's map.

From the street officer's home: 服务圈 → one of the street's circles (the one with the demo's
saved scenarios) → 打开假设分析 → choose an item the circle misses, click the map → 增设并计算
shows each affected community × item with covered residents before and after → 保存方案 →
并排比较 with the demo's scenario. Nothing in the register changes.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from quarterhour.engine.standards import load_standard
from tests.platform.journeys.conftest import DESKTOP, PHONE, login, shot


def cards_on_a_phone(page, table: str, *, column: int, label: str) -> None:
    """On a phone the table's rows are cards: the first row's cell ``column`` (said as
    ``label``) is on the screen and nothing scrolls sideways; on a desktop a table again."""
    page.set_viewport_size(PHONE)
    cell = page.locator(f"{table} tbody tr").first.locator("td").nth(column)
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], wide
    page.set_viewport_size(DESKTOP)
    assert page.locator(table).evaluate("t => getComputedStyle(t).display") == "table"


def test_j18_whatif_add_a_facility_save_and_compare(demo, page):
    circle_id, circle_name = demo.sql(
        "select distinct c.id, c.name from planning_whatifscenario s"
        " join geography_circle c on c.id = s.circle_id where s.is_demo"
    )[0]
    missing = demo.one(
        "select missing from planning_circleresult where circle_id = %s and is_latest", circle_id
    )
    missing = missing if isinstance(missing, list) else __import__("json").loads(missing)
    walk = {i.code: i for i in load_standard("beijing-2011").items if i.walk_applies}
    code = next(c for c in missing if c in walk)
    n_facilities = demo.one("select count(*) from facilities_facility")

    login(page, "demo-street")
    page.get_by_role("navigation").get_by_role("link", name="服务圈").click()
    page.get_by_role("link", name=circle_name, exact=True).click()
    page.get_by_role("link", name="打开假设分析").click()
    expect(
        page.locator("#saved-scenarios").get_by_text("演示方案", exact=False).first
    ).to_be_visible()
    shot(page, "j18-whatif-open")

    page.get_by_label("服务项目").select_option(code)
    page.locator("#whatif-map svg").click()  # the middle of the circle's map
    expect(page.locator("#picked-place")).to_contain_text("已选位置")
    page.get_by_role("button", name="增设并计算").click()

    expect(page.locator("#whatif-summary")).to_contain_text("服务圈达标项目：现状")
    rows = page.locator("#whatif-table tbody tr")
    expect(rows.first).to_be_visible()
    first = rows.first.locator("td").all_inner_texts()
    assert first[1] == walk[code].name_zh, first
    before, after = (int(x.strip()) for x in first[3].split("→"))
    assert after > before  # residents newly within the walk
    expect(page.locator("#whatif-map svg .hypo-add")).to_have_count(1)
    expect(page.locator("#whatif-map svg .community.changed").first).to_be_attached()
    shot(page, "j18-whatif-answer")
    cards_on_a_phone(page, "#whatif-table", column=5, label="中位步行分钟")

    page.get_by_label("方案名称").fill("旅程：中部增设")
    page.get_by_role("button", name="保存方案").click()
    expect(page.locator("main")).to_contain_text("方案“旅程：中部增设”已保存")
    stored = demo.sql(
        "select s.changes, u.username from planning_whatifscenario s"
        " join accounts_user u on u.id = s.created_by_id where s.name = %s",
        "旅程：中部增设",
    )
    assert len(stored) == 1 and stored[0][1] == "demo-street"
    assert demo.one("select count(*) from facilities_facility") == n_facilities  # hypothetical

    page.get_by_label("方案甲").select_option(label="旅程：中部增设")
    demo_name = demo.sql(
        "select name from planning_whatifscenario where is_demo and circle_id = %s order by id",
        circle_id,
    )[0][0]
    page.get_by_label("方案乙").select_option(label=demo_name)
    page.get_by_role("button", name="并排比较").click()
    expect(page.locator("h1")).to_contain_text("方案比较")
    table = page.locator("#compare-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(table.locator("thead")).to_contain_text("旅程：中部增设")
    shot(page, "j18-whatif-compare")
    cards_on_a_phone(page, "#compare-table", column=7, label="中位步行分钟：旅程：中部增设")


def test_j18_district_whatif_from_the_home(demo, page):
    """The district officer: 工作台 → 全区假设分析 (the district) → choose an item one of the
        district's circles misses, click one of its communities on the district's map → 增设并计算
        shows, circle by circle, the communities × items before and after (nothing stored) →
    保存方案 → tick it and the demo's district scenario → 并排比较所选方案 → back → its CSV."""
    district = demo.one(
        "select d.name from accounts_membership m join accounts_user u on u.id = m.user_id"
        " join geography_district d on d.id = m.district_id where u.username = 'demo-district'"
    )
    circle_id, circle_name = demo.sql(
        "select distinct c.id, c.name from planning_whatifscenario s"
        " join geography_circle c on c.id = s.circle_id where s.is_demo"
    )[0]
    missing = demo.one(
        "select missing from planning_circleresult where circle_id = %s and is_latest", circle_id
    )
    missing = missing if isinstance(missing, list) else __import__("json").loads(missing)
    walk = {i.code: i for i in load_standard("beijing-2011").items if i.walk_applies}
    code = next(c for c in missing if c in walk)
    community = demo.sql(
        "select m.name from geography_circlemembership cm join geography_community m"
        " on m.id = cm.community_id where cm.circle_id = %s order by m.code",
        circle_id,
    )[0][0]
    n_facilities = demo.one("select count(*) from facilities_facility")

    login(page, "demo-district")
    page.locator("#district-whatif-links").get_by_role("link", name=district, exact=True).click()
    expect(page.locator("h1")).to_have_text(f"全区假设分析：{district}")
    page.get_by_label("服务项目").select_option(code)
    shape = page.locator("#whatif-map svg polygon").filter(
        has=page.locator(
            "title",
            has_text=re.compile(rf"^{re.escape(community)} · (.+ · )?{re.escape(circle_name)}"),
        )
    )
    box = shape.first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # said with the community under the click, not only as coordinates
    assert re.search(r"已选位置：.+范围内（", page.locator("#picked-place").inner_text())
    page.get_by_role("button", name="增设并计算").click()

    expect(page.locator("#whatif-summary")).to_contain_text("个受到影响")
    expect(page.locator("#whatif-result")).to_contain_text("毫秒")
    expect(page.locator("#whatif-circles tbody tr").first).to_be_visible()
    expect(page.locator("#whatif-map svg .hypo-add")).to_have_count(1)
    rows = page.locator("#whatif-table tbody tr")
    cells = [r.locator("td").all_inner_texts() for r in rows.all()]
    mine = [c for c in cells if c[0] == circle_name and c[2] == walk[code].name_zh]
    assert mine, cells
    pairs = [[int(x.strip()) for x in c[4].split("→")] for c in mine]
    assert any(after > before for before, after in pairs), mine  # newly within the walk
    assert page.locator("#whatif-map svg .street").count() > 0  # the walk network underneath
    shot(page, "j18-district-whatif")
    assert demo.one("select count(*) from facilities_facility") == n_facilities  # hypothetical

    # 保存方案 → listed with the demo's district scenario → 并排比较 → the export
    mine = "旅程：全区增设"
    page.get_by_label("方案名称").fill(mine)
    page.get_by_role("button", name="保存方案").click()
    expect(page.locator("main")).to_contain_text(f"全区方案“{mine}”已保存")
    stored = demo.sql(
        "select s.changes, u.username, d.name, s.circle_id from planning_whatifscenario s"
        " join accounts_user u on u.id = s.created_by_id"
        " join geography_district d on d.id = s.district_id where s.name = %s",
        mine,
    )
    assert len(stored) == 1 and stored[0][1:] == ("demo-district", district, None)
    assert demo.one("select count(*) from facilities_facility") == n_facilities
    seeded = demo.one(
        "select s.name from planning_whatifscenario s join geography_district d"
        " on d.id = s.district_id where s.is_demo and d.name = %s",
        district,
    )
    saved = page.locator("#saved-scenarios")
    assert saved.get_by_role("link", name=mine, exact=True).count() == 1
    assert saved.get_by_role("link", name=seeded, exact=True).count() == 1
    shot(page, "j18-district-saved")

    saved.get_by_label(f"比较“{mine}”").check()
    saved.get_by_label(f"比较“{seeded}”").check()
    saved.get_by_role("button", name="并排比较所选方案").click()
    expect(page.locator("h1")).to_have_text(re.compile("^全区方案比较："))
    table = page.locator("#compare-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    head = table.locator("thead").inner_text()
    assert mine in head and seeded in head
    compared = [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]
    assert compared and any(c[0] == circle_name and c[2] == walk[code].name_zh for c in compared)
    shot(page, "j18-district-compare")
    # a long comparison narrowed to one circle (on a phone one card a row)
    page.get_by_label("只看一个服务圈").select_option(label=circle_name)
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#compare-shown")).to_contain_text(f" / {len(compared)} 行")
    narrowed = [r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all()]
    assert narrowed == [c for c in compared if c[0] == circle_name], narrowed
    shot(page, "j18-district-compare-one-circle")
    cards_on_a_phone(page, "#compare-table", column=5, label=f"覆盖居民：{mine}")

    page.get_by_role("link", name=re.compile("全区假设分析")).first.click()
    row = page.locator("#saved-scenarios tbody tr").filter(has_text=mine)
    expect(row).to_have_count(1)
    with page.expect_download() as got:
        row.get_by_role("link", name="CSV").click()
    body = Path(got.value.path()).read_text(encoding="utf-8-sig")
    lines = body.splitlines()
    assert lines[0].startswith("服务圈 circle,社区 community")
    assert any(line.startswith(f"{circle_name},") for line in lines[1:]), lines

    # 纳入规划: its new site becomes a proposed site of the district
    page.get_by_role("button", name=f"将“{mine}”纳入规划").click()
    expect(page.locator("main")).to_contain_text(f"全区方案“{mine}”已纳入规划")
    expect(page.locator("#proposed-sites").get_by_text(mine).first).to_be_visible()
    state = demo.one("select state from planning_whatifscenario where name = %s", mine)
    assert state == "proposed"
    assert page.locator("#whatif-map svg .proposed").count() >= 1
