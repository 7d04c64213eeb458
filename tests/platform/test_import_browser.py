"""Browser test: a street officer uploads an AMap export as it comes (typecode, ``location`` in
GCJ-02, a type outside the standard) from the import page reached by the menu; the page says what
was imported and what was set aside, in words."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.platform.conftest import build_world
from tests.platform.test_browser import ARGS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


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
            page.wait_for_url(f"{live_server.url}/")
            page.click("nav >> text=导入")
            page.check("input[name=kind][value=facilities]")
            page.select_option("select[name=crs]", "gcj02")
            page.set_input_files("input[name=file]", str(export))
            page.click("button[type=submit]")
            page.wait_for_selector("#import-report")
            report = page.inner_text("#import-report")
            assert "facility：新增 1" in report
            assert "1 行的类型不在标准内，未导入：公司企业;公司;公司 (1)" in report
            page.screenshot(path=str(shots / "import-amap-1366.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(shots / "import-amap-390.png"), full_page=True)
        finally:
            browser.close()
    station = Facility.objects.get(key="高德导出:B01")
    assert station.community == world.a1x
    assert list(station.items.values_list("item_code", flat=True)) == ["station.health"]
    assert not Facility.objects.filter(name="某某科技有限公司").exists()
