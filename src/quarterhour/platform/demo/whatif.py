"""Demo: a saved what-if scenario (假设分析方案) on the first street's first circle.

The street officer tries a new facility of an item the circle misses, at the street node
nearest the circle's middle, and keeps the scenario (hypothetical: the register is not
touched); a second scenario, also adding the next missing item, is promoted into the plan, so
the circle's proposed sites are listed. The district officer keeps a district scenario
(全区方案): the same first site, and a site of the same item in the middle of another street's
first circle. Made through the planning services; names say 演示.
"""

from __future__ import annotations

from typing import Any

from quarterhour.platform.demo import Demo
from quarterhour.platform.demo.sharing_rooms import _node_near


def _middle(network: Any, circle: Any) -> tuple[float, float]:
    """The street node nearest the middle of the circle's communities' centres."""
    members = [m.community for m in circle.memberships.all()]
    lon = sum(float(c.centre_lon) for c in members) / len(members)
    lat = sum(float(c.centre_lat) for c in members) / len(members)
    return _node_near(network, lon, lat)


def seed(demo: Demo) -> None:
    from quarterhour.platform.core import standard
    from quarterhour.platform.planning.models import CircleResult
    from quarterhour.platform.planning.networks import load_network
    from quarterhour.platform.planning.scenarios import (
        district_scenario_save,
        scenario_move,
        scenario_save,
    )
    from quarterhour.platform.planning.whatif import HypoChange

    world = demo.world
    street = world.streets[0]
    circle = next(c for c in world.circles if c.street_id == street.pk)
    result = CircleResult.objects.filter(circle=circle, is_latest=True).first()
    walk = [i.code for i in standard.walk_items()]
    missing = [c for c in (result.missing if result else []) if c in walk][:2]
    if not missing:
        demo.say("假设分析演示：该服务圈没有缺少的项目，未生成方案")
        return
    network = load_network(world.network)
    lon, lat = _middle(network, circle)
    officer = demo.user("street")
    first = HypoChange(
        "add",
        items=(missing[0],),
        lon=lon,
        lat=lat,
        name=f"拟建{standard.item_label(missing[0])}（演示）",
    )
    scenario_save(
        actor=officer,
        circle=circle,
        name=f"演示方案：在{circle.name}中部增设{standard.item_label(missing[0])}",
        changes=[first],
        is_demo=True,
    )
    changes = [first]
    if len(missing) > 1:
        lon2, lat2 = _node_near(network, lon + 0.002, lat + 0.001)
        changes.append(
            HypoChange(
                "add",
                items=(missing[1],),
                lon=lon2,
                lat=lat2,
                name=f"拟建{standard.item_label(missing[1])}（演示）",
            )
        )
    both = scenario_save(
        actor=officer,
        circle=circle,
        name="演示方案：补齐两项缺口（已纳入规划）",
        changes=changes,
        is_demo=True,
    )
    scenario_move(actor=officer, scenario=both, action="promote")
    demo.say(f"假设分析演示 / what-if demo: 2 scenarios on {circle.name}")
    district = street.district
    sites = [first]
    other = next((c for c in world.circles if c.street_id != street.pk), None)
    if other is not None:
        lon3, lat3 = _middle(network, other)
        sites.append(
            HypoChange(
                "add",
                items=(missing[0],),
                lon=lon3,
                lat=lat3,
                name=f"拟建{standard.item_label(missing[0])}（演示，{other.name}）",
            )
        )
    district_scenario_save(
        actor=demo.user("district"),
        district=district,
        name=f"演示全区方案：{len(sites)} 处增设{standard.item_label(missing[0])}",
        changes=sites,
        is_demo=True,
    )
    demo.say(f"全区假设分析演示 / district what-if demo: 1 scenario on {district.name}")
