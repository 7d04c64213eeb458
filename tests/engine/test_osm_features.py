"""Facilities from OSM: nodes, closed ways and multipolygons at their centroid, classified by a
callable; real Chengdu data checked against an independent xml.etree count."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from quarterhour.engine._errors import InputError
from quarterhour.engine.osm_features import read_osm_facilities
from quarterhour.engine.places import Facility
from quarterhour.engine.standards import load_standard

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "osm"
CHENGDU = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "chengdu-osm-2018" / "chengdu.osm"
)

ITEMS = {
    "school": "school",
    "kindergarten": "kindergarten",
    "pharmacy": "pharmacy",
    "hospital": "hospital",
    "toilets": "toilet",
}


def classify(tags: Mapping[str, str]) -> tuple[str, ...]:
    codes = []
    if tags.get("amenity") in ITEMS:
        codes.append(ITEMS[tags["amenity"]])
    if tags.get("amenity") == "community_centre":
        codes.append("community_centre")
        if "social_facility" in tags:
            codes.append("elderly_care")
    return tuple(codes)


CLASSIFIERS: dict[str, Callable[[], Callable[[Mapping[str, str]], tuple[str, ...]]]] = {
    "lambda": lambda: classify,
    "beijing-2011": lambda: load_standard("beijing-2011").classify_osm,
}


def by_id(facilities: list[Facility]) -> dict[str, Facility]:
    return {f.facility_id: f for f in facilities}


def test_fixture_facilities() -> None:
    found = read_osm_facilities(FIXTURES / "features.osm", classify=classify)
    assert [f.facility_id for f in found] == [
        "osm:node/1",
        "osm:node/2",
        "osm:node/3",
        "osm:node/5",
        "osm:node/6",
        "osm:way/10",
        "osm:way/30",
        "osm:relation/40",
    ]
    f = by_id(found)
    one = f["osm:node/1"]
    assert (one.name, one.lon, one.lat, one.item_codes) == ("第一小学", 0.5, 0.5, ("school",))
    assert one.source == "features.osm"
    assert one.tags == (
        ("amenity", "school"),
        ("name", "第一小学"),
        ("name:en", "No. 1 Primary School"),
    )
    assert f["osm:node/2"].name == "大药房"  # name:zh when there is no name
    assert f["osm:node/3"].name == "Corner Pharmacy"  # then name:en
    assert f["osm:node/5"].name == ""
    assert f["osm:node/5"].address == "长安街 1 北京"
    assert f["osm:node/6"].address == "北京市西城区某街 2 号"
    assert f["osm:node/6"].item_codes == ("community_centre", "elderly_care")  # 一室多用
    school = f["osm:way/10"]
    assert (school.name, school.item_codes) == ("第二中学", ("school",))
    assert school.lon == pytest.approx(0.0105, abs=1e-12)
    assert school.lat == pytest.approx(0.0005, abs=1e-12)
    toilet = f["osm:way/30"]  # a ring without area stands at the centroid of its outline
    assert toilet.lon == pytest.approx(0.0305, abs=1e-12)
    assert toilet.lat == pytest.approx(0.0, abs=1e-12)
    hospital = f["osm:relation/40"]
    assert (hospital.name, hospital.item_codes) == ("人民医院", ("hospital",))
    assert hospital.lon == pytest.approx(0.0215, abs=1e-12)
    assert hospital.lat == pytest.approx(0.0015, abs=1e-12)


def test_nothing_classified_gives_an_empty_list() -> None:
    assert read_osm_facilities(FIXTURES / "features.osm", classify=lambda t: ()) == []


def test_classifier_errors_are_not_disguised_as_file_errors() -> None:
    def broken(tags: Mapping[str, str]) -> tuple[str, ...]:
        raise ValueError("bug in the classifier")

    with pytest.raises(ValueError, match="bug in the classifier"):
        read_osm_facilities(FIXTURES / "features.osm", classify=broken)


def test_progress_and_determinism() -> None:
    calls: list[tuple[str, int, int]] = []
    a = read_osm_facilities(
        FIXTURES / "features.osm", classify=classify, progress=lambda *c: calls.append(c)
    )
    b = read_osm_facilities(FIXTURES / "features.osm", classify=classify)
    assert a == b
    assert calls[0] == ("read_facilities", 0, 0)
    assert calls[-1][0] == "read_facilities" and calls[-1][1] == calls[-1][2] > 0


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        read_osm_facilities(tmp_path / "none.osm", classify=classify)
    assert e.value.problem.code == "file_not_found"
    (tmp_path / "empty.osm.pbf").write_bytes(b"")
    with pytest.raises(InputError) as e:
        read_osm_facilities(tmp_path / "empty.osm.pbf", classify=classify)
    assert e.value.problem.code == "file_empty"
    cut = tmp_path / "cut.osm"
    cut.write_bytes(CHENGDU.read_bytes()[:50_000])
    with pytest.raises(InputError) as e:
        read_osm_facilities(cut, classify=classify)
    assert e.value.problem.code == "osm_file_corrupt"
    assert "cut.osm" in str(e.value)


def test_with_the_beijing_standard() -> None:
    standard = load_standard("beijing-2011")
    found = by_id(read_osm_facilities(FIXTURES / "features.osm", classify=standard.classify_osm))
    assert found["osm:node/2"].item_codes == ("shop.pharmacy",)
    assert found["osm:node/3"].item_codes == ("shop.pharmacy",)
    assert found["osm:way/30"].item_codes == ("site.toilet",)
    assert found["osm:way/30"].lon == pytest.approx(0.0305, abs=1e-12)
    assert "osm:node/4" not in found  # a bench serves no item
    codes = set(standard.codes)
    assert all(set(f.item_codes) <= codes for f in found.values())


@pytest.mark.slow
@pytest.mark.parametrize("which", ["lambda", "beijing-2011"])
def test_chengdu_against_xml_count(which: str) -> None:
    """Every node, closed way and multipolygon the classifier accepts, counted with etree."""
    classify = CLASSIFIERS[which]()
    found = read_osm_facilities(CHENGDU, classify=classify)
    root = ET.parse(CHENGDU).getroot()
    expected: Counter[tuple[str, str]] = Counter()

    def tags_of(el: ET.Element) -> dict[str, str]:
        return {t.get("k", ""): t.get("v", "") for t in el.iter("tag")}

    for n in root.iter("node"):
        for code in classify(tags_of(n)):
            expected["node", code] += 1
    for w in root.iter("way"):
        refs = [nd.get("ref") for nd in w.iter("nd")]
        if len(refs) > 2 and refs[0] == refs[-1]:
            for code in classify(tags_of(w)):
                expected["way", code] += 1
    for r in root.iter("relation"):
        t = tags_of(r)
        if t.get("type") == "multipolygon":
            for code in classify(t):
                expected["relation", code] += 1
    got: Counter[tuple[str, str]] = Counter()
    for f in found:
        kind = f.facility_id.split(":")[1].split("/")[0]
        for code in f.item_codes:
            got[kind, code] += 1
    assert got == expected
    assert sum(expected.values()) > 100
    lons = [f.lon for f in found]
    lats = [f.lat for f in found]
    # inside the file's <bounds> (104.0421..104.1296, 30.6528..30.7279), give or take a
    # clipped outline
    assert min(lons) > 104.03 and max(lons) < 104.14
    assert min(lats) > 30.64 and max(lats) < 30.74
