"""Journey 14 — the year-end evaluation (社区监督委员会…奖惩).

demo-street logs in from ``/``, opens 运行机制 → 社会监督评价: runs this year's evaluation of
演示洗衣店 (picked by name), sees the score with its reasons part by part, publishes it and
grants a reward. It then gives 演示社区药房 a defect notice with a deadline; when the deadline
has passed uncorrected, the scheduled rule takes its certification away: the certification page
says 已取消资格 with the date and the reason, its services leave the catalogue, and a new
service-purchase contract with it is refused in words.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, run_jobs, shot

EVALUATED = "演示洗衣店"
DEFECTIVE = "演示社区药房"


def _pick(page, form, label: str, typed: str, wanted: str) -> None:
    box = form.get_by_label(label)
    box.fill(typed)
    list_id = box.get_attribute("list")
    page.locator(f"#{list_id} option").first.wait_for(state="attached")
    labels = page.eval_on_selector(f"#{list_id}", "l => [...l.options].map(o => o.value)")
    box.fill(next(v for v in labels if v.startswith(wanted)))


def _supervision(page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="社会监督评价").click()


def test_evaluate_reward_and_an_uncorrected_defect_costs_the_certification(demo, page):
    login(page, "demo-street")
    _supervision(page)
    year = dt.date.today().year
    form = page.locator("form", has=page.get_by_role("button", name="进行年度评价"))
    _pick(page, form, "服务商", "洗衣", EVALUATED)
    form.get_by_label("监督委员会意见").fill("（演示）居民反映良好。")
    form.get_by_role("button", name="进行年度评价").click()
    expect(page.locator("body")).to_contain_text("年度评价已完成")
    row = page.locator("#evaluations tr", has_text=EVALUATED)
    text = row.inner_text()
    assert "居民评分" in text and "民主评议" in text and "投诉" in text and "超期未办结" in text
    score, reasons, published = demo.one(
        "select e.score, e.reasons, e.published from evaluation_evaluation e"
        " join catalogue_provider p on p.id = e.provider_id where p.name = %s and e.year = %s",
        EVALUATED,
        year,
    )
    assert str(score).rstrip("0").rstrip(".") in text and reasons.splitlines()[0] in text
    assert published in (False, 0)
    row.get_by_role("button", name="公布").click()
    expect(page.locator("body")).to_contain_text("评价已公布")
    row = page.locator("#evaluations tr", has_text=EVALUATED)
    row.get_by_label("表彰说明").fill(f"{year} 年度服务进步奖（演示）")
    row.get_by_role("button", name="表彰").click()
    expect(page.locator("body")).to_contain_text("已表彰")
    assert "服务进步奖" in page.locator("#evaluations tr", has_text=EVALUATED).inner_text()
    shot(page, "j14-evaluated")
    assert demo.one(
        "select e.rewarded from evaluation_evaluation e join catalogue_provider p"
        " on p.id = e.provider_id where p.name = %s and e.year = %s",
        EVALUATED,
        year,
    ) in (True, 1)

    # a defect notice, not corrected by its deadline
    form = page.locator("form", has=page.get_by_role("button", name="发出通知"))
    _pick(page, form, "服务商", "药房", DEFECTIVE)
    form.get_by_label("问题").fill("（演示）处方药未凭处方销售。")
    deadline = dt.datetime.combine(dt.date.today() + dt.timedelta(days=2), dt.time(17, 0))
    form.get_by_label("整改期限").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="发出通知").click()
    expect(page.locator("body")).to_contain_text("整改通知已发出")
    correct_by = demo.one(
        "select n.correct_by from evaluation_defectnotice n join catalogue_provider p"
        " on p.id = n.provider_id where p.name = %s and n.status = %s",
        DEFECTIVE,
        "open",
    )
    if isinstance(correct_by, str):  # SQLite keeps the text
        correct_by = dt.datetime.fromisoformat(correct_by)
    if correct_by.tzinfo is None:
        correct_by = correct_by.replace(tzinfo=dt.UTC)
    run_jobs(demo, at=correct_by + dt.timedelta(hours=1), only="evaluation.enforce_defects")

    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="服务站点认证", exact=True).click()
    page.get_by_role("link", name=DEFECTIVE).click()
    expect(page.locator("h1")).to_contain_text("已取消资格")
    ending = page.locator("#ending").inner_text()
    assert "已取消资格" in ending and "逾期未整改" in ending and "处方药" in ending
    assert (correct_by + dt.timedelta(hours=1)).astimezone().strftime("%Y-%m-") in ending
    shot(page, "j14-disqualified")
    assert (
        demo.one(
            "select count(*) from catalogue_service s join catalogue_provider p"
            " on p.id = s.provider_id where p.name = %s and s.is_active = %s",
            DEFECTIVE,
            True,
        )
        == 0
    )

    # no new contract with it
    page.get_by_role("navigation").get_by_role("link", name="运行机制").click()
    page.get_by_role("link", name="经费保障").click()
    form = page.locator("form", has=page.get_by_label("承接服务商"))
    _pick(page, form, "承接服务商", "药房", DEFECTIVE)
    form.get_by_label("合同编号").fill("NG-2026-J14")
    form.get_by_label("购买服务内容").fill("送药上门（演示）")
    form.get_by_label("合同金额（元）").fill("5000")
    form.get_by_label("签订日期").fill("2026-03-01")
    form.get_by_label("开始日期").fill("2026-04-01")
    form.get_by_label("结束日期").fill("2027-03-31")
    form.get_by_role("button", name="登记").click()
    expect(page.locator("body")).to_contain_text(
        f"{DEFECTIVE} 已被取消认证资格，不能签订新的服务购买合同"
    )
    shot(page, "j14-contract-refused")
    assert demo.one("select count(*) from funding_contract where number = %s", "NG-2026-J14") == 0
