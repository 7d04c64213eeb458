"""账号与权限 · Accounts and roles: city, district and street staff list the accounts of their
jurisdiction, grant and remove roles in units picked by name, close and reopen accounts — each
write through the accounts services, with a history row naming who and why; refusals across
jurisdictions (two streets in two districts) said in words, never a code; residents, community
and provider staff cannot reach the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from quarterhour.platform.accounts import services
from quarterhour.platform.accounts.models import Membership, User
from quarterhour.platform.core.errors import PermissionRefused
from tests.platform.conftest import make_user

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:staff")


def page(pk: int) -> str:
    return reverse("accounts:staff_user", args=[pk])


def as_user(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    """The world's users plus an officer of district B and of street B1, and a community worker
    in each district (a2x in A2, b1x in B1)."""
    w = world
    extra = {
        "district_b": make_user("district_b", "district", district=w.B),
        "street_b1": make_user("street_b1", "street", street=w.B1),
        "worker_a2": make_user("worker_a2", "community", community=w.a2x),
        "worker_b1": make_user("worker_b1", "community", community=w.b1x),
    }
    User.objects.filter(username="worker_a2").update(display_name="王小二")
    User.objects.filter(username="worker_b1").update(display_name="李东")
    extra["worker_a2"].refresh_from_db()
    extra["worker_b1"].refresh_from_db()
    return {**{k: v for k, v in w.users.items() if v is not None}, **extra}


def names(response: Any) -> set[str]:
    return {u.username for u in response.context["users"]}


def last_membership_history(user: User) -> Any:
    return Membership.history.filter(user_id=user.pk).order_by("-history_date", "-history_id")[0]


def grant(client: Client, user: User, role: str, reason: str, **units: Any) -> Any:
    data: dict[str, Any] = {"role": role, "reason": reason}
    for field, unit in units.items():
        data[field] = unit.pk
        data[f"{field}__text"] = ""
    return client.post(reverse("accounts:staff_grant", args=[user.pk]), data, follow=True)


def said(response: Any) -> str:
    return response.content.decode()


# -- who reaches the page -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["city", "district", "street"])
def test_home_links_the_page_for_city_district_and_street_staff(people: Any, role: str) -> None:
    home = as_user(people[role]).get(reverse("web:home"))
    assert 'id="accounts-link"' in said(home)
    assert "账号与权限" in said(home)


@pytest.mark.parametrize("role", ["community", "provider", "resident"])
def test_others_have_no_link_and_are_refused_in_words(people: Any, role: str) -> None:
    c = as_user(people[role])
    home = c.get(reverse("web:home"), follow=True)
    assert 'id="accounts-link"' not in said(home)
    for url in (LIST, page(people["community"].pk)):
        r = c.get(url)
        assert r.status_code == 403
        assert "只有市、区县、街道工作人员可以管理账号与权限" in said(r)
        assert "permission_denied" not in said(r)
    r = c.post(
        reverse("accounts:staff_active", args=[people["community"].pk]),
        {"active": "0", "reason": "试图停用"},
    )
    assert r.status_code == 403
    assert User.objects.get(pk=people["community"].pk).is_active


def test_the_page_speaks_english_alongside(people: Any) -> None:
    c = as_user(people["district"])
    c.post(reverse("set_language"), {"language": "en", "next": LIST})
    r = c.get(LIST)
    assert "Accounts and roles" in said(r)


# -- lists by jurisdiction ------------------------------------------------------------------------


def test_each_level_lists_its_own_jurisdiction(people: Any) -> None:
    everyone = set(User.objects.values_list("username", flat=True))
    assert names(as_user(people["city"]).get(LIST)) == everyone
    assert names(as_user(people["district"]).get(LIST)) == {
        "district_a",
        "street_a1",
        "community_a1x",
        "provider_pa1",
        "worker_a2",
    }
    assert names(as_user(people["street"]).get(LIST)) == {
        "street_a1",
        "community_a1x",
        "provider_pa1",
    }
    assert names(as_user(people["district_b"]).get(LIST)) == {
        "district_b",
        "street_b1",
        "worker_b1",
    }
    assert names(as_user(people["street_b1"]).get(LIST)) == {"street_b1", "worker_b1"}


def test_search_by_name(people: Any) -> None:
    c = as_user(people["city"])
    assert names(c.get(LIST, {"q": "小二"})) == {"worker_a2"}
    assert names(c.get(LIST, {"q": "worker"})) == {"worker_a2", "worker_b1"}
    # a district officer does not find the other district's worker by name
    assert names(as_user(people["district"]).get(LIST, {"q": "李东"})) == set()


def test_an_account_outside_the_jurisdiction_is_not_shown(people: Any) -> None:
    c = as_user(people["street"])
    for pk in (people["worker_b1"].pk, people["district"].pk, 10**40):
        r = c.get(page(pk), follow=True)
        assert r.status_code == 200
        assert "没有找到该账号，或该账号不在您的管辖范围内" in said(r)


# -- grant ----------------------------------------------------------------------------------------


def test_city_grants_any_role(people: Any) -> None:
    city, user = people["city"], people["resident"]
    r = grant(
        as_user(city),
        user,
        "district",
        "借调区县",
        district=people["district_b"].memberships.get().district,
    )
    assert "已授予职责" in said(r)
    m = user.memberships.get(role="district")
    h = last_membership_history(user)
    assert (h.history_type, h.history_user_id, h.history_change_reason) == (
        "+",
        city.pk,
        "借调区县",
    )
    assert m.district.name == "东城区"


def test_district_officer_grants_inside_its_district(people: Any, world: Any) -> None:
    officer, worker = people["district"], people["worker_a2"]
    r = grant(as_user(officer), worker, "street", "兼任街道工作", street=world.A1)
    assert "已授予职责" in said(r)
    assert worker.memberships.filter(role="street", street=world.A1).exists()
    h = last_membership_history(worker)
    assert (h.history_user_id, h.history_change_reason) == (officer.pk, "兼任街道工作")
    # the account's page shows the history with who and why
    shown = said(as_user(officer).get(page(worker.pk)))
    assert "兼任街道工作" in shown and "district_a" in shown


def test_street_officer_grants_inside_its_street(people: Any, world: Any) -> None:
    officer, worker = people["street"], people["community"]
    r = grant(as_user(officer), worker, "provider", "服务商兼职", provider=world.pA1)
    assert "已授予职责" in said(r)
    h = last_membership_history(worker)
    assert (h.history_type, h.history_user_id, h.history_change_reason) == (
        "+",
        officer.pk,
        "服务商兼职",
    )


def test_grants_across_jurisdictions_are_refused_in_words(people: Any, world: Any) -> None:
    before = Membership.history.count()
    # a district officer cannot pick a unit of the other district: the picker does not offer it
    r = grant(
        as_user(people["district"]),
        people["worker_a2"],
        "community",
        "调往东城",
        community=world.b1x,
    )
    assert r.status_code == 422
    assert "请选择社区" in said(r)
    # a street officer cannot grant in its neighbouring street (same district) either
    r = grant(
        as_user(people["street"]),
        people["community"],
        "community",
        "调往新街口",
        community=world.a2x,
    )
    assert r.status_code == 422
    # nobody grants above its own level: a street officer tries district and city roles
    r = grant(as_user(people["street"]), people["community"], "city", "自我提拔")
    assert "您不能授予该职责：只能在本辖区内授予本级或下级的职责" in said(r)
    assert "permission_denied" not in said(r)
    r = grant(as_user(people["street"]), people["community"], "district", "提拔", district=world.A)
    assert r.status_code == 422
    # a district officer opening an account of the other district is turned away
    r = grant(
        as_user(people["district_b"]), people["worker_a2"], "community", "x", community=world.b1x
    )
    assert "不在您的管辖范围内" in said(r)
    assert Membership.history.count() == before
    # the services refuse the same, whatever the page lets through
    with pytest.raises(PermissionRefused):
        services.grant_membership(
            actor=people["district"],
            user=people["worker_a2"],
            role="community",
            community=world.b1x,
            reason="绕过页面",
        )
    with pytest.raises(PermissionRefused):
        services.grant_membership(
            actor=people["street"],
            user=people["community"],
            role="district",
            district=world.A,
            reason="越级",
        )


def test_a_grant_needs_a_role_a_unit_and_a_reason(people: Any, world: Any) -> None:
    c = as_user(people["district"])
    worker = people["worker_a2"]
    r = grant(c, worker, "community", "", community=world.a1x)
    assert r.status_code == 422 and "请填写原因" in said(r)
    r = grant(c, worker, "community", "无单位")
    assert r.status_code == 422 and "请选择社区" in said(r)
    r = grant(c, worker, "bogus\x00", "乱填")
    assert r.status_code in (400, 422)
    r = grant(c, worker, "community", "x" * 5000, community=world.a1x)
    assert r.status_code == 422 and "原因请不超过" in said(r)
    r = grant(c, worker, "community", "重复", community=world.a2x)
    assert r.status_code == 422 and "该用户已有此职责" in said(r)
    assert worker.memberships.count() == 1


def test_units_are_chosen_by_name_from_the_jurisdiction(people: Any, world: Any) -> None:
    c = as_user(people["district"])
    worker = people["worker_a2"]
    shown = said(c.get(page(worker.pk)))
    assert "南北长街社区" in shown and "东华门社区" not in shown
    r = c.post(
        reverse("accounts:staff_grant", args=[worker.pk]),
        {"role": "community", "community__text": "北长街社区", "community": "", "reason": "兼任"},
        follow=True,
    )
    assert "已授予职责" in said(r)
    assert worker.memberships.filter(community=world.a1y).exists()


# -- remove ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "target"), [("city", "worker_b1"), ("district", "worker_a2"), ("street", "community")]
)
def test_each_level_removes_a_role(people: Any, role: str, target: str) -> None:
    actor, user = people[role], people[target]
    m = user.memberships.get()
    r = as_user(actor).post(
        reverse("accounts:staff_remove", args=[user.pk, m.pk]), {"reason": "调离岗位"}, follow=True
    )
    assert "已撤销职责" in said(r)
    assert not user.memberships.exists()
    h = last_membership_history(user)
    assert (h.history_type, h.history_user_id, h.history_change_reason) == (
        "-",
        actor.pk,
        "调离岗位",
    )


def test_removals_across_jurisdictions_are_refused(people: Any) -> None:
    user = people["worker_b1"]
    m = user.memberships.get()
    for role in ("district", "street"):
        r = as_user(people[role]).post(
            reverse("accounts:staff_remove", args=[user.pk, m.pk]), {"reason": "越权"}, follow=True
        )
        assert "不在您的管辖范围内" in said(r)
    # a street officer cannot take the district officer's role away (a higher level)
    officer = people["district"]
    r = as_user(people["street"]).post(
        reverse("accounts:staff_remove", args=[officer.pk, officer.memberships.get().pk]),
        {"reason": "越级"},
        follow=True,
    )
    assert "不在您的管辖范围内" in said(r)
    assert Membership.objects.filter(pk=m.pk).exists()
    assert officer.memberships.exists()
    with pytest.raises(PermissionRefused):
        services.remove_membership(
            actor=people["street"], membership=officer.memberships.get(), reason="x"
        )


# -- deactivate and reactivate --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "target"),
    [("city", "district_b"), ("district", "street_a1"), ("street", "provider_pa1")],
)
def test_each_level_deactivates_and_reactivates(people: Any, role: str, target: str) -> None:
    actor = people[role]
    user = User.objects.get(username=target)
    c = as_user(actor)
    url = reverse("accounts:staff_active", args=[user.pk])
    r = c.post(url, {"active": "0", "reason": "离职"}, follow=True)
    assert "账号已停用" in said(r)
    user.refresh_from_db()
    assert user.is_active is False
    h = user.history.order_by("-history_date", "-history_id")[0]
    assert (h.history_type, h.history_user_id, h.history_change_reason, h.is_active) == (
        "~",
        actor.pk,
        "离职",
        False,
    )
    history = c.get(page(user.pk)).context["history"]
    assert (history[0].who, history[0].what, history[0].why) == (str(actor), "账号停用", "离职")
    # a closed account cannot log in
    r = Client().post(reverse("login"), {"username": target, "password": f"pw-{target}-long"})
    assert r.status_code != 302
    r = c.post(url, {"active": "1", "reason": "返岗"}, follow=True)
    assert "账号已启用" in said(r)
    user.refresh_from_db()
    assert user.is_active is True
    assert user.history.order_by("-history_date", "-history_id")[0].history_change_reason == "返岗"


def test_deactivation_refusals(people: Any) -> None:
    # another district's account, a higher level's account, the city's, one's own
    cases = [
        ("district", "worker_b1", "不在您的管辖范围内"),
        ("street_b1", "worker_a2", "不在您的管辖范围内"),
        ("street", "district_a", "不在您的管辖范围内"),
        ("district", "city", "不在您的管辖范围内"),
        ("district", "district_a", "不能停用自己的账号"),
    ]
    for actor, target, words in cases:
        user = User.objects.get(username=target)
        c = as_user(people[actor])
        before = user.history.count()
        r = c.post(
            reverse("accounts:staff_active", args=[user.pk]),
            {"active": "0", "reason": "试图停用"},
            follow=True,
        )
        assert r.status_code in (200, 422), (actor, target)
        assert words in said(r), (actor, target)
        assert User.objects.get(pk=user.pk).is_active
        assert user.history.count() == before


def test_hostile_input_never_answers_5xx(people: Any, world: Any) -> None:
    c = as_user(people["district"])
    worker = people["worker_a2"]
    bad = ["\x00", "²", "1e400", "9" * 40, "<script>", "x" * 5000]
    for value in bad:
        assert c.get(LIST, {"q": value}).status_code < 500
        for url in (
            reverse("accounts:staff_grant", args=[worker.pk]),
            reverse("accounts:staff_active", args=[worker.pk]),
            reverse("accounts:staff_remove", args=[worker.pk, worker.memberships.get().pk]),
        ):
            # every other field hostile, and the reason refused (so nothing may be written)
            data = {"role": value, "reason": value + "\x00", "active": value, "community": value}
            data["community__text"] = value
            assert c.post(url, data).status_code < 500, (url, value)
    assert c.get(page(10**40)).status_code < 500
    assert worker.memberships.count() == 1 and User.objects.get(pk=worker.pk).is_active


def test_a_login_is_no_change_of_the_account(people: Any) -> None:
    user = people["street"]
    before = user.history.count()
    r = Client().post(reverse("login"), {"username": "street_a1", "password": "pw-street_a1-long"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before
