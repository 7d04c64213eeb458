"""``quarterhour assess`` end to end on the real Chengdu extract, good and bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from quarterhour.cli import main
from quarterhour.engine.coords import from_wgs84
from quarterhour.engine.osm_features import read_osm_facilities
from quarterhour.engine.osm_network import read_osm_network
from quarterhour.engine.standards import load_standard

CHENGDU = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "chengdu-osm-2018"
    / "chengdu.osm"
)
STD = load_standard("beijing-2011")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def chengdu_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cd") / "out"
    assert (
        main(["assess", "--network", str(CHENGDU), "--facilities", str(CHENGDU), "--out", str(out)])
        == 0
    )
    return out


def test_outputs_cover_every_node_and_item(chengdu_run: Path) -> None:
    net, _ = read_osm_network(CHENGDU)
    reach = read_csv(chengdu_run / "reach.csv")
    assert len(reach) == net.n_nodes * len(STD.items)
    assert {r["item_code"] for r in reach} == set(STD.codes)
    summary = {r["item_code"]: r for r in read_csv(chengdu_run / "summary.csv")}
    # summary agrees with reach.csv, recounted here
    for code in ("shop.pharmacy", "site.market", "shop.convenience"):
        rows = [r for r in reach if r["item_code"] == code]
        reached = [r for r in rows if r["distance_m"]]
        assert int(summary[code]["reachable_origins"]) == len(reached)
        assert all(float(r["distance_m"]) <= 1000.0 for r in reached)
        assert all(r["facility_id"].startswith("osm:") for r in reached)
        assert all(r["reason"] == "beyond_limit" for r in rows if not r["distance_m"])
        minutes = [float(r["minutes"]) for r in reached]
        assert max(minutes) <= 15.0
    # minutes are metres at 4 km/h
    r0 = next(r for r in reach if r["distance_m"])
    assert float(r0["minutes"]) == pytest.approx(float(r0["distance_m"]) / (4000 / 60), abs=0.006)
    facilities = read_csv(chengdu_run / "facilities.csv")
    assert {"osm:node/1679179461"} <= {f["facility_id"] for f in facilities}
    assert "© OpenStreetMap contributors" in (chengdu_run / "README.txt").read_text("utf-8")


def test_same_inputs_give_byte_identical_outputs(chengdu_run: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert (
        main(
            ["assess", "--network", str(CHENGDU), "--facilities", str(CHENGDU), "--out", str(again)]
        )
        == 0
    )
    for name in ("reach.csv", "facilities.csv", "summary.csv", "unsnapped.csv"):
        assert (again / name).read_bytes() == (chengdu_run / name).read_bytes(), name


def write_register(
    path: Path, rows: list[tuple[str, str, str, float, float]], *, encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "名称", "类别", "经度", "纬度"])
        for fid, name, cat, lon, lat in rows:
            w.writerow([fid, name, cat, f"{lon:.7f}", f"{lat:.7f}"])
    return path


@pytest.fixture(scope="module")
def register_rows() -> list[tuple[str, str, str, float, float]]:
    """The Chengdu OSM shops and services as a register: category in the standard's Chinese."""
    facs = read_osm_facilities(CHENGDU, classify=STD.classify_osm)
    return [
        (f"R{i:03d}", f.name or "无名", STD.item(f.item_codes[0]).name_zh, f.lon, f.lat)
        for i, f in enumerate(facs[:80])
    ]


