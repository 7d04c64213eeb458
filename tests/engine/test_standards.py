"""The facility standards: shipped files, the Beijing 30 items, matchers, and schema errors."""

from __future__ import annotations

import pickle
import xml.etree.ElementTree as ET
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from quarterhour.engine._errors import StandardError
from quarterhour.engine.standards import (
    DEFAULT_STANDARD,
    Standard,
    StandardFileError,
    list_standards,
    load_standard,
    normalise_text,
    parse_osm_rule,
)

CHENGDU_OSM = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "chengdu-osm-2018"
CHENGDU_OSM = CHENGDU_OSM / "chengdu.osm"


@pytest.fixture(scope="module")
def beijing() -> Standard:
    return load_standard("beijing-2011")


# ---- shipped files --------------------------------------------------------------------------


def test_shipped_standards_are_listed_and_all_load() -> None:
    assert list_standards() == ("beijing-2011", "gb50180-2018", "mofcom-2021")
    assert DEFAULT_STANDARD == "beijing-2011"
    loaded = {name: load_standard(name) for name in list_standards()}
    assert {name: std.code for name, std in loaded.items()} == {
        "beijing-2011": "beijing-2011",
        "gb50180-2018": "gb50180-2018",
        "mofcom-2021": "mofcom-2021",
    }
    assert {name: len(std.items) for name, std in loaded.items()} == {
        "beijing-2011": 30,
        "gb50180-2018": 47,
        "mofcom-2021": 19,
    }
    for std in loaded.values():
        assert len(set(std.codes)) == len(std.items)
        for it in std.items:  # every item names its scope in both languages
            assert it.scope_reason_zh and it.scope_reason_en
            assert it.osm or (it.osm_note_zh and it.osm_note_en)


def test_default_and_path_loading_give_the_same_standard(tmp_path: Path) -> None:
    default = load_standard()
    assert default.code == "beijing-2011"
    copy = tmp_path / "my-city.toml"
    shipped = resources.files("quarterhour.engine.standard_files") / "beijing-2011.toml"
    copy.write_bytes(shipped.read_bytes())
    by_path = load_standard(copy)
    by_str = load_standard(str(copy))
    assert by_path == default == by_str
    assert by_path.path == str(copy)


# ---- the Beijing 2011 attachment ------------------------------------------------------------


def test_beijing_has_the_30_items_in_the_attachments_groups(beijing: Standard) -> None:
    assert len(beijing.items) == 30
    assert [(g.code, g.name_zh) for g in beijing.groups] == [
        ("school", "一校"),
        ("board", "二栏"),
        ("center", "三中心"),
        ("site", "四场"),
        ("room", "五室"),
        ("station", "六站"),
        ("shop", "九网点"),
    ]
    counts = Counter(it.group for it in beijing.items)
    assert [counts[g.code] for g in beijing.groups] == [1, 2, 3, 4, 5, 6, 9]
    assert sum(counts.values()) == 1 + 2 + 3 + 4 + 5 + 6 + 9
    # every code is "<group>.<thing>"
    assert all(it.code.split(".")[0] == it.group for it in beijing.items)
    assert [it.name_zh for it in beijing.items_in_group("room")] == [
        "社区党组织办公室",
        "居委会办公室",
        "图书阅览室",
        "人民调解室",
        "日间照料室",
    ]
    assert [it.name_zh for it in beijing.items_in_group("station")] == [
        "社区服务站",
        "卫生服务站",
        "警务工作室",
        "巡防工作站",
        "来京人员和出租房屋服务站",
        "再生资源回收站",
    ]
    assert [it.name_zh for it in beijing.items_in_group("shop")] == [
        "餐饮店",
        "便利店",
        "理发店",
        "洗(收)衣店",
        "药店",
        "金融网点",
        "邮政网点",
        "家政服务点",
        "公用电话亭",
    ]


def test_beijing_walk_scope_per_item(beijing: Standard) -> None:
    inside = {it.code for it in beijing.items if not it.walk_applies}
    assert inside == {
        "board.publicity",
        "board.affairs",
        "site.waste",
        "room.party",
        "room.committee",
        "room.mediation",
        "station.patrol",
    }
    assert len(beijing.walk_items()) == 23
    assert all(it.walk_applies for it in beijing.walk_items())


