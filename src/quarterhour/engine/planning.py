"""One planning pipeline: typed inputs → reach, coverage, verdicts, circles, gaps, sites.

``quarterhour plan`` / ``report``, ``quarterhour batch`` and the platform's background assessment
all call :func:`plan`; they differ only in how they read their inputs and write the result.

What the pipeline honours, wherever it runs (all from the :class:`Standard`):

* each item's walking distance — the walk (minutes × pace), or the item's life-circle level
  (GB 50180-2018: 300 / 500 / 1,000 m), never beyond the walk;
* each item's share threshold and whether it is ``required``;
* the demonstration rule (which items count, how many must be met, ``must_meet``, minimum
  population);
* the elderly pace for the elderly group (limits scale by elderly ÷ adult pace).

Residents are counted one way (:class:`Residents`): each community's residents spread over the
network nodes of its area in proportion to the street frontage each node stands for (half the
length of the edges at it, :func:`quarterhour.engine.population.origins_from_areas`); a community
with no area but a centre keeps its residents at that centre. Without any population input every
origin weighs 1 and every figure counts network points (路网节点), not residents:
:attr:`Residents.counted` says which, and every writer labels its figures by it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from quarterhour.engine._errors import QuarterhourError
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M, minutes_to_metres
from quarterhour.engine.coverage import (
    CoverageTable,
    ItemSpec,
    PopulationGroup,
    RollUp,
    coverage_table,
    elderly_group,
    roll_up,
    rule_from_standard,
    specs_from_standard,
)
from quarterhour.engine.facility_items import facility_coordinates, indexed
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.progress import Progress, no_progress

if TYPE_CHECKING:
    from quarterhour.engine.assessment import Assessment
    from quarterhour.engine.circles import CircleLayout
    from quarterhour.engine.exports import SitingPlan
    from quarterhour.engine.network import WalkNetwork
    from quarterhour.engine.population import Communities, CommunityAreas
    from quarterhour.engine.siting import Candidate
    from quarterhour.engine.standards import Standard

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]

Counted = Literal["residents", "network_points"]

#: What a figure counts, for labels: (Chinese, English).
COUNTED_LABELS: dict[str, tuple[str, str]] = {
    "residents": ("人口", "residents"),
    "network_points": ("路网节点", "network points"),
}


def counted_label(counted: str) -> tuple[str, str]:
    """(Chinese, English) name of what the figures count: residents or network points."""
    return COUNTED_LABELS.get(counted, COUNTED_LABELS["residents"])


# ---------------------------------------------------------------------------------------------
# inputs


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Residents:
    """Where residents are counted: origins (weights = residents), each origin's community
    (``zone``: index into ``zone_ids``, -1 none) and group residents per origin (``groups``:
    ``elderly``, ``children`` …). ``counted = "network_points"`` when no population was given."""

    origins: Origins
    zone: Int64Array
    zone_ids: tuple[str, ...]
    groups: Mapping[str, FloatArray] = field(default_factory=dict)
    counted: Counted = "residents"


@dataclass(frozen=True, slots=True, kw_only=True)
class GivenCircle:
    """A circle already drawn (the platform's): its communities (index into the residents'
    ``zone_ids``) with the share of each community's residents that belongs to it."""

    circle_id: str
    members: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CircleOptions:
    """Draw circles of ``min_pop``–``max_pop`` residents around ``target_pop`` (None: the
    standard's target, else 15,000); ``by_street``: circles do not cross streets."""

    min_pop: float = 10_000.0
    max_pop: float = 20_000.0
    target_pop: float | None = None
    by_street: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SitingOptions:
    """Propose new sites: ``k`` per item (MCLP) or as few as reach ``share`` (LSCP).

    ``items``: item codes (default: the required items below their threshold, the worst
    ``max_items`` first). Candidates: existing places of a host kind the standard lists for the
    item (一室多用, unless ``multi_use`` is off) plus ``extra`` (parcels, network nodes).
    """

    items: tuple[str, ...] = ()
    k: int | None = None
    share: float | None = None
    extra: tuple[Candidate, ...] = ()
    multi_use: bool = True
    time_limit_s: float = 60.0
    greedy: bool = False
    max_items: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanOptions:
    """How to plan: the walk (None: the standard's), snapping, threads, circles, siting."""

    minutes: float | None = None
    speed_kmh: float | None = None
    max_snap_m: float = DEFAULT_MAX_SNAP_M
    workers: int = 0
    osm_derived: bool = False
    circles: CircleOptions | None = None
    siting: SitingOptions | None = None
    #: judge only the items that matter on foot: those whose walk applies and any the verdict
    #: counts (the platform's view); False: every item of the standard (the command line's)
    walk_items_only: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PlanInputs:
    """What the pipeline plans on. ``hosts``: places that serve no item but may take one on;
    ``communities``/``areas``: the community list and each node's community (needed to draw
    circles and for the roll-up against targets); ``circles``: circles already drawn."""

    network: WalkNetwork
    standard: Standard
    facilities: tuple[Facility, ...]
    residents: Residents
    hosts: tuple[Facility, ...] = ()
    communities: Communities | None = None
    areas: CommunityAreas | None = None
    circles: tuple[GivenCircle, ...] | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Reached:
    """What a reach gives: per item code, the walk distance from every origin to the nearest
    facility of the item (NaN beyond the limit), and how many facilities it placed on the
    network (None: not known, the pipeline snaps them to count)."""

    distance_m: Mapping[str, FloatArray]
    placed: int | None = None


