"""Demo: resident units (驻区单位) opening rooms to residents at off-peak hours.

A school registered with the first street opens its canteen at lunch after the staff have
eaten (low cost) and its gym in the evenings and on Saturday mornings (free), near the first two
demonstration communities, so near me lists them with their windows and a booking link. Made
through the catalogue's and the sharing app's services, by the street officer (who registers the
unit) and the communities' clerks (who record the offers). Residents have booked some of the
coming openings (one booking cancelled), so the offers show taken places and 我的预约 is not
empty. Texts say 演示.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from quarterhour.platform.demo import Demo

WEEKDAYS = (1, 2, 3, 4, 5)


def _node_near(network: Any, lon: float, lat: float) -> tuple[float, float]:
    """The walk network's node nearest to a point (so the room lies on a street)."""
    d = (network.node_lon - lon) ** 2 + ((network.node_lat - lat) * 2.0) ** 2
    k = int(np.argmin(d))
    return round(float(network.node_lon[k]), 7), round(float(network.node_lat[k]), 7)


def seed(demo: Demo) -> None:
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.catalogue.services import provider_create
    from quarterhour.platform.planning.networks import load_network
    from quarterhour.platform.sharing.models import Kind, Price
    from quarterhour.platform.sharing.services import offer

    world = demo.world
    network = load_network(world.network)
    first, second = world.communities[0], world.communities[1]
    unit = provider_create(
        actor=demo.user("street"),
        street=world.streets[0],
        name="南港第一中学（演示驻区单位）",
        kind=Provider.Kind.RESIDENT_UNIT,
        community=first,
        address="南港街道演示路 1 号（演示）",
        hotline="010-6000-1001",
        description="演示用驻区单位（虚构）：食堂和体育馆错时向居民开放。",
    )
    made = []
    lon, lat = _node_near(network, float(first.centre_lon), float(first.centre_lat))
    made.append(
        offer(
            actor=demo.user("community"),
            unit=unit,
            community=first,
            name="南港第一中学职工食堂（错时开放，演示）",
            kind=Kind.CANTEEN,
            lon=lon,
            lat=lat,
            price=Price.LOW_COST,
            price_note="每餐 12 元，60 岁以上 8 元（演示）",
            capacity=30,
            item_codes=["shop.food"],
            address="南港街道演示路 1 号 食堂一层（演示）",
            windows=[
                {"weekday": d, "start": "12:30", "end": "13:30", "slot_minutes": 0}
                for d in WEEKDAYS
            ],
        )
    )
    lon, lat = _node_near(network, float(second.centre_lon), float(second.centre_lat))
    made.append(
        offer(
            actor=demo.user("community2"),
            unit=unit,
            community=second,
            name="南港第一中学体育馆（错时开放，演示）",
            kind=Kind.SPORTS_GROUND,
            lon=lon,
            lat=lat,
            price=Price.FREE,
            capacity=20,
            item_codes=["center.sports"],
            address="南港街道演示路 1 号 体育馆（演示）",
            windows=[
                *(
                    {"weekday": d, "start": "18:00", "end": "21:00", "slot_minutes": 60}
                    for d in WEEKDAYS
                ),
                {"weekday": 6, "start": "08:00", "end": "12:00", "slot_minutes": 120},
            ],
        )
    )
    n = _book(demo, made)
    demo.say(
        f"共享场地 / shared rooms: {unit.name} · "
        + "、".join(s.name for s in made)
        + f" · {n} bookings"
    )


def _book(demo: Demo, offers: list[Any]) -> int:
    """Residents book the first openings of each offer from tomorrow on; one is cancelled."""
    from django.utils import timezone

    from quarterhour.platform.sharing.selectors import upcoming
    from quarterhour.platform.sharing.services import book, cancel

    start = timezone.localdate(demo.now) + dt.timedelta(days=1)
    who = [demo.user("resident2"), demo.user("elder")]
    made = []
    for shared in offers:
        for k, opening in enumerate(upcoming(shared, start=start, days=14)[:3]):
            made.append(
                book(
                    actor=who[k % len(who)],
                    shared=shared,
                    date=opening.date,
                    start=opening.start,
                    places=1 + k,
                    note="演示预约",
                    now=demo.now,
                )
            )
    cancel(actor=who[0], booking=made[0], reason="演示：临时有事取消")
    return len(made)
