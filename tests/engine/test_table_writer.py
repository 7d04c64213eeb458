"""The one table writer: formula-like text is neutralised in every CSV and XLSX the engine
writes, numbers stay numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from openpyxl import load_workbook

from quarterhour.engine import exports as ex
from quarterhour.engine import table_writer as tw
from quarterhour.engine.assessment import assess
from quarterhour.engine.batch import CityOutcome, write_status
from quarterhour.engine.circles import delineate_circles
from quarterhour.engine.coverage import ItemSpec, coverage_table, roll_up
from quarterhour.engine.outputs import write_assessment
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.population import Communities
from quarterhour.engine.siting import Candidate, mclp
from tests.engine.inert import HOSTILE, INERT, assert_inert_csv, assert_inert_xlsx, csv_cells
from tests.engine.netfixtures import line_with_branch, lonlat


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (HOSTILE, INERT),
        ("+1+1", "'+1+1"),
        ("-5 元", "'-5 元"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),  # a number its caller formatted: still a number
        ("+3", "+3"),
        ("1e-5", "1e-5"),
        ("长安药房", "长安药房"),
        ("a=b", "a=b"),
        ("", ""),
        (INERT, INERT),  # neutralising twice changes nothing
    ],
)
def test_neutralise(text: str, written: str) -> None:
    assert tw.neutralise(text) == written


def test_numbers_stay_numbers_and_text_is_neutralised_in_both_formats(tmp_path: Path) -> None:
    row = [-5, -2.5, Decimal("-1234.50"), "-5 元", HOSTILE, True, None, dt.date(2024, 5, 1)]
    tw.write_rows_csv(tmp_path / "t.csv", ["a", "b", "c", "d", "e", "f", "g", "h"], [row])
    assert csv_cells(tmp_path / "t.csv")[1] == [
        "-5", "-2.5", "-1234.50", "'-5 元", INERT, "yes", "", "2024-05-01",
    ]  # fmt: skip
    book = tw.XlsxBook()
    book.sheet("表").rows([row, ["控制\x07字符\x00", float("nan")]])
    book.save(tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws is not None
    values = [c.value for c in ws[1]]
    assert values[:3] == [-5, -2.5, -1234.5]
    assert [c.data_type for c in ws[1]][:3] == ["n", "n", "n"]
    assert values[3:6] == ["'-5 元", INERT, "是"]
    assert ws["H1"].value == dt.datetime(2024, 5, 1)
    assert [c.value for c in ws[2]][:2] == ["控制字符", None]  # XLSX cannot hold C0 controls
    assert_inert_xlsx(tmp_path / "t.xlsx")


def test_assessment_files_are_inert(tmp_path: Path) -> None:
    net, _ = line_with_branch()
    near_b, near_c = lonlat(300, 10), lonlat(700, -10)
    far = lonlat(300, 5_000)
    facilities = [
        Facility("reg:1", HOSTILE, *near_b, ("shop.pharmacy",)),
        Facility("=1+1", "-药店 2", *near_c, ("shop.pharmacy",)),
        Facility("@far", "远处", *far, ("shop.pharmacy",)),
    ]
    origins = Origins(
        ("-2+3", "home 2"),
        np.array([near_b[0], near_c[0]]),
        np.array([near_b[1], near_c[1]]),
        np.ones(2),
    )
    result = assess(net, facilities, origins, workers=1)
    write_assessment(result, tmp_path / "out", export_network=False)
    out = tmp_path / "out"
    assert_inert_csv(out / "facilities.csv")
    assert_inert_csv(out / "reach.csv", expect="'-2+3")
    assert_inert_csv(out / "unsnapped.csv", expect="'@far")
    assert_inert_csv(out / "summary.csv", expect="shop.pharmacy")
    reach = csv_cells(out / "reach.csv")
    pharmacy = [r for r in reach if r[0] == "'-2+3" and r[1] == "shop.pharmacy"]
    # 10 m from the home to the street, 10 m from the street to the pharmacy
    assert pharmacy == [["'-2+3", "shop.pharmacy", "20.00", "0.30", "reg:1", ""]]
    assert "'=1+1" in [r[4] for r in reach]


def _plan_sheets() -> tuple[list[ex.Sheet], list[str]]:
    """Every sheet the planning outputs build, on a 6 × 2 grid, with hostile names."""
    from quarterhour.engine.network import build_network

    m_lon, m_lat = 1 / (111_195.0 * np.cos(np.radians(39.9))), 1 / 111_195.0
    jj, ii = np.meshgrid(np.arange(6), np.arange(2))
    lon = 116.3 + jj.ravel() * 100 * m_lon
    lat = 39.9 + ii.ravel() * 100 * m_lat
    idx = np.arange(12).reshape(2, 6)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    net = build_network(lon, lat, u, v, edge_length_m=np.full(u.shape[0], 100.0))
    label = (jj.ravel() >= 3).astype(np.int64)
    comms = Communities(
        code=("c1", "@c2"),
        name=(HOSTILE, "西社区"),
        population=np.array([12_000.0, 12_000.0]),
        lon=np.array([lon[1], lon[4]]),
        lat=np.array([lat[1], lat[4]]),
    )
    weight = np.full(12, 2_000.0)
    market = ItemSpec("site.market", "菜市场", "food market")
    dist = {market.code: np.where(jj.ravel() < 3, 100.0 * jj.ravel(), np.nan)}
    ctab = coverage_table(dist, weight, label, comms.code, (market,), limit_m=1000.0)
    layout = delineate_circles(net, label, comms.code, comms.population)
    circ = coverage_table(
        dist, weight, layout.node_circle, [c.circle_id for c in layout.circles], (market,),
        limit_m=1000.0,
    )  # fmt: skip
    cands = (Candidate("+p1", HOSTILE, float(lon[4]), float(lat[4]), "parcel"),)
    cover = sp.csr_array(np.array([jj.ravel() >= 3]))
    plan = ex.SitingPlan(market, mclp(cover, weight, k=1), cands)
    labels = dict(zip(comms.code, comms.name, strict=True))
    sheets = [
        ex.zone_summary_sheet(ctab, name="community_coverage", title_zh="社区达标",
                              title_en="community compliance", labels=labels),
        ex.zone_items_sheet(ctab, name="community_items", title_zh="社区各项目",
                            title_en="community coverage by item"),
        ex.circles_sheet(layout),
        ex.circle_parts_sheet(layout, comms),
        ex.sites_sheet((plan,)),
        ex.targets_sheet(roll_up(circ, ctab)),
    ]  # fmt: skip
    return sheets, [HOSTILE, "-3 notes"]


def test_planning_sheets_are_inert_in_csv_and_xlsx(tmp_path: Path) -> None:
    sheets, notes = _plan_sheets()
    for sh in sheets:
        ex.write_csv(tmp_path / f"{sh.name}.csv", sh)
    assert_inert_csv(tmp_path / "community_coverage.csv")
    assert_inert_csv(tmp_path / "circle_parts.csv")
    assert_inert_csv(tmp_path / "sites.csv")
    assert_inert_csv(tmp_path / "community_items.csv", expect="'@c2")
    sites = csv_cells(tmp_path / "sites.csv")
    assert sites[1][3:5] == ["'+p1", INERT]
    ex.write_xlsx(tmp_path / "quarterhour.xlsx", sheets, notes=notes)
    assert_inert_xlsx(tmp_path / "quarterhour.xlsx")
    wb = load_workbook(tmp_path / "quarterhour.xlsx")
    assert wb["选址建议"]["E3"].value == INERT
    assert wb["说明"]["A3"].value == "'-3 notes"


def test_batch_status_is_inert(tmp_path: Path) -> None:
    write_status(
        tmp_path / "batch-status.csv",
        [CityOutcome(HOSTILE, "failed", str(tmp_path / "x"), error="-1 bad")],
    )
    assert_inert_csv(tmp_path / "batch-status.csv")
    assert "'-1 bad" in csv_cells(tmp_path / "batch-status.csv")[1]
