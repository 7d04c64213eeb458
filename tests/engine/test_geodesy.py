"""The engine's degree ↔ metre factors and its scalar great-circle length."""

from __future__ import annotations

import math

import pytest

from quarterhour.engine.geodesy import (
    M_PER_DEG,
    M_PER_DEG_LAT,
    degrees_for_metres,
    distance_m,
    metres_per_degree,
)
from quarterhour.engine.network import haversine_m


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_the_latitude() -> None:
    assert metres_per_degree(0.0) == (M_PER_DEG, M_PER_DEG_LAT)
    mx, my = metres_per_degree(60.0)
    assert mx == pytest.approx(M_PER_DEG / 2)
    assert my == M_PER_DEG_LAT
    assert metres_per_degree(60.0, lat_m=M_PER_DEG)[1] == M_PER_DEG


def test_the_floor_keeps_a_degree_of_longitude_finite_at_the_pole() -> None:
    assert metres_per_degree(90.0)[0] == pytest.approx(0.0, abs=1e-9)
    assert metres_per_degree(90.0, min_cos=0.1)[0] == pytest.approx(M_PER_DEG * 0.1)
    dlon, dlat = degrees_for_metres(1000.0, lat=90.0, min_cos=0.01)
    assert math.isfinite(dlon) and dlon == pytest.approx(1000.0 / (M_PER_DEG * 0.01))
    assert dlat == pytest.approx(1000.0 / M_PER_DEG_LAT)


def test_degrees_for_metres_and_back() -> None:
    dlon, dlat = degrees_for_metres(250.0, lat=39.9)
    mx, my = metres_per_degree(39.9)
    assert dlon * mx == pytest.approx(250.0)
    assert dlat * my == pytest.approx(250.0)


def test_distance_is_the_networks_haversine_for_one_pair() -> None:
    pairs = [(116.39, 39.91, 116.40, 39.92), (24.94, 60.17, 24.95, 60.16), (0.0, 0.0, 0.0, 1.0)]
    for lon1, lat1, lon2, lat2 in pairs:
        assert distance_m(lon1, lat1, lon2, lat2) == pytest.approx(
            float(haversine_m(lon1, lat1, lon2, lat2)), rel=1e-12
        )
    # a degree of a meridian on the mean sphere: 2πR / 360
    assert distance_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(111_195.08, abs=0.01)
    assert distance_m(116.4, 39.9, 116.4, 39.9) == 0.0
