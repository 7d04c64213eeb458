"""Platform tests: Django settings for pytest-django, and a small two-district world.

The world (hand-made, so every expected value can be checked by eye)::

    西城区 110102000000 (district A)            东城区 110101000000 (district B)
    ├── 西长安街街道 110102001000 (street A1)    └── 东华门街道 110101001000 (street B1)
    │   ├── 社区 a1x 110102001001                    └── 社区 b1x 110101001001
    │   └── 社区 a1y 110102001002
    └── 新街口街道 110102003000 (street A2)
        └── 社区 a2x 110102003001

Communities are 500 m squares (boundaries in GeoJSON, WGS-84). Circles: cA1 = a1x + a1y (led by
A1), cA2 = a2x, cB1 = b1x. Providers pA1 (street A1) and pB1 (street B1). Facilities fA1 (in a1x,
provider pA1, a pharmacy) and fB1 (in b1x, provider pB1).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quarterhour.platform.settings.test")
# this conftest is not an "initial" one, so pytest-django has not set Django up yet: do it here,
# before the test modules import models (the engine tests never load Django)
django.setup()

# 500 m squares: 0.0045° of latitude ≈ 500 m; longitude scaled at 39.9°N
DLAT = 0.0045
DLON = 0.0045 / 0.7668


def square(lon0: float, lat0: float, *, dlon: float = DLON, dlat: float = DLAT) -> str:
    ring = [
        [lon0, lat0],
        [lon0 + dlon, lat0],
        [lon0 + dlon, lat0 + dlat],
        [lon0, lat0 + dlat],
        [lon0, lat0],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@dataclass
class World:
    A: Any
    B: Any
    A1: Any
    A2: Any
    B1: Any
    a1x: Any
    a1y: Any
    a2x: Any
    b1x: Any
    cA1: Any
    cA2: Any
    cB1: Any
    pA1: Any
    pB1: Any
    fA1: Any
    fB1: Any
    sA1: Any
    sB1: Any
    users: dict[str, Any]


def make_user(username: str, role: str | None = None, **scope: Any) -> Any:
    from quarterhour.platform.accounts.models import Membership, User

    user = User.objects.create_user(username=username, password="pw-" + username + "-long")
    user.is_staff = role not in (None, "resident")
    user.save()
    if role is not None:
        Membership.objects.create(user=user, role=role, **scope)
    return user


def build_world() -> World:
    from quarterhour.platform.catalogue.models import Provider, Service, ServiceItem
    from quarterhour.platform.facilities.models import Facility, FacilityItem
    from quarterhour.platform.geography.models import (
        Circle,
        CircleMembership,
        Community,
        District,
        Street,
    )

    A = District.objects.create(code="110102000000", name="西城区")
    B = District.objects.create(code="110101000000", name="东城区")
    A1 = Street.objects.create(code="110102001000", district=A, name="西长安街街道")
    A2 = Street.objects.create(code="110102003000", district=A, name="新街口街道")
    B1 = Street.objects.create(code="110101001000", district=B, name="东华门街道")
    base_lon, base_lat = 116.36, 39.90

    def community(code: str, street: Any, name: str, col: int, row: int, pop: int) -> Any:
        lon0, lat0 = base_lon + col * DLON, base_lat + row * DLAT
        return Community.objects.create(
            code=code,
            street=street,
            name=name,
            population=pop,
            households=pop // 3,
            urban_rural="urban",
            centre_lon=lon0 + DLON / 2,
            centre_lat=lat0 + DLAT / 2,
            boundary_geojson=square(lon0, lat0),
        )

    a1x = community("110102001001", A1, "南北长街社区", 0, 0, 3000)
    a1y = community("110102001002", A1, "北长街社区", 1, 0, 2000)
    a2x = community("110102003001", A2, "新街口社区", 0, 1, 4000)
    b1x = community("110101001001", B1, "东华门社区", 3, 0, 5000)
    cA1 = Circle.objects.create(code="A1-1", name="长安服务圈", street=A1, status="built")
    cA2 = Circle.objects.create(code="A2-1", name="新街口服务圈", street=A2)
    cB1 = Circle.objects.create(code="B1-1", name="东华门服务圈", street=B1)
    CircleMembership.objects.create(circle=cA1, community=a1x, population_share=1.0)
    CircleMembership.objects.create(circle=cA1, community=a1y, population_share=1.0)
    CircleMembership.objects.create(circle=cA2, community=a2x, population_share=1.0)
    CircleMembership.objects.create(circle=cB1, community=b1x, population_share=1.0)
    pA1 = Provider.objects.create(name="长安便民服务社", street=A1, hotline="010-0001")
    pB1 = Provider.objects.create(name="东华门家政", street=B1, hotline="010-0002")
    fA1 = Facility.objects.create(
        key="test:fA1",
        name="长安药房",
        lon=a1x.centre_lon,
        lat=a1x.centre_lat,
        community=a1x,
        owner_kind="provider",
        provider=pA1,
    )
    FacilityItem.objects.create(facility=fA1, item_code="shop.pharmacy")
    fB1 = Facility.objects.create(
        key="test:fB1",
        name="东华门卫生站",
        lon=b1x.centre_lon,
        lat=b1x.centre_lat,
        community=b1x,
        provider=pB1,
    )
    FacilityItem.objects.create(facility=fB1, item_code="station.health")
    sA1 = Service.objects.create(provider=pA1, name="送药上门", category="convenience")
    ServiceItem.objects.create(service=sA1, item_code="shop.pharmacy")
    sB1 = Service.objects.create(provider=pB1, name="家政服务", category="convenience")
    ServiceItem.objects.create(service=sB1, item_code="shop.housekeeping")
    users = {
        "city": make_user("city", "city"),
        "district": make_user("district_a", "district", district=A),
        "street": make_user("street_a1", "street", street=A1),
        "community": make_user("community_a1x", "community", community=a1x),
        "provider": make_user("provider_pa1", "provider", provider=pA1),
        "resident": make_user("resident", "resident"),
        "superuser": None,
    }
    from quarterhour.platform.accounts.models import User

    users["superuser"] = User.objects.create_superuser("root", password="root-password-long")
    return World(
        A, B, A1, A2, B1, a1x, a1y, a2x, b1x, cA1, cA2, cB1, pA1, pB1, fA1, fB1, sA1, sB1, users
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def hsds_world(db: Any, settings: Any, tmp_path: Any) -> Any:
    """The world of the resident pages and the HSDS API (see ``hsds/world.py``)."""
    from tests.platform.hsds.world import build_hsds_world

    return build_hsds_world(settings, tmp_path)


@pytest.fixture
def page_cache(settings: Any) -> Any:
    """Production's page-fragment cache, in local memory private to this test."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-pages-{uuid.uuid4()}",
        },
    }
    from django.core.cache import caches

    return caches["pages"]


@pytest.fixture(autouse=True)
def _chinese_first() -> Any:
    """Every test starts in zh-hans, as a request does: a page answered in English (the test
    client runs the locale middleware in this thread) must not leak its language into the next
    test."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")
