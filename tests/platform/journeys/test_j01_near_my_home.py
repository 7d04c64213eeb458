"""Journey 1 — what is near my home (三(三) 电子地图、菜单式服务目录).

A resident at ``/`` finds home by the community name the search box suggests, and again by
clicking the map; sees the nearest few of each standard item within 15 minutes' walk, grouped by
the standard's four service categories, with walking minutes, open now and phone; asks for more
of one item; switches to the elderly pace and to large text; sees the rooms a resident unit opens
at off-peak hours, with their windows and a booking link. The places on the page are the demo's
stored places; the rooms are its stored offers.
"""

from __future__ import annotations

import re

from tests.platform.journeys.conftest import shot

CATEGORIES = ("社区公共服务", "志愿互助服务", "便民利民服务", "特色服务")


def _example(page) -> str:
    placeholder = page.get_attribute("#q", "placeholder")
    m = re.fullmatch(r"如：(.+)", placeholder or "")
    assert m, placeholder
    return m.group(1)


def test_find_home_by_name_and_see_what_is_near(demo, page):
    assert "一刻钟社区服务圈" in page.title()
    assert page.locator(".demo-banner").is_visible()
    assert page.get_by_role("link", name="工作人员登录").first.is_visible()
    shot(page, "j01-front")

    # the search box's example is a community of the demo's data
    name = _example(page)
    assert demo.one("select count(*) from geography_community where name = %s", name) == 1
    page.fill("#q", name)
    page.get_by_role("button", name="查找我的周边").click()
    page.wait_for_selector("#map.isochrone-ready")
    results = page.locator("#results")
    headings = results.locator("section.category > h3").all_inner_texts()
    assert list(headings[:4]) == list(CATEGORIES)

    # the nearest few of each item, with minutes, open now (or hours unknown) and phone
    items = results.locator("section.category h4[id^=item-]")
    assert items.count() >= 5
    for i in range(items.count()):
        listed = items.nth(i).locator("xpath=following-sibling::ul[1]/li")
        assert 1 <= listed.count() <= 3
    lines = results.locator("li.hit")
    assert lines.first.locator(".minutes").inner_text().startswith("步行 ")
    marks = results.locator("li.hit .open, li.hit .closed, li.hit .unknown")
    assert marks.count() == lines.count()
    assert results.locator("li.hit .open, li.hit .closed").count() >= 1
    assert results.locator("li.hit .hours").count() >= 1  # hours in words
    assert results.locator('a.phone[href^="tel:"]').count() >= 1
    assert "osm:node" not in results.inner_text()
    # every listed place is a stored, active place with the item it is listed under
    for i in range(min(items.count(), 6)):
        code = items.nth(i).get_attribute("id").removeprefix("item-")
        listed = items.nth(i).locator("xpath=following-sibling::ul[1]/li")
        for j in range(listed.count()):
            pk = int(listed.nth(j).get_attribute("data-facility"))
            assert (
                demo.one(
                    "select count(*) from facilities_facility f join facilities_facilityitem i "
                    "on i.facility_id = f.id where f.id = %s and f.is_active and i.item_code = %s",
                    pk,
                    code,
                )
                == 1
            ), (pk, code)

    # more of one item, on request
    more = results.locator("p.more a").first
    n_more = int(re.search(r"还有 (\d+) 处", more.inner_text()).group(1))
    anchor = more.get_attribute("href").split("#")[1]
    more.click()
    page.wait_for_selector("#map.isochrone-ready")
    listed = page.locator(f'[id="{anchor}"] + ul li.hit')
    assert listed.count() == 3 + n_more

    # a resident unit's room, open at off-peak hours, with its windows and a booking link
    room = page.locator("#rooms li.room").filter(has_text="职工食堂")
    assert room.count() == 1
    assert "周一至周五 12:30–13:30" in room.inner_text()
    pk = int(room.get_attribute("data-room"))
    stored = demo.one(
        "select s.name, s.status, u.kind from sharing_sharedfacility s "
        "join catalogue_provider u on u.id = s.unit_id where s.id = %s",
        pk,
    )
    assert stored[1:] == ("offered", "resident_unit") and stored[0] in room.inner_text()
    assert room.get_by_role("link", name="查看空闲时段并预约").get_attribute("href") == (
        f"/sharing/{pk}/"
    )
    shot(page, "j01-near-results")

    # the elderly pace: a smaller walking area
    normal = float(page.get_attribute("#map", "data-area"))
    page.click("#elderly")
    page.wait_for_url(re.compile(r"elderly=1"))
    page.wait_for_selector("#map.isochrone-ready")
    assert "老年人步速" in page.inner_text("#results h2")
    assert 0 < float(page.get_attribute("#map", "data-area")) < normal

    # large text, remembered
    page.click("#large-text")
    assert page.evaluate("document.documentElement.classList.contains('large')")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "22px"
    with page.expect_navigation():  # the next page, loaded, before reading it
        page.get_by_role("link", name="我的周边").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.classList.contains('large')")
    shot(page, "j01-near-elderly-large")


def test_find_home_by_clicking_the_map(demo, page):
    page.get_by_role("link", name="我的周边").first.click()
    page.wait_for_selector("#map .leaflet-overlay-pane path")  # the streets drawn from our data
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#map.isochrone-ready")
    lon = float(page.input_value("input[name=lon]"))
    lat = float(page.input_value("input[name=lat]"))
    # the map opened on the demo's data: the click lies among its communities
    w, s, e, n = demo.one(
        "select min(centre_lon), min(centre_lat), max(centre_lon), max(centre_lat) "
        "from geography_community"
    )
    assert w - 0.01 < lon < e + 0.01 and s - 0.01 < lat < n + 0.01
    assert page.locator("#results li.hit").count() >= 1
    assert page.locator("#problem").count() == 0