def test_beijing_alternates_and_included_parts(beijing: Standard) -> None:
    def alts(code: str) -> list[str]:
        return [a.name_zh for a in beijing.item(code).alternates]

    def parts(code: str) -> list[str]:
        return [a.name_zh for a in beijing.item(code).includes]

    assert alts("school.citizen") == ["社区老年学校", "社区党校"]
    assert alts("room.reading") == ["社区书屋"]
    assert alts("room.daycare") == ["托老所", "托残所"]
    assert alts("station.migrant") == ["新居民互助服务站"]
    assert alts("shop.convenience") == ["小超市"]
    assert parts("center.indoor") == ["文体活动室", "党员活动室", "会议室"]
    assert parts("center.sports") == ["全民健身工程"]
    assert parts("site.parking") == ["存自行车处", "居民汽车场库"]
    assert parts("shop.food") == ["养老餐桌", "助残餐桌"]
    assert parts("shop.finance") == ["自助缴费点"]


def test_beijing_service_categories(beijing: Standard) -> None:
    assert [(c.code, c.name_zh) for c in beijing.categories] == [
        ("public", "社区公共服务"),
        ("volunteer", "志愿互助服务"),
        ("convenience", "便民利民服务"),
        ("special", "特色服务"),
    ]
    assert [len(c.services) for c in beijing.categories] == [9, 8, 10, 0]
    assert [s.name_zh for s in beijing.category("volunteer").services] == [
        "生活照料",
        "家庭应急抢修",
        "扶贫济困",
        "医疗保健",
        "法律援助",
        "社区巡逻",
        "矛盾调解",
        "精神关怀",
    ]
    assert beijing.category("public").facility_items == (
        "station.service",
        "station.health",
        "station.police",
        "station.migrant",
    )
    assert beijing.category("special").note_zh.startswith("政策未列举具体项目")


def test_beijing_targets_threshold_and_demonstration_rule(beijing: Standard) -> None:
    t = beijing.targets
    assert (t.demonstration_circles, t.demonstration_year) == (300, 2011)
    assert (t.urban_community_share, t.urban_community_year) == (0.6, 2015)
    assert t.circle_population == 15000
    assert beijing.share_threshold == 0.9
    assert {it.share_threshold for it in beijing.items} == {0.9}
    walk_codes = [it.code for it in beijing.walk_items()]
    assert [it.code for it in beijing.demonstration_items()] == walk_codes
    assert beijing.is_demonstration(walk_codes) is True
    assert beijing.is_demonstration(walk_codes[1:]) is False
    # in-community items do not count under the default rule
    assert beijing.is_demonstration([*walk_codes, "room.committee"]) is True


def test_walking_limits(beijing: Standard) -> None:
    w = beijing.walking
    assert (w.minutes, w.speed_kmh, w.elderly_speed_kmh) == (15.0, 4.0, 3.0)
    assert w.limit_m() == 1000.0
    assert w.limit_m(elderly=True) == 750.0
    assert w.limit_m(minutes=30) == 2000.0
    assert w.limit_m(speed_kmh=4.8) == 1200.0
    assert w.limit_m(elderly=True, minutes=10) == 500.0
    with pytest.raises(ValueError, match="positive"):
        w.limit_m(minutes=0)


