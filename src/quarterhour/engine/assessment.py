"""The whole assessment as one call: read inputs, snap, reach every standard item, summarise.

Used by ``quarterhour assess``, the platform's background runs and the batch runner alike.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quarterhour.engine._errors import InputError, Problem
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M, minutes_to_metres
from quarterhour.engine.coords import parse_crs
from quarterhour.engine.input_checks import check_placement
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.progress import Progress, no_progress
from quarterhour.engine.reach import ReachResult, prepare, reach
from quarterhour.engine.snapping import EdgeIndex
from quarterhour.engine.standards import DEFAULT_STANDARD, Standard, load_standard

OSM_SUFFIXES = (".pbf", ".osm", ".bz2", ".gz")
LINE_SUFFIXES = (".geojson", ".json", ".gpkg")


@dataclass(frozen=True, slots=True)
class ItemSummary:
    item_code: str
    name_zh: str
    name_en: str
    walk_applies: bool
    facilities: int  # in the register (every row read as a facility of the item)
    origins: int
    reachable_origins: int
    population: float
    reachable_population: float
    median_minutes: float  # over reachable origins; NaN when none
    p90_minutes: float
    facilities_placed: int = 0  # of those, placed on the network (within the snap distance)

    @property
    def share(self) -> float:
        return self.reachable_population / self.population if self.population > 0 else math.nan


@dataclass(frozen=True, slots=True, eq=False)
class Assessment:
    standard: Standard
    network: WalkNetwork
    result: ReachResult
    minutes: float
    speed_kmh: float
    osm_derived: bool
    summaries: tuple[ItemSummary, ...]
    network_report: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def limit_m(self) -> float:
        return self.result.limit_m


def is_osm_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".osm", ".osm.pbf", ".pbf", ".osm.bz2", ".osm.gz"))


def load_network(
    path: Path, *, keep_largest_component: bool = True, progress: Progress = no_progress
) -> tuple[WalkNetwork, list[str], bool]:
    """A walk network from an OSM extract or a GeoJSON/GeoPackage line file."""
    if is_osm_file(path):
        from quarterhour.engine.osm_network import read_osm_network

        net, report = read_osm_network(
            path, keep_largest_component=keep_largest_component, progress=progress
        )
        return net, report.lines(), True
    if path.suffix.lower() in LINE_SUFFIXES:
        from quarterhour.engine.line_network import read_line_network

        net, lreport = read_line_network(path, keep_largest_component=keep_largest_component)
        return net, lreport.lines_text(), False
    raise InputError(
        Problem(
            "network_format_unknown",
            "无法识别的路网文件格式（支持 .osm.pbf、.osm、.osm.bz2、.geojson、.gpkg）",
            "unknown network file format (use .osm.pbf, .osm, .osm.bz2, .geojson or .gpkg)",
            file=str(path),
        )
    )


def load_facility_file(
    path: Path,
    standard: Standard,
    *,
    crs: str = "wgs84",
    encoding: str | None = None,
    strict: bool = True,
    progress: Progress = no_progress,
) -> list[Facility]:
    """Facilities from an OSM extract (tag matchers) or a register (category names).

    ``strict`` (the default here) refuses register rows of types outside the standard; callers
    that set them aside and report them use
    :func:`quarterhour.engine.facility_files.read_facility_file`.
    """
    from quarterhour.engine.facility_files import read_facility_file

    found = read_facility_file(
        path,
        standard,
        crs=crs,
        encoding=encoding,
        strict=strict,
        with_hosts=False,
        progress=progress,
    )
    return list(found.facilities)


def check_unique_ids(facilities: Sequence[Facility]) -> None:
    dup = sorted(fid for fid, n in Counter(f.facility_id for f in facilities).items() if n > 1)
    if dup:
        raise InputError(
            Problem(
                "facility_id_duplicate",
                f"设施编号重复：{', '.join(dup[:5])}",
                f"duplicate facility ids: {', '.join(dup[:5])}",
            )
        )


def summarise(
    result: ReachResult, standard: Standard, *, speed_kmh: float
) -> tuple[ItemSummary, ...]:
    weight = result.origins.weight
    population = float(weight.sum())
    counts: dict[str, int] = {}
    placed: dict[str, int] = {}
    snapped = result.facility_snap.ok
    for k, f in enumerate(result.facilities):
        for c in f.item_codes:
            counts[c] = counts.get(c, 0) + 1
            if k < snapped.shape[0] and snapped[k]:
                placed[c] = placed.get(c, 0) + 1
    rows = []
    for item in standard.items:
        r = result.items.get(item.code)
        if r is None:
            continue
        ok = r.reachable()
        minutes = r.distance_m[ok] / (speed_kmh * 1000.0 / 60.0)
        rows.append(
            ItemSummary(
                item_code=item.code,
                name_zh=item.name_zh,
                name_en=item.name_en,
                walk_applies=item.walk_applies,
                facilities=counts.get(item.code, 0),
                origins=len(result.origins),
                reachable_origins=int(ok.sum()),
                population=population,
                reachable_population=float(weight[ok].sum()),
                median_minutes=float(np.median(minutes)) if minutes.size else math.nan,
                p90_minutes=float(np.quantile(minutes, 0.9)) if minutes.size else math.nan,
                facilities_placed=placed.get(item.code, 0),
            )
        )
    return tuple(rows)


def assess(
    network: WalkNetwork,
    facilities: Sequence[Facility],
    origins: Origins | None = None,
    *,
    standard: Standard | None = None,
    minutes: float | None = None,
    speed_kmh: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    workers: int = 0,
    osm_derived: bool = True,
    network_report: Sequence[str] = (),
    progress: Progress = no_progress,
    edge_index: EdgeIndex | None = None,
) -> Assessment:
    """Reach every item of the standard from every origin (every network node by default)."""
    std = standard or load_standard(DEFAULT_STANDARD)
    mins = std.walking.minutes if minutes is None else minutes
    speed = std.walking.speed_kmh if speed_kmh is None else speed_kmh
    limit = minutes_to_metres(mins, speed_kmh=speed)
    orig = origins if origins is not None else Origins.from_network_nodes(network)
    check_unique_ids(facilities)
    progress("snap", 0, 1)
    prepared = prepare(network, orig, facilities, max_snap_m=max_snap_m, edge_index=edge_index)
    result = reach(
        network,
        orig,
        facilities,
        item_codes=[i.code for i in std.items],
        limit_m=limit,
        max_snap_m=max_snap_m,
        workers=workers,
        progress=progress,
        prepared=prepared,
    )
    return Assessment(
        standard=std,
        network=network,
        result=result,
        minutes=mins,
        speed_kmh=speed,
        osm_derived=osm_derived,
        summaries=summarise(result, std, speed_kmh=speed),
        network_report=tuple(network_report),
    )


def placement_warnings(
    network: WalkNetwork,
    index: EdgeIndex,
    facilities: list[Facility],
    *,
    source: str,
    crs: str,
    max_snap_m: float,
) -> list[str]:
    """Raise for a facility file that plainly does not fit the network; return warnings."""
    if not facilities:
        return [f"{source}: 未找到任何标准设施 / no standard facility found"]
    report = check_placement(
        network,
        [f.lon for f in facilities],
        [f.lat for f in facilities],
        source=source,
        ids=[f.facility_id for f in facilities],
        declared_crs=parse_crs(crs),
        max_snap_m=max_snap_m,
        index=index,
    )
    out = [str(w) for w in report.warnings]
    if report.beyond.size:
        out.append(
            f"{source}: {report.beyond.size} 处设施超出吸附距离 {max_snap_m:.0f} 米，已跳过并列入"
            f" unsnapped.csv / {report.beyond.size} facilities beyond the snap limit were skipped"
            " and listed in unsnapped.csv"
        )
    return out
