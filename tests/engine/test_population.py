"""Communities, their areas (polygons or derived by walking) and origins from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from quarterhour.engine._errors import InputError, InputErrors
from quarterhour.engine.coords import gcj02_to_wgs84
from quarterhour.engine.network import WalkNetwork, build_network
from quarterhour.engine.population import (
    Communities,
    areas_from_polygons,
    derived_areas,
    join_population,
    origins_from_areas,
    read_adcode_csv,
    read_communities,
    zone_of_points,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
M_LON = 1 / (111_195.0 * np.cos(np.radians(39.9)))  # degrees of longitude per metre at 39.9°N
M_LAT = 1 / 111_195.0


def line_network() -> WalkNetwork:
    """0 —100 m— 1 — 2 — … — 10 along a parallel (lengths given exactly)."""
    lon = 116.3 + np.arange(11) * 100 * M_LON
    lat = np.full(11, 39.9)
    return build_network(
        lon, lat, np.arange(10), np.arange(1, 11), edge_length_m=np.full(10, 100.0)
    )


def test_derived_areas_nearest_centre_by_walk() -> None:
    net = line_network()
    # centres 10 m north of nodes 2 and 7
    lon = 116.3 + np.array([200.0, 700.0]) * M_LON
    lat = 39.9 + np.array([10.0, 10.0]) * M_LAT
    areas = derived_areas(net, lon, lat)
    assert areas.derived
    assert areas.node_community.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert areas.distance_m[0] == pytest.approx(210.0, abs=0.05)
    assert areas.distance_m[5] == pytest.approx(210.0, abs=0.05)
    assert areas.without_area == ()


def test_centre_off_network_gets_no_area() -> None:
    net = line_network()
    areas = derived_areas(net, [116.3, 117.0, np.nan], [39.9, 39.9, np.nan])
    assert areas.without_area == (1, 2)
    assert set(areas.node_community.tolist()) == {0}


def test_origins_spread_by_frontage() -> None:
    net = line_network()
    comms = Communities(
        code=("a", "b"),
        name=("甲社区", "乙社区"),
        population=np.array([900.0, 1100.0]),
        lon=np.array([116.3 + 200 * M_LON, 116.3 + 700 * M_LON]),
        lat=np.array([39.9, 39.9]),
        groups={"elderly": np.array([90.0, 0.0])},
    )
    areas = derived_areas(net, comms.lon, comms.lat)
    co = origins_from_areas(net, comms, areas)
    # community a: nodes 0..4, frontage 50,100,100,100,100 m of 450 m
    assert co.origins.weight[:5].tolist() == pytest.approx([100.0, 200.0, 200.0, 200.0, 200.0])
    assert co.origins.weight[5:].sum() == pytest.approx(1100.0)
    assert co.zone.tolist() == [0] * 5 + [1] * 6
    assert co.groups["elderly"][:5].tolist() == pytest.approx([10.0, 20.0, 20.0, 20.0, 20.0])
    assert co.origins.node is not None and co.origins.node.tolist() == list(range(11))


def test_polygons_without_network_nodes_are_named() -> None:
    net = line_network()
    inside = shapely.box(116.3 - 1e-5, 39.9 - 1e-4, 116.3 + 350 * M_LON, 39.9 + 1e-4)
    far = shapely.box(117.0, 40.0, 117.1, 40.1)
    areas = areas_from_polygons(net, [inside, None], source="c.csv")
    assert areas.node_community.tolist() == [0, 0, 0, 0] + [-1] * 7
    assert not areas.derived and areas.without_area == (1,)
    with pytest.raises(InputError, match="polygon_off_network") as err:
        areas_from_polygons(net, [inside, far], source="c.csv")
    assert err.value.problem.row == 2


def test_zone_of_points_uses_the_nearer_edge_end() -> None:
    net = line_network()
    areas = derived_areas(net, [116.3 + 200 * M_LON, 116.3 + 700 * M_LON], [39.9, 39.9])
    z = zone_of_points(net, areas, [116.3 + 440 * M_LON, 116.3 + 460 * M_LON, 118.0], [39.9] * 3)
    assert z.tolist() == [0, 1, -1]


def test_read_communities_converts_gcj02_and_collects_problems(tmp_path: Path) -> None:
    good = tmp_path / "c.csv"
    good.write_text(
        "社区代码,社区名称,常住人口,户数,老年人,经度,纬度\n"
        "110102001001,南北长街社区,3200,1200,700,116.3912,39.9107\n",
        encoding="utf-8",
    )
    c = read_communities(good, crs="gcj02")
    wl, wa = gcj02_to_wgs84([116.3912], [39.9107])
    assert c.code == ("110102001001",) and c.name == ("南北长街社区",)
    assert (c.lon[0], c.lat[0]) == (wl[0], wa[0])
    assert c.population.tolist() == [3200.0] and c.households is not None
    assert c.groups["elderly"].tolist() == [700.0]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,population,lon,lat\nA,100,116.3,39.9\nA,50,116.3,39.9\nB,-3,116.3,39.9\nC,,116.3,39.9\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as err:
        read_communities(bad)
    assert [(p.code, p.row) for p in err.value.problems] == [
        ("duplicate_id", 3),
        ("population_invalid", 4),
        ("population_invalid", 5),
    ]


def test_adcode_roster_and_population_join(tmp_path: Path) -> None:
    path = DATA / "beijing-adcode-communities-2016" / "adcode" / "110102.csv"
    if not path.exists():
        pytest.skip("shared Beijing roster not present")
    xicheng = read_adcode_csv([path])
    # SOURCE.md counts 261 社区 in 西城, 156 of them with a centre point
    assert len(xicheng) == 261
    assert int(np.isfinite(xicheng.lon).sum()) == 156
    assert xicheng.urban is not None and bool(xicheng.urban.all())
    assert xicheng.code[0] == "110102001001"
    pop = tmp_path / "pop.csv"
    rows = "\n".join(f"{c},1000,116.3,39.9" for c in xicheng.code[:-1])
    pop.write_text(
        f"code,population,lon,lat\n{rows}\n999999999999,5,116.3,39.9\n", encoding="utf-8"
    )
    with pytest.raises(InputErrors) as err:
        join_population(xicheng, read_communities(pop))
    codes = [p.code for p in err.value.problems]
    assert codes == ["unknown_community", "population_missing"]
    assert err.value.problems[0].row == 262


def test_crowded_out_centre_still_gets_its_nearest_node() -> None:
    net = line_network()
    # two centres beside node 3: the second one 5 m farther away loses every node by distance
    lon = 116.3 + np.array([300.0, 300.0, 800.0]) * M_LON
    lat = 39.9 + np.array([5.0, 10.0, 5.0]) * M_LAT
    areas = derived_areas(net, lon, lat)
    assert areas.without_area == ()
    assert areas.node_community.tolist() == [0, 0, 0, 1, 0, 0, 2, 2, 2, 2, 2]
    assert areas.distance_m[3] == pytest.approx(10.0, abs=0.05)