# ---- OSM classification ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "codes"),
    [
        ({"amenity": "pharmacy", "name": "老百姓大药房"}, ("shop.pharmacy",)),
        ({"healthcare": "pharmacy"}, ("shop.pharmacy",)),
        ({"shop": "hairdresser"}, ("shop.barber",)),
        ({"amenity": "post_office", "name": "中国邮政"}, ("shop.post",)),
        ({"amenity": "post_box"}, ()),
        ({"shop": "convenience"}, ("shop.convenience",)),
        ({"shop": "supermarket;convenience"}, ("shop.convenience",)),
        ({"amenity": "marketplace"}, ("site.market",)),
        ({"amenity": "toilets"}, ("site.toilet",)),
        ({"amenity": "toilets", "access": "customers"}, ()),
        ({"amenity": "toilets", "access": "yes"}, ("site.toilet",)),
        ({"amenity": "bank"}, ("shop.finance",)),
        ({"amenity": "atm"}, ("shop.finance",)),
        ({"amenity": "telephone"}, ("shop.phone",)),
        ({"amenity": "library"}, ("room.reading",)),
        ({"amenity": "police"}, ("station.police",)),
        ({"amenity": "community_centre"}, ("center.indoor",)),
        ({"leisure": "fitness_station"}, ("center.sports",)),
        ({"amenity": "restaurant", "cuisine": "chinese"}, ("shop.food",)),
        ({"shop": "laundry"}, ("shop.laundry",)),
        ({"amenity": "recycling", "recycling_type": "container"}, ("site.waste",)),
        ({"amenity": "recycling", "recycling_type": "centre"}, ("station.recycling",)),
        ({"amenity": "social_facility", "social_facility": "day_care"}, ("room.daycare",)),
        ({"amenity": "social_facility", "social_facility": "food_bank"}, ()),
        ({"amenity": "clinic"}, ("station.health",)),
        ({"amenity": "hospital", "name": "四川省人民医院"}, ()),
        ({"amenity": "hospital", "name": "玉林社区卫生服务中心"}, ("station.health",)),
        ({"office": "government", "name": "什刹海街道西海社区居委会"}, ("room.committee",)),
        ({"name": "ＸＸ社区居委会"}, ("room.committee",)),
        ({"amenity": "notice_board"}, ("board.publicity",)),
        ({"amenity": "notice_board", "name": "居务公开栏"}, ("board.affairs",)),
        # 一室多用: one place, several items
        ({"amenity": "community_centre", "name": "社区书屋"}, ("center.indoor", "room.reading")),
        ({"highway": "residential", "name": "药店街"}, ()),
        ({}, ()),
    ],
)
def test_classify_osm(beijing: Standard, tags: dict[str, str], codes: tuple[str, ...]) -> None:
    assert beijing.classify_osm(tags) == codes


def _chengdu_objects() -> list[dict[str, str]]:
    objects: list[dict[str, str]] = []
    for _, elem in ET.iterparse(CHENGDU_OSM, events=("end",)):
        if elem.tag in ("node", "way", "relation"):
            tags = {t.get("k", ""): t.get("v", "") for t in elem.findall("tag")}
            if tags:
                objects.append(tags)
            elem.clear()
    return objects


def test_classify_osm_on_the_real_chengdu_extract(beijing: Standard) -> None:
    objects = _chengdu_objects()
    found = Counter(code for tags in objects for code in beijing.classify_osm(tags))
    # the same counts, taken directly from the tags
    pharmacies = sum(
        1 for t in objects if t.get("amenity") == "pharmacy" or t.get("healthcare") == "pharmacy"
    )
    posts = sum(1 for t in objects if t.get("amenity") == "post_office")
    toilets = sum(
        1
        for t in objects
        if t.get("amenity") == "toilets" and t.get("access") not in ("private", "no", "customers")
    )
    banks = sum(1 for t in objects if t.get("amenity") in ("bank", "atm"))
    assert (found["shop.pharmacy"], found["shop.post"]) == (pharmacies, posts)
    assert (found["site.toilet"], found["shop.finance"]) == (toilets, banks)
    assert pharmacies == 4 and posts == 4 and banks == 20
    # no object of the extract is a street or building classified by accident
    for tags in objects:
        if "highway" in tags and "amenity" not in tags and "shop" not in tags:
            assert beijing.classify_osm(tags) == ()


def test_osm_rule_syntax() -> None:
    rule = parse_osm_rule("amenity=social_facility & social_facility=day_care|nursing_home")
    assert [(c.key, c.op, c.values) for c in rule.conditions] == [
        ("amenity", "=", ("social_facility",)),
        ("social_facility", "=", ("day_care", "nursing_home")),
    ]
    assert rule.matches({"amenity": "social_facility", "social_facility": "nursing_home"})
    assert not rule.matches({"amenity": "social_facility"})
    assert parse_osm_rule("healthcare=*").matches({"healthcare": "dentist"})
    assert not parse_osm_rule("healthcare=*").matches({"amenity": "dentist"})
    absent = parse_osm_rule("shop=* & disused!=*")
    assert absent.matches({"shop": "bakery"}) and not absent.matches(
        {"shop": "x", "disused": "yes"}
    )
    contains = parse_osm_rule("name~药房 & name!~兽")
    assert contains.matches({"name": "同仁堂大药房"})
    assert not contains.matches({"name": "兽药房"})
    for bad in ("amenity", "amenity=", "=pharmacy", "access!=private", "name~*", "a=b & "):
        with pytest.raises(ValueError):
            parse_osm_rule(bad)


