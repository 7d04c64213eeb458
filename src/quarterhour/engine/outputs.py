"""Writing results: CSV and GeoJSON files that people and GIS tools read.

The CSV files go through the one table writer (:mod:`quarterhour.engine.table_writer`), which
neutralises text that a spreadsheet would run as a formula.

Output is deterministic (same inputs → byte-identical files): rows in input order, numbers with
fixed decimals, UTF-8 with a BOM so that spreadsheet programs open Chinese text correctly.
A run writes into a temporary folder next to the destination and renames it into place only
when everything is written, so a failed run never leaves a folder that looks complete.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from quarterhour.engine.config import speed_m_per_min
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.reach import ReachResult
from quarterhour.engine.table_writer import Cell, csv_file, write_rows_csv

if TYPE_CHECKING:
    from quarterhour.engine.assessment import Assessment
    from quarterhour.engine.registers import SetAsideRow

OSM_ATTRIBUTION = "© OpenStreetMap contributors"


@contextmanager
def atomic_output_dir(out: Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``out``; on error it is removed."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        backup = out.with_name(f".{out.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        out.rename(backup)
        tmp.rename(out)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        tmp.rename(out)


def _fmt(values: npt.NDArray[np.float64], decimals: int) -> list[str]:
    """Fixed-decimal strings; NaN → empty cell."""
    out = np.char.mod(f"%.{decimals}f", np.nan_to_num(values, nan=0.0)).astype(object)
    out[~np.isfinite(values)] = ""
    return list(out)


def write_facilities_csv(path: Path, result: ReachResult) -> None:
    """One row per facility × item it serves."""
    snap = result.facility_snap
    with csv_file(path) as out:
        out.row(["facility_id", "item_code", "name", "lon", "lat", "snap_m"])
        for i, f in enumerate(result.facilities):
            snap_m = "" if snap.edge[i] < 0 else f"{snap.offset_m[i]:.2f}"
            out.rows(
                [f.facility_id, code, f.name, f"{f.lon:.7f}", f"{f.lat:.7f}", snap_m]
                for code in f.item_codes
            )


#: origins formatted at a time when writing reach.csv (bounds memory on million-node runs)
REACH_BLOCK = 50_000


def write_reach_csv(path: Path, result: ReachResult, *, speed_kmh: float) -> None:
    """One row per origin × item: nearest facility within the limit, or an empty distance."""
    codes = list(result.items)
    fac_ids = np.array([f.facility_id for f in result.facilities] + [""], dtype=object)
    reasons = {code: result.reasons(code) for code in codes}
    per_min = speed_m_per_min(speed_kmh)
    n = len(result.origins)
    with csv_file(path) as out:
        out.row(["origin_id", "item_code", "distance_m", "minutes", "facility_id", "reason"])
        for lo in range(0, n, REACH_BLOCK):
            hi = min(n, lo + REACH_BLOCK)
            block = []
            for code in codes:
                item = result.items[code]
                d = item.distance_m[lo:hi]
                block.append(
                    (
                        _fmt(d, 2),
                        _fmt(d / per_min, 2),
                        list(fac_ids[item.facility[lo:hi]]),  # -1 → the trailing ""
                        reasons[code][lo:hi],
                    )
                )
            out.rows(
                [oid, code, dd[k], mm[k], ff[k], rr[k]]
                for k, oid in enumerate(result.origins.origin_id[lo:hi])
                for code, (dd, mm, ff, rr) in zip(codes, block, strict=True)
            )


def write_network_geojson(path: Path, network: WalkNetwork, *, osm_derived: bool) -> None:
    """The walk graph's edges as LineStrings with ``u``, ``v``, ``length_m``."""
    lon, lat = network.node_lon, network.node_lat
    with path.open("w", encoding="utf-8") as fh:
        head: dict[str, object] = {"type": "FeatureCollection", "name": "walk_network"}
        if osm_derived:
            head["attribution"] = OSM_ATTRIBUTION
        fh.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n')
        for i, (u, v, length) in enumerate(
            zip(
                network.edge_u.tolist(),
                network.edge_v.tolist(),
                network.edge_length_m.tolist(),
                strict=True,
            )
        ):
            sep = ",\n" if i else ""
            fh.write(
                f'{sep}{{"type":"Feature","properties":{{"u":{u},"v":{v},'
                f'"length_m":{length:.2f}}},"geometry":{{"type":"LineString","coordinates":'
                f"[[{lon[u]:.7f},{lat[u]:.7f}],[{lon[v]:.7f},{lat[v]:.7f}]]}}}}"
            )
        fh.write("\n]}\n")


