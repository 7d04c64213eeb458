"""``quarterhour assess``: which standard items every home reaches within a 15-minute walk."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from quarterhour.cli._console import console, error, progress_bar, warn
from quarterhour.engine._errors import QuarterhourError
from quarterhour.engine.assessment import Assessment, load_network, placement_warnings
from quarterhour.engine.batch import cluster_assess
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.coords import parse_crs
from quarterhour.engine.facility_files import read_facility_file
from quarterhour.engine.input_checks import check_placement
from quarterhour.engine.outputs import OSM_ATTRIBUTION, write_assessment
from quarterhour.engine.registers import SetAsideRow
from quarterhour.engine.snapping import EdgeIndex
from quarterhour.engine.standards import DEFAULT_STANDARD, load_standard


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "assess",
        help="步行可达评估 / walking reach of every standard item from every home",
        description="计算每个居住点在步行时限内可到达哪些标准设施、最近一处有多远、是哪一处。"
        " / For every home: which standard facility items it reaches within the walk, "
        "how far the nearest one is, and which one it is.",
    )
    p.add_argument(
        "--network", required=True, type=Path, help=".osm.pbf/.osm/.osm.bz2/.geojson/.gpkg"
    )
    p.add_argument(
        "--facilities",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="OSM 文件或设施登记表 CSV/XLSX（可多次） / OSM extract or register (repeatable)",
    )
    p.add_argument("--origins", type=Path, help="居住点 CSV/GeoJSON（默认：所有路网节点） / homes")
    p.add_argument("--standard", default=DEFAULT_STANDARD, help="标准名称或 TOML 文件 / standard")
    p.add_argument("--minutes", type=float, help="步行时限（分钟），默认取标准 / walk minutes")
    p.add_argument("--speed-kmh", type=float, help="步速 km/h，默认取标准 / walking speed")
    p.add_argument("--elderly", action="store_true", help="老年人步速 / elderly walking pace")
    p.add_argument(
        "--crs",
        choices=["wgs84", "gcj02", "bd09"],
        default="wgs84",
        help="登记表与居住点坐标系 / CRS of registers and origins",
    )
    p.add_argument("--encoding", help="登记表编码（默认自动：UTF-8 或 GBK） / register encoding")
    p.add_argument(
        "--strict",
        action="store_true",
        help="类型不在标准内的行报错（默认：略过并列入 not_in_standard.csv） / refuse rows of "
        "types outside the standard (default: set aside into not_in_standard.csv)",
    )
    p.add_argument(
        "--max-snap-m", type=float, default=DEFAULT_MAX_SNAP_M, help="最大吸附距离（米）"
    )
    p.add_argument(
        "--all-components", action="store_true", help="保留所有连通分量 / keep all parts"
    )
    p.add_argument("--threads", type=int, default=0, help="线程数（0 = 每核一个） / threads")
    p.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="Dask 调度器：分块计算 / tiles on Dask"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="在本机启动 N 个 Dask 工作进程分块计算 / tiles on a local Dask cluster of N processes",
    )
    p.add_argument("--tile-m", type=float, help="分块边长（米），结果与不分块相同 / tile size, m")
    p.add_argument("--export-network", action="store_true", help="写出 network.geojson")
    p.add_argument("--out", required=True, type=Path, help="输出目录 / output folder")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except QuarterhourError as exc:
        error(str(exc))
        return 2
    except (OSError, ValueError) as exc:
        error(f"{type(exc).__name__}: {exc}")
        return 2


def _run(args: argparse.Namespace) -> int:
    standard = load_standard(args.standard)
    speed = args.speed_kmh or (
        standard.walking.elderly_speed_kmh if args.elderly else standard.walking.speed_kmh
    )
    with progress_bar() as progress:
        network, net_report, osm_derived = load_network(
            args.network, keep_largest_component=not args.all_components, progress=progress
        )
        for line in net_report:
            console.print(f"  {line}")
        index = EdgeIndex(network)
        facilities = []
        warnings: list[str] = []
        set_aside: list[SetAsideRow] = []
        for path in args.facilities:
            read = read_facility_file(
                path,
                standard,
                crs=args.crs,
                encoding=args.encoding,
                strict=args.strict,
                with_hosts=False,
                progress=progress,
            )
            for line in read.notes:
                console.print(escape(line), highlight=False)
            found = list(read.facilities)
            set_aside += read.set_aside
            warnings += placement_warnings(
                network, index, found, source=str(path), crs=args.crs, max_snap_m=args.max_snap_m
            )
            facilities.extend(found)
        origins = None
        weighted = False
        if args.origins is not None:
            from quarterhour.engine.origins_io import read_origins_counted

            origins, weighted = read_origins_counted(
                args.origins, crs=parse_crs(args.crs), encoding=args.encoding
            )
            report = check_placement(
                network,
                origins.lon,
                origins.lat,
                source=str(args.origins),
                ids=origins.origin_id,
                declared_crs=parse_crs(args.crs),
                max_snap_m=args.max_snap_m,
                index=index,
            )
            warnings += [str(w) for w in report.warnings]
        run_assess = cluster_assess(args.scheduler, local_workers=args.workers, tile_m=args.tile_m)
        result = run_assess(
            network,
            facilities,
            origins,
            standard=standard,
            minutes=args.minutes,
            speed_kmh=speed,
            max_snap_m=args.max_snap_m,
            workers=args.threads,
            osm_derived=osm_derived,
            network_report=net_report,
            progress=progress,
            edge_index=index,
        )
        progress("write", 0, 1)
        write_assessment(
            result,
            args.out,
            export_network=args.export_network,
            not_in_standard=set_aside,
            counted="residents" if weighted else "network_points",
        )
        progress("write", 1, 1)
    for w in warnings:
        warn(w)
    print_summary(result, weighted=weighted)
    console.print(f"结果已写入 / results written to: {args.out}")
    return 0


def print_summary(result: Assessment, *, weighted: bool) -> None:
    """The per-item table; ``weighted``: the origins carry residents (else they are network
    points, and the share says so)."""
    table = Table(
        title=f"步行 {result.minutes:g} 分钟（{result.limit_m:.0f} 米）可达 / "
        f"within a {result.minutes:g}-minute walk ({result.limit_m:.0f} m)",
    )
    table.add_column("项目 / item")
    table.add_column("设施数\nfacilities", justify="right")
    table.add_column(
        "人口覆盖\nshare of residents" if weighted else "路网节点覆盖\nshare of network points",
        justify="right",
    )
    table.add_column("中位分钟\nmedian min", justify="right")
    for s in result.summaries:
        share = "—" if math.isnan(s.share) else f"{s.share:.1%}"
        med = "—" if math.isnan(s.median_minutes) else f"{s.median_minutes:.1f}"
        scope = "" if s.walk_applies else " *"
        table.add_row(f"{s.name_zh} {s.name_en}{scope}", str(s.facilities), share, med)
    console.print(table)
    console.print("* 社区内设置，不按步行距离要求 / inside the community; no walking requirement")
    if result.osm_derived:
        console.print(f"地图数据 / map data {OSM_ATTRIBUTION}")