#: A replacement for the engine's whole-network reach with the same answer (the platform's
#: tile-by-tile reach), called with keyword arguments network, origins, facilities, item_codes,
#: limit_m, progress.
Reach = Callable[..., Reached]


# ---------------------------------------------------------------------------------------------
# result


@dataclass(frozen=True, slots=True)
class Gap:
    """A required item a zone (circle or community) does not meet, and who it leaves out."""

    zone_id: str
    item_code: str
    name_zh: str
    name_en: str
    uncovered: float  # residents (or network points) beyond the item's walk
    population: float
    share: float | None
    threshold: float


@dataclass(frozen=True, slots=True)
class FacilityCounts:
    """Facilities in the register (every row read as a standard facility) and those placed on
    the network (within the snap distance) — the only ones that can serve anyone."""

    in_register: int
    placed: int


@dataclass(frozen=True, slots=True, eq=False)
class PlanResult:
    standard: Standard
    specs: tuple[ItemSpec, ...]
    walk_minutes: float
    speed_kmh: float
    limit_m: float
    counted: Counted
    distance_m: Mapping[str, FloatArray]
    facilities: FacilityCounts
    community_table: CoverageTable
    circle_table: CoverageTable | None
    layout: CircleLayout | None
    roll_up: tuple[RollUp, ...]
    gaps: tuple[Gap, ...]
    plans: tuple[SitingPlan, ...]
    assessment: Assessment | None = None  # the engine's reach (None when a reach was given)
    notes: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# the pipeline


def walk_of(standard: Standard, options: PlanOptions) -> tuple[float, float]:
    """(minutes, km/h): the options' walk, else the standard's."""
    w = standard.walking
    minutes = options.minutes or w.minutes
    speed = options.speed_kmh or w.speed_kmh
    return float(minutes), float(speed)


def groups_of(residents: Residents, *, speed_kmh: float) -> list[PopulationGroup]:
    """Population groups: the elderly at the standard's elderly pace, others at the adult pace."""
    from quarterhour.engine.population import GROUPS

    out = []
    for key, w in residents.groups.items():
        if key == "elderly":
            out.append(elderly_group(w))
        else:
            zh, en = GROUPS.get(key, (key, key))
            out.append(PopulationGroup(key, zh, en, np.asarray(w, dtype=np.float64), speed_kmh))
    return out


