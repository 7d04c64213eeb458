"""``quarterhour plan sites|circles`` and ``quarterhour report`` on the real Chengdu extract.

The Chengdu OSM data are real; the community list is generated here (seeded) because no
public community list with population exists for that area.
"""

from __future__ import annotations

import csv
import sqlite3
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from quarterhour.cli import main
from quarterhour.engine.osm_network import read_osm_network

CHENGDU = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "chengdu-osm-2018"
    / "chengdu.osm"
)
pytestmark = pytest.mark.skipif(not CHENGDU.exists(), reason="shared Chengdu extract not present")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def communities(tmp_path_factory: pytest.TempPathFactory) -> Path:
    net, _ = read_osm_network(CHENGDU)
    rng = np.random.default_rng(42)
    nodes = rng.choice(net.n_nodes, 40, replace=False)
    pop = rng.integers(3_000, 9_000, 40)
    path = tmp_path_factory.mktemp("comm") / "communities.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("社区代码,社区名称,常住人口,老年人,街道,经度,纬度\n")
        for i, n in enumerate(nodes.tolist()):
            fh.write(
                f"C{i:02d},第{i}社区,{pop[i]},{pop[i] // 5},S{i // 10},"
                f"{net.node_lon[n]:.7f},{net.node_lat[n]:.7f}\n"
            )
    return path


@pytest.fixture(scope="module")
def report_run(communities: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rep") / "out"
    code = main(
        [
            "report", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
            "--communities", str(communities), "--k", "2", "--item", "school.citizen",
            "--time-limit", "10", "--max-item-maps", "1", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    return out


def test_report_writes_every_output(report_run: Path) -> None:
    names = {p.name for p in report_run.iterdir()}
    assert {
        "report.html", "quarterhour.xlsx", "quarterhour.gpkg", "communities.geojson",
        "circles.geojson", "facilities.geojson", "proposed_sites.geojson", "coverage.geojson",
        "community_coverage.csv", "circle_coverage.csv", "circle_parts.csv", "sites.csv",
        "targets.csv", "README.txt",
    } <= names  # fmt: skip
    page = (report_run / "report.html").read_text("utf-8")
    assert "© OpenStreetMap contributors" in page
    assert "社区范围由步行网络推导" in page
    assert len(read_csv(report_run / "community_coverage.csv")) == 40
    wb = load_workbook(report_run / "quarterhour.xlsx", read_only=True)
    assert {"社区达标", "服务圈", "选址建议", "目标进度", "说明"} <= set(wb.sheetnames)
    con = sqlite3.connect(report_run / "quarterhour.gpkg")
    tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    con.close()
    assert {"communities", "circles", "facilities", "proposed_sites", "coverage"} == tables


def test_report_sites_add_up(report_run: Path) -> None:
    sites = read_csv(report_run / "sites.csv")
    assert [s["item_code"] for s in sites] == ["school.citizen", "school.citizen"]
    assert [s["order"] for s in sites] == ["1", "2"]
    gains = [float(s["sequential_gain"]) for s in sites]
    assert gains[0] >= gains[1] > 0
    for s in sites:
        assert float(s["newly_covers"]) >= float(s["sequential_gain"]) >= float(s["marginal"])


def test_report_elderly_group_and_circles(report_run: Path) -> None:
    rows = read_csv(report_run / "community_items.csv")
    groups = {r["group"] for r in rows}
    assert groups == {"all", "elderly"}
    parts = read_csv(report_run / "circle_parts.csv")
    share: dict[str, float] = defaultdict(float)
    for p in parts:
        share[p["community_code"]] += float(p["share"])
    assert len(share) == 40
    assert all(abs(v - 1.0) < 1e-9 for v in share.values())


def test_plan_circles_is_reproducible_and_bounded(communities: Path, tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        argv = ["plan", "circles", "--network", str(CHENGDU), "--communities", str(communities)]
        assert main([*argv, "--by-street", "--out", str(out)]) == 0
        outs.append(out)
    for f in ("circles.csv", "circle_parts.csv", "circles.geojson"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes()
    for c in read_csv(outs[0] / "circles.csv"):
        pop = float(c["population"])
        if c["in_range"] == "yes":
            assert 10_000 <= pop <= 20_000
        else:
            assert c["reason_en"], c  # out of range only with a stated reason


def test_bad_community_list_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,population,lon,lat\nA,100,104.07,30.67\nA,-5,104.08,30.68\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    argv = ["plan", "circles", "--network", str(CHENGDU), "--communities", str(bad)]
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "duplicate_id" in err and "population_invalid" in err
    assert not out.exists()


def test_sites_needs_k_or_share(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["plan", "sites", "--network", str(CHENGDU), "--facilities", str(CHENGDU)]
    assert main([*argv, "--out", str(out)]) == 2
    assert "--k" in capsys.readouterr().err
    assert main([*argv, "--k", "1", "--item", "nope", "--out", str(out)]) == 2
    assert not out.exists()


def test_plan_sites_with_residents_in_buildings(communities: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = [
        "plan", "sites", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
        "--communities", str(communities), "--buildings", str(CHENGDU), "--k", "1",
        "--item", "school.citizen", "--greedy", "--out", str(out),
    ]  # fmt: skip
    assert main(argv) == 0
    (site,) = read_csv(out / "sites.csv")
    assert site["model"] == "mclp/greedy" and float(site["newly_covers"]) > 0
    readme = (out / "README.txt").read_text("utf-8")
    assert "residential buildings" in readme and "© OpenStreetMap contributors" in readme


def test_community_off_the_network_is_reported(communities: Path, tmp_path: Path) -> None:
    lines = communities.read_text("utf-8").splitlines()
    far = tmp_path / "far.csv"
    far.write_text("\n".join([*lines, "FAR,远郊社区,5000,1000,S9,105.5,31.5"]) + "\n", "utf-8")
    out = tmp_path / "out"
    argv = ["plan", "circles", "--network", str(CHENGDU), "--communities", str(far)]
    assert main([*argv, "--out", str(out)]) == 0
    readme = (out / "README.txt").read_text("utf-8")
    assert "1 communities have no walk-network area" in readme and "FAR 远郊社区" in readme
    (row,) = [
        c for c in read_csv(out / "circles.csv") if c["reason_en"].startswith("the community")
    ]
    assert row["population"] == "5000" and row["in_range"] == "no"
    assert row["reason_en"] == "the community has no walk-network area"
