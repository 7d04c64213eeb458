"""The demo's people: one account per role the policy names, several residents among them.

Passwords are random and printed once by ``quarterhour demo`` (or all set to
``QH_DEMO_PASSWORD`` when that is in the environment, as the journey tests do).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from typing import Any

from quarterhour.platform.demo.world import World


@dataclass(frozen=True, slots=True)
class Account:
    key: str  # how seeders find the user: "street", "resident2" …
    label: str  # the role, in words (zh / en)
    username: str
    display_name: str
    membership: dict[str, Any]
    phone: str = ""


@dataclass
class People:
    users: dict[str, Any] = field(default_factory=dict)  # key -> User
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (label, username, password)


def plan(world: World) -> list[Account]:
    c = world.communities
    return [
        Account(
            "city",
            "市级工作人员 / city staff",
            "demo-city",
            "市社会建设办 王科长",
            {"role": "city"},
        ),
        Account(
            "district",
            "区县工作人员 / district staff",
            "demo-district",
            "区社会建设办 李主任",
            {"role": "district", "district": world.district},
        ),
        Account(
            "street",
            "街道工作人员 / street officer",
            "demo-street",
            "南港街道 张干事",
            {"role": "street", "street": world.streets[0]},
        ),
        Account(
            "street2",
            "街道工作人员 / street officer",
            "demo-street2",
            "北城街道 赵干事",
            {"role": "street", "street": world.streets[1]},
        ),
        Account(
            "community",
            "社区服务站工作人员 / community clerk",
            "demo-community",
            f"{c[0].name}服务站 刘站长",
            {"role": "community", "community": c[0]},
            "010-6000-0001",
        ),
        Account(
            "community2",
            "社区服务站工作人员 / community clerk",
            "demo-community2",
            f"{c[1].name}服务站 陈站长",
            {"role": "community", "community": c[1]},
            "010-6000-0002",
        ),
        Account(
            "provider",
            "服务商工作人员 / provider staff",
            "demo-provider",
            f"{world.provider.name} 周经理",
            {"role": "provider", "provider": world.provider},
        ),
        Account(
            "resident",
            "居民 / resident",
            "demo-resident",
            "居民 孙女士",
            {"role": "resident"},
            "13800000001",
        ),
        Account(
            "resident2",
            "居民 / resident",
            "demo-resident2",
            "居民 吴先生",
            {"role": "resident"},
            "13800000002",
        ),
        Account(
            "elder",
            "老年居民 / older resident",
            "demo-elder",
            "居民 郑大爷",
            {"role": "resident"},
            "13800000003",
        ),
    ]


def create(world: World, accounts: list[Account]) -> People:
    """The accounts and their memberships, each written once with its history row saying why
    (演示数据: the demo seeded it; no person acted)."""
    from django.utils.translation import gettext as _

    from quarterhour.platform.accounts.models import Membership, User
    from quarterhour.platform.core.recording import save_audited

    fixed = os.environ.get("QH_DEMO_PASSWORD", "")
    people = People()
    reason = _("演示数据")
    for a in accounts:
        password = fixed or secrets.token_urlsafe(9)
        user = User(
            username=a.username,
            is_staff=a.membership["role"] != "resident",
            display_name=a.display_name,
            phone=a.phone,
        )
        user.set_password(password)
        save_audited(user, actor=None, reason=reason, exclude=["password"])
        save_audited(Membership(user=user, **a.membership), actor=None, reason=reason)
        people.users[a.key] = user
        people.rows.append((a.label, a.username, password))
    return people