def plan(
    *,
    inputs: PlanInputs,
    options: PlanOptions,
    reach: Reach | None = None,
    progress: Progress = no_progress,
) -> PlanResult:
    """Reach, coverage per community / circle / item / group, verdicts, roll-up, gaps, circles
    and proposed sites (see the module docstring). ``reach``: a replacement for the engine's
    whole-network reach giving the same distances (the platform's tiled, reused reach)."""
    import time

    std = inputs.standard
    timings: dict[str, float] = {}
    minutes, speed = walk_of(std, options)
    limit = minutes_to_metres(minutes, speed_kmh=speed)
    specs = specs_from_standard(std)
    if options.walk_items_only:
        specs = tuple(s for s in specs if s.required or std.item(s.code).walk_applies)
    res = inputs.residents
    origins = res.origins
    notes: list[str] = []

    t = time.perf_counter()
    assessment = None
    codes = [s.code for s in specs]
    facilities = indexed(inputs.facilities)  # columns made once for every pass below
    if reach is None:
        from quarterhour.engine.assessment import assess

        assessment = assess(
            inputs.network,
            facilities,
            origins,
            standard=std,
            minutes=minutes,
            speed_kmh=speed,
            max_snap_m=options.max_snap_m,
            workers=options.workers,
            osm_derived=options.osm_derived,
            progress=progress,
        )
        result = assessment.result
        limit = result.limit_m
        n = len(origins)
        distance: Mapping[str, FloatArray] = {
            c: (result.items[c].distance_m if c in result.items else np.full(n, np.nan))
            for c in codes
        }
        placed = int(np.count_nonzero(result.facility_snap.ok))
    else:
        reached = reach(
            network=inputs.network,
            origins=origins,
            facilities=facilities,
            item_codes=codes,
            limit_m=limit,
            progress=progress,
        )
        distance = reached.distance_m
        placed = (
            reached.placed
            if reached.placed is not None
            else _placed(inputs.network, facilities, max_snap_m=options.max_snap_m)
        )
    timings["reach"] = time.perf_counter() - t

    layout = None
    if options.circles is not None:
        t = time.perf_counter()
        layout = draw_circles(
            inputs.network,
            inputs.communities,
            inputs.areas,
            standard=std,
            options=options.circles,
            progress=progress,
        )
        timings["circles"] = time.perf_counter() - t

    t = time.perf_counter()
    groups = groups_of(res, speed_kmh=speed)
    rule = rule_from_standard(std)
    community_table = coverage_table(
        distance, origins.weight, res.zone, res.zone_ids, specs,
        limit_m=limit, walk_minutes=minutes, speed_kmh=speed, groups=groups, rule=rule,
    )  # fmt: skip
    circle_table = None
    if layout is not None:
        zone = circle_of_origins(inputs, layout, max_snap_m=options.max_snap_m)
        circle_table = coverage_table(
            distance, origins.weight, zone, tuple(c.circle_id for c in layout.circles), specs,
            limit_m=limit, walk_minutes=minutes, speed_kmh=speed, groups=groups, rule=rule,
        )  # fmt: skip
    elif inputs.circles is not None:
        idx, zone, share = _members(res.zone, inputs.circles)
        circle_table = coverage_table(
            {c: d[idx] for c, d in distance.items()},
            origins.weight[idx] * share,
            zone,
            tuple(c.circle_id for c in inputs.circles),
            specs,
            limit_m=limit,
            walk_minutes=minutes,
            speed_kmh=speed,
            groups=[
                PopulationGroup(g.key, g.label_zh, g.label_en, g.weight[idx] * share, g.speed_kmh)
                for g in groups
            ],
            rule=rule,
        )
    ups: tuple[RollUp, ...] = ()
    if inputs.communities is not None:
        ups = _roll_up(std, inputs.communities, layout, community_table, circle_table)
    gaps = gaps_of(circle_table or community_table)
    timings["coverage"] = time.perf_counter() - t

    plans: tuple[SitingPlan, ...] = ()
    if options.siting is not None:
        t = time.perf_counter()
        plans, site_notes = propose_sites(
            inputs, options, specs=specs, distance=distance, limit_m=limit, progress=progress
        )
        notes += site_notes
        timings["siting"] = time.perf_counter() - t

    return PlanResult(
        standard=std,
        specs=specs,
        walk_minutes=minutes,
        speed_kmh=speed,
        limit_m=limit,
        counted=res.counted,
        distance_m=distance,
        facilities=FacilityCounts(in_register=len(inputs.facilities), placed=placed),
        community_table=community_table,
        circle_table=circle_table,
        layout=layout,
        roll_up=ups,
        gaps=gaps,
        plans=plans,
        assessment=assessment,
        notes=tuple(notes),
        timings=timings,
    )


def _placed(network: WalkNetwork, facilities: Sequence[Facility], *, max_snap_m: float) -> int:
    if not facilities:
        return 0
    from quarterhour.engine.snapping import snap_points

    lon, lat = facility_coordinates(facilities)
    snap = snap_points(network, lon, lat, max_snap_m=max_snap_m)
    return int(np.count_nonzero(snap.ok))


