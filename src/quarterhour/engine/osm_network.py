"""The walk network from an OpenStreetMap extract (.osm.pbf, .osm, .osm.bz2 or .osm.gz).

The file is streamed once with pyosmium: libosmium keeps node locations in its own compact
index and fills them into the ways, so no Python object is made per node; Python only sees ways
with a ``highway`` tag (filtered in C++), decides each with :mod:`quarterhour.engine.walk_policy`
and appends the way's node ids and coordinates to flat arrays. The network is then assembled with
numpy: every consecutive node pair of a walkable way is one straight edge (full vertex
resolution), nodes shared between ways join them, lengths are great-circle
(:func:`quarterhour.engine.network.haversine_m`).

Extracts clipped at a boundary contain ways whose nodes lie partly outside: node references
without a location are counted, and the segments that touch them are dropped (the rest of the
way is kept).

Data © OpenStreetMap contributors (ODbL 1.0); outputs derived from it carry that attribution.
"""

from __future__ import annotations

import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import cast

import numpy as np
import osmium
from osmium.filter import EntityFilter, KeyFilter
from osmium.osm.types import OSMEntity
from scipy.sparse.csgraph import connected_components

from quarterhour.engine._errors import InputError, NetworkError, Problem
from quarterhour.engine.network import (
    ComponentReport,
    WalkNetwork,
    build_network,
    largest_component,
)
from quarterhour.engine.progress import Progress, no_progress
from quarterhour.engine.walk_policy import refusal_reason

#: Attribution every OSM-derived output carries.
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"

#: File name endings read as OSM data (libosmium detects the format from them).
OSM_SUFFIXES: tuple[str, ...] = (".pbf", ".osm", ".osm.bz2", ".osm.gz")

_PROGRESS_EVERY = 10_000


