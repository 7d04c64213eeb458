"""The HTML report and the exports (CSV, XLSX, GeoJSON, GeoPackage) on a small fixture."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
import shapely
from openpyxl import load_workbook

from quarterhour.engine import exports as ex
from quarterhour.engine.circles import delineate_circles
from quarterhour.engine.coverage import ItemSpec, coverage_table, roll_up
from quarterhour.engine.network import build_network
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.population import Communities
from quarterhour.engine.report import ReportData, _label, render_html
from quarterhour.engine.siting import Candidate, mclp

M_LON = 1 / (111_195.0 * np.cos(np.radians(39.9)))
M_LAT = 1 / 111_195.0
MARKET = ItemSpec("site.market", "菜市场", "food market")
STATION = ItemSpec("station.service", "社区服务站", "community service station")


@pytest.fixture(scope="module")
def data() -> ReportData:
    # 6 × 2 grid, 100 m blocks; two communities (left / right halves) of 12,000 residents each
    jj, ii = np.meshgrid(np.arange(6), np.arange(2))
    lon = 116.3 + jj.ravel() * 100 * M_LON
    lat = 39.9 + ii.ravel() * 100 * M_LAT
    idx = np.arange(12).reshape(2, 6)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    net = build_network(lon, lat, u, v, edge_length_m=np.full(u.shape[0], 100.0))
    label = (jj.ravel() >= 3).astype(np.int64)
    comms = Communities(
        code=("c1", "c2"),
        name=("东社区", "西社区"),
        population=np.array([12_000.0, 12_000.0]),
        lon=np.array([lon[1], lon[4]]),
        lat=np.array([lat[1], lat[4]]),
    )
    origins = Origins(
        tuple(f"node:{i}" for i in range(12)), lon, lat, np.full(12, 2_000.0), np.arange(12)
    )
    # market reachable from the left half only; service station everywhere
    market = np.where(jj.ravel() < 3, 100.0 * jj.ravel(), np.nan)
    station = np.full(12, 50.0)
    dist = {MARKET.code: market, STATION.code: station}
    specs = (MARKET, STATION)
    ctab = coverage_table(dist, origins.weight, label, comms.code, specs, limit_m=1000.0)
    layout = delineate_circles(net, label, comms.code, comms.population)
    circ = coverage_table(
        dist, origins.weight, layout.node_circle, [c.circle_id for c in layout.circles], specs,
        limit_m=1000.0,
    )  # fmt: skip
    cands = (
        Candidate("p1", "空置商铺", float(lon[4]), float(lat[4]), "parcel"),
        Candidate("f9", "活动室", float(lon[0]), float(lat[0]), "multi_use"),
    )
    cover = sp.csr_array(np.array([jj.ravel() >= 3, jj.ravel() < 2]))
    plan = ex.SitingPlan(
        MARKET, mclp(cover, origins.weight, k=1, existing=np.isfinite(market)), cands
    )
    return ReportData(
        title_zh="测试报告",
        title_en="test report",
        network=net,
        osm_derived=True,
        item_specs=specs,
        walk_minutes=15.0,
        speed_kmh=4.0,
        limit_m=1000.0,
        facilities=(Facility("f1", "菜市场甲", float(lon[0]), float(lat[0]), (MARKET.code,)),),
        origins=origins,
        minutes={k: d / (4000 / 60) for k, d in dist.items()},
        communities=comms,
        community_table=ctab,
        derived_areas=True,
        layout=layout,
        circle_table=circ,
        roll_up=roll_up(circ, ctab),
        plans=(plan,),
    )


def test_report_is_self_contained_and_bilingual(data: ReportData) -> None:
    page = render_html(data)
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page  # works offline
    assert "© OpenStreetMap contributors" in page
    assert "目标进度" in page and "Progress towards the targets" in page
    assert "社区范围由步行网络推导" in page  # derived areas are marked
    # images: targets, gap map, circles, one siting map, one coverage map per item
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 5 + 1
    # the east community lacks the market: listed in Chinese and English
    row = page[page.index("<td>c2</td>") :].split("</tr>")[0]
    assert "菜市场" in row and "food market" in row and "1 / 2" in row
    assert "空置商铺" in page  # the proposed site


def test_report_without_osm_has_no_attribution(data: ReportData) -> None:
    from dataclasses import replace

    page = render_html(replace(data, osm_derived=False, minutes={}, plans=()))
    assert "OpenStreetMap" not in page


def test_map_labels_fall_back_to_english() -> None:
    assert _label("菜市场", "food market", False) == "food market"
    assert _label("菜市场", "food market", True) == "菜市场 / food market"


def test_sites_figures_in_the_plan(data: ReportData) -> None:
    (plan,) = data.plans
    (site,) = plan.result.sites
    assert plan.candidates[site.candidate].candidate_id == "p1"
    assert (site.newly_covers, site.marginal) == (12_000.0, 12_000.0)


def test_exports_round_trip(data: ReportData, tmp_path: Path) -> None:
    assert data.community_table is not None and data.layout is not None
    summary = ex.zone_summary_sheet(
        data.community_table, name="community_coverage", title_zh="社区达标",
        title_en="community compliance", labels={"c1": "东社区", "c2": "西社区"},
    )  # fmt: skip
    sites = ex.sites_sheet(data.plans)
    ex.write_csv(tmp_path / "c.csv", summary)
    raw = (tmp_path / "c.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet programs
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("zone_id,name,population,items_met")
    assert lines[2] == "c2,西社区,12000,1,2,no,no,菜市场,food market"

    ex.write_xlsx(tmp_path / "w.xlsx", [summary, sites], notes=["测试"])
    wb = load_workbook(tmp_path / "w.xlsx")
    assert wb.sheetnames == ["社区达标", "选址建议", "说明"]
    ws = wb["社区达标"]
    assert [c.value for c in ws[1]][:3] == ["编号", "名称", "人口"]
    assert [c.value for c in ws[2]][:3] == ["id", "name", "population"]
    assert [c.value for c in ws[4]][:7] == ["c2", "西社区", 12000.0, 1, 2, "否", "否"]
    assert wb["选址建议"]["D3"].value == "p1"

    layer = ex.sites_layer(data.plans)
    circles = ex.circles_layer(data.network, data.layout, data.circle_table, osm_derived=True)
    ex.write_geojson(tmp_path / "s.geojson", circles)
    gj = json.loads((tmp_path / "s.geojson").read_text("utf-8"))
    assert gj["attribution"] == "© OpenStreetMap contributors"
    # 12,000 + 12,000 would pass the 20,000 maximum: two circles of one community each
    assert [f["properties"]["population"] for f in gj["features"]] == [12_000.0, 12_000.0]
    assert gj["features"][0]["geometry"]["type"] == "Polygon"

    ex.write_gpkg(tmp_path / "x.gpkg", [layer, circles])
    con = sqlite3.connect(tmp_path / "x.gpkg")
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    contents = con.execute("SELECT table_name, srs_id FROM gpkg_contents ORDER BY 1").fetchall()
    assert contents == [("circles", 4326), ("proposed_sites", 4326)]
    blob, cid = con.execute('SELECT geom, candidate_id FROM "proposed_sites"').fetchone()
    assert blob[:2] == b"GP" and cid == "p1"
    point = shapely.from_wkb(blob[8 + 32 :])
    cand = data.plans[0].candidates[0]
    assert (point.x, point.y) == (round(cand.lon, 7), round(cand.lat, 7))  # 1 cm precision
    con.close()