def _members(
    zone: Int64Array, circles: Sequence[GivenCircle]
) -> tuple[Int64Array, Int64Array, FloatArray]:
    """Origins of each circle's member communities: (origin index, circle index, share)."""
    order = np.argsort(zone, kind="stable")
    starts = np.searchsorted(zone[order], np.arange(int(zone.max(initial=-1)) + 2))
    idx: list[Int64Array] = []
    czone: list[Int64Array] = []
    share: list[FloatArray] = []
    for k, c in enumerate(circles):
        for z, s in c.members:
            if z < 0 or z + 1 >= starts.shape[0]:
                continue
            sel = order[starts[z] : starts[z + 1]]
            idx.append(sel)
            czone.append(np.full(sel.size, k, dtype=np.int64))
            share.append(np.full(sel.size, float(s)))
    if not idx:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate(idx), np.concatenate(czone), np.concatenate(share)


def draw_circles(
    network: WalkNetwork,
    comms: Communities | None,
    areas: CommunityAreas | None,
    *,
    standard: Standard,
    options: CircleOptions,
    progress: Progress = no_progress,
) -> CircleLayout:
    """Circles drawn over the communities' walk-network areas."""
    from quarterhour.engine.circles import delineate_circles
    from quarterhour.engine.population import node_frontage_m

    if comms is None or areas is None:
        raise QuarterhourError(
            "划分服务圈需要社区名录：--communities 或 --adcode + --population",
            "drawing circles needs a community list: --communities or --adcode + --population",
        )
    target = options.target_pop
    if target is None:
        target = float(standard.targets.circle_population or 15_000)
    target = min(max(target, options.min_pop), options.max_pop)
    return delineate_circles(
        network,
        areas.node_community,
        comms.code,
        np.nan_to_num(comms.population, nan=0.0),
        node_weight=node_frontage_m(network),
        min_pop=options.min_pop,
        max_pop=options.max_pop,
        target_pop=target,
        street_of=comms.street if options.by_street and comms.street else None,
        progress=progress,
    )


def circle_of_origins(
    inputs: PlanInputs, layout: CircleLayout, *, max_snap_m: float = DEFAULT_MAX_SNAP_M
) -> Int64Array:
    """Each origin's circle (-1: none): that of its node, or of the node it snaps to."""
    origins = inputs.residents.origins
    if origins.node is not None:
        return np.asarray(layout.node_circle[origins.node], dtype=np.int64)
    from quarterhour.engine.population import CommunityAreas, zone_of_points

    by_circle = CommunityAreas(
        layout.node_circle, np.full(inputs.network.n_nodes, np.nan), False, ()
    )
    return zone_of_points(
        inputs.network, by_circle, origins.lon, origins.lat, max_snap_m=max_snap_m
    )


def _roll_up(
    std: Standard,
    comms: Communities,
    layout: CircleLayout | None,
    community_table: CoverageTable,
    circle_table: CoverageTable | None,
) -> tuple[RollUp, ...]:
    t = std.targets
    area = dict(zip(comms.code, comms.district, strict=True)) if comms.district else None
    circle_area = None
    if area is not None and layout is not None:
        circle_area = {
            c.circle_id: comms.district[c.parts[0].community] for c in layout.circles if c.parts
        }
    urban = (
        dict(zip(comms.code, comms.urban.tolist(), strict=True))
        if comms.urban is not None
        else None
    )
    return roll_up(
        circle_table or community_table,
        community_table,
        circle_area=circle_area,
        community_area=area,
        urban=urban,
        demonstration_target=t.demonstration_circles or 300,
        urban_share_target=t.urban_community_share or 0.6,
    )


def gaps_of(table: CoverageTable) -> tuple[Gap, ...]:
    """Per zone, each required item not met and the residents it leaves beyond the walk."""
    by_code = {s.code: s for s in table.item_specs}
    out = []
    for z in table.zones:
        for spec in z.missing:
            it = z.item(spec.code)
            out.append(
                Gap(
                    zone_id=z.zone_id,
                    item_code=spec.code,
                    name_zh=by_code[spec.code].name_zh,
                    name_en=by_code[spec.code].name_en,
                    uncovered=max(0.0, it.population - it.covered),
                    population=it.population,
                    share=it.share,
                    threshold=it.threshold,
                )
            )
    return tuple(out)


