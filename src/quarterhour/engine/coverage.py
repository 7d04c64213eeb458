"""Coverage and compliance: who reaches each standard item within the walk, per zone.

A *zone* is a community (社区) or a circle (服务圈): the numeric core only needs, per origin
(home / demand point), the index of its zone. Every figure is population-weighted:

* ``covered``  = Σ w_i over origins i of the zone with d_i ≤ L_g
* ``share``    = covered / Σ w_i
* ``median`` / ``p90`` = the weighted quantile (inverse CDF, lower value) of the walking
  minutes to the nearest facility, d_i / v_g. Distances come from a *bounded* search, so when
  more than (1 − q) of the residents are beyond the limit the quantile is unknown: ``None``.
* ``met``      = share ≥ the item's share threshold (the standard's rule; default 0.9)

For a population group g (elderly 60+, children, people with disabilities …) the weights are
the group's residents and the limit is ``L_g = walk_minutes × v_g``: distances do not depend on
speed, only the limit does, so elderly residents (3 km/h → 750 m in 15 minutes) are measured
on the same distances against a shorter limit.

An item with its own walking distance (:attr:`ItemSpec.limit_m`: GB 50180-2018's 5/10/15-minute
levels, 300 / 500 / 1,000 m) is judged against that distance — for a group scaled by the
group's pace over the adult pace (elderly: 300 m → 225 m) — never beyond the walk's limit.

A zone qualifies as a demonstration circle (示范点) under a :class:`DemonstrationRule`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from quarterhour.engine._errors import Problem, ProblemCollector
from quarterhour.engine.config import (
    DEFAULT_WALK_MINUTES,
    DEFAULT_WALK_SPEED_KMH,
    ELDERLY_WALK_SPEED_KMH,
    minutes_to_metres,
    speed_m_per_min,
)
from quarterhour.engine.standards import DemonstrationRule

if TYPE_CHECKING:
    from quarterhour.engine.reach import ReachResult
    from quarterhour.engine.standards import Standard

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]

#: Policy target: demonstration circles across the city by 2011 (意见 一(三)).
DEMONSTRATION_CIRCLES_TARGET: int = 300
#: Policy target: share of urban communities covered by a circle by 2015 (意见 一(三)).
URBAN_COMMUNITY_SHARE_TARGET: float = 0.6
#: Default share of residents that must reach an item for it to count as met.
DEFAULT_SHARE_THRESHOLD: float = 0.9
#: Name of the whole population in group-keyed results.
ALL_RESIDENTS: str = "all"


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """One standard item as coverage needs it (the standard file supplies these)."""

    code: str
    name_zh: str
    name_en: str
    share_threshold: float = DEFAULT_SHARE_THRESHOLD
    required: bool = True
    #: the item's own walking distance (GB 50180-2018's 300 / 500 / 1,000 m per level); None:
    #: the standard's walk (minutes × pace). Never longer than the walk: the reach is bounded.
    limit_m: float | None = None

    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}"

    def limit_for(self, walk_limit_m: float, *, pace: float = 1.0) -> float:
        """The distance a resident may walk to this item: the walk's limit, or the item's own
        distance scaled by ``pace`` (group speed ÷ adult speed: elderly 3 ÷ 4), whichever is
        shorter."""
        if self.limit_m is None:
            return walk_limit_m
        return min(walk_limit_m, self.limit_m * pace)


@dataclass(frozen=True, slots=True, eq=False)
class PopulationGroup:
    """Residents of one group the policy singles out, per origin, and the group's pace."""

    key: str
    label_zh: str
    label_en: str
    weight: FloatArray
    speed_kmh: float = DEFAULT_WALK_SPEED_KMH


def elderly_group(weight: npt.ArrayLike) -> PopulationGroup:
    """Elderly residents (60+), measured at the elderly pace (3 km/h)."""
    return PopulationGroup(
        "elderly",
        "老年人（60岁以上）",
        "elderly (60+)",
        np.asarray(weight, dtype=np.float64),
        ELDERLY_WALK_SPEED_KMH,
    )


@dataclass(frozen=True, slots=True)
class ItemCoverage:
    """Coverage of one item in one zone for one group. Minutes ``None`` = beyond the limit."""

    item_code: str
    group: str
    population: float
    covered: float
    share: float | None  # None when the zone has no residents of this group
    median_min: float | None
    p90_min: float | None
    threshold: float
    met: bool | None  # None when share is None