# ---- category text classification ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # AMap 大类;中类;小类 (prefix matchers), with full-width separators and spaces
        ("医疗保健服务;医药保健销售店;药房", ("shop.pharmacy",)),
        ("医疗保健服务；医药保健销售店；药房", ("shop.pharmacy",)),
        (" 购物服务 ; 便民商店/便利店 ; 便民商店/便利店 ", ("shop.convenience",)),
        ("购物服务;超级市场;超市", ("shop.convenience",)),
        ("生活服务;邮局;邮局", ("shop.post",)),
        # the type alone does not tell a hairdresser from a beauty or nail salon: classify_poi
        # reads the name (test_classify_poi_reads_names_where_the_type_is_too_coarse)
        ("生活服务;美容美发店;美容美发店", ()),
        ("餐饮服务;中餐厅;四川菜(川菜)", ("shop.food",)),
        ("购物服务;综合市场;蔬菜市场", ("site.market",)),
        ("公共设施;公共厕所;公共厕所", ("site.toilet",)),
        ("交通设施服务;停车场;公共停车场", ("site.parking",)),
        ("金融保险服务;自动提款机;中国银行ATM", ("shop.finance",)),
        (
            "餐饮服务;快餐厅;快餐厅|购物服务;便民商店/便利店;便民商店/便利店",
            ("shop.food", "shop.convenience"),
        ),
        ("医疗保健服务;医药保健销售店;医疗保健用品", ()),
        ("汽车服务;加油站;中国石化", ()),
        # item names, alternates, included parts, codes, English
        ("药店", ("shop.pharmacy",)),
        ("社区党校", ("school.citizen",)),
        ("社区书屋", ("room.reading",)),
        ("新居民互助服务站", ("station.migrant",)),
        ("托老(残)所", ("room.daycare",)),
        ("洗(收)衣店", ("shop.laundry",)),
        ("洗（收）衣店", ("shop.laundry",)),
        ("自助缴费点", ("shop.finance",)),
        ("shop.pharmacy", ("shop.pharmacy",)),
        ("SHOP.PHARMACY", ("shop.pharmacy",)),
        ("Pharmacy", ("shop.pharmacy",)),
        ("Citizens' School", ("school.citizen",)),
        ("Post office", ("shop.post",)),
        ("ＡＴＭ", ("shop.finance",)),
        # keywords inside longer text; the longest keyword wins over the one it contains
        ("连锁药店", ("shop.pharmacy",)),
        ("社区卫生服务站", ("station.health",)),
        ("社区服务站", ("station.service",)),
        ("公共卫生间", ("site.toilet",)),
        ("24h convenience store", ("shop.convenience",)),
        # several categories in one cell (一室多用)
        ("理发店、药店", ("shop.barber", "shop.pharmacy")),
        ("图书阅览室 | 日间照料室", ("room.reading", "room.daycare")),
        # unknown → empty, callers report it
        ("汽车美容", ()),
        ("zoo", ()),
        ("", ()),
        ("   ", ()),
    ],
)
def test_classify_category(beijing: Standard, text: str, codes: tuple[str, ...]) -> None:
    assert beijing.classify_category(text) == codes


def test_every_name_and_code_classifies_to_its_item(beijing: Standard) -> None:
    for it in beijing.items:
        assert beijing.classify_category(it.code) == (it.code,)
        for name in it.names():
            assert it.code in beijing.classify_category(name), name


def test_normalise_text() -> None:
    assert normalise_text("  ＡＴＭ　取款机 ") == "atm取款机"
    assert normalise_text("医疗保健服务；药房") == "医疗保健服务;药房"
    assert normalise_text("Citizens’  School") == "citizens school"


# ---- the national profiles ------------------------------------------------------------------


def test_gb50180_levels_and_item_limits() -> None:
    gb = load_standard("gb50180-2018")
    assert [(lv.code, lv.distance_m_min, lv.distance_m_max) for lv in gb.levels] == [
        ("m15", 800.0, 1000.0),
        ("m10", 500.0, 500.0),
        ("m5", 300.0, 300.0),
        ("block", None, None),
    ]
    assert (gb.level("m15").population_min, gb.level("m15").population_max) == (50000, 100000)
    assert Counter(it.level for it in gb.items) == {"m15": 15, "m10": 9, "m5": 15, "block": 8}
    assert gb.item_limit_m("m15.junior_school") == 1000.0
    assert gb.item_limit_m("m10.primary_school") == 500.0
    assert gb.item_limit_m("m5.kindergarten") == 300.0
    assert gb.item_limit_m("m5.kindergarten", elderly=True) == 225.0
    assert gb.item_limit_m("block.property_management") == 1000.0
    assert all(not it.walk_applies for it in gb.items if it.level == "block")
    assert gb.classify_osm({"amenity": "kindergarten"}) == ("m5.kindergarten",)
    assert gb.classify_osm({"amenity": "school", "name": "成都市第十二中学"}) == (
        "m15.junior_school",
    )


