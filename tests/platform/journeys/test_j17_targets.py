"""Journey 17 — a city official sees the targets (工作目标): demonstration circles against 300,
the share of urban communities covered against 60 %, per district, with the gap list (缺什么);
every figure on the page is the database's latest results counted again here."""

from __future__ import annotations

import json

from tests.platform.journeys.conftest import login, shot


def test_city_official_sees_the_targets_and_what_is_missing(demo, page):
    login(page, "demo-city")
    page.locator("#targets-link").click()
    page.wait_for_selector("#targets-by-district")
    assert page.locator("h1").inner_text() == "工作目标"

    demo_circles = demo.one(
        "select count(*) from planning_circleresult where is_latest and demonstration"
    )
    assert page.locator("#total-demonstration").inner_text() == str(demo_circles)
    assert "300" in page.locator("#target-totals").inner_text()
    urban, covered = demo.sql(
        "select count(*), count(r.id) from geography_community c left join"
        " planning_communityresult r on r.community_id = c.id and r.is_latest"
        " and r.items_required > 0 and r.items_met >= r.items_required"
        " where c.urban_rural = 'urban'"
    )[0]
    assert urban > 0
    assert page.locator("#total-urban-share").inner_text() == f"{round(100 * covered / urban)}%"
    districts = page.locator("#targets-by-district tbody tr")
    assert districts.count() == demo.one(
        "select count(distinct s.district_id) from geography_circle c"
        " join geography_street s on s.id = c.street_id"
    )

    missing: dict[str, int] = {}
    for (codes,) in demo.sql("select missing from planning_circleresult where is_latest"):
        for code in codes if isinstance(codes, list) else json.loads(codes):
            missing[code] = missing.get(code, 0) + 1
    gaps = page.locator("#gap-list tbody tr")
    assert gaps.count() == len(missing) > 0
    top = gaps.first.locator("td").nth(1).inner_text().strip()
    assert top == str(max(missing.values()))
    shot(page, "j17-targets")

    gaps.first.get_by_role("link").first.click()  # an example circle missing the top item
    page.wait_for_selector("h1")
    assert "/circles/" in page.url