def test_gbk_register_in_gcj02(tmp_path: Path, register_rows: list) -> None:
    lon = np.array([r[3] for r in register_rows])
    lat = np.array([r[4] for r in register_rows])
    glon, glat = from_wgs84(lon, lat, crs="gcj02")
    rows = [
        (r[0], r[1], r[2], float(x), float(y))
        for r, x, y in zip(register_rows, glon, glat, strict=True)
    ]
    reg = write_register(tmp_path / "登记表.csv", rows, encoding="gbk")
    out = tmp_path / "out"
    code = main(
        [
            "assess",
            "--network",
            str(CHENGDU),
            "--facilities",
            str(reg),
            "--crs",
            "gcj02",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    facs = read_csv(out / "facilities.csv")
    got = {f["facility_id"]: (float(f["lon"]), float(f["lat"])) for f in facs}
    for fid, _n, _c, x, y in register_rows:  # converted back to WGS-84 within 1e-6° (≈ 0.1 m)
        key = f"登记表:{fid}"  # ids are qualified by the register's file name
        assert got[key] == (pytest.approx(x, abs=1e-6), pytest.approx(y, abs=1e-6))


def test_city_wide_register_lists_points_beyond_the_network(
    tmp_path: Path, register_rows: list
) -> None:
    far = [(f"FAR{i}", "远处", "药店", 104.30 + i * 0.01, 30.80) for i in range(5)]
    reg = write_register(tmp_path / "city.csv", register_rows + far)
    out = tmp_path / "out"
    assert (
        main(["assess", "--network", str(CHENGDU), "--facilities", str(reg), "--out", str(out)])
        == 0
    )
    unsnapped = read_csv(out / "unsnapped.csv")
    assert sorted(r["id"] for r in unsnapped if r["kind"] == "facility") == [
        f"city:FAR{i}" for i in range(5)
    ]


def assert_refused(
    args: list[str], out: Path, capsys: pytest.CaptureFixture[str], *needles: str
) -> str:
    code = main([*args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    assert not any(p.name.startswith(f".{out.name}") for p in out.parent.iterdir())
    for n in needles:
        assert n in err, (n, err)
    return err


def test_truncated_pbf_is_refused_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pbf = (
        Path(__file__).resolve().parents[2].parent
        / "shared"
        / "data"
        / "sao-paulo-r5py"
        / "spo_osm.pbf"
    )
    bad = tmp_path / "cut.osm.pbf"
    bad.write_bytes(pbf.read_bytes()[:200_000])
    assert_refused(["assess", "--network", str(bad)], tmp_path / "out", capsys, "cut.osm.pbf")


def test_empty_network_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.osm"
    empty.write_bytes(b"")
    assert_refused(["assess", "--network", str(empty)], tmp_path / "out", capsys, "empty.osm")


def test_register_without_coordinates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reg = tmp_path / "nocoords.csv"
    reg.write_text("名称,类别,地址\n某药店,药店,某路1号\n", encoding="utf-8")
    assert_refused(
        ["assess", "--network", str(CHENGDU), "--facilities", str(reg)],
        tmp_path / "out",
        capsys,
        "nocoords.csv",
    )


def test_swapped_lat_lon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], register_rows: list
) -> None:
    reg = write_register(
        tmp_path / "swapped.csv", [(a, b, c, y, x) for a, b, c, x, y in register_rows]
    )
    err = assert_refused(
        ["assess", "--network", str(CHENGDU), "--facilities", str(reg)],
        tmp_path / "out",
        capsys,
        "swapped.csv",
    )
    assert "lat" in err.lower() or "纬度" in err


def test_wrong_city_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], register_rows: list
) -> None:
    beijing = [(a, b, c, x + 12.3, y + 9.2) for a, b, c, x, y in register_rows]
    reg = write_register(tmp_path / "beijing.csv", beijing)
    assert_refused(
        ["assess", "--network", str(CHENGDU), "--facilities", str(reg)],
        tmp_path / "out",
        capsys,
        "beijing.csv",
    )