def test_mofcom_basic_needs() -> None:
    m = load_standard("mofcom-2021")
    basic = [it.name_zh for it in m.items_in_group("basic")]
    assert basic == [
        "便利店",
        "综合超市",
        "菜市场",
        "早餐店",
        "美容美发店",
        "洗染店",
        "药店",
        "家政服务网点",
        "维修点",
        "邮政快递综合服务点",
        "再生资源回收点",
    ]
    assert [it.code for it in m.demonstration_items()] == [
        it.code for it in m.items_in_group("basic")
    ]
    assert all(not it.required for it in m.items_in_group("quality"))
    assert m.classify_osm({"amenity": "parcel_locker"}) == ("basic.post_parcel",)
    assert m.classify_osm({"shop": "beauty"}) == ("basic.hairdresser",)
    assert m.classify_category("早餐店") == ("basic.breakfast",)


# ---- malformed files ------------------------------------------------------------------------

MINIMAL = """\
schema = 1
code = "mini"
name_zh = "测试标准"
name_en = "Test standard"
share_threshold = 0.9

[walking]
minutes = 15
speed_kmh = 4.0
elderly_speed_kmh = 3.0

[[groups]]
code = "shop"
name_zh = "网点"
name_en = "outlets"
"""


def _item(code: str, *, group: str = "shop", extra: str = "") -> str:
    return f"""
[[items]]
code = "{code}"
group = "{group}"
name_zh = "项目{code}"
name_en = "Item {code}"
walk_applies = true
scope_reason_zh = "步行可达"
scope_reason_en = "walking reach"
osm = ["amenity=pharmacy"]
amap = []
{extra}"""


def _problems(tmp_path: Path, text: str) -> tuple[str, list[tuple[str, str]]]:
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StandardError) as info:
        load_standard(path)
    err = info.value
    assert isinstance(err, StandardFileError)
    assert err.file == str(path)
    assert str(path) in str(err)
    return str(err), [(p.key, p.reason_en) for p in err.problems]


def test_minimal_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "city.toml"
    path.write_text(MINIMAL + _item("shop.a") + _item("shop.b"), encoding="utf-8")
    std = load_standard(path)
    assert std.codes == ("shop.a", "shop.b")
    assert std.demonstration.items == "all"
    assert std.targets.demonstration_circles is None
    assert std.classify_osm({"amenity": "pharmacy"}) == ("shop.a", "shop.b")


def test_missing_key(tmp_path: Path) -> None:
    text = MINIMAL + _item("shop.a") + _item("shop.b").replace('name_en = "Item shop.b"\n', "")
    _, problems = _problems(tmp_path, text)
    assert problems == [("items[1].name_en", "required key is missing")]


def test_wrong_type(tmp_path: Path) -> None:
    text = MINIMAL + _item("shop.a").replace("walk_applies = true", 'walk_applies = "yes"')
    _, problems = _problems(tmp_path, text)
    assert problems == [("items[0].walk_applies", "expected a boolean, got a string")]


def test_duplicate_code(tmp_path: Path) -> None:
    text = MINIMAL + _item("shop.a") + _item("shop.b") + _item("shop.c") + _item("shop.a")
    _, problems = _problems(tmp_path, text)
    assert problems == [("items[3].code", "duplicate item code 'shop.a' (also items[0])")]


def test_unknown_group(tmp_path: Path) -> None:
    text = MINIMAL + _item("shop.a") + _item("room.a", group="room")
    _, problems = _problems(tmp_path, text)
    assert problems == [("items[1].group", "unknown group 'room' (one of: shop)")]


