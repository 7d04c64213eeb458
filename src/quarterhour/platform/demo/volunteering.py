"""Demo: community volunteers (社区志愿者注册登记) and mutual aid.

A resident volunteer (a demo account of its own, ``demo-volunteer``) registered with the first
community, approved by its clerk, has served an older resident's need: the hours are recorded
and confirmed, so the certificate and the volunteer list show them. A second resident's
registration waits for approval; the older resident has posted two more needs (one open, one
matched and coming). Everything through the volunteers' services, by the people who do it, on
the demo's clock; texts say 演示.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import Any

from quarterhour.platform.demo import Demo

#: weekdays and weekend daytime (the availability a volunteer gives when registering)
EVERY_DAY = [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "20:00"}]
WEEKENDS = [{"days": [6, 7], "opens": "09:00", "closes": "17:00"}]


def _volunteer_account(demo: Demo) -> None:
    """``demo-volunteer``: a resident signing up like anyone (its password printed with the
    others)."""
    from quarterhour.platform.accounts.services import sign_up_resident

    password = os.environ.get("QH_DEMO_PASSWORD", "") or secrets.token_urlsafe(9)
    user = sign_up_resident(
        username="demo-volunteer",
        display_name="居民志愿者 钱阿姨",
        phone="13800000004",
        password=password,
    )
    demo.people.users["volunteer"] = user
    demo.people.rows.append(("居民志愿者 / resident volunteer", "demo-volunteer", password))


def seed(demo: Demo) -> None:
    from django.utils import timezone

    from quarterhour.platform.volunteers.models import Organisation, Skill
    from quarterhour.platform.volunteers.services import (
        assign,
        confirm_hours,
        decide,
        post_need,
        record_hours,
        register,
    )

    _volunteer_account(demo)
    home = demo.world.communities[0]
    clerk = demo.user("community")
    elder = demo.user("elder")
    long_ago = demo.now - dt.timedelta(days=10)

    volunteer = register(
        actor=demo.user("volunteer"),
        community=home,
        name="钱阿姨（演示）",
        phone="13800000004",
        lon=float(home.centre_lon),
        lat=float(home.centre_lat),
        skills=[Skill.CARE, Skill.COMPANION],
        availability=EVERY_DAY,
        organisation=Organisation.RETIRED,
        now=long_ago,
    )
    decide(actor=clerk, volunteer=volunteer, action="approve", note="演示：审核通过", now=long_ago)
    register(
        actor=demo.user("resident2"),
        community=home,
        name="吴先生（演示）",
        phone="13800000002",
        lon=float(home.centre_lon),
        lat=float(home.centre_lat),
        skills=[Skill.REPAIR],
        availability=WEEKENDS,
        organisation=Organisation.UNIT,
        now=demo.now - dt.timedelta(days=1),
    )

    def need(text: str, skill: str, *, posted: dt.datetime, wanted: dt.datetime) -> Any:
        return post_need(
            actor=elder,
            community=home,
            recipient=elder,
            skill=skill,
            description=text,
            lon=float(home.centre_lon),
            lat=float(home.centre_lat),
            wanted_at=wanted,
            now=posted,
        )

    # served and confirmed: two hours of company a week ago
    served_at = demo.now - dt.timedelta(days=8)
    done = need(
        "演示：陪同去社区卫生服务站复查，并帮忙取药",
        Skill.COMPANION,
        posted=long_ago,
        wanted=served_at,
    )
    assign(actor=clerk, need=done, volunteer=volunteer, now=long_ago)
    record = record_hours(
        actor=demo.user("volunteer"),
        need=done,
        minutes=120,
        served_on=timezone.localdate(served_at),
        note="演示：陪同复查两小时",
        now=served_at + dt.timedelta(hours=3),
    )
    confirm_hours(actor=elder, record=record, accept=True, note="演示：谢谢钱阿姨", now=served_at)
    # matched and coming: the volunteer's to-do
    soon = timezone.localtime(demo.now + dt.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    coming = need("演示：每周买菜送上门（三楼，无电梯）", Skill.CARE, posted=demo.now, wanted=soon)
    assign(actor=clerk, need=coming, volunteer=volunteer, now=demo.now)
    # open: waiting for a volunteer (the clerk's to-do)
    later = soon + dt.timedelta(days=1)
    need("演示：周末陪老人聊天、读报一小时", Skill.COMPANION, posted=demo.now, wanted=later)
    demo.say("志愿者 / volunteers: 1 approved (120 min confirmed), 1 pending · 3 needs")
