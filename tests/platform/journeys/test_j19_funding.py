"""Journey 19 — funding (经费保障).

The district official records a donation for one of its streets by source and use, registers a
service-purchase contract with a provider chosen by name — refused for the provider whose
certification was withdrawn for cause, taken for the certified one — and exports the district's
roll-up as a spreadsheet that carries the amounts just recorded.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.platform.journeys.choosing import SLOW, choose
from tests.platform.journeys.conftest import login, shot

NUMBER = "NG-GM-J19-001"


def test_district_records_funds_contracts_and_exports_the_rollup(demo, page):
    page.set_default_timeout(SLOW)
    year = dt.date.today().year
    before = Decimal(
        str(demo.one("select coalesce(sum(amount), 0) from funding_fund where year = %s", year))
    )
    login(page, "demo-district")
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="经费保障").click()
    fund = page.locator("form", has=page.locator("input[name=action][value=fund]"))
    fund.get_by_label("街道").select_option(label="南港街道（演示）")
    fund.get_by_label("来源").select_option(label="个人捐赠")
    fund.get_by_label("用途").select_option(label="设施建设与维护")
    fund.get_by_label("金额（元）").fill("12345.60")
    fund.get_by_role("button", name="登记").click()
    expect(page.locator(".error-summary")).to_contain_text("捐赠须写明捐赠方")
    fund = page.locator("form", has=page.locator("input[name=action][value=fund]"))
    fund.get_by_label("捐赠方").fill("热心居民（演示）")
    fund.get_by_role("button", name="登记").click()
    expect(page.locator(".msg").first).to_contain_text("已登记")
    source, use, donor = demo.one(
        "select source, use, donor from funding_fund where amount = 12345.60 and year = %s", year
    )
    assert (source, use, donor) == ("don_person", "facilities", "热心居民（演示）")

    def contract(provider: str) -> None:
        form = page.locator("form", has=page.locator("input[name=action][value=contract]"))
        form.get_by_label("街道").select_option(label="南港街道（演示）")
        choose(page, form.get_by_label("承接服务商"), provider[2:6], starts=provider)
        form.get_by_label("合同编号").fill(NUMBER)
        form.get_by_label("购买服务内容").fill("演示：社区助餐配送")
        form.get_by_label("合同金额（元）").fill("64000")
        form.get_by_label("签订日期").fill(f"{year}-01-10")
        form.get_by_label("开始日期").fill(f"{year}-02-01")
        form.get_by_label("结束日期").fill(f"{year}-12-31")
        form.get_by_role("button", name="登记").click()

    contract("南港便民家政服务部（演示）")
    refused = page.locator(".error-summary").inner_text()
    assert "已被取消认证资格" in refused and "南港便民家政服务部" in refused
    assert demo.sql("select id from funding_contract where number = %s", NUMBER) == []
    shot(page, "j19-contract-refused")
    contract("南港居家养老服务中心（演示）")
    assert "已登记" in page.locator(".msg").first.inner_text()
    assert (
        demo.one(
            "select p.name from funding_contract c join catalogue_provider p "
            "on p.id = c.provider_id where c.number = %s",
            NUMBER,
        )
        == "南港居家养老服务中心（演示）"
    )
    assert NUMBER in page.locator("#contracts").inner_text()

    # the roll-up, then its spreadsheet
    page.get_by_role("link", name=f"赫尔辛基演示区 {year}").click()
    total = before + Decimal("12345.60")
    expect(page.locator("main")).to_contain_text(f"{total:,.2f}")  # thousands grouped
    shot(page, "j19-rollup")
    with page.expect_download() as got:
        page.get_by_role("link", name="导出 XLSX").click()
    book = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert NUMBER in cells
    assert any(
        isinstance(c, int | float) and abs(Decimal(str(c)) - total) < Decimal("0.01") for c in cells
    )