@dataclass(frozen=True, slots=True)
class ZoneCoverage:
    """Coverage of every item in one zone, and its compliance."""

    zone_id: str
    population: float
    items: tuple[ItemCoverage, ...]  # whole population, in the order of the item specs
    groups: tuple[ItemCoverage, ...]  # per population group × item
    items_required: int
    items_met: int
    missing: tuple[ItemSpec, ...]  # required items not met (or with no residents to judge)
    demonstration: bool

    def item(self, code: str, group: str = ALL_RESIDENTS) -> ItemCoverage:
        pool = self.items if group == ALL_RESIDENTS else self.groups
        for c in pool:
            if c.item_code == code and c.group == group:
                return c
        raise KeyError((code, group))

    @property
    def all_met(self) -> bool:
        return self.items_required > 0 and self.items_met == self.items_required


@dataclass(frozen=True, slots=True)
class CoverageTable:
    """Coverage for every zone; ``zones`` in the order of ``zone_ids``."""

    zones: tuple[ZoneCoverage, ...]
    item_specs: tuple[ItemSpec, ...]
    limit_m: float
    walk_minutes: float
    speed_kmh: float
    group_keys: tuple[str, ...] = field(default=())

    def by_id(self) -> dict[str, ZoneCoverage]:
        return {z.zone_id: z for z in self.zones}


def weighted_quantiles(
    values: FloatArray,
    weight: FloatArray,
    zone: Int64Array,
    n_zones: int,
    qs: Sequence[float],
) -> FloatArray:
    """Weighted lower quantiles per zone: (n_zones × len(qs)).

    The q-quantile of a zone is the smallest value x with Σ{w_i : v_i ≤ x} ≥ q · Σ w_i.
    ``values`` may hold +inf (beyond the limit) — such a quantile is +inf. Zones without
    weight get NaN. Origins with ``zone < 0`` are ignored.
    """
    out = np.full((n_zones, len(qs)), np.nan)
    keep = (zone >= 0) & (weight > 0)
    v, w, z = values[keep], weight[keep], zone[keep]
    if v.size == 0:
        return out
    order = np.lexsort((v, z))
    v, w, z = v[order], w[order], z[order]
    cum = np.cumsum(w)
    totals = _wsum(z, weights=w, minlength=n_zones)
    before = np.concatenate([[0.0], np.cumsum(totals)[:-1]])
    has = totals > 0
    for j, q in enumerate(qs):
        target = before + q * totals - 1e-9 * np.maximum(totals, 1.0)
        idx = np.searchsorted(cum, target[has], side="left")
        idx = np.minimum(idx, v.size - 1)
        out[has, j] = v[idx]
    return out


def _wsum(zone: Int64Array, *, weights: FloatArray, minlength: int) -> FloatArray:
    return np.asarray(np.bincount(zone, weights=weights, minlength=minlength), dtype=np.float64)


