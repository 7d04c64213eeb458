"""Writing results: CSV and GeoJSON files that people and GIS tools read.

Output is deterministic (same inputs → byte-identical files): rows in input order, numbers with
fixed decimals, UTF-8 with a BOM so that spreadsheet programs open Chinese text correctly.
A run writes into a temporary folder next to the destination and renames it into place only
when everything is written, so a failed run never leaves a folder that looks complete.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt

from quarterhour.engine.config import speed_m_per_min
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.reach import ReachResult

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
CSV_ENCODING = "utf-8-sig"


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
    with path.open("w", encoding=CSV_ENCODING, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["facility_id", "item_code", "name", "lon", "lat", "snap_m"])
        for i, f in enumerate(result.facilities):
            snap_m = "" if snap.edge[i] < 0 else f"{snap.offset_m[i]:.2f}"
            for code in f.item_codes:
                w.writerow([f.facility_id, code, f.name, f"{f.lon:.7f}", f"{f.lat:.7f}", snap_m])


def write_reach_csv(path: Path, result: ReachResult, *, speed_kmh: float) -> None:
    """One row per origin × item: nearest facility within the limit, or an empty distance."""
    codes = list(result.items)
    fac_ids = np.array([f.facility_id for f in result.facilities] + [""], dtype=object)
    per_item = []
    for code in codes:
        item = result.items[code]
        per_item.append(
            (
                _fmt(item.distance_m, 2),
                _fmt(item.distance_m / speed_m_per_min(speed_kmh), 2),
                list(fac_ids[item.facility]),  # -1 → the trailing ""
                result.reasons(code),
            )
        )
    with path.open("w", encoding=CSV_ENCODING, newline="") as fh:
        fh.write("origin_id,item_code,distance_m,minutes,facility_id,reason\n")
        w = csv.writer(fh, lineterminator="\n")
        for o, oid in enumerate(result.origins.origin_id):
            w.writerows(
                [oid, code, d[o], m[o], f[o], r[o]]
                for code, (d, m, f, r) in zip(codes, per_item, strict=True)
            )


def write_rows_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


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
