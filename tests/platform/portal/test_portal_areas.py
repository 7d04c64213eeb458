"""Near me's walking area is kept per snapped place: the same place answers from memory with
what a fresh computation gives; another place, or another limit, is computed anew."""

from __future__ import annotations

from quarterhour.platform.portal import areas, walking
from tests.platform.helpers import lonlat


def test_walking_area_kept_per_snapped_place(client, hsds_world):
    areas.forget()
    lon, lat = lonlat(300, 25)  # the middle of a street
    first = client.get("/near.json", {"lon": lon, "lat": lat}).json()
    data = walking.walk_data()
    # 0.2 m further along the same street: the same snapped place, answered from memory
    near_lon, near_lat = lonlat(300.2, 25)
    got, kept = areas.walk_area_at(data, near_lon, near_lat, limit_m=1000.0)
    assert kept and got.area_m2 == first["area_m2"]
    second = client.get("/near.json", {"lon": near_lon, "lat": near_lat}).json()
    assert second["isochrone"] == first["isochrone"] and second["network"] == first["network"]
    assert second["from"] == [round(near_lon, 6), round(near_lat, 6)]
    # what is kept is what a fresh computation gives
    areas.forget()
    fresh, kept = areas.walk_area_at(data, lon, lat, limit_m=1000.0)
    assert not kept and fresh.area_m2 == first["area_m2"]
    assert client.get("/near.json", {"lon": lon, "lat": lat}).json() == first
    # another place and another limit are their own
    _other, kept = areas.walk_area_at(data, *lonlat(800, 25), limit_m=1000.0)
    assert not kept
    elderly, kept = areas.walk_area_at(data, lon, lat, limit_m=750.0)
    assert not kept and elderly.area_m2 < first["area_m2"]


def test_a_walking_area_one_worker_computed_is_read_by_the_others(client, hsds_world, page_cache):
    from unittest import mock

    areas.forget()
    lon, lat = lonlat(300, 25)
    first = client.get("/near.json", {"lon": lon, "lat": lat}).json()
    areas.forget()  # another worker: nothing kept in its own memory
    with mock.patch.object(areas, "_compute", side_effect=AssertionError("computed again")):
        again = client.get("/near.json", {"lon": lon, "lat": lat}).json()
        data = walking.walk_data()
        got, kept = areas.walk_area_at(data, lon, lat, limit_m=1000.0)
    assert again == first and kept and got.area_m2 == first["area_m2"]
    # another limit is another answer, computed
    elderly = client.get("/near.json", {"lon": lon, "lat": lat, "elderly": "1"}).json()
    assert elderly["area_m2"] < first["area_m2"]