@dataclass(frozen=True, slots=True)
class OsmNetworkReport:
    """What reading an OSM file into a walk network kept, refused and dropped.

    ``ways_refused`` counts ways with a ``highway`` tag by refusal reason (as returned by
    :func:`quarterhour.engine.walk_policy.refusal_reason`, e.g. ``"foot_refused:foot=no"``).
    ``missing_node_refs`` are node references of walkable ways that the extract does not
    contain (clipped ways); ``segments_missing_nodes`` the segments dropped for them and
    ``ways_missing_nodes`` the walkable ways left with no segment at all.
    """

    source: str
    highway_ways: int
    ways_kept: int
    ways_refused: dict[str, int]
    missing_node_refs: int
    segments_missing_nodes: int
    ways_missing_nodes: int
    segments: int
    components: int
    nodes: int
    edges: int
    length_m: float
    largest_component: ComponentReport | None = None
    attribution: str = field(default=OSM_ATTRIBUTION)

    def lines(self) -> list[str]:
        """A readable summary, Chinese first and English alongside."""
        out = [
            f"{self.source}: 读取 {self.highway_ways:,} 条道路，"
            f"保留 {self.ways_kept:,} 条可步行道路 / "
            f"read {self.highway_ways:,} highway ways, kept {self.ways_kept:,} walkable",
        ]
        for reason, count in sorted(self.ways_refused.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  不可步行 / refused {reason}: {count:,}")
        if self.missing_node_refs:
            out.append(
                f"  文件中缺失 {self.missing_node_refs:,} 个节点（裁剪边界），去掉 "
                f"{self.segments_missing_nodes:,} 段 / {self.missing_node_refs:,} node refs not in "
                f"the extract (clipped), {self.segments_missing_nodes:,} segments dropped"
            )
        out.append(
            f"  网络 / network: {self.nodes:,} 节点 nodes, {self.edges:,} 边 edges, "
            f"{self.length_m / 1000.0:,.1f} km"
        )
        lc = self.largest_component
        if lc is not None and lc.components > 1:
            out.append(
                f"  {lc.components} 个连通分量，仅保留最大的；去掉 {lc.dropped_nodes:,} 节点、"
                f"{lc.dropped_edges:,} 边、{lc.dropped_length_m / 1000.0:,.2f} km / "
                f"{lc.components} components, kept the largest; dropped {lc.dropped_nodes:,} "
                f"nodes, {lc.dropped_edges:,} edges, {lc.dropped_length_m / 1000.0:,.2f} km"
            )
        elif self.components > 1:
            out.append(
                f"  {self.components} 个连通分量（全部保留） / "
                f"{self.components} components (all kept)"
            )
        out.append(f"  {self.attribution}")
        return out


def check_osm_path(path: str | PathLike[str]) -> Path:
    """The path as a :class:`Path` after checking it exists, is a file, is not empty and has an
    OSM file ending; raises :class:`InputError` naming the file otherwise."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(
            Problem("file_not_found", "文件不存在", "the file does not exist", file=name)
        )
    if not p.is_file():
        raise InputError(Problem("not_a_file", "不是文件", "not a file", file=name))
    if p.stat().st_size == 0:
        raise InputError(Problem("file_empty", "文件为空", "the file is empty", file=name))
    if not p.name.lower().endswith(OSM_SUFFIXES):
        raise InputError(
            Problem(
                "osm_format_unknown",
                "无法识别的 OSM 文件格式（应为 .osm.pbf、.osm、.osm.bz2 或 .osm.gz）",
                "unknown OSM file format (expected .osm.pbf, .osm, .osm.bz2 or .osm.gz)",
                file=name,
            )
        )
    return p


def osm_read_error(path: str | PathLike[str], exc: BaseException) -> InputError:
    """A clear error for a file that libosmium could not read (corrupt, truncated, not OSM)."""
    detail = str(exc).strip() or type(exc).__name__
    return InputError(
        Problem(
            "osm_file_corrupt",
            f"OSM 文件损坏、被截断或不是 OSM 数据（{detail}）",
            f"the OSM file is corrupt, truncated or not OSM data ({detail})",
            file=str(path),
        )
    )


def iter_osm(processor: osmium.FileProcessor, path: str | PathLike[str]) -> Iterator[OSMEntity]:
    """Iterate a pyosmium processor, turning libosmium's read errors into :class:`InputError`.

    Only errors raised while reading are translated; errors of the caller's loop body pass
    through unchanged.
    """
    try:
        yield from processor
    except (RuntimeError, OSError, ValueError) as exc:
        raise osm_read_error(path, exc) from exc


def read_osm_network(
    path: str | PathLike[str],
    *,
    keep_largest_component: bool = True,
    progress: Progress = no_progress,
) -> tuple[WalkNetwork, OsmNetworkReport]:
    """Read the walk network of an OSM extract.

    Walkable ways follow :mod:`quarterhour.engine.walk_policy`. With ``keep_largest_component``
    (the default) only the largest connected part is kept and the report says what was dropped.

    Raises :class:`InputError` for a missing, empty, corrupt or truncated file and
    :class:`NetworkError` when the file holds no walkable way.
    """
    p = check_osm_path(path)
    name = p.name
    refs = array.array("q")
    lons = array.array("d")
    lats = array.array("d")
    way_sizes = array.array("q")
    refused: Counter[str] = Counter()
    highway_ways = 0
    nan = float("nan")

    processor = (
        osmium.FileProcessor(str(p))
        .with_locations()
        .with_filter(EntityFilter(osmium.osm.WAY))
        .with_filter(KeyFilter("highway"))
    )
    progress("read_osm", 0, 0)
    for way in iter_osm(processor, path):
        if not isinstance(way, osmium.osm.Way):
            continue
        highway_ways += 1
        if highway_ways % _PROGRESS_EVERY == 0:
            progress("read_osm", highway_ways, 0)
        # the policy only looks tags up with .get(): osmium's TagList does that in C without
        # building a dict of every tag (the costliest step of reading otherwise)
        reason = refusal_reason(cast("Mapping[str, str]", way.tags))
        if reason:
            refused[reason] += 1
            continue
        count = 0
        for nd in way.nodes:
            loc = nd.location
            refs.append(nd.ref)
            if loc.valid():
                lons.append(loc.lon)
                lats.append(loc.lat)
            else:
                lons.append(nan)
                lats.append(nan)
            count += 1
        way_sizes.append(count)
    progress("read_osm", highway_ways, highway_ways)

    ways_kept = len(way_sizes)
    if ways_kept == 0:
        raise NetworkError(
            f"{name}：文件中没有可步行的道路（读到 {highway_ways} 条 highway 道路）",
            f"{name}: the file has no walkable ways ({highway_ways} highway ways read)",
            code="network_no_walkable_ways",
        )

    ref_a = np.frombuffer(refs, dtype=np.int64)
    lon_a = np.frombuffer(lons, dtype=np.float64)
    lat_a = np.frombuffer(lats, dtype=np.float64)
    sizes = np.frombuffer(way_sizes, dtype=np.int64)
    located = ~np.isnan(lon_a)

    # segment i joins refs i and i+1 when both belong to the same way
    way_of = np.repeat(np.arange(ways_kept, dtype=np.int64), sizes)
    same_way = way_of[:-1] == way_of[1:]
    seg_ok = same_way & located[:-1] & located[1:]
    seg_missing = int((same_way & ~seg_ok).sum())
    start = np.flatnonzero(seg_ok)
    ways_with_segment = np.unique(way_of[start]).shape[0]
    ways_missing = ways_kept - ways_with_segment
    if start.shape[0] == 0:
        raise NetworkError(
            f"{name}：可步行道路的节点都不在文件中，无法组成网络",
            f"{name}: the walkable ways' nodes are missing from the file; no network can be built",
            code="network_no_walkable_ways",
        )

    used = np.zeros(ref_a.shape[0], dtype=bool)
    used[start] = True
    used[start + 1] = True
    node_ids, first, inverse = np.unique(ref_a[used], return_index=True, return_inverse=True)
    index_of_ref = np.full(ref_a.shape[0], -1, dtype=np.int64)
    index_of_ref[used] = inverse.reshape(-1)
    used_pos = np.flatnonzero(used)[first]
    net = build_network(
        lon_a[used_pos],
        lat_a[used_pos],
        index_of_ref[start],
        index_of_ref[start + 1],
        node_osm_id=node_ids,
        source=name,
    )
    comp_report: ComponentReport | None = None
    if keep_largest_component:
        net, comp_report = largest_component(net)
        n_comp = comp_report.components
    else:
        n_comp = int(connected_components(net.csr(), directed=False)[0])
    report = OsmNetworkReport(
        source=name,
        highway_ways=highway_ways,
        ways_kept=ways_kept,
        ways_refused=dict(sorted(refused.items())),
        missing_node_refs=int((~located).sum()),
        segments_missing_nodes=seg_missing,
        ways_missing_nodes=int(ways_missing),
        segments=int(start.shape[0]),
        components=n_comp,
        nodes=net.n_nodes,
        edges=net.n_edges,
        length_m=float(net.edge_length_m.sum()),
        largest_component=comp_report,
    )
    progress("build_network", 1, 1)
    return net, report
