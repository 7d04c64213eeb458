"""``quarterhour report`` without any population input: every figure counts network points, and
says so — in the workbook's headings, the HTML and README.txt (which shows the command as typed).
On the real Chengdu extract."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from quarterhour.cli import main

CHENGDU = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "chengdu-osm-2018" / "chengdu.osm"
)
pytestmark = pytest.mark.skipif(not CHENGDU.exists(), reason="shared Chengdu extract not present")


def test_without_population_every_output_says_network_points(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(
        ["report", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
         "--item", "shop.pharmacy", "--k", "1", "--greedy", "--candidate-nodes", "200",
         "--max-item-maps", "1", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    wb = load_workbook(out / "quarterhour.xlsx", read_only=True)
    headings = []
    for ws in wb.worksheets:
        if ws.title == "说明":
            continue
        for row in ws.iter_rows(min_row=1, max_row=3, values_only=True):
            headings += [str(v) for v in row if v is not None]
    text = " ".join(headings)
    assert "路网节点" in text and "新增覆盖路网节点" in text
    assert "人口" not in text
    page = (out / "report.html").read_text("utf-8")
    assert "步行可达路网节点" in page and "新增覆盖路网节点" in page
    assert "<th>人口" not in page
    readme = (out / "README.txt").read_text("utf-8").splitlines()
    assert readme[0].startswith("quarterhour report --candidate-nodes 200 --crs wgs84 ")
    assert f" --facilities {CHENGDU} " in readme[0] and " --k 1 " in readme[0]
    assert "PosixPath" not in "\n".join(readme) and "[" not in readme[0]
    assert any("未提供人口" in line and "network points" in line for line in readme)
    placed = next(line for line in readme if line.startswith("设施 / facilities"))
    assert "in the register" in placed and "placed on the walk network" in placed
