"""Demo: funding (经费保障) of the first street, by source and use, and a government
service-purchase contract (政府购买服务) with a certified provider.

Two providers of the street's own go through certification on the demo's clock (applied, the
residents' representatives' vote, agreement, public notice, certified): a home-care centre that
holds the purchase contract, and a housekeeping shop whose certification was later withdrawn
for cause (取消资格), so it cannot be given a contract. The street officer records this year's
funds: fiscal money for facilities and staff, a partial subsidy, the community's own money, a
donation, and the purchase paid under the contract. Through the catalogue's, certification's and
funding's services; texts say 演示.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from quarterhour.platform.demo import Demo

HOURS = [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "18:00"}]


def _certified(demo: Demo, name: str, *, item: str, category: str) -> tuple[Any, Any]:
    """A provider of the first street, registered and certified a month ago."""
    from django.utils import timezone

    from quarterhour.platform.catalogue.services import provider_create
    from quarterhour.platform.certification import services as cert
    from quarterhour.platform.certification.models import Decision

    world, street, clerk = demo.world, demo.user("street"), demo.user("community")
    home = world.communities[0]
    provider = provider_create(
        actor=street,
        street=world.streets[0],
        name=name,
        community=home,
        address="南港街道演示路 8 号（演示）",
        hotline="010-6000-2001",
        description="演示用服务商（虚构）",
    )
    day = dt.timedelta(days=1)
    applied = demo.now - 40 * day
    c = cert.apply(
        actor=street,
        provider=provider,
        community=home,
        category=category,
        item_codes=[item],
        hotline="010-6000-2001",
        opening_hours=HOURS,
        home_visit=True,
        documents="演示：营业执照、服务承诺书",
        now=applied,
    )
    c = cert.record_meeting(
        actor=clerk,
        certification=c,
        meeting_date=timezone.localdate(applied + 5 * day),
        attendees=21,
        votes_for=19,
        votes_against=1,
        votes_abstain=1,
        decision=Decision.APPROVE,
        now=applied + 5 * day,
    )
    signed = timezone.localdate(applied + 8 * day)
    c = cert.sign_agreement(
        actor=street,
        certification=c,
        signed_on=signed,
        term_start=signed,
        term_end=signed + dt.timedelta(days=3 * 365),
        unified_sign=True,
        unified_standard=True,
        unified_management=True,
        now=applied + 8 * day,
    )
    c = cert.start_notice(actor=street, certification=c, days=7, now=applied + 8 * day)
    c = cert.certify(actor=street, certification=c, now=applied + 16 * day)
    return provider, c


def seed(demo: Demo) -> None:
    from django.utils import timezone

    from quarterhour.platform.certification.services import disqualify
    from quarterhour.platform.funding.models import Source, Use
    from quarterhour.platform.funding.services import record_contract, record_fund

    street_user = demo.user("street")
    street = demo.world.streets[0]
    care, _c = _certified(
        demo, "南港居家养老服务中心（演示）", item="room.daycare", category="public"
    )
    shop, shop_cert = _certified(
        demo, "南港便民家政服务部（演示）", item="shop.housekeeping", category="convenience"
    )
    disqualify(
        actor=street_user,
        certification=shop_cert,
        reason="演示：年终评估发现服务缺陷，逾期未整改",
        now=demo.now - dt.timedelta(days=3),
    )
    today = timezone.localdate(demo.now)
    year = today.year
    contract = record_contract(
        actor=street_user,
        street=street,
        provider=care,
        number=f"NG-GM-{year}-001",
        title="演示：为辖区高龄独居老人购买居家养老上门服务",
        amount="360000.00",
        signed_on=today - dt.timedelta(days=20),
        starts_on=today - dt.timedelta(days=15),
        ends_on=today + dt.timedelta(days=350),
    )
    circle = next(c for c in demo.world.circles if c.street_id == street.pk)
    lines: list[dict[str, Any]] = [
        {"source": Source.FISCAL, "use": Use.FACILITIES, "amount": "800000.00"},
        {"source": Source.FISCAL, "use": Use.STAFF, "amount": "420000.00"},
        {"source": Source.FISCAL_SUBSIDY, "use": Use.OPERATIONS, "amount": "150000.00"},
        {"source": Source.FISCAL, "use": Use.INFORMATION, "amount": "90000.00", "circle": circle},
        {"source": Source.SELF_RAISED, "use": Use.OPERATIONS, "amount": "36000.00"},
        {
            "source": Source.DONATION_UNIT,
            "use": Use.FACILITIES,
            "amount": "50000.00",
            "donor": "南港第一中学（演示驻区单位）",
        },
        {
            "source": Source.PURCHASE,
            "use": Use.STAFF,
            "amount": "180000.00",
            "contract": contract,
        },
    ]
    total = Decimal(0)
    for line in lines:
        record_fund(actor=street_user, street=street, year=year, note="演示", **line)
        total += Decimal(line["amount"])
    demo.say(
        f"经费 / funding: {len(lines)} lines, {total} 元 · contract {contract.number} with "
        f"{care.name} · {shop.name} disqualified"
    )