def write_assessment(
    result: Assessment,
    out: Path,
    *,
    export_network: bool,
    reach_csv: bool = True,
    not_in_standard: Sequence[SetAsideRow] = (),
    counted: Literal["residents", "network_points"] = "residents",
) -> None:
    """Every output file of an assessment, into ``out`` atomically.

    ``counted``: what the origins' weights count — residents, or network points when no
    population was given (every origin weighs 1): the summary's columns and README.txt say
    路网节点 / network points then, never 人口 / population.

    ``reach_csv=False`` leaves out ``reach.csv`` (one row per origin × item: gigabytes for a
    city of millions of nodes) and keeps the summary, facility and unsnapped files.
    ``not_in_standard``: register rows set aside as outside the standard, written to
    ``not_in_standard.csv`` when there are any.
    """
    with atomic_output_dir(out) as tmp:
        if not_in_standard:
            from quarterhour.engine.registers import write_not_in_standard

            write_not_in_standard(tmp / "not_in_standard.csv", not_in_standard)
        write_facilities_csv(tmp / "facilities.csv", result.result)
        if reach_csv:
            write_reach_csv(tmp / "reach.csv", result.result, speed_kmh=result.speed_kmh)
        write_rows_csv(
            tmp / "summary.csv",
            [
                "item_code",
                "name_zh",
                "name_en",
                "walk_applies",
                "facilities_in_register",
                "facilities_placed",
                "origins",
                "reachable_origins",
                *(
                    ("network_points", "reachable_network_points")
                    if counted == "network_points"
                    else ("population", "reachable_population")
                ),
                "share",
                "median_minutes",
                "p90_minutes",
            ],
            [
                [
                    s.item_code,
                    s.name_zh,
                    s.name_en,
                    "yes" if s.walk_applies else "no",
                    s.facilities,
                    s.facilities_placed,
                    s.origins,
                    s.reachable_origins,
                    f"{s.population:.2f}",
                    f"{s.reachable_population:.2f}",
                    "" if math.isnan(s.share) else f"{s.share:.4f}",
                    "" if math.isnan(s.median_minutes) else f"{s.median_minutes:.2f}",
                    "" if math.isnan(s.p90_minutes) else f"{s.p90_minutes:.2f}",
                ]
                for s in result.summaries
            ],
        )
        write_unsnapped(tmp / "unsnapped.csv", result)
        if export_network:
            write_network_geojson(
                tmp / "network.geojson", result.network, osm_derived=result.osm_derived
            )
        (tmp / "README.txt").write_text(
            "quarterhour assess\n"
            f"walk: {result.minutes:g} min at {result.speed_kmh:g} km/h = {result.limit_m:.0f} m\n"
            f"standard: {result.standard.code}\n"
            + _counted_line(counted)
            + ("" if reach_csv else "reach.csv: not written (reach_csv = false)\n")
            + (f"Map data {OSM_ATTRIBUTION} (ODbL)\n" if result.osm_derived else ""),
            encoding="utf-8",
        )


def _counted_line(counted: str) -> str:
    if counted == "network_points":
        return (
            "未提供居民数：各项数字为路网节点（居住点）数，不是居民人数 / no population given: "
            "figures count network points (origins), not residents\n"
        )
    return "居民按居住点文件的人口计 / residents as the origins file gives them\n"


def write_unsnapped(path: Path, result: Assessment) -> None:
    """Points beyond the snap limit: listed, not silently dropped."""
    rows: list[list[Cell]] = []
    r = result.result
    for i, f in enumerate(r.facilities):
        if r.facility_snap.edge[i] < 0:
            rows.append(
                ["facility", f.facility_id, f"{f.lon:.7f}", f"{f.lat:.7f}", "beyond_snap_limit"]
            )
    if r.origin_snap is not None:
        for i in range(len(r.origins)):
            if r.origin_snap.edge[i] < 0:
                rows.append(
                    [
                        "origin",
                        r.origins.origin_id[i],
                        f"{r.origins.lon[i]:.7f}",
                        f"{r.origins.lat[i]:.7f}",
                        "beyond_snap_limit",
                    ]
                )
    write_rows_csv(path, ["kind", "id", "lon", "lat", "reason"], rows)
