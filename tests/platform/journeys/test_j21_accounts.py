"""Journey 21 — a district officer manages a role (账号与权限): from the workbench to the accounts
page, finds the provider's manager by name, grants a community role in a community picked by
name with the reason typed, sees it in the account's history, then removes it again with its
reason. Both writes are read back from the history table (who, why). A resident is not among the
accounts the officer manages, and a resident has no way to the page."""

from __future__ import annotations

from tests.platform.journeys.choosing import choose
from tests.platform.journeys.conftest import login, shot


def test_district_officer_grants_and_removes_a_role(demo, page):
    login(page, "demo-district")
    page.locator("#accounts-link").click()
    page.wait_for_selector("#staff-users")
    assert page.locator("h1").inner_text() == "账号与权限"

    # residents are not the district's to manage
    page.fill("#staff-search input[name=q]", "孙女士")
    page.locator("#staff-search button").click()
    page.wait_for_selector("#staff-users")
    assert "demo-resident" not in page.locator("#staff-users").inner_text()

    page.fill("#staff-search input[name=q]", "周经理")
    page.locator("#staff-search button").click()
    page.wait_for_selector("#staff-users")
    page.locator("#staff-users").get_by_role("link", name="管理").first.click()
    page.wait_for_selector("#grant-form")
    user_id = demo.one("select id from accounts_user where username = %s", "demo-provider")

    community_id, name = demo.sql(
        "select c.id, c.name from geography_community c where c.id not in"
        " (select community_id from accounts_membership where community_id is not null)"
        " order by c.code limit 1"
    )[0]
    page.select_option("#grant-form select[name=role]", "community")
    choose(page, page.locator("#pick-grant-community"), name, starts=name)
    page.fill("#grant-form input[name=reason]", "演示：兼任社区联络员")
    page.locator("#grant-form button").click()
    page.wait_for_selector("#account-roles")
    assert "已授予职责" in page.locator("main").inner_text()
    assert name in page.locator("#account-roles").inner_text()
    assert "演示：兼任社区联络员" in page.locator("#account-history").inner_text()
    officer = demo.one("select id from accounts_user where username = %s", "demo-district")
    assert demo.sql(
        "select history_type, history_user_id, history_change_reason"
        " from accounts_historicalmembership where user_id = %s and community_id = %s",
        user_id,
        community_id,
    ) == [("+", officer, "演示：兼任社区联络员")]
    shot(page, "j21-accounts")

    row = page.locator("#account-roles tr", has_text=name)
    row.locator("input[name=reason]").fill("演示：联络工作结束")
    row.get_by_role("button").click()
    page.wait_for_selector("#account-roles")
    assert "已撤销职责" in page.locator("main").inner_text()
    assert name not in page.locator("#account-roles").inner_text()
    assert demo.sql(
        "select history_type, history_user_id, history_change_reason"
        " from accounts_historicalmembership where user_id = %s and community_id = %s"
        " order by history_id",
        user_id,
        community_id,
    ) == [("+", officer, "演示：兼任社区联络员"), ("-", officer, "演示：联络工作结束")]


def test_street_officer_opens_a_new_clerks_account(demo, page, browser):
    """The street office's new colleague: demo-street opens their account with a community role
    in a community of its street, picked by name, and the colleague logs in to the workbench."""
    login(page, "demo-street")
    page.locator("#accounts-link").click()
    page.locator("#staff-new-link").click()
    page.wait_for_selector("#staff-new-form")
    name = demo.one(
        "select c.name from geography_community c join accounts_membership m"
        " on m.street_id = c.street_id join accounts_user u on u.id = m.user_id"
        " where u.username = 'demo-street' order by c.code limit 1"
    )
    form = page.locator("#staff-new-form")
    form.locator("input[name=username]").fill("demo-new-clerk")
    form.locator("input[name=display_name]").fill("新社工（演示）")
    form.locator("input[name=password1]").fill("Qh-新同事-2026-演示")
    form.locator("input[name=password2]").fill("Qh-新同事-2026-演示")
    form.locator("select[name=role]").select_option("community")
    choose(page, page.locator("#pick-new-community"), name, starts=name)
    form.locator("input[name=reason]").fill("演示：新入职社区工作人员")
    shot(page, "j21-open-account")
    form.get_by_role("button", name="开设账号").click()
    page.wait_for_selector("#account-roles")
    assert "账号“demo-new-clerk”已开设" in page.locator("main").inner_text()
    assert name in page.locator("#account-roles").inner_text()
    assert "演示：新入职社区工作人员" in page.locator("#account-history").inner_text()

    other = browser.new_context(locale="zh-CN").new_page()
    other.goto(demo.url + "/")
    login(other, "demo-new-clerk", password="Qh-新同事-2026-演示")
    assert other.locator("h1").first.inner_text() != "登录"
    assert "新社工（演示）" in other.locator("body").inner_text()
    other.context.close()


def test_a_resident_has_no_way_to_the_accounts_page(demo, page):
    login(page, "demo-resident2")
    assert page.locator("#accounts-link").count() == 0
    # typed into the address bar (a journey otherwise never types one): refused in words
    page.goto(demo.url + "/accounts/staff/")
    assert page.locator("#refusal").inner_text() == "只有市、区县、街道工作人员可以管理账号与权限"
