"""Demo: a joint meeting (联席会议) of the first street with the units of its first circle.

Held last week and minuted by the street officer: who attended (the community station, the
provider, the resident unit), three decisions, and follow-up actions owned by the community's
clerk, the provider's manager and the street officer, with deadlines (one already done). A
second meeting is being prepared. Through the meetings' services; texts say 演示.
"""

from __future__ import annotations

import datetime as dt

from quarterhour.platform.demo import Demo


def seed(demo: Demo) -> None:
    from django.utils import timezone

    from quarterhour.platform.meetings.services import close_action, convene, record

    street = demo.user("street")
    clerk, manager = demo.user("community"), demo.user("provider")
    circle = next(c for c in demo.world.circles if c.street_id == demo.world.streets[0].pk)
    held = timezone.localtime(demo.now - dt.timedelta(days=7)).replace(
        hour=14, minute=30, second=0, microsecond=0
    )
    meeting = convene(
        actor=street,
        circle=circle,
        title="演示：第三季度一刻钟服务圈联席会议",
        held_at=held,
        agenda="1. 通报服务圈缺项评估结果\n2. 驻区单位场地错时开放安排\n3. 便民服务网点补建",
        place="南港街道办事处二楼会议室（演示）",
        invitees=[clerk, manager],
    )
    today = timezone.localdate(demo.now)
    record(
        actor=street,
        meeting=meeting,
        attendees=[
            {"name": "张干事", "organisation": "南港街道办事处（演示）", "user": street},
            {
                "name": "刘站长",
                "organisation": f"{demo.world.communities[0].name}服务站",
                "user": clerk,
            },
            {
                "name": "周经理",
                "organisation": demo.world.provider.name,
                "unit": demo.world.provider,
                "user": manager,
            },
            {"name": "王老师", "organisation": "南港第一中学（演示驻区单位）"},
        ],
        decisions=[
            "演示：中学体育馆工作日晚间和周六上午向居民开放，社区负责预约登记",
            "演示：在缺少早餐点的社区增设流动早餐车，由便民服务社承接",
            "演示：下次会议通报整改进度",
        ],
        actions=[
            {
                "description": "演示：在社区公告栏和微信群公布体育馆开放时段和预约方式",
                "owner": clerk,
                "due_on": today + dt.timedelta(days=7),
                "decision": 1,
            },
            {
                "description": "演示：提交流动早餐车选址和经营时间方案",
                "owner": manager,
                "due_on": today + dt.timedelta(days=14),
                "decision": 2,
            },
            {
                "description": "演示：整理会议纪要并报区社会建设办",
                "owner": street,
                "due_on": today,
                "decision": 3,
            },
        ],
        minutes="演示会议纪要：与会单位同意上述三项决定，明确责任人和完成期限。",
        now=held,
    )
    minuted = meeting.actions.get(owner=street)
    close_action(actor=street, action=minuted, note="演示：纪要已报送", now=demo.now)
    convene(
        actor=street,
        circle=circle,
        title="演示：第四季度联席会议（筹备中）",
        held_at=timezone.localtime(demo.now + dt.timedelta(days=21)).replace(
            hour=9, minute=30, second=0, microsecond=0
        ),
        agenda="1. 通报上次会议落实事项\n2. 年终评估安排",
        place="南港街道办事处二楼会议室（演示）",
    )
    demo.say(f"联席会议 / joint meetings: {circle.name} · 1 held (3 actions), 1 planned")