def test_threshold_above_one(tmp_path: Path) -> None:
    text = MINIMAL.replace("share_threshold = 0.9", "share_threshold = 1.5") + _item(
        "shop.a", extra="share_threshold = 0"
    )
    _, problems = _problems(tmp_path, text)
    assert problems == [
        ("share_threshold", "1.5 must be in (0, 1]"),
        ("items[0].share_threshold", "0.0 must be in (0, 1]"),
    ]


def test_bad_matchers(tmp_path: Path) -> None:
    item = _item("shop.a").replace(
        'osm = ["amenity=pharmacy"]', 'osm = ["amenity=pharmacy", "amenity", 7]'
    )
    item = item.replace("amap = []", 'amap = ["a;b;c;d", "购物服务;;便利店"]')
    text = MINIMAL + item
    _, problems = _problems(tmp_path, text)
    assert [k for k, _ in problems] == [
        "items[0].osm[2]",
        "items[0].osm[1]",
        "items[0].amap[0]",
        "items[0].amap[1]",
    ]
    assert problems[0][1] == "expected a string, got a integer"
    assert problems[1][1].startswith("condition 'amenity' is not key=value")


def test_empty_osm_needs_a_reason(tmp_path: Path) -> None:
    text = MINIMAL + _item("shop.a").replace('osm = ["amenity=pharmacy"]', "osm = []")
    _, problems = _problems(tmp_path, text)
    assert problems == [
        ("items[0].osm_note_zh", "an empty osm list needs osm_note_zh / osm_note_en saying why")
    ]


def test_every_problem_is_collected_and_raised_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("speed_kmh = 4.0", "speed_kmh = -4.0").replace('code = "mini"', "")
        + '\n[[groups]]\ncode = "shop"\nname_zh = "x"\nname_en = "x"\ncount = 3\n'
        + _item("shop.a", extra="walk_aplies = false")
        + _item("Shop B")
    )
    message, problems = _problems(tmp_path, text)
    assert problems == [
        ("code", "required key is missing"),
        ("walking.speed_kmh", "-4.0 must be positive"),
        ("groups[1].code", "duplicate group code 'shop'"),
        ("items[0].walk_aplies", problems[3][1]),
        (
            "items[1].code",
            "code 'Shop B' must be lower-case ASCII in dot-separated parts (e.g. shop.pharmacy)",
        ),
        ("groups[1].count", "group 'shop' must hold 3 items, it holds 2"),
    ]
    assert problems[3][1].startswith("unknown key (a typo?)")
    assert "6 problem(s)" in message
    assert "items[0].walk_aplies: 未知的键" in message


def test_group_count_and_demonstration_and_category_references(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('name_en = "outlets"', 'name_en = "outlets"\ncount = 1')
        + '\n[demonstration]\nitems = "some"\nmin_items = 5\nmust_meet = ["shop.x"]\n'
        + '\n[[categories]]\ncode = "public"\nname_zh = "公共"\nname_en = "Public"\n'
        + 'facility_items = ["shop.zz"]\nservices = [{ code = "public.a", name_zh = "甲" }]\n'
        + _item("shop.a")
        + _item("shop.b")
    )
    _, problems = _problems(tmp_path, text)
    assert problems == [
        ("groups[0].count", "group 'shop' must hold 1 items, it holds 2"),
        ("categories[0].services[0].name_en", "required key is missing"),
        ("categories[0].facility_items[0]", "no facility item has code 'shop.zz'"),
        ("demonstration.items", '\'some\' must be "walk" (items the walk applies to) or "all"'),
        ("demonstration.min_items", "5 must be between 1 and the 2 counted items"),
        ("demonstration.must_meet[0]", "no item has code 'shop.x'"),
    ]


def test_min_items_demonstration_rule(tmp_path: Path) -> None:
    path = tmp_path / "city.toml"
    rule = '\n[demonstration]\nitems = "all"\nmin_items = 2\nmust_meet = ["shop.c"]\n'
    path.write_text(MINIMAL + rule + _item("shop.a") + _item("shop.b") + _item("shop.c"), "utf-8")
    std = load_standard(path)
    assert std.is_demonstration(["shop.a", "shop.c"]) is True
    assert std.is_demonstration(["shop.a", "shop.b"]) is False  # must_meet shop.c
    assert std.is_demonstration(["shop.c"]) is False  # only 1 of 2


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    _, problems = _problems(tmp_path, MINIMAL + "\n[[items]\ncode = 1\n")
    assert len(problems) == 1
    assert problems[0][0] == "(file)"
    assert problems[0][1].startswith("not valid TOML:")
    assert problems[0][1].endswith("(at line 17, column 8)")  # MINIMAL has 16 lines


