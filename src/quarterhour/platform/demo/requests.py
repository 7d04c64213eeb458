"""Demo: asking for help (首问负责、限时办结, the 96156 community hotline).

Categories as the 96156 line takes them (家政、维修、助餐、助医、环境卫生 …) with their default
deadlines, the district's own shorter ones, and the working calendar with China's public holidays
and swapped working days; then requests in every state, owned by the demo's people: new, accepted,
answered (已答复), transferred to the provider, closed and rated, rejected, and overdue ones the
escalation job handed up to the street. An Open311 partner gets a key (printed once, like the
passwords) and posts one request through it. Everything through the requests app's services;
texts say 演示.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from quarterhour.platform.demo import Demo

#: (code, name, English name, group, kind, deadline amount, unit, description)
CATEGORIES: tuple[tuple[str, str, str, str, str, int, str, str], ...] = (
    (
        "housekeeping",
        "家政服务",
        "Housekeeping",
        "生活服务",
        "request",
        3,
        "days",
        "保洁、做饭、陪护等上门家政（演示）",
    ),
    (
        "home-repair",
        "居家维修",
        "Home repair",
        "生活服务",
        "request",
        2,
        "days",
        "水电、门窗、燃气具等上门维修（演示）",
    ),
    (
        "meals",
        "助餐服务",
        "Meals for older people",
        "养老服务",
        "request",
        1,
        "days",
        "老年餐桌、送餐上门（演示）",
    ),
    (
        "medical",
        "助医服务",
        "Help with doctors",
        "养老服务",
        "request",
        8,
        "hours",
        "陪同就医、代取药、上门巡诊预约（演示）",
    ),
    (
        "bathing",
        "助浴服务",
        "Help with bathing",
        "养老服务",
        "request",
        3,
        "days",
        "上门助浴、助浴点预约（演示）",
    ),
    (
        "sanitation",
        "环境卫生",
        "Neighbourhood cleanliness",
        "社区环境",
        "request",
        2,
        "days",
        "垃圾清运、楼道堆物、绿化（演示）",
    ),
    (
        "facility-repair",
        "公共设施报修",
        "Public facility repair",
        "社区环境",
        "request",
        3,
        "days",
        "楼道灯、健身器材、路面等公共设施损坏（演示）",
    ),
    (
        "noise",
        "噪声扰民",
        "Noise",
        "社区环境",
        "complaint",
        4,
        "hours",
        "施工、商户、邻里噪声（演示）",
    ),
    (
        "service-complaint",
        "服务质量投诉",
        "Complaint about a service",
        "监督评价",
        "complaint",
        2,
        "days",
        "对签约服务商服务质量的投诉（演示）",
    ),
    (
        "suggestion",
        "意见建议",
        "Suggestion",
        "监督评价",
        "suggestion",
        5,
        "days",
        "对社区服务圈建设的意见和建议（演示）",
    ),
)

#: the district's own, shorter deadlines (its 接诉即办 pledge)
DISTRICT_LIMITS = {"home-repair": (1, "days"), "medical": (4, "hours")}


def _categories(demo: Demo) -> dict[str, Any]:
    from quarterhour.platform.requests.configuration import save_category, set_district_deadline

    city, district = demo.user("city"), demo.user("district")
    made = {}
    for code, name, name_en, group, kind, amount, unit, description in CATEGORIES:
        made[code] = save_category(
            actor=city,
            code=code,
            name=name,
            name_en=name_en,
            group=group,
            kind=kind,
            deadline_amount=amount,
            deadline_unit=unit,
            description=description,
            keywords=name,
            remind_before_hours=2 if unit == "hours" else 4,
        )
    for code, (amount, unit) in DISTRICT_LIMITS.items():
        set_district_deadline(
            actor=district,
            category=made[code],
            district=demo.world.district,
            amount=amount,
            unit=unit,
        )
    return made


def _calendars(demo: Demo) -> str:
    from quarterhour.platform.core.errors import Invalid
    from quarterhour.platform.requests.configuration import add_statutory_days, set_calendar

    set_calendar(actor=demo.user("city"), district=None)
    years = []
    for year in (demo.now.year, demo.now.year + 1):
        for actor, district in (
            (demo.user("city"), None),
            (demo.user("district"), demo.world.district),
        ):
            try:
                add_statutory_days(actor=actor, district=district, year=year)
            except Invalid:  # not published yet
                continue
            years.append(year)
    return "、".join(str(y) for y in sorted(set(years))) or "—"


def seed(demo: Demo) -> None:
    from quarterhour.platform.open311.keys import issue_key, record_use
    from quarterhour.platform.requests import services as rs
    from quarterhour.platform.requests.escalation import escalate_overdue
    from quarterhour.platform.requests.models import Channel

    cats = _categories(demo)
    years = _calendars(demo)
    world, now = demo.world, demo.now
    c0, c1 = world.communities[0], world.communities[1]
    clerk, clerk2, staff = demo.user("community"), demo.user("community2"), demo.user("provider")
    resident, resident2, elder = demo.user("resident"), demo.user("resident2"), demo.user("elder")
    at_provider = rs.Owner("provider", provider=world.provider)

    def web(who: Any, code: str, place: Any, text: str, *, ago: timedelta = timedelta(0)) -> Any:
        return rs.submit(
            actor=who,
            category=cats[code],
            channel=Channel.WEB,
            community=place,
            lon=place.centre_lon,
            lat=place.centre_lat,
            description=text,
            contact_name=who.display_name,
            contact_phone=who.phone,
            now=now - ago,
        )

    hour = timedelta(hours=1)
    # new: waiting for the station to take it on
    web(resident, "facility-repair", c0, "演示：3 号楼 2 单元楼道灯不亮，晚上老人上下楼不方便。")
    # accepted by the clerk
    meals = web(
        elder,
        "meals",
        c0,
        "演示：想预订下周一到周五的午餐，老伴行动不便，需要送餐上门。",
        ago=2 * hour,
    )
    rs.accept(actor=clerk, request=meals, note="演示：已联系老年餐桌，明天起送餐。", now=now - hour)
    # transferred to the provider, waiting for it to accept
    house = web(
        resident, "housekeeping", c0, "演示：每周需要一次上门保洁，两室一厅。", ago=3 * hour
    )
    rs.transfer(
        actor=clerk,
        request=house,
        to=at_provider,
        reason="演示：由签约服务商上门服务",
        now=now - 2 * hour,
    )
    # transferred, accepted and answered by the provider (已答复)
    med = web(
        elder, "medical", c0, "演示：下周三上午需要人陪同去社区卫生服务中心复诊。", ago=5 * hour
    )
    rs.transfer(
        actor=clerk,
        request=med,
        to=at_provider,
        reason="演示：陪诊由服务商安排",
        now=now - 4 * hour,
    )
    rs.accept(actor=staff, request=med, now=now - 3 * hour)
    rs.reply(
        actor=staff,
        request=med,
        answer="演示：已安排陪诊员王师傅，周三 8:30 到楼下接您。",
        now=now - 2 * hour,
    )
    # closed by the provider and rated by the resident
    bath = web(resident2, "bathing", c1, "演示：家中老人需要上门助浴。", ago=timedelta(days=3))
    rs.transfer(
        actor=clerk2,
        request=bath,
        to=at_provider,
        reason="演示：助浴由服务商上门",
        now=now - timedelta(days=3) + hour,
    )
    rs.accept(actor=staff, request=bath, now=now - timedelta(days=3) + 2 * hour)
    rs.close(
        actor=staff,
        request=bath,
        resolution="演示：已上门助浴，老人状态良好。",
        now=now - timedelta(days=2),
    )
    rs.rate(
        actor=resident2,
        request=bath,
        rating=4,
        comment="演示：服务细致，来得稍晚。",
        now=now - timedelta(days=1),
    )
    # closed by the clerk and rated; another closed, still to be rated by the resident
    trash = web(
        resident,
        "sanitation",
        c0,
        "演示：小区东门垃圾桶满溢，两天没人清运。",
        ago=timedelta(days=4),
    )
    rs.accept(actor=clerk, request=trash, now=now - timedelta(days=4) + hour)
    rs.close(
        actor=clerk,
        request=trash,
        resolution="演示：已联系物业清运，并增加清运频次。",
        now=now - timedelta(days=3),
    )
    rs.rate(
        actor=resident,
        request=trash,
        rating=5,
        comment="演示：处理很快。",
        now=now - timedelta(days=2),
    )
    fix = web(resident, "home-repair", c0, "演示：厨房水龙头漏水。", ago=timedelta(days=2))
    rs.accept(actor=clerk, request=fix, now=now - timedelta(days=2) + hour)
    rs.close(
        actor=clerk,
        request=fix,
        resolution="演示：已请维修师傅上门更换水龙头。",
        now=now - timedelta(days=1),
    )
    # rejected (not the station's business)
    other = web(
        resident2, "suggestion", c1, "演示：建议把小区停车费降一半。", ago=timedelta(days=1)
    )
    rs.reject(
        actor=clerk2,
        request=other,
        reason="演示：停车收费由物业和业委会决定，已告知咨询渠道。",
        now=now - 20 * hour,
    )
    # a hotline call the clerk took (首问负责: the clerk owns it)
    rs.submit(
        actor=clerk,
        category=cats["home-repair"],
        channel=Channel.HOTLINE,
        community=c0,
        description="演示：来电反映家中电路跳闸，独居老人，请尽快上门。",
        contact_name="演示来电人 钱女士",
        contact_phone="13900000009",
        now=now - hour,
    )
    # overdue: left with the station and with the provider — the escalation job hands them up
    web(resident2, "noise", c1, "演示：楼下商户夜间装修噪声很大。", ago=timedelta(days=10))
    late = web(elder, "housekeeping", c0, "演示：需要临时做饭服务一周。", ago=timedelta(days=12))
    rs.transfer(
        actor=clerk,
        request=late,
        to=at_provider,
        reason="演示：由服务商安排",
        now=now - timedelta(days=12) + hour,
    )
    escalated = escalate_overdue(now=now)
    # an outside partner with an Open311 key, and one request it posted
    client, key = issue_key(
        actor=demo.user("city"), name="演示合作方：便民服务 App", contact="演示联系人 010-6000-0311"
    )
    rs.submit(
        actor=None,
        category=cats["sanitation"],
        channel=Channel.OPEN311,
        community=c1,
        lon=c1.centre_lon,
        lat=c1.centre_lat,
        description="演示：通过合作方 App 反映：路边绿化带有大量垃圾。",
        api_client=client,
        now=now - 30 * timedelta(minutes=1),
    )
    record_use(client, now=now - 30 * timedelta(minutes=1))
    demo.say(
        f"诉求 / requests: {len(cats)} 类别, 法定节假日 {years}; "
        f"超期升级 / escalated: {escalated}; Open311 演示密钥 / demo key ({client.name}): {key}"
    )
