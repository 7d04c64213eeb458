"""A world for the resident pages and the HSDS API: the conftest's communities and providers
on the 50 m grid network of the assessment tests, with a few more services and places.

Grid positions (metres from the world's south-west corner): pharmacy 长安药房 (275, 275),
day-care room 日间照料室 (575, 275), health station 东华门卫生站 (1775, 275).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.platform.conftest import World, build_world

WEEKDAYS = [{"days": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30"}]


@dataclass
class HsdsWorld(World):
    fDay: Any = None
    pC: Any = None
    sDay: Any = None
    n_services: int = 0


def build_hsds_world(settings: Any, tmp_path: Any) -> HsdsWorld:
    from quarterhour.platform.catalogue.models import Provider, Service, ServiceItem
    from quarterhour.platform.facilities.models import Facility, FacilityItem
    from quarterhour.platform.planning.networks import store_network
    from tests.platform.helpers import grid_network, lonlat

    settings.DATA_DIR = tmp_path
    settings.QH_NETWORK_DIR = tmp_path / "networks"
    base = build_world()
    w = HsdsWorld(**{k: getattr(base, k) for k in World.__dataclass_fields__})
    w.fA1.lon, w.fA1.lat = lonlat(275, 275)
    w.fA1.address = "南长街 1 号"
    w.fA1.opening_hours = WEEKDAYS
    w.fA1.phone = "010-1111"
    w.fA1.save()
    w.fB1.lon, w.fB1.lat = lonlat(1775, 275)
    w.fB1.save()
    w.fDay = Facility.objects.create(
        key="test:fDay",
        name="日间照料室",
        lon=lonlat(575, 275)[0],
        lat=lonlat(575, 275)[1],
        community=w.a1y,
        address="北长街 8 号",
        opening_hours=[{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "24:00"}],
    )
    FacilityItem.objects.create(facility=w.fDay, item_code="room.daycare")
    w.sA1.facility = w.fA1
    w.sA1.home_visit = True
    w.sA1.opening_hours = WEEKDAYS
    w.sA1.save()
    w.sDay = Service.objects.create(
        provider=w.pA1,
        name="社区课堂",
        description="ABC English corner",
        category="public",
        facility=w.fDay,
        is_free=True,
        by_appointment=True,
    )
    ServiceItem.objects.create(service=w.sDay, item_code="room.daycare")
    cut = Service.objects.create(
        provider=w.pA1,
        name="<b>特价</b>理发",
        category="convenience",
        fee_note="<script>alert(1)</script>20 元",
    )
    ServiceItem.objects.create(service=cut, item_code="shop.barber")
    w.pC = Provider.objects.create(
        name="<img src=x onerror=alert(1)>志愿队",
        street=w.A1,
        description="<i>志愿</i>",
        hotline="010-3333",
    )
    store_network(grid_network(), name="grid", attribution="测试网格 / test grid")
    w.n_services = Service.objects.count()
    return w
