"""``quarterhour plan sites`` · ``quarterhour plan circles`` · ``quarterhour report``.

The planner's commands, with the same input options as ``assess`` (``--network --facilities
--origins --standard --minutes --speed-kmh --crs --out``) plus the community list
(``--communities`` or ``--adcode`` + ``--population``). Each run writes into a temporary folder
that replaces ``--out`` only when everything is written: an error never leaves a folder that
looks complete. Outputs are deterministic for the same inputs.
"""

from __future__ import annotations

import argparse
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rich.markup import escape

from quarterhour.cli._console import console, error, progress_bar, warn
from quarterhour.engine._errors import QuarterhourError
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.progress import Progress
from quarterhour.engine.standard_loader import DEFAULT_STANDARD

# heavy engine modules are imported inside the commands, so that `quarterhour --help` is quick


def _common(p: argparse.ArgumentParser, *, facilities: bool = True) -> None:
    p.add_argument("--network", required=True, type=Path, help=".osm.pbf/.osm/.geojson/.gpkg")
    if facilities:
        p.add_argument(
            "--facilities",
            action="append",
            type=Path,
            default=[],
            metavar="FILE",
            help="OSM 文件或设施登记表（可多次） / OSM extract or facility register (repeatable)",
        )
        p.add_argument("--origins", type=Path, help="居住点/人口格网 CSV/GeoJSON / homes or grid")
        p.add_argument("--standard", default=DEFAULT_STANDARD, help="标准 / standard (name, TOML)")
        p.add_argument("--minutes", type=float, help="步行时限（分钟） / walk minutes")
        p.add_argument("--speed-kmh", type=float, help="步速 km/h / walking speed")
        p.add_argument("--workers", type=int, default=0, help="线程数 / threads (0 = per core)")
        p.add_argument(
            "--strict",
            action="store_true",
            help="类型不在标准内的行报错（默认：略过并列入 not_in_standard.csv） / refuse rows of "
            "types outside the standard (default: set aside into not_in_standard.csv)",
        )
    p.add_argument(
        "--communities",
        type=Path,
        help="社区名录（含人口）CSV/XLSX / community list with population",
    )
    p.add_argument(
        "--adcode",
        action="append",
        type=Path,
        default=[],
        help="统计用区划代码 CSV（GCJ-02，可多次） / adcode roster CSV (repeatable)",
    )
    p.add_argument("--population", type=Path, help="与 --adcode 配合的人口表 / population table")
    if facilities:
        p.add_argument(
            "--buildings",
            type=Path,
            help="OSM 居住建筑：社区人口按建筑面积分配 / OSM file: spread residents by floor area",
        )
    p.add_argument(
        "--crs",
        choices=["wgs84", "gcj02", "bd09"],
        default="wgs84",
        help="输入坐标系 / CRS of registers, origins and community centres",
    )
    p.add_argument("--encoding", help="表格编码 / table encoding")
    p.add_argument(
        "--max-snap-m", type=float, default=DEFAULT_MAX_SNAP_M, help="最大吸附距离（米）"
    )
    p.add_argument("--out", required=True, type=Path, help="输出目录 / output folder")


def _circle_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument("--min-pop", type=float, default=10_000, help="服务圈人口下限 / minimum")
    p.add_argument("--max-pop", type=float, default=20_000, help="服务圈人口上限 / maximum")
    p.add_argument("--target-pop", type=float, help="目标人口（默认取标准：15000） / target")
    p.add_argument(
        "--by-street", action="store_true", help="服务圈不跨街道 / keep circles within a street"
    )


