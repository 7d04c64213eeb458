"""Browser test: a resident in headless Debian Chromium (Playwright drives the system browser;
nothing is downloaded). Searches an address, sees the list and the walking area, switches to
the elderly pace and sees the area shrink, asks for a route, opens a provider, uses large text
and the keyboard, and prints the community's card (Chromium's print-to-PDF and the server's
PDF; page 1 rendered to pixels to confirm the Chinese glyphs are real, not tofu)."""

from __future__ import annotations

import pytest

from tests.platform.browser import ARGS, BROWSER_MARKS, CHROMIUM
from tests.platform.hsds.world import build_hsds_world
from tests.platform.portal.helpers import pdf_glyphs_distinct

pytestmark = BROWSER_MARKS


@pytest.fixture
def resident_world(transactional_db, settings, tmp_path):
    return build_hsds_world(settings, tmp_path)


def test_resident_in_the_browser(resident_world, live_server):
    from playwright.sync_api import sync_playwright

    w = resident_world
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
            # no request may leave the test server (no CDN, no tiles: MAP_TILES=none)
            page.on(
                "request",
                lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
            )
            page.goto(f"{live_server.url}/")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip"

            page.fill("#q", "北长街 8 号")
            page.press("#q", "Enter")
            page.wait_for_selector("#map.isochrone-ready")
            results = page.inner_text("#results")
            assert "日间照料室" in results and "长安药房" in results
            assert "步行 5 分钟 (300 m)" in results  # day-care room → pharmacy: 4.5 min at 4 km/h
            assert "卫生服务站" in page.inner_text("#missing")
            normal = float(page.get_attribute("#map", "data-area"))
            assert page.locator("#map .leaflet-overlay-pane path").count() >= 1

            page.click("#elderly")
            page.wait_for_url("**elderly=1**")
            page.wait_for_selector("#map.isochrone-ready")
            elderly = float(page.get_attribute("#map", "data-area"))
            assert 0 < elderly < normal
            assert "老年人步速" in page.inner_text("#results h2")

            page.click(f"button.route[data-facility='{w.fA1.pk}']")
            page.wait_for_selector("#map[data-route]")
            assert float(page.get_attribute("#map", "data-route")) == 300.0

            page.click("#large-text")
            assert page.evaluate("document.documentElement.classList.contains('large')")
            assert page.evaluate("getComputedStyle(document.body).fontSize") == "22px"

            page.locator("#results a", has_text="长安便民服务社").first.click()
            page.wait_for_selector("#provider-name")
            assert page.inner_text("#provider-name") == "长安便民服务社"
            assert "送药上门" in page.inner_text("main")

            page.goto(f"{live_server.url}/community/{w.a1x.pk}/card/")
            printed = page.pdf(format="A4", print_background=True)
            text, distinct = pdf_glyphs_distinct(printed, "便民服务卡")
            assert "南北长街社区" in text and distinct == 5

            served = page.request.get(f"{live_server.url}/community/{w.a1x.pk}/card.pdf")
            assert served.ok and served.headers["content-type"] == "application/pdf"
            text, distinct = pdf_glyphs_distinct(served.body(), "便民服务卡")
            assert "药店" in text and distinct == 5
        finally:
            browser.close()
    assert outside == []