def test_unknown_category_names_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], register_rows: list
) -> None:
    rows = [
        *list(register_rows[:5]),
        ("X1", "火星站", "星际飞船维修", register_rows[0][3], register_rows[0][4]),
    ]
    reg = write_register(tmp_path / "unknown.csv", rows)
    # --strict refuses a type outside the standard, naming the file, the text and the row
    err = assert_refused(
        ["assess", "--network", str(CHENGDU), "--facilities", str(reg), "--strict"],
        tmp_path / "out",
        capsys,
        "unknown.csv",
        "星际飞船维修",
    )
    assert "7" in err  # the data row's line number in the file (header is line 1)
    # by default the row is set aside, counted in the output and listed in not_in_standard.csv
    out = tmp_path / "lenient"
    code = main(["assess", "--network", str(CHENGDU), "--facilities", str(reg), "--out", str(out)])
    printed = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert code == 0
    assert "星际飞船维修: 1" in printed
    assert "1 rows of 1 types outside the standard set aside" in printed
    aside = read_csv(out / "not_in_standard.csv")
    assert [(r["行号 (row)"], r["名称 (name)"], r["类别 (category)"]) for r in aside] == [
        ("7", "火星站", "星际飞船维修")
    ]
    facilities = {r["facility_id"] for r in read_csv(out / "facilities.csv")}
    assert "unknown:X1" not in facilities and len(facilities) == 5


def test_gcj02_declared_as_wgs84_is_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Register points geocoded to streets, given in GCJ-02 but declared WGS-84: a warning."""
    net, _ = read_osm_network(CHENGDU)
    rng = np.random.default_rng(3)
    pick = rng.choice(net.n_nodes, 60, replace=False)
    glon, glat = from_wgs84(net.node_lon[pick], net.node_lat[pick], crs="gcj02")
    rows = [
        (f"G{i}", "药店", "药店", float(x), float(y))
        for i, (x, y) in enumerate(zip(glon, glat, strict=True))
    ]
    reg = write_register(tmp_path / "gcj.csv", rows)
    out = tmp_path / "out"
    code = main(["assess", "--network", str(CHENGDU), "--facilities", str(reg), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    assert "gcj02" in err.lower() and "gcj.csv" in err


def test_error_codes_are_printed_not_swallowed_as_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.osm"
    empty.write_bytes(b"")
    assert main(["assess", "--network", str(empty), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "[file_empty]" in err  # the error code survives the console's markup


def test_without_population_outputs_say_network_points(
    chengdu_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Homes are the network's nodes: summary.csv and README.txt count network points (路网节点),
    never residents (人口); an origins file with a population column counts residents."""
    with (chengdu_run / "summary.csv").open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert "network_points" in header and "reachable_network_points" in header
    assert not any("population" in h for h in header)
    readme = (chengdu_run / "README.txt").read_text("utf-8")
    assert "路网节点" in readme and "network points" in readme and "人口" not in readme
    # the same nodes as homes, with residents
    net, _ = read_osm_network(CHENGDU)
    homes = tmp_path / "homes.csv"
    with homes.open("w", encoding="utf-8") as fh:
        fh.write("编号,经度,纬度,人口\n")
        for i in range(0, net.n_nodes, 97):
            fh.write(f"h{i},{net.node_lon[i]:.7f},{net.node_lat[i]:.7f},{100 + i % 7}\n")
    out = tmp_path / "out"
    capsys.readouterr()
    argv = ["assess", "--network", str(CHENGDU), "--facilities", str(CHENGDU)]
    assert main([*argv, "--origins", str(homes), "--out", str(out)]) == 0
    assert "人口覆盖" in capsys.readouterr().err
    rows = read_csv(out / "summary.csv")
    assert "population" in rows[0] and "network_points" not in rows[0]
    pharmacy = next(r for r in rows if r["item_code"] == "shop.pharmacy")
    assert float(pharmacy["population"]) > int(pharmacy["origins"])  # residents, not points
    assert "居民" in (out / "README.txt").read_text("utf-8")
    # without a population column the origins are points again
    bare = tmp_path / "bare.csv"
    bare.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in homes.read_text("utf-8").splitlines()) + "\n",
        encoding="utf-8",
    )
    out2 = tmp_path / "out2"
    capsys.readouterr()
    assert main([*argv, "--origins", str(bare), "--out", str(out2)]) == 0
    assert "路网节点覆盖" in capsys.readouterr().err
    assert "network_points" in read_csv(out2 / "summary.csv")[0]
