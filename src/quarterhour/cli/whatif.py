"""``quarterhour plan whatif``: what if a facility were added, moved or closed?

Assesses once, then makes each change in turn (hypothetically: no input file is altered) and
writes, for every origin whose nearest facility of an item changes, the walk before and after.
Each change recomputes only near it (:mod:`quarterhour.engine.whatif`); the answers are those
of a full assessment with the change made.

Changes, applied in the order given (``--change`` repeatable, and/or a ``--changes`` CSV with
columns ``action, facility_id, items, lon, lat``)::

    add:ITEM[,ITEM...]@LON,LAT[#ID]   a new facility serving those items
    move:FACILITY_ID@LON,LAT          an existing facility (its id in the register) moves
    close:FACILITY_ID                 an existing facility closes
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.markup import escape
from rich.table import Table

from quarterhour.cli._console import console, error, progress_bar
from quarterhour.engine._errors import QuarterhourError
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.standard_loader import DEFAULT_STANDARD

CSV_ENCODING = "utf-8-sig"  # as the assessment's files: Excel opens them as UTF-8

_ITEM_SPLIT = re.compile(r"[、，,；;｜|]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ChangeError(QuarterhourError):
    pass


def register(sub: Any) -> None:
    """Add ``whatif`` under the ``plan`` command (registered by :mod:`quarterhour.cli.plan`)."""
    plan = sub.choices["plan"]
    psub = next(a for a in plan._actions if isinstance(a, argparse._SubParsersAction))
    p: argparse.ArgumentParser = psub.add_parser(
        "whatif",
        help="假设增设、迁移或关闭设施：逐居民对比前后 / what if a facility were added, "
        "moved or closed: every changed answer, before and after",
        description="先评估一次，再逐项假设变更（不改动输入文件），写出最近设施发生变化的每个"
        "居住点的前后步行距离与设施。 / Assess once, then make each change in turn (input files "
        "are not altered) and write every origin whose nearest facility changes, before and "
        "after.",
    )
    p.add_argument("--network", required=True, type=Path, help=".osm.pbf/.osm/.geojson/.gpkg")
    p.add_argument(
        "--facilities",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="OSM 文件或设施登记表（可多次） / OSM extract or facility register (repeatable)",
    )
    p.add_argument("--origins", type=Path, help="居住点 CSV/GeoJSON（默认：所有路网节点）")
    p.add_argument("--standard", default=DEFAULT_STANDARD, help="标准 / standard (name or TOML)")
    p.add_argument("--minutes", type=float, help="步行时限（分钟） / walk minutes")
    p.add_argument("--speed-kmh", type=float, help="步速 km/h / walking speed")
    p.add_argument(
        "--crs",
        choices=["wgs84", "gcj02", "bd09"],
        default="wgs84",
        help="登记表、居住点与变更坐标的坐标系 / CRS of registers, origins and changes",
    )
    p.add_argument("--encoding", help="表格编码 / table encoding")
    p.add_argument(
        "--max-snap-m", type=float, default=DEFAULT_MAX_SNAP_M, help="最大吸附距离（米）"
    )
    p.add_argument("--workers", type=int, default=0, help="线程数 / threads (0 = per core)")
    p.add_argument(
        "--change",
        action="append",
        default=[],
        metavar="SPEC",
        help="add:ITEMS@LON,LAT[#ID] · move:ID@LON,LAT · close:ID（可多次，按顺序）",
    )
    p.add_argument("--changes", type=Path, help="变更表 CSV：action, facility_id, items, lon, lat")
    p.add_argument("--out", required=True, type=Path, help="输出目录 / output folder")
    p.set_defaults(handler=run)


@dataclass(frozen=True, slots=True)
class Spec:
    """One change as written by the user (coordinates still in the input CRS)."""

    action: str
    facility_id: str
    items: tuple[str, ...]
    lon: float
    lat: float
    source: str  # where it was written, for messages

    def text(self) -> str:
        if self.action == "add":
            return f"add:{','.join(self.items)}@{self.lon:.7f},{self.lat:.7f}#{self.facility_id}"
        if self.action == "move":
            return f"move:{self.facility_id}@{self.lon:.7f},{self.lat:.7f}"
        return f"close:{self.facility_id}"


def _coords(text: str, source: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        lon, lat = (float(x) for x in parts)
    except ValueError:
        raise ChangeError(
            f"{source}：坐标应为“经度,纬度”，得到 {text!r}",
            f"{source}: coordinates must be LON,LAT, got {text!r}",
        ) from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ChangeError(
            f"{source}：坐标超出范围 {text!r}", f"{source}: coordinates out of range {text!r}"
        )
    return lon, lat


def parse_spec(text: str, *, source: str, n: int) -> Spec:
    """One ``--change`` value; ``n`` numbers added facilities without an id."""
    action, _, rest = text.strip().partition(":")
    action = action.strip().lower()
    if action == "add":
        items_part, at, where = rest.partition("@")
        where, _, fid = where.partition("#")
        items = tuple(x.strip() for x in _ITEM_SPLIT.split(items_part) if x.strip())
        if not at or not items:
            raise ChangeError(
                f"{source}：新增设施写作 add:项目代码@经度,纬度",
                f"{source}: an added facility is add:ITEM@LON,LAT",
            )
        lon, lat = _coords(where, source)
        return Spec("add", fid.strip() or f"whatif:{n}", items, lon, lat, source)
    if action == "move":
        fid, at, where = rest.partition("@")
        if not at or not fid.strip():
            raise ChangeError(
                f"{source}：迁移写作 move:设施编号@经度,纬度",
                f"{source}: a move is move:FACILITY_ID@LON,LAT",
            )
        lon, lat = _coords(where, source)
        return Spec("move", fid.strip(), (), lon, lat, source)
    if action == "close":
        if not rest.strip():
            raise ChangeError(
                f"{source}：关闭写作 close:设施编号", f"{source}: a closure is close:FACILITY_ID"
            )
        return Spec("close", rest.strip(), (), math.nan, math.nan, source)
    raise ChangeError(
        f"{source}：未知的变更 {action!r}（add / move / close）",
        f"{source}: unknown change {action!r} (add / move / close)",
    )


def read_changes_csv(path: Path, *, encoding: str | None) -> list[Spec]:
    from quarterhour.engine.tables import read_table

    required = {"action": ("action", "变更"), "facility_id": ("facility_id", "设施编号")}
    optional = {"items": ("items", "服务项目"), "lon": ("lon", "经度"), "lat": ("lat", "纬度")}
    table = read_table(path, encoding=encoding, required=required)
    from quarterhour.engine.tables import match_columns

    col = match_columns(table.headers, {**required, **optional})
    if len(table.rows) > 10_000:
        raise ChangeError(f"{path}：变更过多（上限 10000）", f"{path}: too many changes (10,000)")
    out: list[Spec] = []
    for r, row in table.rows:

        def cell(name: str, row: tuple[str, ...] = row) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        source = f"{path}:{r}"
        action = cell("action").lower()
        fid = cell("facility_id")
        if action == "add":
            text = f"add:{cell('items')}@{cell('lon')},{cell('lat')}#{fid}"
        elif action == "move":
            text = f"move:{fid}@{cell('lon')},{cell('lat')}"
        else:
            text = f"{action}:{fid}"
        out.append(parse_spec(text, source=source, n=len(out)))
    return out


def _cell(text: str) -> str:
    """Text for a CSV cell that a spreadsheet will not take for a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except QuarterhourError as exc:
        error(escape(str(exc)))
        return 2
    except (OSError, ValueError) as exc:
        error(escape(f"{type(exc).__name__}: {exc}"))
        return 2


