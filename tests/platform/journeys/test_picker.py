"""A picker in the browser: a street officer registers a service contract and chooses the
(certified) provider by typing part of its name and taking the suggestion (no id typed
anywhere)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot


def test_provider_chosen_from_suggestions(demo, page):
    login(page, "demo-street")
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="经费保障").click()
    box = page.get_by_label("承接服务商")
    box.fill("养老")
    option = page.locator("#pick-contract-provider-list option", has_text="")
    option.first.wait_for(state="attached")
    label = page.eval_on_selector(
        "#pick-contract-provider-list", "l => [...l.options].map(o => o.value)"
    )
    chosen = next(v for v in label if v.startswith("南港居家养老服务中心"))
    box.fill(chosen)
    pk = demo.one(
        "select id from catalogue_provider where name = %s", "南港居家养老服务中心（演示）"
    )
    assert page.input_value("#pick-contract-provider-id") == str(pk)
    form = page.locator("form", has=box)
    form.get_by_label("合同编号").fill("NG-2026-007")
    form.get_by_label("购买服务内容").fill("老年人助餐配送（演示）")
    form.get_by_label("合同金额（元）").fill("86000")
    form.get_by_label("签订日期").fill("2026-03-01")
    form.get_by_label("开始日期").fill("2026-04-01")
    form.get_by_label("结束日期").fill("2027-03-31")
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记").first).to_be_visible()
    assert (
        demo.one("select provider_id from funding_contract where number = %s", "NG-2026-007") == pk
    )
    shot(page, "funding-contract-picked")
