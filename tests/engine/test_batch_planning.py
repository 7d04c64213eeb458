"""A batch city with a community list is planned by the same pipeline as ``quarterhour report``:
coverage per community and circle, the circles and the gaps come out identical (Chengdu's real
OSM extract; the community list is generated, seeded, as in ``tests/cli/test_plan_cli.py``)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from quarterhour.cli import main
from quarterhour.engine.batch import input_digest, read_job, run_city
from quarterhour.engine.osm_network import read_osm_network

CHENGDU = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "chengdu-osm-2018" / "chengdu.osm"
)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_batch_city_with_communities_equals_report(tmp_path: Path) -> None:
    net, _ = read_osm_network(CHENGDU)
    rng = np.random.default_rng(7)
    nodes = rng.choice(net.n_nodes, 30, replace=False)
    pop = rng.integers(3_000, 9_000, 30)
    comms = tmp_path / "communities.csv"
    with comms.open("w", encoding="utf-8") as fh:
        fh.write("社区代码,社区名称,常住人口,老年人,经度,纬度\n")
        for i, n in enumerate(nodes.tolist()):
            fh.write(
                f"C{i:02d},第{i}社区,{pop[i]},{pop[i] // 5},"
                f"{net.node_lon[n]:.7f},{net.node_lat[n]:.7f}\n"
            )
    job = tmp_path / "job.toml"
    job.write_text(
        f'out = "results"\n[[city]]\nname = "chengdu"\nnetwork = "{CHENGDU}"\n'
        f'communities = "{comms}"\n',
        encoding="utf-8",
    )
    (city,) = read_job(job).cities
    outcome = run_city(city, str(tmp_path / "results"), input_digest(city))
    assert outcome.status == "done", outcome.error
    report = tmp_path / "report"
    code = main(
        ["report", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
         "--communities", str(comms), "--max-item-maps", "1", "--out", str(report)]
    )  # fmt: skip
    assert code == 0
    batch = tmp_path / "results" / "chengdu"
    for name in (
        "community_coverage.csv",
        "community_items.csv",
        "circles.csv",
        "circle_coverage.csv",
        "circle_items.csv",
    ):
        assert read_csv(batch / name) == read_csv(report / name), name
    rows = read_csv(batch / "community_items.csv")
    assert {r["group"] for r in rows} == {"all", "elderly"}  # the elderly at their own pace
    gaps = read_csv(batch / "gaps.csv")
    circles = {r["zone_id"] for r in read_csv(batch / "circle_coverage.csv")}
    assert gaps and {g["zone_id"] for g in gaps} <= circles
    assert all(float(g["uncovered"]) > 0 for g in gaps)
    assert "facilities_placed" in read_csv(batch / "summary.csv")[0]


pytestmark = pytest.mark.skipif(not CHENGDU.exists(), reason="shared Chengdu extract not present")