def items_to_site(
    specs: Sequence[ItemSpec],
    distance: Mapping[str, FloatArray],
    weight: FloatArray,
    *,
    limit_m: float,
    options: SitingOptions,
) -> tuple[list[ItemSpec], list[str]]:
    """The items to site: those asked for, else the required items whose share of residents
    within the item's walk is below its threshold, worst first, at most ``max_items``."""
    by_code = {s.code: s for s in specs}
    unknown = [c for c in options.items if c not in by_code]
    if unknown:
        raise QuarterhourError(
            f"标准中没有这些项目：{', '.join(unknown)}", f"unknown item codes: {', '.join(unknown)}"
        )
    if options.items:
        return [by_code[c] for c in options.items], []
    total = float(weight.sum())

    def covered(s: ItemSpec) -> float:
        return float(weight[within(distance[s.code], s.limit_for(limit_m))].sum())

    items = [
        s for s in specs if s.required and total > 0 and covered(s) / total < s.share_threshold
    ]
    items.sort(key=covered)
    notes = []
    if len(items) > options.max_items:
        notes.append(
            f"未达标项目 {len(items)} 个，只为覆盖最差的 {options.max_items} 个选址"
            f"（--max-items） / {len(items)} items fall short; siting the "
            f"{options.max_items} worst (--max-items)"
        )
        items = items[: options.max_items]
    return items, notes


def within(distance: FloatArray, limit_m: float) -> npt.NDArray[np.bool_]:
    """Origins within ``limit_m`` of the item (NaN: beyond the reach's bound)."""
    return np.isfinite(distance) & (np.nan_to_num(distance, nan=np.inf) <= limit_m + 1e-9)


def propose_sites(
    inputs: PlanInputs,
    options: PlanOptions,
    *,
    specs: Sequence[ItemSpec],
    distance: Mapping[str, FloatArray],
    limit_m: float,
    progress: Progress = no_progress,
) -> tuple[tuple[SitingPlan, ...], list[str]]:
    """New sites per item (MCLP ``k`` or LSCP ``share``), each with its host kind and reason;
    existing facilities stay, residents already within the item's walk count as covered."""
    from quarterhour.engine.exports import SitingPlan
    from quarterhour.engine.siting import (
        candidates_from_facilities,
        coverage_from_network,
        lscp,
        lscp_greedy,
        mclp,
        mclp_greedy,
    )

    so = options.siting
    assert so is not None
    if (so.k is None) == (so.share is None):
        raise QuarterhourError(
            "请给出 --k（新增设施数）或 --share（覆盖比例）之一",
            "give exactly one of --k (number of new sites) or --share (required share)",
        )
    origins = inputs.residents.origins
    weight = origins.weight
    items, notes = items_to_site(specs, distance, weight, limit_m=limit_m, options=so)
    plans = []
    for done, spec in enumerate(items):
        progress("选址 / siting", done, len(items))
        cands: list[Candidate] = []
        seen: set[str] = set()
        pool = (
            candidates_from_facilities(
                [*inputs.facilities, *inputs.hosts], spec.code, standard=inputs.standard
            )
            if so.multi_use
            else []
        )
        for c in [*pool, *so.extra]:
            if c.candidate_id not in seen:
                seen.add(c.candidate_id)
                cands.append(c)
        if not cands:
            notes.append(
                f"{spec.code}: 没有可兼设该项目的现有场所（标准文件 hosts 所列类型），也没有其他"
                "候选点，跳过 / no existing place of a kind that may take this item on (the "
                "standard's hosts) and no other candidate sites; skipped (use --candidates or "
                "--candidate-nodes)"
            )
            continue
        item_limit = spec.limit_for(limit_m)
        cov = coverage_from_network(
            inputs.network, cands, origins, limit_m=item_limit, max_snap_m=options.max_snap_m
        )
        existing = within(distance[spec.code], item_limit)
        if so.k is not None:
            res = (
                mclp_greedy(cov, weight, k=so.k, existing=existing)
                if so.greedy
                else mclp(cov, weight, k=so.k, existing=existing, time_limit_s=so.time_limit_s)
            )
        else:
            assert so.share is not None
            res = (
                lscp_greedy(cov, weight, share=so.share, existing=existing)
                if so.greedy
                else lscp(
                    cov, weight, share=so.share, existing=existing, time_limit_s=so.time_limit_s
                )
            )
        plans.append(SitingPlan(spec, res, tuple(cands)))
        notes += [f"{spec.code}: {n}" for n in res.notes]
    progress("选址 / siting", len(items), len(items))
    return tuple(plans), notes


# ---------------------------------------------------------------------------------------------
# residents