def test_unknown_name_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StandardError, match="no standard named 'shanghai-2020'") as info:
        load_standard("shanghai-2020")
    assert "beijing-2011" in str(info.value)
    assert not isinstance(info.value, StandardFileError)
    missing = tmp_path / "nope.toml"
    with pytest.raises(StandardError, match="cannot read standard file") as info2:
        load_standard(missing)
    assert str(missing) in str(info2.value)


def test_a_standard_survives_pickling_for_worker_processes(beijing: Standard) -> None:
    beijing.classify_category("连锁药店")  # fill the memo first
    copy = pickle.loads(pickle.dumps(beijing))
    assert copy == beijing
    assert copy.classify_osm({"name": "西海社区居委会"}) == ("room.committee",)
    assert copy.classify_category("连锁药店") == ("shop.pharmacy",)


# ---- POI exports (AMap typecodes and type strings, Baidu tags, name rules) ----------------


@pytest.mark.parametrize(
    ("category", "typecode", "name", "codes"),
    [
        # the typecode decides where the matcher has one; the text otherwise
        ("医疗保健服务;医药保健销售店;药房", "090601", "同仁堂", ("shop.pharmacy",)),
        ("", "090601", "同仁堂", ("shop.pharmacy",)),
        ("医疗保健服务;医药保健销售店;药房", "", "同仁堂", ("shop.pharmacy",)),
        ("医疗保健服务;医药保健销售店;药房", "90601", "同仁堂", ("shop.pharmacy",)),  # lost 0
        # a code from another version of the table wins over its text
        ("医疗保健服务;医药保健销售店;药房", "090602", "康复器械", ()),
        # 社区卫生服务中心 is filed under 卫生院 or 诊所, with hospitals and private clinics
        ("医疗保健服务;综合医院;卫生院", "090102", "朝阳门社区卫生服务中心", ("station.health",)),
        ("医疗保健服务;诊所;诊所", "090300", "天坛南里社区卫生服务站", ("station.health",)),
        ("医疗保健服务;综合医院;卫生院", "090102", "北京市海淀区蓟门里医院", ()),
        ("医疗保健服务;诊所;诊所", "090300", "瑞尔齿科诊所", ()),
        ("医疗保健服务;专科医院;口腔医院", "090202", "北京东坝第二社区卫生服务中心口腔科", ()),
        # parenthesised hints name a neighbour, not the place
        (
            "餐饮服务;中餐厅;中餐厅",
            "050100",
            "佳和饭店(横溪街道横云社区卫生服务站东)",
            ("shop.food",),
        ),
        (
            "交通设施服务;停车场;公共停车场",
            "150904",
            "停车场(中山村社区卫生服务站西北)",
            ("site.parking",),
        ),
        ("交通设施服务;停车场;停车场出入口", "150909", "社区卫生服务中心停车场(出入口)", ()),
        # residents' committees among the government types
        (
            "政府机构及社会团体;政府机关;乡镇以下级政府及事业单位",
            "130106",
            "什刹海街道西海社区居委会",
            ("room.committee",),
        ),
        ("政府机构及社会团体;政府机关;乡镇以下级政府及事业单位", "130106", "河南村村委会", ()),
        # multi-type rows: each type counts
        (
            "医疗保健服务;综合医院;卫生院|医疗保健服务;诊所;诊所",
            "090102|090300",
            "东城区韶九社区卫生服务站",
            ("station.health",),
        ),
        # Baidu tags; an AMap three-level type never falls under a Baidu tag
        ("医疗;药店", "", "广济大药房", ("shop.pharmacy",)),
        ("丽人;美发", "", "小郭专业美发", ("shop.barber",)),
        ("生活服务;其他", "", "碑林区南院门街道书院门社区服务站", ("station.service",)),
        ("生活服务;美容美发店;美容美发店", "", "中山路居委会爱心发屋", ("shop.barber",)),
        # a veto word keeps a row out of an item whatever its type
        ("生活服务;邮局;邮局", "070400", "中国邮政储蓄银行(汤泉支行)", ("shop.finance",)),
        ("生活服务;邮局;邮局", "070400", "中国邮政(孔子路)", ("shop.post",)),
        # a register's own words still work
        ("社区服务站", "", "", ("station.service",)),
        ("", "", "", ()),
    ],
)
def test_classify_poi_reads_names_where_the_type_is_too_coarse(
    beijing: Standard, category: str, typecode: str, name: str, codes: tuple[str, ...]
) -> None:
    assert beijing.classify_poi(category, typecode=typecode, name=name) == codes