def _site_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--item",
        action="append",
        default=[],
        help="项目代码（可多次；默认：所有未达标的必需项目） / item code (default: all missing)",
    )
    p.add_argument("--k", type=int, help="新增设施数（MCLP） / number of new sites")
    p.add_argument("--share", type=float, help="要求覆盖比例（LSCP，0–1） / required share")
    p.add_argument(
        "--candidates",
        type=Path,
        help="规划地块/候选点 CSV/GeoJSON / planner-supplied candidate points",
    )
    p.add_argument(
        "--candidate-nodes",
        type=int,
        default=0,
        metavar="STEP",
        help="每 STEP 个路网节点取一个候选点（0 = 不用） / every STEP-th network node",
    )
    p.add_argument(
        "--no-multi-use",
        action="store_true",
        help="不把现有设施作为候选（一室多用） / do not offer existing facilities",
    )
    p.add_argument("--time-limit", type=float, default=60.0, help="每项求解时限（秒）")
    p.add_argument("--greedy", action="store_true", help="只用贪心算法 / greedy only (fast)")
    p.add_argument("--max-items", type=int, default=5, help="默认最多为几个项目选址")


def register(sub: Any) -> None:
    plan = sub.add_parser(
        "plan", help="规划：选址与服务圈划分 / planning: where to build, how to draw circles"
    )
    psub = plan.add_subparsers(dest="plan_command", metavar="SUBCOMMAND")
    psub.required = True
    sites = psub.add_parser(
        "sites",
        help="选址（MCLP/LSCP） / where k new sites cover the most residents",
        description="在候选点中选出新增设施位置：k 个点覆盖最多居民（MCLP），或最少点数达到覆盖比例"
        "（LSCP）；现有设施保持不变。 / Choose new sites among candidates (MCLP or LSCP), "
        "existing facilities kept.",
    )
    _common(sites)
    _site_opts(sites)
    sites.add_argument("--report", action="store_true", help="同时写出 report.html")
    sites.set_defaults(handler=_handler(run_sites))
    circles = psub.add_parser(
        "circles",
        help="划分服务圈 / group communities into circles of ~15,000 residents",
    )
    _common(circles, facilities=False)
    _circle_opts(circles)
    circles.set_defaults(handler=_handler(run_circles))
    example = psub.add_parser(
        "example-communities",
        help="演示社区名录（编造，供试用） / a made-up community list to try the commands on",
        description="在路网上按 250 米方格生成演示社区名录（人口按路网节点数编造，名称标“演示”），"
        "供在没有真实社区名录时试用 report / plan。 / Write a made-up (演示) community list "
        "over the network's 250 m grid cells, to try report and plan without a real list.",
    )
    example.add_argument("--network", required=True, type=Path, help=".osm.pbf/.osm/.geojson")
    example.add_argument("--out", required=True, type=Path, help="CSV 文件 / CSV file")
    example.set_defaults(handler=_handler(run_example_communities))
    rep = sub.add_parser(
        "report",
        help="规划报告（HTML + 数据） / planning report (HTML, GeoJSON, GPKG, CSV, XLSX)",
        description="评估各社区、各服务圈的达标情况，划分服务圈，可选选址，"
        "写出离线 HTML 报告与数据。 / Coverage per community and circle, circle layout, "
        "optional siting, offline HTML report and data exports.",
    )
    _common(rep)
    _circle_opts(rep)
    _site_opts(rep)
    rep.add_argument("--no-circles", action="store_true", help="不划分服务圈 / skip circles")
    rep.add_argument("--title", default="一刻钟社区服务圈评估报告", help="报告标题 / title")
    rep.add_argument(
        "--max-item-maps", type=int, default=40, help="最多画几张项目地图 / item maps at most"
    )
    rep.set_defaults(handler=_handler(run_report))


