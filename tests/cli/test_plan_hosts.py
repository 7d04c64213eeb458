"""``quarterhour plan sites`` on the real Chengdu extract: proposed multi-use sites (一室多用) name
their host kind and why, and an AMap-style register's rows of other types are set aside."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from quarterhour.cli import main
from quarterhour.engine.osm_network import read_osm_network

CHENGDU = Path(__file__).resolve().parents[2].parent / "shared/data/chengdu-osm-2018/chengdu.osm"
pytestmark = pytest.mark.skipif(not CHENGDU.exists(), reason="shared Chengdu extract not present")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_sites_state_host_and_reason_and_set_aside_rows_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    net, _ = read_osm_network(CHENGDU)
    lon, lat = float(net.node_lon[100]), float(net.node_lat[100])
    register = tmp_path / "amap.csv"
    register.write_text(
        "name,type,typecode,lng,lat\n"
        f"某某科技有限公司,公司企业;公司;公司,170200,{lon},{lat}\n"
        f"星巴克(春熙路店),餐饮服务;咖啡厅;星巴克咖啡,050501,{lon},{lat}\n"
        f"锦江区某社区居委会,政府机构及社会团体;政府机关;乡镇以下级政府及事业单位,130106,{lon},{lat}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(
        [
            "plan", "sites", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
            "--facilities", str(register), "--item", "school.citizen", "--item", "room.daycare",
            "--k", "2", "--greedy", "--out", str(out),
        ]
    )  # fmt: skip
    printed = " ".join(capsys.readouterr().err.split())
    assert code == 0
    assert "某某科技有限公司" not in printed and "公司企业;公司;公司 [170200]: 1" in printed
    assert "→ room.committee 居委会办公室 (1)" in printed
    sites = read_csv(out / "sites.csv")
    by_item: dict[str, list[dict[str, str]]] = {}
    for s in sites:
        by_item.setdefault(s["item_code"], []).append(s)
    # the citizens' school goes to schools or libraries, each saying so
    assert by_item["school.citizen"]
    for s in by_item["school.citizen"]:
        assert s["host"] in ("中小学校", "图书馆、阅览室") and s["name"]
        assert s["reason"].startswith(f"{s['host']}可兼设市民学校：")
        assert "Citizens' school in a" in s["reason_en"]
    # the day-care room may go to the residents' committee from the register, never the café
    assert [s["name"] for s in by_item["room.daycare"]] == ["锦江区某社区居委会"]
    assert by_item["room.daycare"][0]["host"] == "居委会"
    aside = read_csv(out / "not_in_standard.csv")
    assert [r["名称 (name)"] for r in aside] == ["某某科技有限公司"]
