"""Homes, accounts and the trust around login: each role lands on its own home with its to-dos;
residents sign up and change their password; login is throttled per account and per address;
error pages speak Chinese and lead back; the CSP header; no user-name probe; codes as words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from quarterhour.platform.accounts.models import Membership, User
from quarterhour.platform.accounts.throttle import client_address
from quarterhour.platform.core import todos
from tests.platform.requests.helpers import make_categories

PLATFORM = Path(__file__).resolve().parents[3] / "src" / "quarterhour" / "platform"


def password_of(username: str) -> str:
    return f"pw-{username}-long"


def log_in(client: Client, username: str, password: str | None = None, **extra: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password or password_of(username)},
        **extra,
    )


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_tokens(response) -> str:
    """The page as text without its form tokens (masked afresh on every answer)."""
    return TOKEN.sub("", response.content.decode())


def submit_request(world, who):
    from quarterhour.platform.requests import services

    cats = make_categories()
    return services.submit(
        actor=who,
        category=cats["repair"],
        channel="web",
        community=world.a1x,
        description="楼道灯坏了（测试）",
        attributes={"what": "light"},
    )


# -- login lands each role on its home ---------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "home", "heading"),
    [
        ("resident", "/me/", "我的"),
        ("community", "/home/", "工作台"),
        ("street", "/home/", "工作台"),
        ("provider", "/home/", "工作台"),
        ("city", "/home/", "工作台"),
    ],
)
def test_login_lands_on_the_roles_home(world, key, home, heading):
    c = Client()
    user = world.users[key]
    response = log_in(c, user.username)
    assert response.status_code == 302 and response["Location"] == home
    page = c.get(home)
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.content.decode()


def test_the_staff_home_sends_a_resident_to_their_own_and_logout_goes_to_the_front(world):
    c = Client()
    c.force_login(world.users["resident"])
    assert c.get(reverse("web:home"))["Location"] == "/me/"
    assert c.post(reverse("logout"))["Location"] == "/"


def test_every_app_declares_its_todos():
    names = set(todos.discover())
    assert {
        "requests",
        "certification",
        "catalogue",
        "sharing",
        "volunteers",
        "meetings",
        "evaluation",
        "notifications",
        "planning",
    } <= names


# -- the to-dos on each home ---------------------------------------------------------------------


def test_resident_sees_own_request_with_owner_and_deadline_and_the_clerk_must_act(world):
    req = submit_request(world, world.users["resident"])
    c = Client()
    c.force_login(world.users["resident"])
    page = c.get("/me/").content.decode()
    assert f"诉求 #{req.pk}" in page and "公共设施报修" in page
    assert "负责：社区 南北长街社区" in page
    due = req.due_at.astimezone().strftime("%Y-%m-%d")
    assert due in page
    assert reverse("requests:detail", args=[req.pk]) in page
    # the clerk of a1x has it to act on; the clerk of nothing else does not
    c.force_login(world.users["community"])
    clerk = c.get("/home/").content.decode()
    assert "待办诉求" in clerk and f"诉求 #{req.pk}" in clerk
    c.force_login(world.users["provider"])
    assert f"诉求 #{req.pk}" not in c.get("/home/").content.decode()
    # another resident sees none of it
    other = User.objects.create_user("resident_b", password=password_of("resident_b"))
    Membership.objects.create(user=other, role="resident")
    c.force_login(other)
    assert f"诉求 #{req.pk}" not in c.get("/me/").content.decode()


def test_resident_home_offers_volunteering_and_notifications_and_password(world):
    from quarterhour.platform.core.notify import tell

    tell(recipients=[world.users["resident"]], kind="test", subject="测试通知一条", body="")
    c = Client()
    c.force_login(world.users["resident"])
    page = c.get("/me/").content.decode()
    assert "还未登记为志愿者" in page and reverse("volunteers:register") in page
    assert "测试通知一条" in page and "我的通知" in page
    assert reverse("accounts:password") in page
    assert "目前没有待办事项" not in page


def test_provider_home_leads_to_its_certification_services_and_after_applying_the_clerk_votes(
    world,
):
    from quarterhour.platform.certification import services as cert

    c = Client()
    c.force_login(world.users["provider"])
    page = c.get("/home/").content.decode()
    assert "长安便民服务社 尚未认证" in page
    assert reverse("certification:apply", args=[world.pA1.pk]) in page
    assert "长安便民服务社 公布的服务项目" in page
    assert reverse("portal:provider", args=[world.pA1.pk]) in page
    application = cert.apply(
        actor=world.users["provider"],
        provider=world.pA1,
        community=world.a1x,
        category="convenience",
        item_codes=["shop.pharmacy"],
        hotline="010-0001",
    )
    page = c.get("/home/").content.decode()
    assert "长安便民服务社：已申请" in page
    assert reverse("certification:history", args=[world.pA1.pk]) in page
    c.force_login(world.users["community"])
    clerk = c.get("/home/").content.decode()
    assert "请召开居民代表会议并记录表决" in clerk
    assert reverse("certification:detail", args=[application.pk]) in clerk
    c.force_login(world.users["street"])
    assert "请召开居民代表会议" not in c.get("/home/").content.decode()


def test_city_home_shows_targets_and_gaps(world):
    c = Client()
    c.force_login(world.users["city"])
    page = c.get("/home/").content.decode()
    assert "达到示范点条件的服务圈（全市目标 300 个）" in page
    assert "城市社区覆盖率 0.0%（目标 60%）" in page
    assert "还没有评估结果" in page and reverse("web:assessments") in page
    c.force_login(world.users["street"])
    assert "城市社区覆盖率" not in c.get("/home/").content.decode()


def test_navigation_is_in_words_and_links_the_admin_for_superusers_only(world):
    c = Client()
    for key in ("resident", "community", "street", "provider", "city"):
        c.force_login(world.users[key])
        page = c.get(reverse("accounts:password")).content.decode()
        assert 'href="/admin/' not in page, key
        assert "登记簿" not in page
    c.force_login(world.users["resident"])
    nav = c.get("/me/").content.decode()
    assert "我的周边" in nav and "提交诉求" in nav and reverse("web:communities") not in nav
    root = User.objects.create_superuser("root2", password="root-password-long")
    Membership.objects.create(user=root, role="city")
    c.force_login(root)
    assert 'href="/admin/"' in c.get("/home/").content.decode()


# -- sign-up and password ------------------------------------------------------------------------


SIGN_UP = {
    "display_name": "居民 钱女士",
    "username": "qian",
    "phone": "138 0000 0009",
    "password1": "Qingshui-Jie-2011",
    "password2": "Qingshui-Jie-2011",
}


def test_a_resident_signs_up_from_the_login_page(db):
    c = Client()
    login_page = c.get(reverse("login")).content.decode()
    assert reverse("accounts:signup") in login_page
    response = c.post(reverse("accounts:signup"), SIGN_UP)
    assert response.status_code == 302 and response["Location"] == "/me/"
    user = User.objects.get(username="qian")
    assert (user.display_name, user.phone) == ("居民 钱女士", "13800000009")
    assert list(user.memberships.values_list("role", flat=True)) == ["resident"]
    assert user.memberships.get().history.get().history_user == user
    assert "居民 钱女士" in c.get("/me/").content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password1": "short", "password2": "short"}, "password1", "密码长度太短"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "只包含数字"),
        ({"password2": "Something-else-2011"}, "password2", "两次输入的密码不一致"),
        ({"phone": "12345"}, "phone", "请填写 11 位手机号码"),
        ({"username": "bad name!"}, "username", "用户名"),
    ],
)
def test_sign_up_refuses_bad_input_beside_the_field_and_saves_nothing(db, change, field, message):
    c = Client()
    response = c.post(reverse("accounts:signup"), {**SIGN_UP, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field]), errors
    assert not User.objects.exists()


def test_sign_up_refuses_a_taken_user_name(world):
    c = Client()
    response = c.post(reverse("accounts:signup"), {**SIGN_UP, "username": "Resident"})
    assert response.status_code == 400
    assert "该用户名已被使用" in response.content.decode()
    assert User.objects.filter(username__iexact="resident").count() == 1


def test_a_resident_changes_the_password_and_logs_in_with_the_new_one(world):
    c = Client()
    log_in(c, "resident")
    assert reverse("accounts:password") in c.get("/me/").content.decode()
    refused = c.post(
        reverse("accounts:password"),
        {"old_password": password_of("resident"), "new_password1": "abc", "new_password2": "abc"},
    )
    assert refused.status_code == 200 and "密码长度太短" in refused.content.decode()
    changed = c.post(
        reverse("accounts:password"),
        {
            "old_password": password_of("resident"),
            "new_password1": "Xinmima-Changan-7",
            "new_password2": "Xinmima-Changan-7",
        },
    )
    assert changed.status_code == 302 and changed["Location"] == "/me/"
    assert "密码已修改" in c.get("/me/").content.decode()  # still logged in
    fresh = Client()
    assert log_in(fresh, "resident").status_code == 200  # the old one is refused
    assert log_in(fresh, "resident", "Xinmima-Changan-7")["Location"] == "/me/"


# -- throttling ----------------------------------------------------------------------------------


def test_an_account_is_locked_by_the_fifth_wrong_password_even_for_the_right_one(world):
    c = Client()
    for _ in range(4):
        assert log_in(c, "resident", "wrong-password").status_code == 200
    assert log_in(c, "resident", "wrong-password").status_code == 429
    attempt = AccessAttempt.objects.get(username="resident")
    assert attempt.failures_since_start == 5
    locked = log_in(c, "resident")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in c.session
    # an unknown name answers exactly the same way (no probing for who exists)
    for _ in range(5):
        log_in(c, "nobody-here", "wrong-password")
    unknown = log_in(c, "nobody-here", "wrong-password")
    assert unknown.status_code == 429
    assert without_tokens(unknown) == without_tokens(locked)
    # another account from the same address still logs in (below the address limit)
    assert log_in(Client(), "street_a1")["Location"] == "/home/"


def test_an_address_is_locked_after_twenty_failures_across_accounts(world):
    c = Client()
    for i in range(20):
        log_in(c, f"guess-{i}", "wrong-password")
    assert log_in(Client(), "street_a1").status_code == 429
    assert log_in(Client(REMOTE_ADDR="10.1.2.3"), "street_a1")["Location"] == "/home/"


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(world):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(request) == "127.0.0.1"
    with override_settings(QH_TRUSTED_PROXIES=1):
        assert client_address(request) == "203.0.113.9"
        assert client_address(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
        forged = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
        assert client_address(forged) == "127.0.0.1"
        # behind the proxy, each forwarded address has its own count
        c = Client()
        for _ in range(20):
            log_in(c, "nobody", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert log_in(Client(), "street_a1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
        ok = log_in(Client(), "street_a1", HTTP_X_FORWARDED_FOR="198.51.100.8")
        assert ok["Location"] == "/home/"


# -- error pages ---------------------------------------------------------------------------------


def test_a_refusal_says_why_in_words_and_leads_back_home(world):
    c = Client()
    c.force_login(world.users["resident"])
    page = c.get(reverse("web:communities"))
    assert page.status_code == 403
    text = page.content.decode()
    assert "此页面仅供工作人员使用" in text and "[staff_only]" not in text
    assert 'href="/me/"' in text and c.get("/me/").status_code == 200
    assert 'href="/"' in text


def test_not_found_in_chinese_then_english_with_a_way_back(world):
    c = Client()
    page = c.get("/no-such-page/")
    assert page.status_code == 404
    assert "页面不存在" in page.content.decode() and 'href="/"' in page.content.decode()
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = c.get("/no-such-page/").content.decode()
    assert "Page not found" in english and "页面不存在" not in english


def test_server_error_and_refused_form_pages_are_chinese(world):
    from quarterhour.platform.web.errors import csrf_failure, server_error

    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        error = server_error(request)
    assert error.status_code == 500 and "系统出错" in error.content.decode()
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["street"])
    refused = c.post(reverse("web:assessments"), {"scope": "city"})
    assert refused.status_code == 403 and "表单已失效" in refused.content.decode()
    request.user = world.users["street"]
    assert "返回我的首页" in csrf_failure(request).content.decode()


# -- CSP and inline script -----------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_script(world):
    c = Client()
    c.force_login(world.users["street"])
    policy = c.get("/home/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def test_no_template_of_any_app_has_inline_script_handlers_or_style_attributes():
    offenders = []
    for path in sorted(PLATFORM.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline script", INLINE_SCRIPT),
            ("inline handler", INLINE_HANDLER),
            ("style attribute", STYLE_ATTRIBUTE),
        ):
            offenders += [f"{path.relative_to(PLATFORM)}: {name}" for _ in pattern.findall(text)]
    assert offenders == []


# -- no user-name probe through the transfer form ------------------------------------------------


def test_the_transfer_form_answers_the_same_for_unknown_and_refused_names(world):
    req = submit_request(world, world.users["resident"])
    url = reverse("requests:action", args=[req.pk, "transfer"])
    form = {
        "to_level": "street",
        "to_unit": str(world.A1.pk),
        "to_unit__text": world.A1.name,
        "reason": "测试",
    }
    c = Client()
    c.force_login(world.users["resident"])
    unknown = c.post(url, {**form, "to_user__text": "no-such-user"})
    known = c.post(url, {**form, "to_user__text": "street_a1"})
    assert unknown.status_code == known.status_code == 403
    assert without_tokens(unknown) == without_tokens(known)
    # staff who may act: an unknown name and a person outside the unit get the same words
    c.force_login(world.users["community"])
    answers = []
    for name in ("no-such-user", "street_b1_nobody", "city"):
        response = c.post(url, {**form, "to_user__text": name}, follow=True)
        answers.append([str(m) for m in response.context["messages"]])
    # a name outside what the clerk may choose reads exactly like a name nobody has
    names = ("no-such-user", "street_b1_nobody", "city")
    assert [a[0].split("。")[0] for a in answers] == [f"没有找到“{n}”" for n in names]
    req.refresh_from_db()
    assert req.owner_level == "community"  # nothing transferred
    req.refresh_from_db()
    assert req.owner_level == "community"


# -- codes as words ------------------------------------------------------------------------------


def test_label_filters_show_codes_as_words():
    from django.template import Context, Template

    t = Template(
        '{% load labels %}{{ codes|items }}|{{ "shop.pharmacy"|item }}|'
        '{{ skills|choice:"volunteers.Skill" }}|{{ state|choice:"certification.State" }}|'
        '{{ "open"|choice:"certification.Objection.Status" }}'
    )
    with translation.override("zh-hans"):
        out = t.render(
            Context(
                {
                    "codes": ["shop.pharmacy", "station.health"],
                    "skills": ["care", "health"],
                    "state": "meeting_approved",
                }
            )
        )
    assert out == "药店、卫生服务站|药店|生活照料、医疗保健|居民代表会议通过|待处理"
    with translation.override("en"):
        assert t.render(Context({"codes": ["shop.pharmacy"], "skills": ["care", "health"]})) == (
            "Pharmacy|Pharmacy|Daily care, Health care||Open"
        )


def test_the_assessment_page_names_its_stage_and_standard_in_words(world):
    from quarterhour.platform.planning.models import AssessmentRun
    from quarterhour.platform.planning.networks import store_network
    from quarterhour.platform.planning.services import assessment_request
    from tests.platform.helpers import grid_network

    store_network(grid_network(), name="grid")
    run = assessment_request(actor=world.users["street"], street=world.A1)
    AssessmentRun.objects.filter(pk=run.pk).update(stage="tiles")
    c = Client()
    c.force_login(world.users["street"])
    with translation.override("zh-hans"):
        page = c.get(reverse("web:assessment", args=[run.pk])).content.decode()
        progress = c.get(reverse("web:assessment_progress", args=[run.pk])).json()
    assert '<span id="run-stage">分块计算步行可达</span>' in page
    assert "北京市“一刻钟社区服务圈”服务设施" in page and "beijing-2011" not in page
    assert 'data-progress-url="' in page and "web/assessment.js" in page
    assert (progress["stage"], progress["stage_code"]) == ("分块计算步行可达", "tiles")


def test_homes_read_in_english_under_the_switch(world):
    c = Client()
    c.force_login(world.users["resident"])
    c.post(reverse("set_language"), {"language": "en", "next": "/me/"})
    page = c.get("/me/").content.decode()
    assert "<h1>My page</h1>" in page and "My volunteering" in page
    assert "Not registered as a volunteer: register" in page and "Change password" in page
    c.force_login(world.users["city"])
    c.post(reverse("set_language"), {"language": "en", "next": "/home/"})
    page = c.get("/home/").content.decode()
    assert "Targets and gaps" in page and "Urban communities covered 0.0% (target 60%)" in page
