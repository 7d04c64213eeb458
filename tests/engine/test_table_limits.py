"""Bounded reading: the table readers refuse a file beyond their limits before loading it, or as
soon as a streamed row passes them, in little memory; row numbers stay the spreadsheet's."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from openpyxl import Workbook

from quarterhour.engine._errors import InputError
from quarterhour.engine.tables import TableLimits, read_table
from tests.wide_xlsx import write_wide_xlsx


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wide_xlsx(tmp_path_factory.mktemp("wide") / "台账.xlsx")


@pytest.fixture(scope="module")
def wide_undeclared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wide_xlsx(tmp_path_factory.mktemp("wide") / "台账.xlsx", declare=False)


def _refused(path: Path, **kw: object) -> tuple[InputError, float, float]:
    """The error reading ``path``, the seconds it took and the peak of Python allocations (MiB)."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(InputError) as info:
            read_table(path, **kw)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return info.value, seconds, peak


def test_the_wide_file_is_refused_by_its_declared_extent(wide: Path) -> None:
    assert wide.stat().st_size < 2_000_000
    err, seconds, peak = _refused(wide)
    assert err.code == "file_too_large"
    assert "A1:XFD200000" in err.problem.message_zh and "256 列" in err.problem.message_zh
    assert "delete the extra rows and columns" in err.problem.message_en
    assert seconds < 5 and peak < 30


def test_the_wide_file_with_a_false_extent_is_refused_at_its_first_wide_row(
    wide_undeclared: Path,
) -> None:
    err, seconds, peak = _refused(wide_undeclared)
    assert err.code == "file_too_large" and err.problem.row == 1
    assert "第 1 行" in err.problem.message_zh and "第 XFD 列" in err.problem.message_zh
    assert seconds < 5 and peak < 30


def test_rows_are_counted_as_they_stream(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称", "经度", "纬度"])
    for i in range(30):
        ws.append([f"点{i}", 116.39, 39.91])
    wb.save(tmp_path / "t.xlsx")
    limits = TableLimits(max_rows=5)
    err, _s, _p = _refused(tmp_path / "t.xlsx", limits=limits)
    assert err.code == "file_too_large" and "超过" in err.problem.message_zh
    csv = tmp_path / "t.csv"
    csv.write_text("名称,经度,纬度\n" + "点,116.39,39.91\n" * 30, encoding="utf-8")
    err, _s, _p = _refused(csv, limits=limits)
    assert err.code == "file_too_large" and err.problem.row == 16
    assert len(read_table(csv, limits=TableLimits(max_rows=30)).rows) == 30


def test_columns_and_size_of_csv(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("名称,经度,纬度" + ",x" * 300 + "\n", encoding="utf-8")
    err, _s, _p = _refused(wide)
    assert err.problem.row == 1 and "第 KQ 列" in err.problem.message_zh  # 303 columns
    # empty cells at the end of a row are not columns
    padded = tmp_path / "padded.csv"
    padded.write_text("名称,经度,纬度" + "," * 300 + "\n点,116.39,39.91\n", encoding="utf-8")
    assert read_table(padded).headers == ("名称", "经度", "纬度")
    err, _s, _p = _refused(padded, limits=TableLimits(max_bytes=100))
    assert "超过上限" in err.problem.message_zh and "split it" in err.problem.message_en


def test_an_xlsx_that_unpacks_too_far_is_refused_before_reading(wide: Path) -> None:
    err, _s, _p = _refused(wide, limits=TableLimits(max_unpacked_bytes=1 << 20))
    assert err.code == "file_too_large" and "解压后" in err.problem.message_zh


def test_a_broken_xlsx_or_csv_says_what_to_do(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    err, _s, _p = _refused(bad)
    assert err.code == "file_unreadable" and "另存为" in err.problem.message_zh
    quotes = tmp_path / "q.csv"
    quotes.write_text('名称,经度,纬度\n"' + "x" * 200_000 + '",1,2\n', encoding="utf-8")
    err, _s, _p = _refused(quotes)
    assert err.code == "file_unreadable" and err.problem.row == 2


def test_row_numbers_are_the_spreadsheets_after_blank_rows(tmp_path: Path) -> None:
    csv = tmp_path / "gaps.csv"
    csv.write_text("标题\n\n名称,经度,纬度\n甲,116.39,39.91\n\n,,\n乙,116.40,39.92\n", "utf-8")
    table = read_table(csv)
    assert table.header_row == 3
    assert [(r, cells[0]) for r, cells in table.rows] == [(4, "甲"), (7, "乙")]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A2"], ws["B2"], ws["C2"] = "名称", "经度", "纬度"
    ws["A3"], ws["B3"], ws["C3"] = "甲", 116.39, 39.91
    ws["A9"], ws["B9"], ws["C9"] = "乙", 116.40, 39.92
    wb.save(tmp_path / "gaps.xlsx")
    table = read_table(tmp_path / "gaps.xlsx")
    assert table.header_row == 2
    assert [(r, cells[0]) for r, cells in table.rows] == [(3, "甲"), (9, "乙")]


def test_a_poi_export_is_read_within_the_limits_with_its_spreadsheet_rows(tmp_path: Path) -> None:
    """The register reader's alternative header (AMap's ``location`` column) goes through the
    same bounded, streaming read: rows keep the spreadsheet's numbers after blank rows and
    set-aside rows, and the declared extent is refused before the sheet is loaded."""
    from quarterhour.engine.registers import read_facility_register
    from quarterhour.engine.standards import load_standard

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "name", "type", "typecode", "location"])
    ws.append(["B02", "某某科技有限公司", "公司企业;公司;公司", "170200", "116.39,39.91"])
    ws["A6"], ws["B6"], ws["C6"] = "B01", "南北长街社区卫生服务站", "医疗保健服务;综合医院;卫生院"
    ws["D6"], ws["E6"] = "090102", "116.39,39.91"
    wb.save(tmp_path / "高德.xlsx")
    std = load_standard("beijing-2011")
    res = read_facility_register(
        tmp_path / "高德.xlsx", crs="gcj02", standard=std, limits=TableLimits(max_rows=10)
    )
    assert [(f.name, f.row, f.item_codes) for f in res.facilities] == [
        ("南北长街社区卫生服务站", 6, ("station.health",))
    ]
    assert res.rows == (6,)
    assert [(s.row, s.name) for s in res.set_aside] == [(2, "某某科技有限公司")]
    with pytest.raises(InputError) as info:
        read_facility_register(
            tmp_path / "高德.xlsx", crs="gcj02", standard=std, limits=TableLimits(max_columns=4)
        )
    assert info.value.code == "file_too_large" and "A1:E6" in info.value.problem.message_zh