def _run(args: argparse.Namespace) -> int:
    from quarterhour.engine.assessment import load_facility_file, load_network
    from quarterhour.engine.config import minutes_to_metres, speed_m_per_min
    from quarterhour.engine.coords import parse_crs, to_wgs84
    from quarterhour.engine.outputs import atomic_output_dir
    from quarterhour.engine.places import Facility, Origins
    from quarterhour.engine.snapping import EdgeIndex
    from quarterhour.engine.standards import load_standard
    from quarterhour.engine.whatif import Change, apply, scenario

    specs = [parse_spec(t, source=f"--change {t}", n=i) for i, t in enumerate(args.change)]
    if args.changes is not None:
        specs += read_changes_csv(args.changes, encoding=args.encoding)
    if not specs:
        raise ChangeError("没有给出变更（--change 或 --changes）", "no change given (--change)")
    standard = load_standard(args.standard)
    codes = [i.code for i in standard.items]
    for s in specs:
        unknown = [c for c in s.items if c not in codes]
        if unknown:
            raise ChangeError(
                f"{s.source}：标准中没有项目 {'、'.join(unknown)}",
                f"{s.source}: the standard has no item {', '.join(unknown)}",
            )
    minutes = args.minutes or standard.walking.minutes
    speed = args.speed_kmh or standard.walking.speed_kmh
    limit = minutes_to_metres(minutes, speed_kmh=speed)
    crs = parse_crs(args.crs)
    with progress_bar() as progress:
        network, report, _ = load_network(args.network, progress=progress)
        for line in report:
            console.print(f"  {line}")
        facilities: list[Facility] = []
        for path in args.facilities:
            facilities += load_facility_file(
                path, standard, crs=args.crs, encoding=args.encoding, progress=progress
            )
        if args.origins is not None:
            from quarterhour.engine.origins_io import read_origins

            origins = read_origins(args.origins, crs=crs, encoding=args.encoding)
        else:
            origins = Origins.from_network_nodes(network)
        index = EdgeIndex(network)
        t0 = time.perf_counter()
        sc = scenario(
            network,
            origins,
            facilities,
            item_codes=codes,
            limit_m=limit,
            max_snap_m=args.max_snap_m,
            edge_index=index,
            workers=args.workers,
        )
        t_full = time.perf_counter() - t0
    by_id = {f.facility_id: i for i, f in enumerate(sc.facilities)}
    per_min = speed_m_per_min(speed)
    weight = origins.weight
    rows: list[list[str]] = []
    summary: list[list[str]] = []
    timings: list[float] = []
    for n, s in enumerate(specs, start=1):
        if s.action == "add":
            if s.facility_id in by_id:
                raise ChangeError(
                    f"{s.source}：设施编号 {s.facility_id} 已存在",
                    f"{s.source}: facility id {s.facility_id} exists already",
                )
            lon, lat = (float(v[0]) for v in to_wgs84([s.lon], [s.lat], crs=crs))
            change = Change.add(Facility(s.facility_id, s.facility_id, lon, lat, s.items))
        else:
            if s.facility_id not in by_id:
                raise ChangeError(
                    f"{s.source}：没有编号为 {s.facility_id} 的设施",
                    f"{s.source}: no facility with id {s.facility_id}",
                )
            if s.action == "move":
                lon, lat = (float(v[0]) for v in to_wgs84([s.lon], [s.lat], crs=crs))
                change = Change.move(by_id[s.facility_id], lon, lat)
            else:
                change = Change.close(by_id[s.facility_id])
        t0 = time.perf_counter()
        try:
            sc, what = apply(sc, change, in_place=True)
        except ValueError as exc:
            raise ChangeError(f"{s.source}：{exc}", f"{s.source}: {exc}") from None
        timings.append(time.perf_counter() - t0)
        if s.action == "add":
            by_id[s.facility_id] = len(sc.facilities) - 1
        ids = [f.facility_id for f in sc.facilities] + [""]
        if not what.snapped:
            console.print(
                f"[yellow]{escape(s.source)}：新位置离路网超过 {args.max_snap_m:.0f} 米，不计入 / "
                "the new place is beyond the snap limit and serves no one[/yellow]"
            )
        for code, diff in what.items.items():
            for k, o in enumerate(diff.origin.tolist()):
                b, a = float(diff.before_m[k]), float(diff.after_m[k])
                rows.append(
                    [
                        str(n),
                        _cell(s.text()),
                        code,
                        _cell(origins.origin_id[o]),
                        _num(b),
                        _num(b / per_min),
                        _cell(ids[int(diff.before_facility[k])]),
                        _num(a),
                        _num(a / per_min),
                        _cell(ids[int(diff.after_facility[k])]),
                    ]
                )
            before_ok = ~np.isnan(diff.before_m)
            after_ok = ~np.isnan(diff.after_m)
            w = weight[diff.origin]
            summary.append(
                [
                    str(n),
                    _cell(s.text()),
                    code,
                    str(diff.origin.size),
                    str(int((after_ok & ~before_ok).sum())),
                    str(int((before_ok & ~after_ok).sum())),
                    f"{_gain(w, before_ok, after_ok):.1f}",
                    f"{timings[-1] * 1000:.1f}",
                ]
            )
    with atomic_output_dir(args.out) as tmp:
        _write(
            tmp / "whatif.csv",
            [
                "change_no",
                "change",
                "item_code",
                "origin_id",
                "before_m",
                "before_minutes",
                "before_facility_id",
                "after_m",
                "after_minutes",
                "after_facility_id",
            ],
            rows,
        )
        _write(
            tmp / "whatif_summary.csv",
            [
                "change_no",
                "change",
                "item_code",
                "origins_changed",
                "newly_reached",
                "no_longer_reached",
                "population_gained",
                "change_ms",
            ],
            summary,
        )
    table = Table(title="假设变更 / what if")
    for h in ("#", "变更 change", "项目 item", "变化 changed", "新可达 gained", "失去 lost"):
        table.add_column(h)
    for r in summary:
        table.add_row(r[0], escape(r[1]), r[2], r[3], r[4], r[5])
    console.print(table)
    console.print(
        f"完整评估 / full assessment {t_full:.2f} s；每项变更 / each change "
        f"{1000 * max(timings):.1f} ms 以内 (median {1000 * float(np.median(timings)):.1f} ms)"
    )
    console.print(f"→ {escape(str(args.out))}")
    return 0


def _gain(w: Any, before_ok: Any, after_ok: Any) -> float:
    return float(w[after_ok & ~before_ok].sum()) - float(w[before_ok & ~after_ok].sum())


def _num(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.2f}"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