def test_poi_matchers_and_rules_are_checked(tmp_path: Path) -> None:
    item = _item("shop.a").replace(
        "amap = []",
        'amap = ["0906 医疗保健服务;医药保健销售店", "09061 医疗保健服务", '
        '"090601 医疗保健服务;药房", "090601"]\nbaidu = ["医疗;药店", "0906 医疗"]\n'
        'poi_names = [{ within = [], names = ["药"] }, { within = ["医疗"], nams = ["x"] }]\n'
        'hosts = ["nowhere"]',
    )
    _, problems = _problems(tmp_path, MINIMAL + item)
    assert [k for k, _ in problems] == [
        "items[0].amap[1]",
        "items[0].amap[2]",
        "items[0].baidu[1]",
        "items[0].poi_names[0].within",
        "items[0].poi_names[1].nams",
        "items[0].poi_names[1].names",
        "items[0].hosts[0]",
    ]
    reasons = dict(problems)
    assert (
        reasons["items[0].amap[1]"]
        == "'09061 医疗保健服务': an AMap typecode has 2, 4 or 6 digits, not 5"
    )
    assert reasons["items[0].amap[2]"].endswith("code 090601 has 3 level(s), the text 2")
    assert reasons["items[0].baidu[1]"].startswith("'0906 医疗': Baidu tags have no numeric code")
    assert reasons["items[0].hosts[0]"].startswith("unknown host kind 'nowhere'")


def test_host_kinds_are_checked(tmp_path: Path) -> None:
    hosts = (
        '\n[[hosts]]\ncode = "shop"\nname_zh = "商店"\nname_en = "Shop"\ncommercial = true\n'
        'reason_zh = "零售"\nreason_en = "retail"\nosm = ["shop=*"]\n'
        '\n[[hosts]]\ncode = "shop"\nname_zh = "x"\nname_en = "x"\ncommercial = "no"\n'
        'reason_zh = "x"\nreason_en = "x"\nitems = ["shop.zz"]\n'
        '\n[[hosts]]\ncode = "empty"\nname_zh = "x"\nname_en = "x"\ncommercial = false\n'
        'reason_zh = "x"\nreason_en = "x"\n'
    )
    _, problems = _problems(tmp_path, MINIMAL + _item("shop.a") + hosts)
    assert problems == [
        ("hosts[1].code", "duplicate host code 'shop'"),
        ("hosts[1].items[0]", "no item has code 'shop.zz'"),
        ("hosts[1].commercial", "expected a boolean, got a string"),
        (
            "hosts[2]",
            "a host kind needs a way to be recognised (items, osm, amap, baidu or names)",
        ),
    ]


def test_host_kind_of_a_place(beijing: Standard) -> None:
    def kind(**kw: object) -> str | None:
        h = beijing.host_kind_of(**kw)  # type: ignore[arg-type]
        return None if h is None else h.code

    assert kind(osm_tags={"amenity": "cafe", "name": "Starbucks"}, name="Starbucks") == "restaurant"
    assert kind(osm_tags={"amenity": "school", "name": "成都市成华小学"}) == "school"
    assert (
        kind(osm_tags={"amenity": "school", "name": "成都树才培训学校"}, name="成都树才培训学校")
        is None
    )
    assert kind(osm_tags={"tourism": "hotel"}) == "lodging"
    assert kind(item_codes=("station.service",), name="西海社区服务站") == "community_service"
    # a restaurant that also serves 养老餐桌 is still a restaurant
    assert kind(item_codes=("shop.food",), osm_tags={"amenity": "restaurant"}) == "restaurant"
    # register and POI rows: by type, or by name for plain categories
    assert (
        kind(category="科教文化服务;学校;小学", typecode="141203", name="西城区实验小学")
        == "school"
    )
    assert kind(category="学校", name="北京市第二中学") == "school"
    assert kind(category="公司", name="某某科技有限公司") is None
    assert beijing.host("school").commercial is False
    assert beijing.host("restaurant").commercial is True
    with pytest.raises(KeyError, match="no host kind 'zoo'"):
        beijing.host("zoo")
