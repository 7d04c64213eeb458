"""开设工作人员账号 · Opening a staff member's account: a street officer opens a community clerk's
account with its first role in a community of their street, picked by name; the account and the
role are written together with the officer and the reason in their history, and the new clerk
can log in. Refused in words, with nothing written: a unit outside the officer's jurisdiction, a
role above their level, the resident role, a taken user name, a weak or mismatched password, no
reason. Residents and community clerks cannot reach the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from quarterhour.platform.accounts.models import Membership, User

pytestmark = pytest.mark.django_db

NEW = reverse("accounts:staff_new")
PASSWORD = "Qh-清河-2026-initial"


def as_user(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form(**over: Any) -> dict[str, Any]:
    data = {
        "username": "clerk_new",
        "display_name": "张社工",
        "phone": "13800000001",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": "community",
        "reason": "新入职社区工作人员",
    }
    data.update(over)
    return data


def test_a_street_officer_opens_a_clerks_account(world: Any) -> None:
    c = as_user(world.users["street"])
    listing = c.get(reverse("accounts:staff")).content.decode()
    assert 'id="staff-new-link"' in listing and "开设工作人员账号" in listing
    page = c.get(NEW).content.decode()
    assert 'data-picker="grant_community"' in page
    # the resident role is not offered; nothing above the street level either
    assert 'value="resident"' not in page and 'value="district"' not in page
    done = c.post(
        NEW, form(community=world.a1x.pk, **{"community__text": world.a1x.name}), follow=True
    )
    text = done.content.decode()
    assert done.status_code == 200 and "账号“clerk_new”已开设" in text
    user = User.objects.get(username="clerk_new")
    assert user.check_password(PASSWORD) and user.display_name == "张社工"
    assert list(user.memberships.values_list("role", "community_id")) == [
        ("community", world.a1x.pk)
    ]
    opened = user.history.get()
    role = Membership.history.get(user_id=user.pk)
    for rec in (opened, role):
        assert rec.history_user == world.users["street"]
        assert rec.history_change_reason == "新入职社区工作人员"
    assert "开户" in text and "新入职社区工作人员" in text  # the account's page shows its history
    # the new clerk logs in and reaches the workbench
    clerk = Client()
    login = clerk.post(reverse("login"), {"username": "clerk_new", "password": PASSWORD})
    assert login.status_code == 302
    assert clerk.get(reverse("web:home")).status_code == 200


def test_the_service_refuses_units_and_levels_beyond_the_actor(world: Any) -> None:
    """The service itself, whatever a page sends: a street officer cannot open an account in
    another street's community or with a district role; nothing is written."""
    from quarterhour.platform.accounts import services
    from quarterhour.platform.core.errors import PermissionRefused

    base = {k: v for k, v in form().items() if k not in ("password1", "password2", "role")}
    for role, unit in (
        ("community", {"community": world.a2x}),
        ("district", {"district": world.A}),
    ):
        with pytest.raises(PermissionRefused) as exc:
            services.open_staff_account(
                actor=world.users["street"], password=PASSWORD, role=role, **base, **unit
            )
        assert "只能在本辖区内授予本级或下级的职责" in str(exc.value.message)
    assert not User.objects.filter(username="clerk_new").exists()


@pytest.mark.parametrize(
    ("over", "said"),
    [
        # units outside the officer's street are not offered by the pickers; a forged id is not
        # taken either
        ({"community": "a2x"}, "请选择社区"),
        ({"role": "district", "district": "A"}, "请选择区县"),
        ({"role": "resident"}, "居民请自行注册"),
        ({"username": "street_a1"}, "该用户名已被使用"),  # the officer's own user name
        ({"password1": "123", "password2": "123"}, "密码"),
        ({"password2": "another-password-1"}, "两次输入的密码不一致"),
        ({"reason": " "}, "请填写原因"),
        ({"role": ""}, "请选择角色"),
        ({"role": "community"}, "请选择社区"),  # no community picked
    ],
)
def test_refusals_write_nothing(world: Any, over: dict[str, Any], said: str) -> None:
    units = {"a1x": world.a1x, "a2x": world.a2x, "A": world.A}
    data = form(community=world.a1x.pk)
    if over.get("role") == "community" and len(over) == 1:
        data.pop("community")
    for key, value in over.items():
        data[key] = units[value].pk if value in units and key != "username" else value
    before = (User.objects.count(), Membership.objects.count())
    answer = as_user(world.users["street"]).post(NEW, data, follow=True)
    assert answer.status_code in (200, 422) and said in answer.content.decode()
    assert (User.objects.count(), Membership.objects.count()) == before


@pytest.mark.parametrize("role", ["resident", "community", "provider"])
def test_others_cannot_open_accounts(world: Any, role: str) -> None:
    c = as_user(world.users[role])
    assert c.get(NEW).status_code == 403
    assert c.post(NEW, form(community=world.a1x.pk)).status_code == 403
    assert not User.objects.filter(username="clerk_new").exists()


def test_english_alongside(world: Any) -> None:
    c = as_user(world.users["street"])
    c.cookies["django_language"] = "en"
    page = c.get(NEW).content.decode()
    assert "Open a staff account" in page and "Initial password" in page