def _handler(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        # escape: rich would take "[duplicate_id]" in a message for markup and drop it
        except QuarterhourError as exc:
            error(escape(str(exc)))
            return 2
        except (OSError, ValueError) as exc:
            error(escape(f"{type(exc).__name__}: {exc}"))
            return 2

    return run


# ---------------------------------------------------------------------------------------------
# the shared pipeline


@dataclass
class Run:
    """Everything one command computed (filled step by step)."""

    args: argparse.Namespace
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    standard: Any = None
    network: Any = None
    osm_derived: bool = False
    facilities: list[Any] = field(default_factory=list)
    hosts: list[Any] = field(default_factory=list)  # places that may take an item on (一室多用)
    set_aside: list[Any] = field(default_factory=list)  # register rows outside the standard
    communities: Any = None
    areas: Any = None
    origins: Any = None
    zone: Any = None
    groups: dict[str, Any] = field(default_factory=dict)
    assessment: Any = None
    specs: tuple[Any, ...] = ()
    community_table: Any = None
    layout: Any = None
    circle_table: Any = None
    roll_up: tuple[Any, ...] = ()
    plans: list[Any] = field(default_factory=list)
    plan: Any = None  # the pipeline's PlanResult
    weighted: bool = False  # the origins file gave residents (a population column)

    def counted(self) -> Literal["residents", "network_points"]:
        """What figures count: "residents" or "network_points" (no population input)."""
        if self.plan is not None:
            return self.plan.counted  # type: ignore[no-any-return]
        return "residents" if self.communities is not None or self.weighted else "network_points"

    def stage(self, name: str) -> _Timer:
        return _Timer(self, name)


class _Timer:
    def __init__(self, run: Run, name: str) -> None:
        self.run, self.name = run, name

    def __enter__(self) -> None:
        self.t = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.run.timings[self.name] = time.perf_counter() - self.t


def _load_standard(run: Run) -> None:
    from quarterhour.engine.coverage import specs_from_standard
    from quarterhour.engine.standards import load_standard

    run.standard = load_standard(getattr(run.args, "standard", DEFAULT_STANDARD))
    run.specs = specs_from_standard(run.standard)


def _walk(run: Run) -> tuple[float, float]:
    w = run.standard.walking
    minutes = getattr(run.args, "minutes", None) or w.minutes
    speed = getattr(run.args, "speed_kmh", None) or w.speed_kmh
    return float(minutes), float(speed)


def _load_network(run: Run, progress: Progress) -> None:
    from quarterhour.engine.assessment import load_network

    with run.stage("network"):
        net, report, osm = load_network(run.args.network, progress=progress)
    run.network, run.osm_derived = net, osm
    for line in report:
        console.print(f"  {line}")


def _load_communities(run: Run) -> None:
    from quarterhour.engine.coords import parse_crs
    from quarterhour.engine.population import (
        areas_from_polygons,
        derived_areas,
        join_population,
        read_adcode_csv,
        read_communities,
    )

    a = run.args
    crs = parse_crs(a.crs)
    with run.stage("communities"):
        if a.communities is not None:
            comms = read_communities(a.communities, crs=crs, encoding=a.encoding)
        elif a.adcode:
            if a.population is None:
                raise QuarterhourError(
                    "--adcode 需要 --population 人口表", "--adcode needs a --population table"
                )
            comms = join_population(
                read_adcode_csv(a.adcode),
                read_communities(a.population, crs=crs, encoding=a.encoding),
            )
        else:
            return
        if comms.polygon and all(p is not None for p in comms.polygon):
            areas = areas_from_polygons(run.network, comms.polygon, source=str(a.communities))
        else:
            areas = derived_areas(run.network, comms.lon, comms.lat, max_snap_m=a.max_snap_m)
    if areas.without_area:
        listed = "、".join(f"{comms.code[i]} {comms.name[i]}" for i in areas.without_area[:10])
        more = len(areas.without_area) - 10
        tail = f" … (+{more})" if more > 0 else ""
        run.warnings.append(
            f"{len(areas.without_area)} 个社区没有步行网络区域（中心点缺失或离路网过远），其人口"
            f"未计入 / {len(areas.without_area)} communities have no walk-network area (no centre "
            f"or too far from the network); their residents are not counted: {listed}{tail}"
        )
    run.communities, run.areas = comms, areas


def _load_origins(run: Run) -> None:
    from quarterhour.engine.coords import parse_crs
    from quarterhour.engine.places import Origins
    from quarterhour.engine.population import origins_from_areas, zone_of_points

    a = run.args
    if getattr(a, "origins", None) is not None:
        from quarterhour.engine.origins_io import read_origins_counted

        run.origins, run.weighted = read_origins_counted(
            a.origins, crs=parse_crs(a.crs), encoding=a.encoding
        )
        if run.areas is not None:
            run.zone = zone_of_points(
                run.network, run.areas, run.origins.lon, run.origins.lat, max_snap_m=a.max_snap_m
            )
        else:
            run.zone = np.zeros(len(run.origins), dtype=np.int64)
    elif run.areas is not None and getattr(a, "buildings", None) is not None:
        from quarterhour.engine.population import origins_from_buildings, read_osm_buildings

        b = read_osm_buildings(a.buildings)
        bzone = zone_of_points(run.network, run.areas, b.lon, b.lat, max_snap_m=a.max_snap_m)
        co, without = origins_from_buildings(run.communities, b, bzone)
        run.origins, run.zone, run.groups = co.origins, co.zone, dict(co.groups)
        given = int(b.levels_given.sum())
        run.warnings.append(
            f"{len(b)} 栋居住建筑，{given} 栋有层数，其余按默认层数 / {len(b)} residential "
            f"buildings, {given} with building:levels, the rest at default storeys"
        )
        if without:
            run.warnings.append(
                f"{len(without)} 个社区范围内没有居住建筑，人口置于社区中心 / {len(without)} "
                "communities have no residential building; residents placed at the centre"
            )
    elif run.areas is not None:
        co = origins_from_areas(run.network, run.communities, run.areas)
        run.origins, run.zone, run.groups = co.origins, co.zone, dict(co.groups)
    else:
        run.origins = Origins.from_network_nodes(run.network)
        run.zone = np.zeros(len(run.origins), dtype=np.int64)


def _zone_ids(run: Run) -> tuple[str, ...]:
    if run.communities is not None:
        return tuple(run.communities.code)
    return ("全部 / all",)


def _read_facilities(run: Run, progress: Progress) -> None:
    from quarterhour.engine.facility_files import read_facility_file

    a = run.args
    with run.stage("facilities"):
        for path in a.facilities:
            read = read_facility_file(
                path,
                run.standard,
                crs=a.crs,
                encoding=a.encoding,
                strict=getattr(a, "strict", False),
                progress=progress,
            )
            for line in read.notes:
                console.print(escape(line), highlight=False)
            if not read.facilities:
                run.warnings.append(f"{path}: 未找到任何标准设施 / no standard facility found")
            run.facilities.extend(read.facilities)
            run.hosts.extend(read.hosts)
            run.set_aside.extend(read.set_aside)


def _residents(run: Run) -> Any:
    from quarterhour.engine.planning import Residents

    return Residents(
        origins=run.origins,
        zone=run.zone,
        zone_ids=_zone_ids(run),
        groups=run.groups,
        counted=run.counted(),
    )


def _circle_options(a: argparse.Namespace) -> Any:
    from quarterhour.engine.planning import CircleOptions

    return CircleOptions(
        min_pop=a.min_pop, max_pop=a.max_pop, target_pop=a.target_pop, by_street=a.by_street
    )


def _siting_options(run: Run) -> Any:
    from quarterhour.engine.coords import parse_crs
    from quarterhour.engine.planning import SitingOptions
    from quarterhour.engine.siting import Candidate, candidates_from_nodes, candidates_from_points

    a = run.args
    if (a.k is None) == (a.share is None):
        raise QuarterhourError(
            "请给出 --k（新增设施数）或 --share（覆盖比例）之一",
            "give exactly one of --k (number of new sites) or --share (required share)",
        )
    extra: list[Candidate] = []
    if a.candidates is not None:
        from quarterhour.engine.origins_io import read_origins

        pts = read_origins(a.candidates, crs=parse_crs(a.crs), encoding=a.encoding)
        extra += candidates_from_points(pts.origin_id, pts.lon, pts.lat, kind="parcel")
    if a.candidate_nodes > 0:
        extra += candidates_from_nodes(run.network, step=a.candidate_nodes)
    return SitingOptions(
        items=tuple(a.item),
        k=a.k,
        share=a.share,
        extra=tuple(extra),
        multi_use=not a.no_multi_use,
        time_limit_s=a.time_limit,
        greedy=a.greedy,
        max_items=a.max_items,
    )


def _plan(run: Run, progress: Progress, *, circles: bool, siting: bool) -> None:
    """The shared planning pipeline (:func:`quarterhour.engine.planning.plan`) on what was read."""
    from quarterhour.engine.planning import PlanInputs, PlanOptions, plan

    a = run.args
    minutes, speed = _walk(run)
    siting_opts = _siting_options(run) if siting else None
    result = plan(
        inputs=PlanInputs(
            network=run.network,
            standard=run.standard,
            facilities=tuple(run.facilities),
            residents=_residents(run),
            hosts=tuple(run.hosts),
            communities=run.communities,
            areas=run.areas,
        ),
        options=PlanOptions(
            minutes=minutes,
            speed_kmh=speed,
            max_snap_m=a.max_snap_m,
            workers=a.workers,
            osm_derived=run.osm_derived,
            circles=_circle_options(a) if circles else None,
            siting=siting_opts,
        ),
        progress=progress,
    )
    run.plan = result
    run.assessment = result.assessment
    run.community_table = result.community_table
    run.circle_table = result.circle_table
    run.layout = result.layout
    run.roll_up = result.roll_up
    run.plans = list(result.plans)
    run.warnings.extend(result.notes)
    run.timings.update(result.timings)


def _circles(run: Run, progress: Progress) -> None:
    from quarterhour.engine.planning import draw_circles

    if run.communities is None:
        raise QuarterhourError(
            "划分服务圈需要社区名录：--communities 或 --adcode + --population",
            "drawing circles needs a community list: --communities or --adcode + --population",
        )
    with run.stage("circles"):
        run.layout = draw_circles(
            run.network,
            run.communities,
            run.areas,
            standard=run.standard,
            options=_circle_options(run.args),
            progress=progress,
        )


# ---------------------------------------------------------------------------------------------
# writing


def _write(run: Run, out: Path, *, html: bool, kinds: Sequence[str]) -> None:
    from quarterhour.engine import exports as ex
    from quarterhour.engine.outputs import atomic_output_dir

    layers: list[ex.Layer] = []
    sheets: list[ex.Sheet] = []
    names = (
        dict(zip(run.communities.code, run.communities.name, strict=True))
        if run.communities is not None
        else {}
    )
    if run.communities is not None:
        polys = None
        if run.areas is not None and run.areas.derived:
            polys = ex.node_hulls(run.network, run.areas.node_community, len(run.communities))
        layers.append(
            ex.communities_layer(
                run.communities,
                run.community_table,
                derived_areas=bool(run.areas is not None and run.areas.derived),
                area_polygons=polys,
            )
        )
    if run.layout is not None:
        layers.append(
            ex.circles_layer(run.network, run.layout, run.circle_table, osm_derived=run.osm_derived)
        )
        sheets += [ex.circles_sheet(run.layout)]
        if run.communities is not None:
            sheets.append(ex.circle_parts_sheet(run.layout, run.communities))
    if run.facilities:
        layers.append(ex.facilities_layer(run.facilities, osm_derived=run.osm_derived))
    if run.plans:
        layers.append(ex.sites_layer(run.plans))
        sheets.append(ex.sites_sheet(run.plans))
    if run.circle_table is not None:
        sheets.append(
            ex.zone_summary_sheet(
                run.circle_table, name="circle_coverage", title_zh="服务圈达标",
                title_en="circle compliance",
            )
        )  # fmt: skip
        sheets.append(
            ex.zone_items_sheet(
                run.circle_table, name="circle_items", title_zh="服务圈各项目",
                title_en="circle coverage by item",
            )
        )  # fmt: skip
    if run.community_table is not None:
        sheets.append(
            ex.zone_summary_sheet(
                run.community_table, name="community_coverage", title_zh="社区达标",
                title_en="community compliance", labels=names,
            )
        )  # fmt: skip
        sheets.append(
            ex.zone_items_sheet(
                run.community_table, name="community_items", title_zh="社区各项目",
                title_en="community coverage by item",
            )
        )  # fmt: skip
    if run.roll_up:
        sheets.append(ex.targets_sheet(run.roll_up))
    if run.plan is not None:
        sheets.append(ex.gaps_sheet(run.plan.gaps))
    minutes_by_item: dict[str, Any] = {}
    if run.assessment is not None:
        _, speed = _walk(run)
        res = run.assessment.result
        minutes_by_item = {c: res.minutes(c, speed_kmh=speed) for c in res.items}
        if "coverage" in kinds:
            layers.append(
                ex.coverage_layer(
                    run.origins, minutes_by_item, zone=run.zone, zone_ids=_zone_ids(run),
                    osm_derived=run.osm_derived,
                )
            )  # fmt: skip
    if run.counted() == "network_points":
        sheets = [ex.counting_points(sh) for sh in sheets]
    notes = _notes(run)
    with atomic_output_dir(out) as tmp:
        if run.set_aside:
            from quarterhour.engine.registers import write_not_in_standard

            write_not_in_standard(tmp / "not_in_standard.csv", run.set_aside)
        t_exports = time.perf_counter()
        for sh in sheets:
            ex.write_csv(tmp / f"{sh.name}.csv", sh)
        for layer in layers:
            ex.write_geojson(tmp / f"{layer.name}.geojson", layer)
        if "gpkg" in kinds and layers:
            ex.write_gpkg(tmp / "quarterhour.gpkg", layers)
        if "xlsx" in kinds and sheets:
            ex.write_xlsx(tmp / "quarterhour.xlsx", sheets, notes=notes)
        run.timings["exports"] = time.perf_counter() - t_exports
        if html:
            from quarterhour.engine.report import ReportData, render_html

            minutes, speed = _walk(run)
            data = ReportData(
                title_zh=getattr(run.args, "title", "一刻钟社区服务圈规划"),
                title_en="15-minute community service circles: assessment and plan",
                network=run.network,
                osm_derived=run.osm_derived,
                item_specs=run.specs,
                walk_minutes=minutes,
                speed_kmh=speed,
                limit_m=run.assessment.result.limit_m if run.assessment else 0.0,
                facilities=tuple(run.facilities),
                origins=run.origins,
                minutes=minutes_by_item,
                communities=run.communities,
                community_table=run.community_table if run.communities is not None else None,
                derived_areas=bool(run.areas is not None and run.areas.derived),
                layout=run.layout,
                circle_table=run.circle_table,
                roll_up=run.roll_up,
                plans=tuple(run.plans),
                notes=(*_facts(run), *run.warnings),
                max_item_maps=getattr(run.args, "max_item_maps", 40),
                counted=run.counted(),
                gaps=run.plan.gaps if run.plan is not None else (),
                items_table=run.community_table,
            )
            t = time.perf_counter()
            (tmp / "report.html").write_text(render_html(data), encoding="utf-8")
            run.timings["report"] = time.perf_counter() - t
        (tmp / "README.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")


def _notes(run: Run) -> list[str]:
    from quarterhour.engine.exports import OSM_ATTRIBUTION

    a = run.args
    command = " ".join(
        str(c) for c in (getattr(a, "command", None), getattr(a, "plan_command", None)) if c
    )
    lines = [f"quarterhour {command} {' '.join(_argv(a))}".replace("  ", " ")]
    if run.standard is not None and run.assessment is not None:
        minutes, speed = _walk(run)
        lines.append(
            f"标准 / standard: {run.standard.code}; 步行 / walk {minutes:g} min × {speed:g} km/h "
            f"= {run.assessment.result.limit_m:.0f} m"
        )
    lines += _facts(run)
    if run.areas is not None and run.areas.derived:
        lines.append(
            "社区范围由步行网络推导，非官方边界 / community areas are derived from the walk "
            "network, not official boundaries"
        )
    if run.osm_derived:
        lines.append(f"地图数据 / map data {OSM_ATTRIBUTION} (ODbL)")
    lines += run.warnings
    return lines


def _facts(run: Run) -> list[str]:
    """What the figures count and how many facilities were placed (README.txt and the HTML)."""
    lines: list[str] = []
    if run.plan is not None:
        placed = run.plan.facilities
        lines.append(
            f"设施 / facilities: 登记 {placed.in_register} 处，其中 {placed.placed} 处在步行网络"
            f"吸附距离内 / {placed.in_register} in the register, {placed.placed} placed on the "
            "walk network (within the snap distance)"
        )
    if run.counted() == "network_points":
        lines.append(
            "未提供人口：各项数字为路网节点数，不是居民人数 / no population given: figures count "
            "network points, not residents"
        )
    elif getattr(run.args, "origins", None) is not None:
        lines.append("居民按居住点文件的人口计 / residents as the origins file gives them")
    elif getattr(run.args, "buildings", None) is not None:
        lines.append(
            "社区人口按居住建筑面积分布 / residents spread over residential buildings by floor area"
        )
    else:
        lines.append(
            "社区人口按临街长度分布到社区范围内的路网节点 / residents are spread over the network "
            "nodes of their community by street frontage"
        )
    return lines


def _argv(args: argparse.Namespace) -> list[str]:
    """The options as one would type them (a repeated option once per value, paths as paths)."""
    out = []
    for k, v in sorted(vars(args).items()):
        if k in ("handler", "command", "plan_command") or v in (None, False, [], ()):
            continue
        flag = f"--{k.replace('_', '-')}"
        if v is True:
            out.append(flag)
            continue
        for one in v if isinstance(v, (list, tuple)) else [v]:
            text = str(one)
            out.append(f"{flag} {shlex.quote(text)}")
    return out


def _finish(run: Run, out: Path) -> None:
    for w in run.warnings:
        warn(escape(w))
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in run.timings.items())
    console.print(f"用时 / time per stage: {stages}")
    console.print(f"结果已写入 / results written to: {out}")