def residents_in_areas(
    network: WalkNetwork,
    communities: Communities,
    areas: CommunityAreas,
    *,
    centres: bool = False,
) -> tuple[Residents, dict[int, str]]:
    """Each community's residents spread over its area's nodes by street frontage (the one way
    residents are counted, see the module docstring).

    A community without population counts its nodes (weight 1 each). Groups the community list
    gives (``Communities.groups``: the elderly …) are spread the same way. With ``centres``, a
    community without an area but with a centre keeps its residents at the centre; the returned
    notes name, by community index, those that contribute nothing (``no_network_inside``: an
    area without nodes and no centre; ``no_location``: neither).
    """
    from quarterhour.engine.population import node_frontage_m

    label = areas.node_community
    nodes = np.flatnonzero(label >= 0)
    lab = label[nodes]
    front = node_frontage_m(network)[nodes]
    front = np.where(front > 0, front, 1.0)
    per = np.bincount(lab, weights=front, minlength=len(communities))
    pop = np.asarray(communities.population, dtype=np.float64)
    known = np.isfinite(pop) & (pop > 0)
    share = front / per[lab]
    weight = np.where(known[lab], share * np.nan_to_num(pop, nan=0.0)[lab], 1.0)
    # groups (the elderly …) spread like the residents: the community's count × frontage share
    group_counts = {g: np.nan_to_num(v, nan=0.0) for g, v in communities.groups.items()}
    group_parts = {g: [share * v[lab]] for g, v in group_counts.items()}
    osm = network.node_osm_id
    ids = [
        f"osm:node/{osm[i]}" if osm.shape[0] == network.n_nodes and osm[i] >= 0 else f"node:{i}"
        for i in nodes.tolist()
    ]
    lon = [network.node_lon[nodes]]
    lat = [network.node_lat[nodes]]
    weights = [weight]
    zone = [lab.astype(np.int64)]
    notes: dict[int, str] = {}
    has_nodes = np.bincount(lab, minlength=len(communities)) > 0
    for z in np.flatnonzero(~has_nodes).tolist():
        x, y = float(communities.lon[z]), float(communities.lat[z])
        if not centres or not (np.isfinite(x) and np.isfinite(y)):
            has_area = bool(communities.polygon) and communities.polygon[z] is not None
            notes[z] = "no_network_inside" if has_area else "no_location"
            continue
        ids.append(f"{communities.code[z]}:centre")
        lon.append(np.array([x]))
        lat.append(np.array([y]))
        weights.append(np.array([float(pop[z]) if known[z] else 1.0]))
        for g, v in group_counts.items():
            group_parts[g].append(np.array([float(v[z])]))
        zone.append(np.array([z], dtype=np.int64))
    all_zone = np.concatenate(zone)
    on_nodes = len(ids) == nodes.size
    origins = Origins(
        origin_id=tuple(ids),
        lon=np.ascontiguousarray(np.concatenate(lon), dtype=np.float64),
        lat=np.ascontiguousarray(np.concatenate(lat), dtype=np.float64),
        weight=np.ascontiguousarray(np.concatenate(weights), dtype=np.float64),
        node=nodes.astype(np.int64) if on_nodes else None,
    )
    return (
        Residents(
            origins=origins,
            zone=all_zone,
            zone_ids=tuple(communities.code),
            groups={g: np.concatenate(parts) for g, parts in group_parts.items()},
            counted="residents" if bool(known.any()) else "network_points",
        ),
        notes,
    )


def areas_inside(network: WalkNetwork, polygons: Sequence[object | None]) -> CommunityAreas:
    """Each node's community: the first polygon (in order) that contains it, -1 none. Unlike
    :func:`quarterhour.engine.population.areas_from_polygons`, a polygon without nodes is not an
    error: the community keeps its centre (:func:`residents_in_areas` with ``centres``)."""
    import shapely

    from quarterhour.engine.population import CommunityAreas

    lon, lat = network.node_lon, network.node_lat
    label = np.full(network.n_nodes, -1, dtype=np.int64)
    for i, poly in enumerate(polygons):
        if poly is None:
            continue
        x0, y0, x1, y1 = shapely.bounds(poly)
        near = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1) & (label < 0))
        if near.size:
            inside = near[shapely.contains_xy(poly, lon[near], lat[near])]
            label[inside] = i
    counts = np.bincount(label[label >= 0], minlength=len(polygons))
    return CommunityAreas(
        node_community=label,
        distance_m=np.full(network.n_nodes, np.nan),
        derived=False,
        without_area=tuple(np.flatnonzero(counts == 0).tolist()),
    )
