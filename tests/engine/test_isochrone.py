from __future__ import annotations

import pytest
import shapely

from quarterhour.engine.isochrone import PointOffNetworkError, isochrone
from tests.engine.netfixtures import line_with_branch, lonlat


def covers(area: shapely.Geometry, x: float, y: float) -> bool:
    return bool(area.covers(shapely.Point(*lonlat(x, y))))


def test_isochrone_follows_streets_not_a_hull() -> None:
    net, _ = line_with_branch()
    lon, lat = lonlat(0, 0)  # at A
    area = isochrone(net, lon, lat, limit_m=500, buffer_m=10)
    assert covers(area, 300, 0)  # B, 300 m
    assert covers(area, 490, 0)  # 490 m along B–C
    assert not covers(area, 520, 0)  # 520 m: beyond
    assert covers(area, 300, -190)  # down the branch: 300 + 190
    assert not covers(area, 300, -220)  # 520 m
    assert not covers(area, 150, -100)  # inside the block between the streets: no hull
    assert not covers(area, 50, 400)  # the disconnected part


def test_isochrone_shrinks_with_the_limit() -> None:
    net, _ = line_with_branch()
    lon, lat = lonlat(500, 20)
    big = isochrone(net, lon, lat, limit_m=1000)
    small = isochrone(net, lon, lat, limit_m=750)
    assert small.area < big.area
    assert small.difference(big).area < 1e-3 * small.area


def test_point_off_the_network_is_an_error() -> None:
    net, _ = line_with_branch()
    lon, lat = lonlat(5000, 5000)
    with pytest.raises(PointOffNetworkError):
        isochrone(net, lon, lat, limit_m=1000)
