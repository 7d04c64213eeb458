"""Facility registers: headers, encodings, CRS conversion, 一室多用 items, and located problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from quarterhour.engine._errors import InputError, InputErrors, Problem
from quarterhour.engine.coords import to_wgs84
from quarterhour.engine.network import haversine_m
from quarterhour.engine.registers import read_facility_register, standard_vocabulary
from quarterhour.engine.standards import load_standard

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "registers"

CATEGORIES: dict[str, tuple[str, ...]] = {
    "社区服务站": ("ST01",),
    "社区卫生服务站": ("HE01",),
    "便利店": ("CV01",),
    "菜市场": ("CV02",),
    "托老所": ("EL01",),
    "健身场地": ("SP01",),
    "生活服务;洗衣店;洗衣店": ("CV05",),
    "图书阅览室": ("RM01",),
    "文化活动室": ("RM02",),
    "日间照料室": ("EL02",),
    "老年活动室": ("RM03",),
    "人民调解室": ("RM04",),
}


def classify(text: str) -> tuple[str, ...]:
    return CATEGORIES.get(text, ())


# (id, lon, lat, item codes) of tests/fixtures/registers/xicheng-facilities.csv, WGS-84
EXPECTED = [
    ("xicheng-facilities:XC001", 116.3915020, 39.9128740, ("ST01", "RM01", "RM02")),
    ("xicheng-facilities:XC002", 116.3852140, 39.9109810, ("HE01",)),
    ("xicheng-facilities:XC003", 116.3816500, 39.9093200, ("CV01",)),
    ("xicheng-facilities:XC004", 116.3701150, 39.9088630, ("CV02",)),
    ("xicheng-facilities:XC005", 116.3787730, 39.9156420, ("EL01", "EL02", "RM03")),
    ("xicheng-facilities:XC006", 116.3849030, 39.9142250, ("CV05",)),
    ("xicheng-facilities:XC007", 116.3755880, 39.9123370, ("SP01",)),
    ("xicheng-facilities:XC008", 116.3683420, 39.9150080, ("ST01", "RM04", "RM02")),
]


def _problems(
    exc: pytest.ExceptionInfo[InputErrors] | pytest.ExceptionInfo[InputError],
) -> list[Problem]:
    err = exc.value
    return list(err.problems) if isinstance(err, InputErrors) else [err.problem]


def test_utf8_register_with_chinese_headers() -> None:
    res = read_facility_register(FIX / "xicheng-facilities.csv", classify=classify)
    got = [(f.facility_id, f.lon, f.lat, f.item_codes) for f in res.facilities]
    assert got == EXPECTED
    first = res.facilities[0]
    assert first.name == "南北长街社区服务站"
    assert first.address == "西城区南北长街甲12号"
    assert first.source == "xicheng-facilities.csv"
    assert first.tags == (
        ("category", "社区服务站"),
        ("开放时间", "8:30-17:30"),
        ("items", "图书阅览室、文化活动室"),
    )
    assert res.facilities[7].address == "西城区大木仓胡同35号院, 2号楼"
    assert res.encoding == "utf-8"
    assert res.header_row == 1
    assert res.columns == {
        "lon": "经度",
        "lat": "纬度",
        "name": "名称",
        "category": "类别",
        "address": "地址",
        "id": "编号",
        "items": "服务项目",
    }


def test_gbk_copy_reads_the_same(tmp_path: Path) -> None:
    res = read_facility_register(FIX / "xicheng-facilities-gbk.csv", classify=classify)
    assert res.encoding == "gb18030"
    got = [
        (f.facility_id.split(":")[1], f.name, f.lon, f.lat, f.item_codes) for f in res.facilities
    ]
    ref = read_facility_register(FIX / "xicheng-facilities.csv", classify=classify).facilities
    assert got == [(f.facility_id.split(":")[1], f.name, f.lon, f.lat, f.item_codes) for f in ref]
    # explicit encoding wins
    explicit = read_facility_register(
        FIX / "xicheng-facilities-gbk.csv", classify=classify, encoding="gbk"
    )
    assert explicit.encoding == "gbk"
    assert explicit.facilities[0].name == "南北长街社区服务站"


def test_utf8_with_bom_and_tab_separated(tmp_path: Path) -> None:
    text = (FIX / "xicheng-facilities.csv").read_text(encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    res = read_facility_register(bom, classify=classify)
    assert res.encoding == "utf-8-sig"
    assert res.columns["id"] == "编号"
    assert res.facilities[0].facility_id == "bom:XC001"
    tsv = tmp_path / "reg.tsv"
    tsv.write_text("名称\t类别\t经度\t纬度\n站\t便利店\t116.38165\t39.90932\n", encoding="utf-8")
    (f,) = read_facility_register(tsv, classify=classify).facilities
    assert (f.facility_id, f.lon, f.lat, f.item_codes) == ("reg:2", 116.38165, 39.90932, ("CV01",))


def test_wrong_explicit_encoding_is_one_clear_error() -> None:
    with pytest.raises(InputError) as exc:
        read_facility_register(
            FIX / "xicheng-facilities-gbk.csv", classify=classify, encoding="utf-8"
        )
    assert exc.value.problem.code == "file_encoding"
    assert exc.value.problem.file == str(FIX / "xicheng-facilities-gbk.csv")


@pytest.mark.parametrize(
    ("name", "crs"),
    [("xicheng-facilities-gcj02.csv", "gcj02"), ("xicheng-facilities-bd09.csv", "bd09")],
)
def test_gcj02_and_bd09_copies_convert_back_to_the_wgs84_points(name: str, crs: str) -> None:
    res = read_facility_register(FIX / name, classify=classify, crs=crs)  # type: ignore[arg-type]
    lon = [f.lon for f in res.facilities]
    lat = [f.lat for f in res.facilities]
    # the copies were written with 6 decimals (as AMap/Baidu export): ≤ 0.11 m of rounding
    err = haversine_m(lon, lat, [e[1] for e in EXPECTED], [e[2] for e in EXPECTED])
    assert err.max() < 0.15
    assert [f.item_codes for f in res.facilities] == [e[3] for e in EXPECTED]
    if crs == "gcj02":
        assert res.columns["lon"] == "经度(GCJ-02)"
        assert res.facilities[0].facility_id == "xicheng-facilities-gcj02:XC001"
        # exact: the file's numbers through the converter
        x, y = to_wgs84([116.397744], [39.914276], crs="gcj02")
        assert (res.facilities[0].lon, res.facilities[0].lat) == (float(x[0]), float(y[0]))
    else:
        assert res.columns["lon"] == "lng"
        # no id column: file stem and spreadsheet row number
        assert [f.facility_id for f in res.facilities][:2] == [
            "xicheng-facilities-bd09:2",
            "xicheng-facilities-bd09:3",
        ]
    # read as WGS-84 by mistake, the points sit hundreds of metres off
    wrong = read_facility_register(FIX / name, classify=classify)
    off = haversine_m(
        [f.lon for f in wrong.facilities], [f.lat for f in wrong.facilities], lon, lat
    )
    assert off.min() > 500.0


def test_xlsx_with_title_row_and_blank_rows(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    ws.append(["西城区社区服务设施台账（2026年）"])
    ws.append(["序号", "设施名称", "设施类型", "详细地址", "经度", "纬度", "服务项目"])
    ws.append(
        [
            1,
            "南北长街社区服务站",
            "社区服务站",
            "南北长街甲12号",
            116.391502,
            39.912874,
            "图书阅览室",
        ]
    )
    ws.append([None, None, None, None, None, None, None])
    ws.append([2, "六部口便利店", "便利店", None, 116.38165, 39.90932, None])
    path = tmp_path / "西城台账.xlsx"
    wb.save(path)
    res = read_facility_register(path, classify=classify)
    assert res.sheet == "台账"
    assert res.header_row == 2
    assert res.encoding is None
    got = [(f.facility_id, f.name, f.lon, f.lat, f.item_codes) for f in res.facilities]
    assert got == [
        ("西城台账:3", "南北长街社区服务站", 116.391502, 39.912874, ("ST01", "RM01")),
        ("西城台账:5", "六部口便利店", 116.38165, 39.90932, ("CV01",)),
    ]
    assert res.facilities[0].tags == (
        ("category", "社区服务站"),
        ("序号", "1"),
        ("items", "图书阅览室"),
    )


def test_every_bad_row_is_reported_once_with_its_location() -> None:
    path = FIX / "bad-rows.csv"
    with pytest.raises(InputErrors) as exc:
        read_facility_register(path, classify=classify, known_categories=CATEGORIES, strict=True)
    got = [(p.code, p.row, p.column) for p in exc.value.problems]
    assert sorted(got, key=lambda t: (t[1] or 0, t[0])) == [
        ("unknown_category", 3, "类别"),
        ("coordinate_not_a_number", 4, "经度"),
        ("coordinate_out_of_range", 5, "纬度"),
        ("coordinate_swapped", 6, "纬度"),
        ("coordinate_missing", 7, "纬度"),
        ("coordinate_zero", 8, "经度"),
        ("duplicate_id", 9, "编号"),
        ("category_missing", 10, "类别"),
    ]
    assert all(p.file == str(path) for p in exc.value.problems)
    by_row = {p.row: p for p in exc.value.problems}
    assert (
        by_row[3].message_zh == "未知的类别 '社区卫生服物站'；是否指：社区卫生服务站、社区服务站？"
    )
    assert (
        by_row[3].message_en
        == "unknown category '社区卫生服物站'; did you mean: 社区卫生服务站, 社区服务站?"
    )
    assert by_row[4].message_en == "longitude is not a number: '东经116.38'"
    assert "swapped" in by_row[6].message_en and "填反" in by_row[6].message_zh
    assert by_row[9].message_en == "id 'bad-rows:B02' repeats row 3"
    assert f"{path}, row 3, column '类别'" in str(exc.value)


def test_unknown_service_item_names_the_items_column(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        "name,type,lon,lat,items\nA,社区服务站,116.39,39.91,图书阅览室;棋牌室\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        read_facility_register(path, classify=classify)
    p = exc.value.problem
    assert (p.code, p.row, p.column, p.file) == ("unknown_item", 2, "items", str(path))
    assert p.message_en == "unknown service item '棋牌室'"


def test_missing_coordinate_columns_lists_the_headers_found() -> None:
    path = FIX / "no-coordinates.csv"
    with pytest.raises(InputError) as exc:
        read_facility_register(path, classify=classify)
    p = exc.value.problem
    assert p.code == "missing_columns"
    assert p.file == str(path)
    assert p.message_en.endswith("Headers found: 名称, 类别, 地址, X坐标, Y坐标")
    assert "文件中的表头为：名称、类别、地址、X坐标、Y坐标" in p.message_zh
    assert "经度" in p.message_zh and "lon" in p.message_en


def test_whole_file_with_swapped_columns_is_one_error() -> None:
    path = FIX / "kashgar-swapped.csv"
    with pytest.raises(InputError) as exc:
        read_facility_register(path, classify=classify)
    p = exc.value.problem
    assert (p.code, p.file, p.row, p.column) == ("columns_swapped", str(path), None, "lon/lat")
    assert "4 points fall inside China only when lon and lat are exchanged" in p.message_en


def test_register_without_category_or_items_column(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("名称,经度,纬度\n某站,116.39,39.91\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_facility_register(path, classify=classify)
    assert exc.value.problem.code == "missing_columns"
    assert exc.value.problem.message_en.endswith("Headers found: 名称, 经度, 纬度")


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "file_empty"), (b"\n\n", "file_empty"), (b"\xff\xfe\x00\x81\x30", "file_encoding")],
)
def test_empty_and_undecodable_files(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_facility_register(path, classify=classify)
    assert exc.value.problem.code == code


def test_missing_file_and_old_xls_and_corrupt_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_facility_register(tmp_path / "none.csv", classify=classify)
    assert exc.value.problem.code == "file_missing"
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError) as exc:
        read_facility_register(xls, classify=classify)
    assert exc.value.problem.code == "file_format"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(InputError) as exc:
        read_facility_register(bad, classify=classify)
    assert exc.value.problem.code == "file_unreadable"


def test_with_the_beijing_2011_standard() -> None:
    std = load_standard("beijing-2011")
    res = read_facility_register(
        FIX / "xicheng-facilities.csv",
        classify=std.classify_category,
        known_categories=standard_vocabulary(std),
    )
    assert [(f.facility_id.split(":")[1], f.item_codes) for f in res.facilities] == [
        ("XC001", ("station.service", "room.reading", "center.indoor")),
        ("XC002", ("station.health",)),
        ("XC003", ("shop.convenience",)),
        ("XC004", ("site.market",)),
        ("XC005", ("room.daycare", "center.indoor")),
        ("XC006", ("shop.laundry",)),
        ("XC007", ("center.sports",)),
        ("XC008", ("station.service", "room.mediation", "center.indoor")),
    ]


def test_unknown_category_suggestions_from_the_standard(tmp_path: Path) -> None:
    std = load_standard("beijing-2011")
    path = tmp_path / "typo.csv"
    path.write_text("名称,类别,经度,纬度\n某站,社区服务占,116.39,39.91\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_facility_register(path, standard=std, strict=True)
    p = exc.value.problem
    assert (p.code, p.row, p.column) == ("unknown_category", 2, "类别")
    assert p.message_en.startswith("unknown category '社区服务占'; did you mean: 社区服务站")
