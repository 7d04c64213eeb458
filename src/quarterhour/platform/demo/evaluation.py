"""Demo: residents' views and the year-end evaluation (社会监督评价), as people do it.

* a satisfaction survey of the first circle, open now, answered by two residents (demo-resident2
  and demo-elder; demo-resident has not answered yet);
* feedback the first community's service station collected about the map's demo provider and
  forwarded to it — a praise the provider replied to, a complaint waiting for its reply;
* democratic reviews (民主评议) by residents' representatives of the certified pharmacy;
* this year's evaluation of the certified pharmacy and of the demo provider: scores with their
  reasons, published, the pharmacy rewarded (表彰).

Run after :mod:`.certification` (it evaluates the provider certified there).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from quarterhour.platform.demo import Demo

DAY = dt.timedelta(days=1)


def seed(demo: Demo) -> None:
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.evaluation import services as ev
    from quarterhour.platform.geography.models import Circle

    now = demo.now
    today = timezone.localdate(now)
    world = demo.world
    shop = world.provider
    pharmacy = Provider.objects.get(name="演示社区药房")
    circle = Circle.objects.filter(memberships__community=world.communities[0]).first()
    assert circle is not None

    survey = ev.open_survey(
        actor=demo.user("street"),
        circle=circle,
        title=f"{today.year} 年居民满意度调查（演示）",
        opens_on=today - 10 * DAY,
        closes_on=today + 30 * DAY,
        now=now - 10 * DAY,
    )
    for key, provider, score, comment in (
        ("resident2", shop, 5, "（演示）理发师傅上门很准时。"),
        ("resident2", pharmacy, 4, "（演示）药品齐全，晚上也开门。"),
        ("elder", shop, 4, "（演示）价格公道。"),
        ("elder", pharmacy, 5, "（演示）店员耐心讲解用药。"),
    ):
        ev.answer_survey(
            actor=demo.user(key),
            survey=survey,
            provider=provider,
            score=score,
            comment=comment,
            now=now - 2 * DAY,
        )

    clerk = demo.user("community")
    praise = ev.collect_feedback(
        actor=clerk,
        provider=shop,
        kind="praise",
        rating=5,
        text="（演示）居民孙女士表扬上门理发服务周到，为行动不便的老人专门预约了上午时段。",
        circle=circle,
        resident_name="孙女士（演示）",
        now=now - 9 * DAY,
    )
    ev.forward_feedback(actor=clerk, feedback=praise, now=now - 9 * DAY)
    ev.reply_feedback(
        actor=demo.user("provider"),
        feedback=praise,
        reply="（演示）感谢居民认可，我们会继续保留老人专场预约。",
        now=now - 8 * DAY,
    )
    complaint = ev.collect_feedback(
        actor=clerk,
        provider=shop,
        kind="complaint",
        rating=2,
        text="（演示）居民反映周末预约电话无人接听。",
        circle=circle,
        resident_name="吴先生（演示）",
        now=now - 3 * DAY,
    )
    ev.forward_feedback(actor=clerk, feedback=complaint, now=now - 3 * DAY)

    for rep, verdict, comment in (
        ("居民代表 李（演示）", "satisfied", "（演示）服务规范，价格公示清楚。"),
        ("居民代表 王（演示）", "satisfied", "（演示）夜间购药方便。"),
        ("居民代表 何（演示）", "basic", "（演示）高峰时段排队较长。"),
    ):
        ev.record_review(
            actor=clerk,
            provider=pharmacy,
            year=today.year,
            representative=rep,
            verdict=verdict,
            comment=comment,
            now=now - 6 * DAY,
        )

    street = demo.user("street")
    best = ev.evaluate(
        actor=street,
        provider=pharmacy,
        year=today.year,
        committee_note="（演示）社区监督委员会：服务规范，居民满意度高。",
        now=now - DAY,
    )
    ev.publish(actor=street, evaluation=best, now=now - DAY)
    ev.reward(actor=street, evaluation=best, note=f"{today.year} 年度优秀服务站点（演示）")
    other = ev.evaluate(
        actor=street,
        provider=shop,
        year=today.year,
        committee_note="（演示）社区监督委员会：周末预约电话需改进。",
        now=now - DAY,
    )
    ev.publish(actor=street, evaluation=other, now=now - DAY)
    demo.say(
        f"监督评价 / evaluation: {survey.title}（4 份答卷）· 意见反馈 2 条 · "
        f"年度评价 {pharmacy.name} {best.score} 分（表彰）、{shop.name} {other.score} 分"
    )
