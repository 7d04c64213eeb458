"""``quarterhour plan whatif`` on the real Chengdu extract, checked against full assessments."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from quarterhour.cli import main
from quarterhour.engine.assessment import load_facility_file, load_network
from quarterhour.engine.config import minutes_to_metres
from quarterhour.engine.places import Origins
from quarterhour.engine.reach import reach
from quarterhour.engine.standards import load_standard

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
def chengdu() -> tuple:
    standard = load_standard("beijing-2011")
    net, _, _ = load_network(CHENGDU)
    facilities = load_facility_file(CHENGDU, standard, crs="wgs84")
    limit = minutes_to_metres(standard.walking.minutes, speed_kmh=standard.walking.speed_kmh)
    return standard, net, facilities, limit


def full_items(net, facilities, codes, limit):  # type: ignore[no-untyped-def]
    res = reach(net, Origins.from_network_nodes(net), facilities, item_codes=codes, limit_m=limit)
    return res.items


def test_changes_match_full_assessments(chengdu: tuple, tmp_path: Path) -> None:
    _, net, facilities, limit = chengdu
    post = [i for i, f in enumerate(facilities) if "shop.post" in f.item_codes]
    closed = facilities[post[0]]
    moved = facilities[post[1]]
    to_lon, to_lat = float(net.node_lon[100]), float(net.node_lat[100])
    out = tmp_path / "out"
    code = main(
        [
            "plan", "whatif", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
            "--change", f"close:{closed.facility_id}",
            "--change", f"move:{moved.facility_id}@{to_lon},{to_lat}",
            "--change", "add:shop.post、shop.pharmacy@104.0653693,30.6538521#新点-1",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    rows = read_csv(out / "whatif.csv")
    summary = read_csv(out / "whatif_summary.csv")
    assert {r["change_no"] for r in summary} == {"1", "2", "3"}
    assert {r["item_code"] for r in summary if r["change_no"] == "3"} == {
        "shop.post",
        "shop.pharmacy",
    }
    # replay the changes as full runs; every listed answer must be the full run's
    codes = ["shop.post", "shop.pharmacy"]
    ids = Origins.from_network_nodes(net).origin_id
    state = list(facilities)
    before = full_items(net, state, codes, limit)
    state[post[0]] = replace(closed, item_codes=())
    after1 = full_items(net, state, codes, limit)
    state[post[1]] = replace(moved, lon=to_lon, lat=to_lat)
    after2 = full_items(net, state, codes, limit)
    from quarterhour.engine.places import Facility

    state.append(
        Facility("新点-1", "新点-1", 104.0653693, 30.6538521, ("shop.post", "shop.pharmacy"))
    )
    after3 = full_items(net, state, codes, limit)
    fid = [f.facility_id for f in state] + [""]
    for n, (b, a) in enumerate(((before, after1), (after1, after2), (after2, after3)), start=1):
        for c in codes:
            listed = {
                r["origin_id"]: r for r in rows if r["change_no"] == str(n) and r["item_code"] == c
            }
            changed = np.flatnonzero(
                (b[c].facility != a[c].facility)
                | ~(
                    (b[c].distance_m == a[c].distance_m)
                    | np.isnan(b[c].distance_m) & np.isnan(a[c].distance_m)
                )
            )
            assert sorted(listed) == sorted(ids[i] for i in changed.tolist())
            for i in changed.tolist():
                r = listed[ids[i]]
                want = a[c].distance_m[i]
                assert r["after_m"] == ("" if np.isnan(want) else f"{want:.2f}")
                assert r["after_facility_id"] == fid[a[c].facility[i]]
                assert r["before_facility_id"] == fid[b[c].facility[i]]
    assert any(r["after_facility_id"] == "新点-1" for r in rows)
    assert sum(1 for r in rows if r["change_no"] == "1") > 0


def test_changes_from_a_table(chengdu: tuple, tmp_path: Path) -> None:
    _, _, facilities, _ = chengdu
    table = tmp_path / "changes.csv"
    table.write_text(
        "变更,设施编号,服务项目,经度,纬度\n"
        f"close,{facilities[0].facility_id},,,\n"
        "add,=cmd,shop.post,104.0653693,30.6538521\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(
        ["plan", "whatif", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
         "--changes", str(table), "--out", str(out)]
    ) == 0  # fmt: skip
    summary = read_csv(out / "whatif_summary.csv")
    assert {r["change_no"] for r in summary} >= {"2"}
    # an id that looks like a formula is written so that a spreadsheet shows it as text
    assert all(r["change"].startswith("add:") or r["change"].startswith("close:") for r in summary)
    rows = read_csv(out / "whatif.csv")
    assert {r["after_facility_id"] for r in rows if r["change_no"] == "2"} == {"'=cmd"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("close:no-such-facility", "no facility with id no-such-facility"),
        ("add:shop.post@104.06", "coordinates must be LON,LAT"),
        ("add:not.an.item@104.06,30.65", "the standard has no item not.an.item"),
        ("rename:x", "unknown change 'rename'"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_written(
    spec: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        ["plan", "whatif", "--network", str(CHENGDU), "--facilities", str(CHENGDU),
         "--change", spec, "--out", str(out)]
    )  # fmt: skip
    assert code == 2
    assert message in " ".join(capsys.readouterr().err.split())
    assert not out.exists()
