"""Journey 6 — a resident has a say (社会监督评价机制).

From ``/`` without logging in: 公示 shows the providers being certified; the resident logs in from
that page, comes back to it and objects to 演示便民早餐店 with a reason (stored, the street told).
From the resident's home: the open satisfaction survey of the circle; scores the circle and one
of its providers in words; the answer is stored once and the page then says it was given (no
second form). From the home: the year-end results, with the scores, reasons and the reward.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot

NOTICE = "演示便民早餐店"


def test_resident_objects_to_a_notice_answers_the_survey_once_and_reads_the_results(demo, page):
    page.locator("#tile-notices").click()
    expect(page.locator("article.notice", has_text=NOTICE)).to_have_count(1)
    page.locator("#login-to-object").click()
    login(page, "demo-resident")
    card = page.locator("article.notice", has_text=NOTICE)
    reason = "（演示）早餐店门前早高峰占道经营，影响老人通行。"
    card.get_by_label("异议内容（请写明理由）").fill(reason)
    card.get_by_role("button", name="提出异议").click()
    expect(page.locator("body")).to_contain_text("您的异议已提交，街道将予以处理")
    shot(page, "j06-objected")
    status, who = demo.one(
        "select o.status, u.username from certification_objection o"
        " join accounts_user u on u.id = o.resident_id"
        " join certification_certification c on c.id = o.certification_id"
        " join catalogue_provider p on p.id = c.provider_id where p.name = %s and o.text = %s",
        NOTICE,
        reason,
    )
    assert (status, who) == ("open", "demo-resident")
    told = demo.one(
        "select count(*) from notifications_notification n join accounts_user u"
        " on u.id = n.recipient_id where u.username = %s and n.subject like %s",
        "demo-street",
        f"%{NOTICE}%异议%",
    )
    assert told >= 1

    # the survey, from the resident's home
    page.get_by_role("link", name="我的").first.click()
    page.locator("#todos a", has_text="请填写：").first.click()
    section = page.locator("section.survey").first
    title = section.locator("h2").inner_text()
    section.get_by_label("对本服务圈的总体满意度").select_option(label="满意")
    section.get_by_label("演示社区药房").select_option(label="很满意")
    section.get_by_label("意见和建议").fill("（演示）希望药房周末延长营业。")
    shot(page, "j06-survey")
    section.get_by_role("button", name="提交答卷").click()
    expect(page.locator("body")).to_contain_text("感谢您的评价")
    section = page.locator("section.survey", has_text=title)
    assert "您已于" in section.inner_text() and section.locator("form").count() == 0
    rows = demo.sql(
        "select p.name, r.score from evaluation_surveyresponse r"
        " join accounts_user u on u.id = r.respondent_id"
        " join evaluation_survey s on s.id = r.survey_id"
        " left join catalogue_provider p on p.id = r.provider_id"
        " where u.username = %s and s.title = %s order by p.name",
        "demo-resident",
        title,
    )
    assert sorted(rows, key=str) == sorted([(None, 4), ("演示社区药房", 5)], key=str)
    shot(page, "j06-survey-answered")

    # the year-end results (public, from / too), from the resident's home
    page.get_by_role("link", name="我的").first.click()
    page.locator("#my-links").get_by_role("link", name="评价结果").click()
    row = page.locator("#published tr", has_text="演示社区药房")
    text = row.inner_text()
    assert "91.0" in text and "民主评议" in text and "优秀服务站点" in text
    shot(page, "j06-results")
