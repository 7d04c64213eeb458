"""Browser test: a street officer uploads an AMap export as it comes (typecode, ``location`` in
GCJ-02, a type outside the standard) from the import page reached by the menu; the preview says
what will be imported and what is set aside, in words, and the confirmation imports it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.platform.browser import ARGS, BROWSER_MARKS, CHROMIUM
from tests.platform.conftest import build_world

pytestmark = BROWSER_MARKS


def test_street_officer_uploads_an_amap_export(transactional_db, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    from quarterhour.engine.coords import from_wgs84
    from quarterhour.platform.facilities.models import Facility

    world = build_world()
    (lon,), (lat,) = from_wgs84([world.a1x.centre_lon], [world.a1x.centre_lat], crs="gcj02")
    export = tmp_path / "高德导出.csv"
    export.write_text(
        "id,name,type,typecode,location\n"
        f'B01,南北长街社区卫生服务站,医疗保健服务;综合医院;卫生院,090102,"{lon},{lat}"\n'
        f'B02,某某科技有限公司,公司企业;公司;公司,170200,"{lon},{lat}"\n',
        encoding="utf-8",
    )
    shots = Path(os.environ.get("QH_SCREENSHOTS", tmp_path))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", "street_a1")
            page.fill("input[name=password]", "pw-street_a1-long")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/home/")
            page.get_by_role("link", name="导入", exact=True).first.click()
            page.get_by_label("设施登记表").check()
            page.get_by_label("坐标来自哪里（坐标系）").select_option(value="gcj02")
            page.set_input_files("input[name=file]", str(export))
            page.get_by_role("button", name="检查并预览").click()
            page.wait_for_selector("#import-preview")
            counts = page.locator("#import-counts tbody tr").first
            assert counts.locator("[data-count=created]").inner_text() == "1"
            aside = page.inner_text("#import-set-aside")
            assert "1 行的类型不在标准内，未导入：公司企业;公司;公司 (1)" in aside
            assert "第 3 行「某某科技有限公司」：类型「公司企业;公司;公司」不在标准内" in aside
            page.screenshot(path=str(shots / "import-amap-1366.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(shots / "import-amap-390.png"), full_page=True)
            page.set_viewport_size({"width": 1366, "height": 900})
            page.get_by_role("button", name="确认导入").click()
            page.wait_for_selector("#import-done")
            assert "已导入「高德导出.csv」" in page.inner_text("#import-done")
            assert "公司企业;公司;公司 (1)" in page.inner_text("#import-done")
            page.screenshot(path=str(shots / "import-amap-done-1366.png"), full_page=True)
        finally:
            browser.close()
    station = Facility.objects.get(key="street:110102001000/高德导出:B01")
    assert station.community == world.a1x
    assert list(station.items.values_list("item_code", flat=True)) == ["station.health"]
    assert not Facility.objects.filter(name="某某科技有限公司").exists()
