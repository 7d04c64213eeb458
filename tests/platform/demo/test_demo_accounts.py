"""The demo's accounts and roles are seeded with a reason (演示数据) in their history, one row
each, so an account's page says why they exist."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from quarterhour.platform.accounts.models import Membership, User
from quarterhour.platform.demo import accounts
from quarterhour.platform.demo.world import World


def test_demo_accounts_history_says_demo_data(world, monkeypatch):
    monkeypatch.setenv("QH_DEMO_PASSWORD", "demo-password-long-1")
    demo = World(
        district=world.A,
        streets=[world.A1, world.A2],
        communities=[world.a1x, world.a1y, world.a2x],
        circles=[world.cA1],
        provider=world.pA1,
        network=None,
    )
    people = accounts.create(demo, accounts.plan(demo))
    street = people.users["street"]
    assert street.check_password("demo-password-long-1") and street.is_staff
    assert not people.users["resident"].is_staff
    assert street.display_name == "南港街道 张干事"
    seeded = [u.pk for u in people.users.values()]
    rows = User.history.filter(id__in=seeded)
    assert rows.count() == len(seeded)  # one row per account: the opening
    assert set(rows.values_list("history_change_reason", flat=True)) == {"演示数据"}
    roles = Membership.history.filter(user_id__in=seeded)
    assert roles.count() == len(seeded)
    assert set(roles.values_list("history_change_reason", flat=True)) == {"演示数据"}
    # the accounts page of the city shows why
    c = Client()
    c.force_login(world.users["city"])
    page = c.get(reverse("accounts:staff_user", args=[street.pk])).content.decode()
    history = page.split('id="account-history"')[1].split("</table>")[0]
    assert history.count("演示数据") == 2 and "开户" in history
