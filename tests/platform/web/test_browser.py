"""Browser test: a street officer in headless Debian Chromium (Playwright drives the system
browser; no browser is downloaded). Logs in, sees only its street's communities, opens a circle
with its map and missing items, and is refused another street's circle."""

from __future__ import annotations

import pytest

from tests.platform.browser import ARGS, BROWSER_MARKS, CHROMIUM
from tests.platform.conftest import build_world

pytestmark = BROWSER_MARKS


@pytest.fixture
def assessed_world(transactional_db, settings, tmp_path):
    from quarterhour.platform.planning.networks import store_network
    from quarterhour.platform.planning.services import assessment_request
    from quarterhour.platform.planning.worker import work
    from tests.platform.helpers import grid_network, lonlat

    settings.DATA_DIR = tmp_path
    settings.QH_NETWORK_DIR = tmp_path / "networks"
    world = build_world()
    world.fA1.lon, world.fA1.lat = lonlat(275, 275)
    world.fA1.save()
    world.fB1.lon, world.fB1.lat = lonlat(1775, 275)
    world.fB1.save()
    store_network(grid_network(), name="grid")
    assessment_request(actor=world.users["street"], street=world.A1, speed_kmh=4.1)
    assert work(once=True) == 1
    return world


def test_street_officer_in_the_browser(assessed_world, live_server):
    from playwright.sync_api import sync_playwright

    w = assessed_world
    other_circle = f"{live_server.url}/circles/{w.cB1.pk}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "street_a1")
            page.fill("input[name=password]", "pw-street_a1-long")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/home/")
            assert "工作台" in page.inner_text("h1")

            page.click("nav >> text=社区")
            page.wait_for_url(f"{live_server.url}/communities/**")
            rows = page.locator("#communities tbody tr")
            rows.first.wait_for()
            names = sorted(
                rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())
            )
            assert names == ["北长街社区", "南北长街社区"]

            page.click("nav >> text=服务圈")
            page.wait_for_url(f"{live_server.url}/circles/**")
            page.locator("#circles tbody tr").first.wait_for()  # the list page, loaded
            assert page.locator("#circles tbody tr").count() == 1
            page.click("text=长安服务圈")
            page.wait_for_selector("svg.qh-map")
            assert page.locator("svg.qh-map polygon").count() == 2
            assert page.locator("svg.qh-map").is_visible()
            summary = page.inner_text("#coverage-summary")
            assert "1 / 23" in summary
            missing = page.inner_text("#missing-items")
            assert "卫生服务站" in missing and "药店" not in missing
            assert "药店" in page.inner_text("#met-items")

            response = page.goto(other_circle)
            assert response is not None and response.status == 403
            assert "该服务圈不在您的辖区内" in page.inner_text("#refusal")
        finally:
            browser.close()
