"""Every role's home, reached by logging in from ``/``: its to-dos with links; a new resident
signs up, registers as a volunteer and the community clerk finds the registration among the
to-dos; a resident changes the password and logs in with the new one; repeated wrong passwords
lock the account (stored in django-axes' table)."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.platform.journeys.conftest import PHONE, login, shot

ROLES = [
    # (account, its home's heading, sections every such home shows whatever the demo holds)
    ("demo-resident", "我的", ["我的志愿服务"]),
    ("demo-community", "工作台", []),
    ("demo-street", "工作台", []),
    ("demo-provider", "工作台", ["本单位的认证", "本单位的服务"]),
    ("demo-city", "工作台", ["工作目标与缺项"]),
]


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def sign_up(page, *, name: str, username: str, phone: str, password: str) -> None:
    """From ``/``: the login link, then 居民注册, then the form."""
    if not page.locator("#signup-link").count():
        page.get_by_role("link", name=re.compile("登录")).first.click()
    page.locator("#signup-link").click()
    page.fill("input[name=display_name]", name)
    page.fill("input[name=username]", username)
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    shot(page, "signup")
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state()


def new_name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.mark.parametrize(("username", "heading", "sections"), ROLES)
def test_each_role_logs_in_from_the_front_and_sees_its_home(
    demo, page, username, heading, sections
):
    login(page, username)
    assert page.locator("h1").inner_text() == heading
    assert page.locator("#todos").is_visible()
    for section in sections:
        assert page.locator(".todo-section h2", has_text=section).count() == 1, section
    # every to-do leads to a page that answers
    links = page.locator("#todos a")
    for i in range(min(links.count(), 6)):
        href = links.nth(i).get_attribute("href")
        response = page.request.get(demo.url + href)
        assert response.status < 400, (href, response.status)
    assert page.locator("#change-password").count() == 1
    display = demo.one("select display_name from accounts_user where username = %s", username)
    assert display in page.locator("header").inner_text()
    shot(page, f"home-{username}")


def test_a_new_resident_signs_up_registers_to_volunteer_and_the_clerk_has_it_to_approve(
    demo, page, browser
):
    username = new_name("jumin")
    sign_up(
        page, name="居民 钱女士", username=username, phone="13900001111", password="Qingshui-2011"
    )
    assert page.locator("h1").inner_text() == "我的"
    assert "注册成功" in page.locator(".msg").inner_text()
    user_id, phone = demo.one("select id, phone from accounts_user where username = %s", username)
    assert phone == "13900001111"
    assert (
        demo.one("select role from accounts_membership where user_id = %s", user_id) == "resident"
    )
    shot(page, "home-new-resident")

    # 我的 → 还未登记为志愿者 → the registration form, in the clerk's community
    community = demo.one(
        "select c.name from geography_community c join accounts_membership m "
        "on m.community_id = c.id join accounts_user u on u.id = m.user_id "
        "where u.username = 'demo-community'"
    )
    page.get_by_role("link", name=re.compile("还未登记为志愿者")).click()
    page.fill("input[name=name]", "钱女士")
    page.fill("input[name=phone]", "13900001111")
    page.get_by_label("所在社区").fill(community)  # the community picker: its exact name
    page.check("input[name=skills][value=companion]")
    page.check("input[name=days][value='6']")
    page.get_by_role("button", name="提交登记").click()
    page.wait_for_load_state()
    assert "注册已提交" in page.locator(".msg").first.inner_text()
    status = demo.one("select status from volunteers_volunteer where user_id = %s", user_id)
    assert status == "pending"
    page.get_by_role("link", name="我的").first.click()
    expect(page.locator("#todos")).to_contain_text("志愿者登记：待审核")

    clerk = browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        p2 = clerk.new_page()
        p2.goto(demo.url + "/")
        login(p2, "demo-community")
        todo = p2.locator("li.todo", has_text="待审核的志愿者")
        assert int(todo.locator(".count").inner_text()) >= 1
        todo.get_by_role("link").click()
        expect(p2.locator("#volunteers tr", has_text="钱女士")).to_have_count(1)
    finally:
        clerk.close()


def test_a_resident_changes_the_password_and_logs_in_with_the_new_one(demo, page):
    username = new_name("mima")
    sign_up(
        page,
        name="居民 李先生",
        username=username,
        phone="13900002222",
        password="Old-Password-2011",
    )
    before = demo.one("select password from accounts_user where username = %s", username)
    page.locator("#change-password").click()
    page.fill("input[name=old_password]", "Old-Password-2011")
    page.fill("input[name=new_password1]", "123")
    page.fill("input[name=new_password2]", "123")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("#password-form")).to_contain_text("密码长度太短")
    assert demo.one("select password from accounts_user where username = %s", username) == before

    page.fill("input[name=old_password]", "Old-Password-2011")
    page.fill("input[name=new_password1]", "New-Password-2026")
    page.fill("input[name=new_password2]", "New-Password-2026")
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_load_state()
    assert "密码已修改" in page.locator(".msg").inner_text()
    assert demo.one("select password from accounts_user where username = %s", username) != before
    logout(page)

    login(page, username, password="Old-Password-2011")
    assert page.locator("form.login ul.errors").count() == 1
    login(page, username, password="New-Password-2026")
    assert page.locator("h1").inner_text() == "我的"


def test_repeated_wrong_passwords_lock_the_account(demo, page):
    username = new_name("suo")
    sign_up(
        page,
        name="居民 周女士",
        username=username,
        phone="13900003333",
        password="Right-Password-1",
    )
    logout(page)
    for _ in range(4):
        login(page, username, password="wrong-password")
        assert page.locator("form.login ul.errors").count() == 1
    login(page, username, password="wrong-password")
    assert "登录失败次数过多" in page.locator("#locked").inner_text()
    failures = demo.one(
        "select sum(failures_since_start) from axes_accessattempt where username = %s", username
    )
    assert failures == 5
    shot(page, "login-locked")
    # the right password is refused too while the lock lasts
    page.get_by_role("link", name="返回首页").click()
    login(page, username, password="Right-Password-1")
    assert page.locator("#locked").count() == 1
    assert page.locator("header .who").count() == 0  # not logged in
    failures = demo.one(
        "select sum(failures_since_start) from axes_accessattempt where username = %s", username
    )
    assert failures == 6  # the refused right password counts as one more
