"""Demo: providers being certified (服务站点认证), one at each step, as people do it.

Six providers registered by the first street (texts say 演示), each taken through the
certification's own services by the person whose step it is, on dates in the past so the
history reads as it would have happened:

* 演示家政服务点 — applied, waiting for the residents' representatives' vote (demo-community);
* 演示助老餐桌 — the vote passed, waiting for the street to sign the agreement (demo-street);
* 演示洗衣店 — agreement signed, waiting for the street to publish the notice;
* 演示维修服务部 — public notice running, with a resident's objection waiting for the street;
* 演示便民早餐店 — public notice running, no objection (residents may still object);
* 演示社区药房 — certified after a clean notice, listed in the catalogue;
* 演示快递驿站 — certified, then given a defect notice it did not correct by the deadline: the
  scheduled rule disqualified it (取消资格, with the date and the reason) and its services left
  the catalogue.

The demo provider of the map (demo-provider's own) is left uncertified, so its staff can apply.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from quarterhour.platform.demo import Demo

DAY = dt.timedelta(days=1)
HOURS = [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "20:00"}]


def _provider(demo: Demo, name: str, n: int) -> Any:
    from quarterhour.platform.catalogue.services import provider_create

    community = demo.world.communities[0]
    return provider_create(
        actor=demo.user("street"),
        street=demo.world.streets[0],
        name=name,
        community=community,
        address=f"南港街道演示路 {10 + n} 号（演示）",
        hotline=f"010-6000-20{n:02d}",
        description="演示用服务商（虚构），用于展示服务站点认证的各个环节。",
    )


def _apply(demo: Demo, provider: Any, category: str, items: list[str], at: dt.datetime) -> Any:
    from quarterhour.platform.certification.services import apply

    return apply(
        actor=demo.user("street"),
        provider=provider,
        community=demo.world.communities[0],
        category=category,
        item_codes=items,
        hotline=provider.hotline,
        opening_hours=HOURS,
        home_visit=category == "convenience",
        by_appointment=True,
        documents="营业执照（演示）\n服务承诺书（演示）\n从业人员健康证明（演示）",
        now=at,
    )


def _vote(demo: Demo, cert: Any, at: dt.datetime) -> Any:
    from quarterhour.platform.certification.services import record_meeting

    return record_meeting(
        actor=demo.user("community"),
        certification=cert,
        meeting_date=timezone.localdate(at),
        attendees=31,
        votes_for=27,
        votes_against=2,
        votes_abstain=2,
        decision="approve",
        now=at,
    )


def _sign(demo: Demo, cert: Any, at: dt.datetime) -> Any:
    from quarterhour.platform.certification.services import sign_agreement

    day = timezone.localdate(at)
    return sign_agreement(
        actor=demo.user("street"),
        certification=cert,
        signed_on=day,
        term_start=day,
        term_end=day.replace(year=day.year + 3),
        unified_sign=True,
        unified_standard=True,
        unified_management=True,
        now=at,
    )


def _notice(demo: Demo, cert: Any, at: dt.datetime, days: int) -> Any:
    from quarterhour.platform.certification.services import start_notice

    return start_notice(
        actor=demo.user("street"), certification=cert, notice_end=at + days * DAY, now=at
    )


def seed(demo: Demo) -> None:
    from quarterhour.platform.certification.services import certify, object_to
    from quarterhour.platform.evaluation.services import (
        enforce_defect_notices,
        issue_defect_notice,
    )

    now = demo.now
    made: list[str] = []

    p = _provider(demo, "演示家政服务点", 1)
    _apply(demo, p, "convenience", ["shop.housekeeping"], now - 3 * DAY)
    made.append(f"{p.name}：待居民代表会议表决")

    p = _provider(demo, "演示助老餐桌", 2)
    c = _apply(demo, p, "public", ["room.daycare", "shop.food"], now - 12 * DAY)
    _vote(demo, c, now - 5 * DAY)
    made.append(f"{p.name}：待签订协议")

    p = _provider(demo, "演示洗衣店", 3)
    c = _apply(demo, p, "convenience", ["shop.laundry"], now - 20 * DAY)
    _vote(demo, c, now - 14 * DAY)
    _sign(demo, c, now - 4 * DAY)
    made.append(f"{p.name}：待发布公示")

    p = _provider(demo, "演示维修服务部", 4)
    c = _apply(demo, p, "convenience", ["shop.convenience"], now - 25 * DAY)
    _vote(demo, c, now - 18 * DAY)
    _sign(demo, c, now - 10 * DAY)
    _notice(demo, c, now - 3 * DAY, 14)
    object_to(
        actor=demo.user("resident2"),
        certification=c,
        text="（演示）该店上门维修曾多次迟到，收费与公示价格不符，请街道核实。",
        now=now - 2 * DAY,
    )
    made.append(f"{p.name}：公示中，有一条居民异议")

    p = _provider(demo, "演示便民早餐店", 5)
    c = _apply(demo, p, "convenience", ["shop.food"], now - 24 * DAY)
    _vote(demo, c, now - 17 * DAY)
    _sign(demo, c, now - 9 * DAY)
    _notice(demo, c, now - 2 * DAY, 14)
    made.append(f"{p.name}：公示中")

    p = _provider(demo, "演示社区药房", 6)
    c = _apply(demo, p, "convenience", ["shop.pharmacy"], now - 90 * DAY)
    _vote(demo, c, now - 80 * DAY)
    _sign(demo, c, now - 70 * DAY)
    _notice(demo, c, now - 65 * DAY, 7)
    certify(actor=demo.user("street"), certification=c, now=now - 57 * DAY)
    made.append(f"{p.name}：已认证")

    p = _provider(demo, "演示快递驿站", 7)
    c = _apply(demo, p, "convenience", ["shop.post"], now - 120 * DAY)
    _vote(demo, c, now - 110 * DAY)
    _sign(demo, c, now - 100 * DAY)
    _notice(demo, c, now - 95 * DAY, 7)
    certify(actor=demo.user("street"), certification=c, now=now - 87 * DAY)
    issue_defect_notice(
        actor=demo.user("street"),
        provider=p,
        defect="（演示）包裹长期堆放在人行道上，居民多次投诉，要求清理并设置室内存放点。",
        correct_by=now - 8 * DAY,
        now=now - 38 * DAY,
    )
    enforce_defect_notices(now=now - 7 * DAY)
    made.append(f"{p.name}：逾期未整改，已取消资格")

    demo.say("服务站点认证 / certification: " + "；".join(made))
