"""``quarterhour plan sites`` · ``quarterhour plan circles`` · ``quarterhour report``.

The planner's commands, with the same input options as ``assess`` (``--network --facilities
--origins --standard --minutes --speed-kmh --crs --out``) plus the community list
(``--communities`` or ``--adcode`` + ``--population``). Each run writes into a temporary folder
that replaces ``--out`` only when everything is written: an error never leaves a folder that
looks complete. Outputs are deterministic for the same inputs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
        from quarterhour.engine.origins_io import read_origins

        run.origins = read_origins(a.origins, crs=parse_crs(a.crs), encoding=a.encoding)
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


def _assess(run: Run, progress: Progress) -> None:
    from quarterhour.engine.assessment import assess
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
    minutes, speed = _walk(run)
    with run.stage("reach"):
        run.assessment = assess(
            run.network,
            run.facilities,
            run.origins,
            standard=run.standard,
            minutes=minutes,
            speed_kmh=speed,
            max_snap_m=a.max_snap_m,
            workers=a.workers,
            osm_derived=run.osm_derived,
            progress=progress,
        )


def _coverage(run: Run) -> None:
    from quarterhour.engine.coverage import (
        PopulationGroup,
        coverage_from_reach,
        elderly_group,
        roll_up,
        rule_from_standard,
    )
    from quarterhour.engine.population import GROUPS

    minutes, speed = _walk(run)
    groups = []
    for key, w in run.groups.items():
        if key == "elderly":
            groups.append(elderly_group(w))
        else:
            zh, en = GROUPS.get(key, (key, key))
            groups.append(PopulationGroup(key, zh, en, w, speed))
    rule = rule_from_standard(run.standard)
    result = run.assessment.result
    with run.stage("coverage"):
        run.community_table = coverage_from_reach(
            result, run.zone, _zone_ids(run), run.specs,
            walk_minutes=minutes, speed_kmh=speed, groups=groups, rule=rule,
        )  # fmt: skip
        if run.layout is not None:
            node = run.origins.node
            if node is None:
                from quarterhour.engine.population import CommunityAreas, zone_of_points

                by_circle = CommunityAreas(
                    run.layout.node_circle, np.full(run.network.n_nodes, np.nan), False, ()
                )
                from_nodes = zone_of_points(
                    run.network, by_circle, run.origins.lon, run.origins.lat,
                    max_snap_m=run.args.max_snap_m,
                )  # fmt: skip
            else:
                from_nodes = run.layout.node_circle[node]
            run.circle_table = coverage_from_reach(
                result, from_nodes, tuple(c.circle_id for c in run.layout.circles), run.specs,
                walk_minutes=minutes, speed_kmh=speed, groups=groups, rule=rule,
            )  # fmt: skip
        if run.communities is not None:
            t = run.standard.targets
            area = (
                {c: d for c, d in zip(run.communities.code, run.communities.district, strict=True)}
                if run.communities.district
                else None
            )
            circle_area = None
            if area is not None and run.layout is not None:
                circle_area = {
                    c.circle_id: run.communities.district[c.parts[0].community]
                    for c in run.layout.circles
                    if c.parts
                }
            urban = (
                dict(zip(run.communities.code, run.communities.urban.tolist(), strict=True))
                if run.communities.urban is not None
                else None
            )
            run.roll_up = roll_up(
                run.circle_table or run.community_table,
                run.community_table,
                circle_area=circle_area,
                community_area=area,
                urban=urban,
                demonstration_target=t.demonstration_circles or 300,
                urban_share_target=t.urban_community_share or 0.6,
            )


def _circles(run: Run, progress: Progress) -> None:
    from quarterhour.engine.circles import delineate_circles
    from quarterhour.engine.population import node_frontage_m

    a = run.args
    if run.communities is None:
        raise QuarterhourError(
            "划分服务圈需要社区名录：--communities 或 --adcode + --population",
            "drawing circles needs a community list: --communities or --adcode + --population",
        )
    target = a.target_pop
    if target is None:
        std_target = run.standard.targets.circle_population if run.standard else None
        target = float(std_target or 15_000)
    target = min(max(target, a.min_pop), a.max_pop)
    with run.stage("circles"):
        run.layout = delineate_circles(
            run.network,
            run.areas.node_community,
            run.communities.code,
            np.nan_to_num(run.communities.population, nan=0.0),
            node_weight=node_frontage_m(run.network),
            min_pop=a.min_pop,
            max_pop=a.max_pop,
            target_pop=target,
            street_of=run.communities.street if a.by_street and run.communities.street else None,
            progress=progress,
        )


def _sites(run: Run, progress: Progress) -> None:
    from quarterhour.engine.coords import parse_crs
    from quarterhour.engine.exports import SitingPlan
    from quarterhour.engine.siting import (
        Candidate,
        candidates_from_facilities,
        candidates_from_nodes,
        candidates_from_points,
        coverage_from_network,
        lscp,
        lscp_greedy,
        mclp,
        mclp_greedy,
    )

    a = run.args
    if (a.k is None) == (a.share is None):
        raise QuarterhourError(
            "请给出 --k（新增设施数）或 --share（覆盖比例）之一",
            "give exactly one of --k (number of new sites) or --share (required share)",
        )
    result = run.assessment.result
    weight = run.origins.weight
    total = float(weight.sum())
    by_code = {s.code: s for s in run.specs}
    unknown = [c for c in a.item if c not in by_code]
    if unknown:
        raise QuarterhourError(
            f"标准中没有这些项目：{', '.join(unknown)}", f"unknown item codes: {', '.join(unknown)}"
        )
    if a.item:
        items = [by_code[c] for c in a.item]
    else:
        items = []
        for s in run.specs:
            if not s.required:
                continue
            covered = float(weight[np.isfinite(result.items[s.code].distance_m)].sum())
            if total > 0 and covered / total < s.share_threshold:
                items.append(s)
        items.sort(key=lambda s: float(weight[np.isfinite(result.items[s.code].distance_m)].sum()))
        if len(items) > a.max_items:
            run.warnings.append(
                f"未达标项目 {len(items)} 个，只为覆盖最差的 {a.max_items} 个选址（--max-items） / "
                f"{len(items)} items fall short; siting the {a.max_items} worst (--max-items)"
            )
            items = items[: a.max_items]
    extra: list[Candidate] = []
    if a.candidates is not None:
        from quarterhour.engine.origins_io import read_origins

        pts = read_origins(a.candidates, crs=parse_crs(a.crs), encoding=a.encoding)
        extra += candidates_from_points(pts.origin_id, pts.lon, pts.lat, kind="parcel")
    if a.candidate_nodes > 0:
        extra += candidates_from_nodes(run.network, step=a.candidate_nodes)
    limit = result.limit_m
    for done, spec in enumerate(items):
        progress("选址 / siting", done, len(items))
        cands: list[Candidate] = []
        seen: set[str] = set()
        pool = (
            []
            if a.no_multi_use
            else candidates_from_facilities(
                [*run.facilities, *run.hosts], spec.code, standard=run.standard
            )
        )
        for c in [*pool, *extra]:
            if c.candidate_id not in seen:
                seen.add(c.candidate_id)
                cands.append(c)
        if not cands:
            run.warnings.append(
                f"{spec.code}: 没有可兼设该项目的现有场所（标准文件 hosts 所列类型），也没有其他"
                "候选点，跳过 / no existing place of a kind that may take this item on (the "
                "standard's hosts) and no other candidate sites; skipped (use --candidates or "
                "--candidate-nodes)"
            )
            continue
        with run.stage(f"siting {spec.code}"):
            cov = coverage_from_network(
                run.network, cands, run.origins, limit_m=limit, max_snap_m=a.max_snap_m
            )
            existing = np.isfinite(result.items[spec.code].distance_m)
            if a.k is not None:
                res = (
                    mclp_greedy(cov, weight, k=a.k, existing=existing)
                    if a.greedy
                    else mclp(cov, weight, k=a.k, existing=existing, time_limit_s=a.time_limit)
                )
            else:
                res = (
                    lscp_greedy(cov, weight, share=a.share, existing=existing)
                    if a.greedy
                    else lscp(
                        cov, weight, share=a.share, existing=existing, time_limit_s=a.time_limit
                    )
                )
        run.plans.append(SitingPlan(spec, res, tuple(cands)))
        for n in res.notes:
            run.warnings.append(f"{spec.code}: {n}")
    progress("选址 / siting", len(items), len(items))


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
                notes=tuple(run.warnings),
                max_item_maps=getattr(run.args, "max_item_maps", 40),
            )
            t = time.perf_counter()
            (tmp / "report.html").write_text(render_html(data), encoding="utf-8")
            run.timings["report"] = time.perf_counter() - t
        (tmp / "README.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")


def _notes(run: Run) -> list[str]:
    from quarterhour.engine.exports import OSM_ATTRIBUTION

    lines = [f"quarterhour {' '.join(_argv(run.args))}"]
    if run.standard is not None and run.assessment is not None:
        minutes, speed = _walk(run)
        lines.append(
            f"标准 / standard: {run.standard.code}; 步行 / walk {minutes:g} min × {speed:g} km/h "
            f"= {run.assessment.result.limit_m:.0f} m"
        )
    if run.areas is not None and run.areas.derived:
        lines.append(
            "社区范围由步行网络推导，非官方边界 / community areas are derived from the walk "
            "network, not official boundaries"
        )
    if run.osm_derived:
        lines.append(f"地图数据 / map data {OSM_ATTRIBUTION} (ODbL)")
    lines += run.warnings
    return lines


def _argv(args: argparse.Namespace) -> list[str]:
    out = []
    for k, v in sorted(vars(args).items()):
        if k in ("handler",) or v in (None, False, [], ()):
            continue
        out.append(f"--{k.replace('_', '-')}={v}")
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
        _assess(run, progress)
        _coverage(run)
        _sites(run, progress)
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
        _assess(run, progress)
        if run.communities is not None and not args.no_circles:
            _circles(run, progress)
        _coverage(run)
        if args.k is not None or args.share is not None:
            _sites(run, progress)
        _write(run, args.out, html=True, kinds=("xlsx", "gpkg", "coverage"))
    _finish(run, args.out)
    return 0
