"""Journey 9 — the service station forwards residents' views (主动收集居民意见…及时反馈给服务商).

demo-community logs in from ``/``, opens 运行机制 → 社会监督评价 and records a resident's
complaint about 演示便民服务社 — the provider picked by name (a name that is no provider is refused
in words, nothing stored) — and forwards it. demo-provider finds it on its home and replies (it is
not offered the clerk's forms); the clerk's home tells of the reply and the page shows it.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot

PROVIDER = "演示便民服务社"
TEXT = "（演示）居民郑大爷反映上门理发预约后需要等待两周。"


def _pick(page, form, typed: str, wanted: str) -> None:
    box = form.get_by_label("服务商")
    box.fill(typed)
    list_id = box.get_attribute("list")
    page.locator(f"#{list_id} option").first.wait_for(state="attached")
    labels = page.eval_on_selector(f"#{list_id}", "l => [...l.options].map(o => o.value)")
    box.fill(next(v for v in labels if v.startswith(wanted)))


def test_clerk_records_and_forwards_feedback_and_sees_the_providers_reply(demo, page, browser):
    login(page, "demo-community")
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="社会监督评价").click()
    form = page.locator("form", has=page.get_by_role("button", name="登记意见"))
    form.get_by_label("服务商").fill("不存在的服务商")
    form.get_by_label("类型").select_option(label="投诉")
    form.get_by_label("内容").fill(TEXT)
    form.get_by_role("button", name="登记意见").click()
    expect(page.locator("body")).to_contain_text("没有找到")
    count = "select count(*) from evaluation_feedback where text = %s"
    assert demo.one(count, TEXT) == 0

    form = page.locator("form", has=page.get_by_role("button", name="登记意见"))
    _pick(page, form, "便民服务", PROVIDER)
    form.get_by_label("类型").select_option(label="投诉")
    form.get_by_label("评分 (1–5)").fill("3")
    form.get_by_label("居民").fill("郑大爷（演示）")
    form.get_by_label("内容").fill(TEXT)
    form.get_by_role("button", name="登记意见").click()
    expect(page.locator("body")).to_contain_text("意见已登记")
    row = page.locator("#feedback tr", has_text=TEXT)
    assert "已收集" in row.inner_text()
    row.get_by_role("button", name="转交服务商").click()
    expect(page.locator("body")).to_contain_text("已转交服务商")
    assert "已转服务商" in page.locator("#feedback tr", has_text=TEXT).inner_text()
    shot(page, "j09-forwarded")
    assert (
        demo.one(
            "select f.status from evaluation_feedback f join catalogue_provider p"
            " on p.id = f.provider_id where f.text = %s and p.name = %s",
            TEXT,
            PROVIDER,
        )
        == "forwarded"
    )

    # the provider finds it on its home and replies
    provider = browser.new_context(locale="zh-CN").new_page()
    provider.goto(demo.url + "/")
    login(provider, "demo-provider")
    provider.locator("#todos a", has_text="待回复的居民意见").click()
    row = provider.locator("#feedback tr", has_text=TEXT)
    row.get_by_label("回复内容").fill("（演示）已增加周末理发师傅，预约等待缩短到三天。")
    row.get_by_role("button", name="回复").click()
    expect(provider.locator("body")).to_contain_text("已回复，社区服务站会看到您的回复")
    assert provider.locator("form", has_text="登记意见").count() == 0  # not the provider's to do
    shot(provider, "j09-replied")
    provider.context.close()

    page.reload()
    page.get_by_role("link", name="工作台").first.click()
    expect(page.locator("#todos", has_text="服务商已回复居民意见")).to_have_count(1)
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="社会监督评价").click()
    row = page.locator("#feedback tr", has_text=TEXT)
    assert "服务商已回复" in row.inner_text() and "预约等待缩短到三天" in row.inner_text()
    shot(page, "j09-reply-seen")
    status, reply = demo.one("select status, reply from evaluation_feedback where text = %s", TEXT)
    assert status == "replied" and reply.startswith("（演示）已增加")
