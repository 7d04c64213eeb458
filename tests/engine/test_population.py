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


def _rect(lon0: float, lat0: float, w_m: float, h_m: float) -> list[tuple[float, float]]:
    dx, dy = w_m * M_LON, h_m * M_LAT
    return [(lon0, lat0), (lon0 + dx, lat0), (lon0 + dx, lat0 + dy), (lon0, lat0 + dy)]


def test_buildings_spread_residents_by_floor_area(tmp_path: Path) -> None:
    from quarterhour.engine.population import origins_from_buildings, read_osm_buildings

    shapes = [
        (_rect(116.3, 39.9, 20, 10), {"building": "apartments", "building:levels": "6"}),
        (_rect(116.301, 39.9, 10, 10), {"building": "house"}),  # default 2 storeys
        (_rect(116.302, 39.9, 30, 30), {"building": "yes", "shop": "supermarket"}),  # not a home
        (_rect(116.303, 39.9, 30, 30), {"building": "industrial"}),
    ]
    nodes, ways = [], []
    nid = 1
    for wid, (ring, tags) in enumerate(shapes, start=1):
        refs = []
        for lon, lat in ring:
            nodes.append(f'<node id="{nid}" lat="{lat:.9f}" lon="{lon:.9f}"/>')
            refs.append(nid)
            nid += 1
        nds = "".join(f'<nd ref="{r}"/>' for r in [*refs, refs[0]])
        tg = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        ways.append(f'<way id="{wid}">{nds}{tg}</way>')
    osm = tmp_path / "b.osm"
    osm.write_text(
        '<?xml version="1.0"?><osm version="0.6">' + "".join(nodes) + "".join(ways) + "</osm>",
        encoding="utf-8",
    )
    b = read_osm_buildings(osm)
    assert b.osm_id == ("osm:way/1", "osm:way/2")
    assert b.footprint_m2 == pytest.approx([200.0, 100.0], rel=1e-3)
    assert b.levels.tolist() == [6.0, 2.0] and b.levels_given.tolist() == [True, False]
    comms = Communities(
        code=("a", "b"), name=("甲", "乙"), population=np.array([1400.0, 50.0]),
        lon=np.array([116.3, 116.4]), lat=np.array([39.9, 39.9]),
    )  # fmt: skip
    co, without = origins_from_buildings(comms, b, np.array([0, 0]))
    # floor areas 1,200 m² and 200 m²: 1,200 and 200 residents; "b" has no building
    assert co.origins.weight.tolist() == pytest.approx([1200.0, 200.0, 50.0], rel=1e-3)
    assert co.origins.origin_id[2] == "centre:b" and without == (1,)
    assert co.zone.tolist() == [0, 0, 1]


def test_chengdu_buildings_match_a_plain_xml_count() -> None:
    import xml.etree.ElementTree as ET

    from quarterhour.engine.population import RESIDENTIAL_BUILDINGS, read_osm_buildings

    path = DATA / "chengdu-osm-2018" / "chengdu.osm"
    if not path.exists():
        pytest.skip("shared Chengdu extract not present")
    expected = 0
    for way in ET.parse(path).getroot().iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        refs = [n.get("ref") for n in way.iter("nd")]
        kind = tags.get("building")
        if kind not in RESIDENTIAL_BUILDINGS or len(refs) < 4 or refs[0] != refs[-1]:
            continue
        if kind == "yes" and any(
            k in tags for k in ("shop", "amenity", "office", "tourism", "craft")
        ):
            continue
        expected += 1
    b = read_osm_buildings(path)
    ways = sum(1 for i in b.osm_id if i.startswith("osm:way/"))
    assert ways == expected
    assert (b.footprint_m2 > 0).all()
