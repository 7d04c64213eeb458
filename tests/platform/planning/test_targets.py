"""工作目标: the targets page counts the latest results of the viewer's jurisdiction only.

Hand-made results on the two-district world: cA1 (district A) is a demonstration circle missing
nothing; cA2 (A) misses the pharmacy; cB1 (B) misses the pharmacy and the health station. Of the
urban communities, a1x and a1y meet every required item, a2x does not, b1x does.
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from quarterhour.platform.planning.models import AssessmentRun, CircleResult, CommunityResult
from quarterhour.platform.planning.targets import targets_overview


def _results(world: Any) -> None:
    run = AssessmentRun.objects.create(
        standard="beijing-2011", walk_minutes=15, speed_kmh=4, limit_m=1000
    )
    circles = [
        (world.cA1, 10, 10, [], True),
        (world.cA2, 10, 9, ["shop.pharmacy"], False),
        (world.cB1, 10, 8, ["shop.pharmacy", "station.health"], False),
    ]
    for circle, required, met, missing, demo in circles:
        CircleResult.objects.create(
            run=run,
            circle=circle,
            population=1000,
            items_required=required,
            items_met=met,
            missing=missing,
            demonstration=demo,
        )
    for community, met in ((world.a1x, 10), (world.a1y, 10), (world.a2x, 9), (world.b1x, 10)):
        CommunityResult.objects.create(
            run=run,
            community=community,
            population=500,
            n_origins=5,
            items_required=10,
            items_met=met,
        )


def test_city_sees_every_district_and_the_gap_list(world: Any) -> None:
    _results(world)
    t = targets_overview(world.users["city"])
    rows = {d.name: d for d in t.districts}
    a, b = rows[world.A.name], rows[world.B.name]
    assert (a.circles, a.circles_assessed, a.demonstration) == (2, 2, 1)
    assert (a.urban_communities, a.urban_covered) == (3, 2)
    assert (b.circles, b.demonstration, b.urban_communities, b.urban_covered) == (1, 0, 1, 1)
    assert t.total_demonstration == 1 and t.demonstration_target == 300
    assert t.urban_share == 3 / 4 and t.urban_share_target == 0.6
    assert [(g.item_code, g.circles) for g in t.gaps] == [
        ("shop.pharmacy", 2),
        ("station.health", 1),
    ]
    assert t.gaps[0].examples == ((world.cA2.pk, world.cA2.name), (world.cB1.pk, world.cB1.name))


def test_a_street_counts_only_its_own_and_residents_are_refused(world: Any) -> None:
    _results(world)
    t = targets_overview(world.users["street"])
    assert [(d.name, d.circles, d.urban_communities, d.urban_covered) for d in t.districts] == [
        (world.A.name, 1, 2, 2)
    ]
    assert [g.item_code for g in t.gaps] == []
    c = Client()
    c.force_login(world.users["street"])
    home = c.get(reverse("web:home")).content.decode()
    assert reverse("web:targets") in home
    page = c.get(reverse("web:targets")).content.decode()
    assert "工作目标" in page and "300" in page and "已评估的服务圈没有缺项" in page
    for who in ("resident", "provider", "community"):
        c.force_login(world.users[who])
        assert c.get(reverse("web:targets")).status_code == 403