def _opt(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def coverage_table(
    distance_m: Mapping[str, FloatArray],
    weight: FloatArray,
    zone_of_origin: Int64Array,
    zone_ids: Sequence[str],
    item_specs: Sequence[ItemSpec],
    *,
    limit_m: float,
    walk_minutes: float = DEFAULT_WALK_MINUTES,
    speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    groups: Sequence[PopulationGroup] = (),
    rule: DemonstrationRule = DemonstrationRule(),
) -> CoverageTable:
    """Coverage of every item in every zone (the numeric core).

    ``distance_m[code][i]`` is the walk distance from origin i to the nearest facility of the
    item, NaN when beyond ``limit_m`` (the bound of the search that produced it). The whole
    population's limit is ``min(limit_m, walk_minutes × speed)``; a group's limit is
    ``walk_minutes × group speed`` and must not exceed ``limit_m`` (it could not be measured).
    """
    n = int(weight.shape[0])
    nz = len(zone_ids)
    problems = ProblemCollector()
    zone = np.asarray(zone_of_origin, dtype=np.int64)
    if zone.shape != (n,):
        problems.add(
            Problem("shape", "分区数组长度与起点数不符", "zone array length differs from origins")
        )
    elif n and (zone.max(initial=-1) >= nz):
        problems.add(
            Problem("zone_index", "起点的分区编号越界", "an origin's zone index is out of range")
        )
    bad_w = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
    for i in bad_w[:50].tolist():
        problems.add(
            Problem(
                "population_invalid", "人口为负数或缺失", "population is negative or missing", row=i
            )
        )
    for spec in item_specs:
        d = distance_m.get(spec.code)
        if d is None:
            problems.add(
                Problem(
                    "item_missing",
                    f"缺少项目 {spec.code} 的距离",
                    f"no distances for item {spec.code}",
                )
            )
        elif d.shape != (n,):
            problems.add(
                Problem(
                    "shape", f"项目 {spec.code} 的距离长度不符", f"item {spec.code}: wrong length"
                )
            )
        if not 0.0 <= spec.share_threshold <= 1.0:
            problems.add(
                Problem(
                    "threshold_invalid",
                    f"项目 {spec.code} 的达标比例须在 0–1 之间",
                    f"item {spec.code}: share threshold must be within 0..1",
                )
            )
    all_limit = min(limit_m, minutes_to_metres(walk_minutes, speed_kmh=speed_kmh))
    for g in groups:
        if g.weight.shape != (n,):
            problems.add(
                Problem("shape", f"人群 {g.key} 权重长度不符", f"group {g.key}: wrong length")
            )
        g_limit = minutes_to_metres(walk_minutes, speed_kmh=g.speed_kmh)
        if g_limit > limit_m + 1e-9:
            problems.add(
                Problem(
                    "group_limit",
                    f"人群 {g.key} 的步行上限 {g_limit:.0f} 米超过可达性计算上限 {limit_m:.0f} 米",
                    f"group {g.key}: limit {g_limit:.0f} m exceeds the reach bound {limit_m:.0f} m",
                )
            )
    problems.raise_if_any()

    passes: list[tuple[str, FloatArray, float, float]] = [
        (ALL_RESIDENTS, weight, all_limit, speed_kmh)
    ]
    for g in groups:
        passes.append(
            (g.key, g.weight, minutes_to_metres(walk_minutes, speed_kmh=g.speed_kmh), g.speed_kmh)
        )
    zone_pop = _wsum(zone[zone >= 0], weights=weight[zone >= 0], minlength=nz)
    # results[group][item] = (pop, covered, med, p90) arrays per zone
    per: dict[tuple[str, str], tuple[FloatArray, FloatArray, FloatArray]] = {}
    pops: dict[str, FloatArray] = {}
    valid = zone >= 0
    for key, w, lim, spd in passes:
        pops[key] = _wsum(zone[valid], weights=w[valid], minlength=nz)
        for spec in item_specs:
            d = distance_m[spec.code]
            item_lim = spec.limit_for(lim, pace=spd / speed_kmh)
            within = np.isfinite(d) & (d <= item_lim + 1e-9)
            cov = _wsum(zone[valid], weights=(w * within)[valid], minlength=nz)
            mins = np.where(within, d, np.inf) / speed_m_per_min(spd)
            q = weighted_quantiles(mins, w, zone, nz, (0.5, 0.9))
            per[(key, spec.code)] = (cov, q[:, 0], q[:, 1])

    zones: list[ZoneCoverage] = []
    required = [s for s in item_specs if s.required]
    for z, zid in enumerate(zone_ids):
        by_group: dict[str, list[ItemCoverage]] = {}
        for key, _w, _lim, _spd in passes:
            rows: list[ItemCoverage] = []
            pop = float(pops[key][z])
            for spec in item_specs:
                cov, med, p90 = per[(key, spec.code)]
                share = float(cov[z]) / pop if pop > 0 else None
                rows.append(
                    ItemCoverage(
                        item_code=spec.code,
                        group=key,
                        population=pop,
                        covered=float(cov[z]),
                        share=share,
                        median_min=_opt(float(med[z])),
                        p90_min=_opt(float(p90[z])),
                        threshold=spec.share_threshold,
                        met=None if share is None else share >= spec.share_threshold - 1e-12,
                    )
                )
            by_group[key] = rows
        all_rows = by_group[ALL_RESIDENTS]
        met_codes = {r.item_code for r in all_rows if r.met}
        missing = tuple(s for s in required if s.code not in met_codes)
        n_met = len(required) - len(missing)
        enough = (
            n_met >= rule.min_items
            if rule.min_items is not None
            else n_met / max(1, len(required)) >= rule.min_met_share - 1e-12
        )
        demo = (
            len(required) > 0
            and enough
            and all(c in met_codes for c in rule.must_meet)
            and float(zone_pop[z]) >= rule.min_population
        )
        zones.append(
            ZoneCoverage(
                zone_id=zid,
                population=float(zone_pop[z]),
                items=tuple(all_rows),
                groups=tuple(r for g in groups for r in by_group[g.key]),
                items_required=len(required),
                items_met=n_met,
                missing=missing,
                demonstration=demo,
            )
        )
    return CoverageTable(
        zones=tuple(zones),
        item_specs=tuple(item_specs),
        limit_m=all_limit,
        walk_minutes=walk_minutes,
        speed_kmh=speed_kmh,
        group_keys=tuple(g.key for g in groups),
    )


def specs_from_standard(standard: Standard) -> tuple[ItemSpec, ...]:
    """The standard's items as coverage specs. When its demonstration rule counts only the walk
    items (``items = "walk"``), items judged by presence are kept but not required. An item at a
    life-circle level with a walking distance carries that distance (``limit_m``)."""
    walk_only = standard.demonstration.items == "walk"
    return tuple(
        ItemSpec(
            it.code,
            it.name_zh,
            it.name_en,
            share_threshold=it.share_threshold,
            required=it.required and (it.walk_applies or not walk_only),
            limit_m=_level_limit(standard, it.code),
        )
        for it in standard.items
    )


def _level_limit(standard: Standard, code: str) -> float | None:
    it = standard.item(code)
    if it.level is None or standard.level(it.level).distance_m_max is None:
        return None
    return standard.item_limit_m(code)


def rule_from_standard(standard: Standard) -> DemonstrationRule:
    d = standard.demonstration
    return DemonstrationRule(
        min_met_share=d.min_met_share,
        must_meet=tuple(d.must_meet),
        min_population=d.min_population,
        min_items=d.min_items,
    )


def coverage_from_reach(
    result: ReachResult,
    zone_of_origin: Int64Array,
    zone_ids: Sequence[str],
    item_specs: Sequence[ItemSpec],
    *,
    walk_minutes: float = DEFAULT_WALK_MINUTES,
    speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    groups: Sequence[PopulationGroup] = (),
    rule: DemonstrationRule = DemonstrationRule(),
) -> CoverageTable:
    """:func:`coverage_table` on the output of :func:`quarterhour.engine.reach.reach`."""
    n = len(result.origins.origin_id)
    dist: dict[str, FloatArray] = {}
    for spec in item_specs:
        ir = result.items.get(spec.code)
        dist[spec.code] = np.full(n, np.nan) if ir is None else ir.distance_m
    return coverage_table(
        dist,
        result.origins.weight,
        zone_of_origin,
        zone_ids,
        item_specs,
        limit_m=result.limit_m,
        walk_minutes=walk_minutes,
        speed_kmh=speed_kmh,
        groups=groups,
        rule=rule,
    )


@dataclass(frozen=True, slots=True)
class RollUp:
    """Progress towards the policy's two targets, for a city or one district."""

    area: str
    circles_built: int
    circles_demonstration: int
    demonstration_target: int | None  # the city-wide target, on the city row only
    communities_urban: int
    communities_urban_covered: int
    urban_share_target: float

    @property
    def urban_share(self) -> float | None:
        if self.communities_urban == 0:
            return None
        return self.communities_urban_covered / self.communities_urban


def roll_up(
    circles: CoverageTable,
    communities: CoverageTable,
    *,
    circle_area: Mapping[str, str] | None = None,
    community_area: Mapping[str, str] | None = None,
    urban: Mapping[str, bool] | None = None,
    demonstration_target: int = DEMONSTRATION_CIRCLES_TARGET,
    urban_share_target: float = URBAN_COMMUNITY_SHARE_TARGET,
) -> tuple[RollUp, ...]:
    """City total first, then one row per area (district), sorted by area name.

    A community counts as *covered* (覆盖) when every required item is met for its own
    residents. ``urban`` marks urban communities (default: all urban); only urban communities
    count towards the 60 % target.
    """
    urban = urban or {}

    def one(
        area: str, cz: Sequence[ZoneCoverage], mz: Sequence[ZoneCoverage], *, city: bool
    ) -> RollUp:
        urb = [z for z in mz if urban.get(z.zone_id, True)]
        return RollUp(
            area=area,
            circles_built=len(cz),
            circles_demonstration=sum(1 for z in cz if z.demonstration),
            demonstration_target=demonstration_target if city else None,
            communities_urban=len(urb),
            communities_urban_covered=sum(1 for z in urb if z.all_met),
            urban_share_target=urban_share_target,
        )

    rows = [one("全市 / city", circles.zones, communities.zones, city=True)]
    ca = circle_area or {}
    ma = community_area or {}
    areas = sorted(set(ca.values()) | set(ma.values()))
    for a in areas:
        rows.append(
            one(
                a,
                [z for z in circles.zones if ca.get(z.zone_id) == a],
                [z for z in communities.zones if ma.get(z.zone_id) == a],
                city=False,
            )
        )
    return tuple(rows)
