"""The planning tests' worlds on the hand-checkable 50 m grid (``tests.platform.helpers``):
``graded_world`` with a pharmacy in a1x and a health station far east in b1x, ``tiled_world`` with
more facilities, some between nodes (they split their street)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quarterhour.platform.facilities.models import Facility, FacilityItem
from quarterhour.platform.planning.networks import store_network
from tests.platform.helpers import grid_network, lonlat


@pytest.fixture
def graded_world(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.QH_NETWORK_DIR = tmp_path / "networks"
    world.fA1.lon, world.fA1.lat = lonlat(275, 275)
    world.fA1.save()
    world.fB1.lon, world.fB1.lat = lonlat(1775, 275)
    world.fB1.save()
    store_network(grid_network(), name="grid")
    return world


#: (key, x m, y m, items): some on nodes, some between them
EXTRA = (
    ("test:post", 1010.0, 140.0, ("shop.post", "shop.finance")),
    ("test:school", 610.0, 475.0, ("school.citizen",)),
    ("test:market", 1560.0, 475.0, ("site.market", "shop.food")),
    ("test:toilet", 125.0, 940.0, ("site.toilet",)),
    ("test:police", 1890.0, 30.0, ("station.police",)),
    ("test:shop", 330.0, 475.0, ("shop.convenience", "shop.food")),
)


@pytest.fixture
def tiled_world(world: Any, settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path
    settings.QH_NETWORK_DIR = tmp_path / "networks"
    settings.QH_STATE_DIR = None  # DATA_DIR / "assessment-state"
    settings.QH_TILE_M = 250.0
    settings.QH_DASK_SCHEDULER = ""
    world.fA1.lon, world.fA1.lat = lonlat(275, 275)
    world.fA1.save()
    world.fB1.lon, world.fB1.lat = lonlat(1775, 275)
    world.fB1.save()
    for key, x, y, codes in EXTRA:
        lon, lat = lonlat(x, y)
        f = Facility.objects.create(key=key, name=key, lon=lon, lat=lat, community=world.a1x)
        for code in codes:
            FacilityItem.objects.create(facility=f, item_code=code)
    store_network(grid_network(), name="grid")
    return world