# ---------------------------------------------------------------------------------------------
# commands


def run_sites(args: argparse.Namespace) -> int:
    run = Run(args)
    _load_standard(run)
    with progress_bar() as progress:
        _load_network(run, progress)
        if args.communities is not None or args.adcode:
            _load_communities(run)
        _load_origins(run)
        _read_facilities(run, progress)
        _plan(run, progress, circles=False, siting=True)
        _write(run, args.out, html=args.report, kinds=("xlsx",))
    for plan in run.plans:
        r = plan.result
        console.print(
            f"{plan.item.code} {plan.item.name_zh}: {len(r.sites)} 处 / sites, 新增覆盖 / newly "
            f"covered {r.covered_after - r.covered_before:,.0f}, 覆盖比例 / share "
            f"{(r.share_before or 0):.1%} → {(r.share_after or 0):.1%}, gap {r.gap:.2%}"
        )
    _finish(run, args.out)
    return 0


def run_circles(args: argparse.Namespace) -> int:
    run = Run(args)
    _load_standard(run)
    with progress_bar() as progress:
        _load_network(run, progress)
        _load_communities(run)
        _circles(run, progress)
        _write(run, args.out, html=False, kinds=("xlsx", "gpkg"))
    spread = run.layout.population_spread()
    console.print(
        f"{int(spread['circles'])} 个服务圈 / circles; 人口 / population "
        f"{spread.get('min', 0):,.0f} – {spread.get('max', 0):,.0f} (median "
        f"{spread.get('median', 0):,.0f}); {spread.get('in_range_share', 0):.1%} "
        "在范围内 / in range"
    )
    _finish(run, args.out)
    return 0


def run_report(args: argparse.Namespace) -> int:
    run = Run(args)
    _load_standard(run)
    with progress_bar() as progress:
        _load_network(run, progress)
        if args.communities is not None or args.adcode:
            _load_communities(run)
        _load_origins(run)
        _read_facilities(run, progress)
        _plan(
            run,
            progress,
            circles=run.communities is not None and not args.no_circles,
            siting=args.k is not None or args.share is not None,
        )
        _write(run, args.out, html=True, kinds=("xlsx", "gpkg", "coverage"))
    _finish(run, args.out)
    return 0


def run_example_communities(args: argparse.Namespace) -> int:
    from quarterhour.engine.assessment import load_network
    from quarterhour.engine.example_communities import write_example_communities

    network, _, _ = load_network(args.network)
    n = write_example_communities(network, args.out)
    console.print(
        f"{n} 个演示社区（人口为编造）已写入 / {n} made-up communities written to: {args.out}"
    )
    return 0
