"""What if a facility were added, moved or closed near a circle? Exact answers, on demand.

The circle's *base* — its member communities' residents (the assessment's origins), the
facilities within reach and every resident's nearest facility of every item — is computed once
per process (:func:`quarterhour.engine.whatif.scenario`) and kept while the register and the
circle's latest assessment stay the same. A list of hypothetical changes is then answered by
recomputing only near each change (:func:`quarterhour.engine.whatif.apply`), and each affected
community × item is summed by the assessment's own coverage table
(:func:`quarterhour.engine.whatif_zones.zone_changes`): the figures equal a full reassessment
with the changes made. A district's changes are answered circle by circle on the bases of the
circles they can reach (:func:`district_answer`). Nothing here writes; saving a scenario is in
:mod:`.scenarios`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max, Prefetch
from django.utils.translation import gettext_lazy as _

from quarterhour.engine import places
from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.engine.coverage import ItemSpec, coverage_table
from quarterhour.engine.geodesy import distance_m
from quarterhour.engine.hierarchy import Hierarchy
from quarterhour.engine.npzfiles import NPZ_READ_ERRORS
from quarterhour.engine.reach import _LIMIT_SLACK
from quarterhour.engine.whatif import Change, Scenario, scenario
from quarterhour.engine.whatif_zones import ZoneIndex, apply_all, changed_origins
from quarterhour.platform.core import standard
from quarterhour.platform.core.errors import Invalid, Issue
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Circle, CircleMembership, Community, District
from quarterhour.platform.planning.assessment import (
    build_origins,
    engine_facilities,
    register_facilities,
)
from quarterhour.platform.planning.error_codes import PlanningError as E
from quarterhour.platform.planning.models import AssessmentRun, CircleResult
from quarterhour.platform.planning.networks import load_network

ADD, MOVE, CLOSE = "add", "move", "close"
ACTIONS = {ADD: _("增设"), MOVE: _("迁移"), CLOSE: _("关闭")}
#: most changes one scenario holds
MAX_CHANGES = 20
#: longest name of an added facility
NAME_MAX = 60


@dataclass(frozen=True, slots=True)
class HypoChange:
    """One hypothetical change as the page and a saved scenario hold it (JSON-able)."""

    action: str
    items: tuple[str, ...] = ()  # add: the items the new facility serves
    facility: str = ""  # move / close: the register's facility key
    lon: float = math.nan
    lat: float = math.nan
    name: str = ""  # add: the new site's name; move / close: the facility's name (shown)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "name": self.name}
        if self.action == ADD:
            out["items"] = list(self.items)
        else:
            out["facility"] = self.facility
        if self.action != CLOSE:
            out["lon"] = round(self.lon, 7)
            out["lat"] = round(self.lat, 7)
        return out

    def words(self) -> str:
        """The change in words (zh first)."""
        if self.action == ADD:
            items = "、".join(standard.item_label(c) for c in self.items)
            return str(_("增设 %(name)s（%(items)s）")) % {"name": self.name, "items": items}
        if self.action == MOVE:
            return str(_("迁移 %(name)s 到地图所选位置")) % {"name": self.name}
        return str(_("关闭 %(name)s")) % {"name": self.name}


def _bad(message: Any) -> Invalid:
    return Invalid(E.WHATIF_INVALID, message, [Issue(E.WHATIF_INVALID, message, field="change")])


def _coord(raw: Any, lo: float, hi: float) -> float:
    try:
        v = float(raw)
    except (TypeError, ValueError):
        raise _bad(_("请在地图上点选位置")) from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise _bad(_("请在地图上点选位置"))
    return round(v, 7)  # as a saved scenario keeps it (≈1 cm): the answer does not move


def parse_change(raw: Any) -> HypoChange:
    """One change from its JSON form; anything malformed is refused in words."""
    if not isinstance(raw, dict):
        raise _bad(_("变更格式有误"))
    action = raw.get("action")
    name = str(raw.get("name") or "").strip()[:NAME_MAX]
    if action == ADD:
        codes = raw.get("items")
        walk = {i.code for i in standard.walk_items()}
        if (
            not isinstance(codes, list)
            or not codes
            or len(codes) > len(walk)
            or not all(isinstance(c, str) and c in walk for c in codes)
        ):
            raise _bad(_("请选择新设施提供的服务项目"))
        return HypoChange(
            ADD,
            items=tuple(sorted(set(codes))),
            lon=_coord(raw.get("lon"), -180, 180),
            lat=_coord(raw.get("lat"), -90, 90),
            name=name or str(_("拟建设施")),
        )
    if action in (MOVE, CLOSE):
        key = raw.get("facility")
        if not isinstance(key, str) or not key or len(key) > 200:
            raise _bad(_("请选择设施"))
        lon = _coord(raw.get("lon"), -180, 180) if action == MOVE else math.nan
        lat = _coord(raw.get("lat"), -90, 90) if action == MOVE else math.nan
        return HypoChange(action, facility=key, lon=lon, lat=lat, name=name or key)
    raise _bad(_("变更格式有误"))


def parse_changes(raw: Any) -> list[HypoChange]:
    if not isinstance(raw, list):
        raise _bad(_("变更格式有误"))
    if len(raw) > MAX_CHANGES:
        raise _bad(_("一个方案最多 %(n)d 项变更") % {"n": MAX_CHANGES})
    return [parse_change(r) for r in raw]


# -- the circle's base -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class CircleBase:
    circle_id: int
    run: AssessmentRun
    communities: tuple[Community, ...]
    scenario: Scenario
    zones: ZoneIndex
    circle_weight: np.ndarray  # each origin's weight × its community's share of the circle
    specs: tuple[ItemSpec, ...]
    keys: dict[str, int]  # facility key → index in the scenario
    met_before: dict[str, bool | None]  # the circle's items met, from the base


_BASES: OrderedDict[tuple[Any, ...], CircleBase] = OrderedDict()
_HIERARCHIES: OrderedDict[tuple[Any, ...], Hierarchy] = OrderedDict()
_LOCK = threading.Lock()
#: circle bases kept per process: a district's change reaches a dozen circles or so, and a
#: second change near the first must not rebuild them
_KEEP = 24


def _specs() -> tuple[ItemSpec, ...]:
    return tuple(
        ItemSpec(i.code, i.name_zh, i.name_en, share_threshold=i.share_threshold)
        for i in standard.walk_items()
    )


def basis_run(circle: Circle) -> AssessmentRun | None:
    """The run the circle's latest result came from (its network, limit and pace)."""
    r = (
        CircleResult.objects.filter(circle=circle, is_latest=True)
        .select_related("run__network")
        .first()
    )
    return r.run if r is not None and r.run.network is not None else None


def register_version() -> tuple[Any, ...]:
    """The facility register's version (last change, count): a base is kept while it holds.
    Read it once per request and pass it on (:func:`circle_base`, :func:`district_answer`)."""
    f = Facility.objects.aggregate(m=Max("updated_at"), n=Count("pk"))
    return (f["m"], f["n"])


def _hierarchy(run: AssessmentRun, network: Any) -> Hierarchy:
    """The network's hierarchy for the run's limit: kept in memory, and in a file beside the
    network's (built once, then loaded by every process that serves the network)."""
    from quarterhour.engine.hierarchy import build_hierarchy

    assert run.network is not None
    path = Path(settings.DATA_DIR) / run.network.path
    bound = run.limit_m + _LIMIT_SLACK
    key = (str(path), path.stat().st_mtime, float(run.limit_m))
    with _LOCK:
        h = _HIERARCHIES.get(key)
    if h is not None:
        return h
    kept = path.with_name(f"{path.stem}.whatif-{math.ceil(bound)}m.npz")
    try:
        h = Hierarchy.load(kept) if kept.exists() else None
    except NPZ_READ_ERRORS:  # unreadable (truncated, another format): built again
        h = None
    if h is None or not h.fits(network, bound):
        h = build_hierarchy(network, bound_m=bound)
        with contextlib.suppress(OSError):  # a read-only data directory: kept in memory
            h.save(kept)  # atomically: other processes may be saving or reading it
    with _LOCK:
        _HIERARCHIES[key] = h
        while len(_HIERARCHIES) > 2:
            _HIERARCHIES.popitem(last=False)
    return h


def circle_base(
    circle: Circle,
    *,
    run: AssessmentRun | None = None,
    version: tuple[Any, ...] | None = None,
) -> CircleBase:
    """The circle's base, from the cache when the register and the assessment are unchanged.

    ``run`` (the circle's :func:`basis_run`) and ``version`` (:func:`register_version`) are
    read here when not given; a caller answering many circles reads them once for all."""
    run = run if run is not None else basis_run(circle)
    if run is None:
        raise Invalid(E.WHATIF_NOT_ASSESSED, _("该服务圈尚未评估，请先发起评估再做假设分析"))
    key = (circle.pk, run.pk, *(version if version is not None else register_version()))
    with _LOCK:
        hit = _BASES.get(key)
        if hit is not None:
            _BASES.move_to_end(key)
            return hit
    base = _build(circle, run)
    with _LOCK:
        _BASES[key] = base
        while len(_BASES) > _KEEP:
            _BASES.popitem(last=False)
    return base


def _build(circle: Circle, run: AssessmentRun) -> CircleBase:
    assert run.network is not None
    memberships = sorted(circle.memberships.all(), key=lambda m: m.community.code)
    communities = [m.community for m in memberships]
    network = load_network(run.network)
    residents, _notes = build_origins(communities, network)
    origins, zone = residents.origins, residents.zone
    facilities = engine_facilities(communities, run.limit_m)
    specs = _specs()
    codes = [s.code for s in specs]
    sc = scenario(
        network,
        origins,
        facilities,
        item_codes=codes,
        limit_m=run.limit_m,
        max_snap_m=DEFAULT_MAX_SNAP_M,
        hierarchy=_hierarchy(run, network),
    )
    share = np.array([m.population_share for m in memberships], dtype=np.float64)
    cw = origins.weight * share[zone] if zone.size else np.empty(0)
    base_dist = {c: sc.result.items[c].distance_m for c in codes}
    met = _circle_met(base_dist, cw, specs, run)
    return CircleBase(
        circle_id=circle.pk,
        run=run,
        communities=tuple(communities),
        scenario=sc,
        zones=ZoneIndex.build(zone, len(communities)),
        circle_weight=cw,
        specs=specs,
        keys={f.facility_id: i for i, f in enumerate(facilities)},
        met_before=met,
    )


def _circle_met(
    dist: dict[str, np.ndarray], weight: np.ndarray, specs: Sequence[ItemSpec], run: AssessmentRun
) -> dict[str, bool | None]:
    if not specs or weight.size == 0:
        return {s.code: None for s in specs}
    t = coverage_table(
        {s.code: dist[s.code] for s in specs},
        weight,
        np.zeros(weight.size, dtype=np.int64),
        ["circle"],
        specs,
        limit_m=run.limit_m,
        walk_minutes=run.walk_minutes,
        speed_kmh=run.speed_kmh,
    )
    return {i.item_code: i.met for i in t.zones[0].items}


# -- answering ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One community × item the changes touch."""

    community: Community
    item_code: str
    population: float
    covered_before: float
    covered_after: float
    share_before: float | None
    share_after: float | None
    median_before: float | None
    median_after: float | None
    met_before: bool | None
    met_after: bool | None

    @property
    def item(self) -> str:
        return standard.item_label(self.item_code)

    @property
    def gained(self) -> float:
        return self.covered_after - self.covered_before


@dataclass(frozen=True, slots=True)
class Point:
    """A changed place for the map: ``kind`` add / move / close, with its words."""

    kind: str
    lon: float
    lat: float
    title: str


@dataclass(frozen=True, slots=True)
class Answer:
    changes: tuple[HypoChange, ...]
    rows: tuple[Row, ...]
    items_required: int
    met_before: int
    met_after: int
    gained_items: tuple[str, ...]
    lost_items: tuple[str, ...]
    points: tuple[Point, ...]
    off_network: tuple[str, ...]  # changes whose place is beyond the snap limit (no effect)
    seconds: float

    @property
    def affected_community_ids(self) -> set[int]:
        return {r.community.pk for r in self.rows}


def _translated(
    base: CircleBase,
    changes: Sequence[HypoChange],
    outside: Mapping[str, places.Facility] | None = None,
) -> list[tuple[HypoChange, Change]]:
    """Each change that does something to the base, with its engine change (see
    :func:`engine_changes`)."""
    out: list[tuple[HypoChange, Change]] = []
    closed: set[int] = set()
    index_of = dict(base.keys)
    gone: set[str] = set()  # facilities from outside closed by an earlier change
    n_fac = len(base.scenario.facilities)
    for n, c in enumerate(changes):
        if c.action == ADD:
            f = places.Facility(f"whatif-{n + 1}", c.name, c.lon, c.lat, tuple(c.items))
            out.append((c, Change.add(f)))
            n_fac += 1
            continue
        index = index_of.get(c.facility)
        if index is None and outside is not None and c.facility in outside:
            if c.facility in gone:
                raise _bad(_("设施“%(name)s”在方案中已关闭") % {"name": c.name})
            if c.action == CLOSE:
                gone.add(c.facility)
                continue
            moved = dataclasses.replace(outside[c.facility], lon=c.lon, lat=c.lat)
            out.append((c, Change.add(moved)))
            index_of[c.facility] = n_fac  # a later change of it changes the added one
            n_fac += 1
            continue
        if index is None:
            raise _bad(_("设施“%(name)s”不在该服务圈的步行范围内") % {"name": c.name})
        if index in closed:
            raise _bad(_("设施“%(name)s”在方案中已关闭") % {"name": c.name})
        if c.action == CLOSE:
            closed.add(index)
            out.append((c, Change.close(index)))
        else:
            out.append((c, Change.move(index, c.lon, c.lat)))
    return out


def engine_changes(
    base: CircleBase,
    changes: Sequence[HypoChange],
    *,
    outside: Mapping[str, places.Facility] | None = None,
) -> list[Change]:
    """The page's changes as the engine's (facility keys → the scenario's indices).

    ``outside``: register facilities the base does not hold (a district's changes): moving one
    adds its items at the new place (it reached none of the circle's residents before), closing
    one changes nothing here. Without it such a facility is refused in words.
    """
    return [e for _h, e in _translated(base, changes, outside)]


def answer(circle: Circle, changes: Sequence[HypoChange]) -> Answer:
    """Each community × item the changes touch, before and after (equal to a full
    reassessment with the changes made)."""
    base = circle_base(circle)
    return answer_on(base, changes)


def answer_on(
    base: CircleBase,
    changes: Sequence[HypoChange],
    *,
    outside: Mapping[str, places.Facility] | None = None,
) -> Answer:
    """The answer on a circle's base (``outside``: see :func:`engine_changes`)."""
    t0 = time.perf_counter()
    run = base.run
    pairs = _translated(base, changes, outside)
    sc, made, found = apply_all(
        base.scenario,
        [e for _h, e in pairs],
        weight=base.scenario.origins.weight,
        zones=base.zones,
        item_specs=base.specs,
        limit_m=run.limit_m,
        walk_minutes=run.walk_minutes,
        speed_kmh=run.speed_kmh,
    )
    off = [h.words() for (h, _e), what in zip(pairs, made, strict=True) if not what.snapped]
    moved = changed_origins(made)
    after = {s.code: sc.result.items[s.code].distance_m for s in base.specs}
    rows = tuple(
        Row(
            community=base.communities[z.zone],
            item_code=z.item_code,
            population=z.after.population,
            covered_before=z.before.covered,
            covered_after=z.after.covered,
            share_before=z.before.share,
            share_after=z.after.share,
            median_before=z.before.median_min,
            median_after=z.after.median_min,
            met_before=z.before.met,
            met_after=z.after.met,
        )
        for z in found
    )
    touched = [s for s in base.specs if s.code in moved]
    met_after = dict(base.met_before)
    if touched:
        met_after.update(_circle_met(after, base.circle_weight, touched, run))
    gained = tuple(
        c for c in met_after if met_after[c] is True and base.met_before.get(c) is not True
    )
    lost = tuple(c for c in met_after if base.met_before[c] is True and met_after[c] is not True)
    return Answer(
        changes=tuple(changes),
        rows=rows,
        items_required=len(base.specs),
        met_before=sum(1 for v in base.met_before.values() if v),
        met_after=sum(1 for v in met_after.values() if v),
        gained_items=gained,
        lost_items=lost,
        points=tuple(_points(changes, lambda key: _base_or(base, outside, key))),
        off_network=tuple(off),
        seconds=time.perf_counter() - t0,
    )


def _base_or(
    base: CircleBase, outside: Mapping[str, places.Facility] | None, key: str
) -> places.Facility:
    if key not in base.keys and outside is not None:
        return outside[key]
    return base.scenario.facilities[base.keys[key]]


def _points(
    changes: Sequence[HypoChange], facility: Callable[[str], places.Facility]
) -> list[Point]:
    """The changed places for the map (``facility``: a moved or closed facility by its key)."""
    out = []
    for c in changes:
        if c.action == ADD:
            out.append(Point(ADD, c.lon, c.lat, c.words()))
            continue
        f = facility(c.facility)
        out.append(Point(CLOSE, f.lon, f.lat, c.words()))
        if c.action == MOVE:
            out.append(Point(MOVE, c.lon, c.lat, c.words()))
    return out


# -- the district ------------------------------------------------------------------------------

#: metres added to a circle's walking limit and the snap limit when choosing the circles a
#: change may touch (rounding of the straight-line distance; see :func:`district_answer`)
NEAR_MARGIN_M = 50.0


@dataclass(frozen=True, slots=True)
class CircleOutcome:
    """One circle of the district a change may touch, and its answer."""

    circle: Circle
    answer: Answer


@dataclass(frozen=True, slots=True)
class DistrictAnswer:
    changes: tuple[HypoChange, ...]
    circles: tuple[CircleOutcome, ...]  # assessed circles within reach of a change
    not_assessed: tuple[Circle, ...]
    beyond: int  # assessed circles too far from every change to be touched
    points: tuple[Point, ...]
    off_network: tuple[str, ...]
    seconds: float

    @property
    def rows(self) -> list[tuple[Circle, Row]]:
        return [(o.circle, r) for o in self.circles for r in o.answer.rows]

    @property
    def affected_community_ids(self) -> set[int]:
        return {r.community.pk for o in self.circles for r in o.answer.rows}

    @property
    def changed_circles(self) -> tuple[CircleOutcome, ...]:
        return tuple(
            o for o in self.circles if o.answer.rows or o.answer.met_before != o.answer.met_after
        )


def district_circles(district: District) -> list[Circle]:
    """The district's circles (those its streets lead), members and their communities loaded."""
    members = CircleMembership.objects.select_related("community").order_by("community__code")
    return list(
        Circle.objects.filter(street__district=district)
        .select_related("street__district")
        .prefetch_related(Prefetch("memberships", queryset=members))
        .order_by("code")
    )


def district_runs(circles: Sequence[Circle]) -> dict[int, AssessmentRun]:
    """Each assessed circle's :func:`basis_run`, by circle id, in one query."""
    return {
        r.circle_id: r.run
        for r in CircleResult.objects.filter(
            circle__in=list(circles), is_latest=True, run__network__isnull=False
        ).select_related("run__network")
    }


def community_extent(community: Community) -> tuple[float, float, float, float] | None:
    """Where the community's residents can be (its boundary's box and its centre)."""
    xs: list[float] = []
    ys: list[float] = []
    if community.boundary_geojson:
        try:
            x0, y0, x1, y1 = shapely.from_geojson(community.boundary_geojson).bounds
        except (shapely.errors.GEOSException, ValueError):
            pass
        else:
            xs += [x0, x1]
            ys += [y0, y1]
    if community.centre_lon is not None and community.centre_lat is not None:
        xs.append(community.centre_lon)
        ys.append(community.centre_lat)
    xs = [x for x in xs if math.isfinite(x)]
    ys = [y for y in ys if math.isfinite(y)]
    if not xs or not ys:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def metres_to_box(box: tuple[float, float, float, float], lon: float, lat: float) -> float:
    x = min(max(lon, box[0]), box[2])
    y = min(max(lat, box[1]), box[3])
    return distance_m(lon, lat, x, y)


def district_facilities(changes: Sequence[HypoChange]) -> dict[str, places.Facility]:
    """The register's facilities the changes move or close, by key; a facility not in the
    register (or stopped), or one closed earlier in the changes, is refused in words."""
    keys = [c.facility for c in changes if c.action != ADD]
    outside = register_facilities(keys)
    gone: set[str] = set()
    for c in changes:
        if c.action == ADD:
            continue
        if c.facility not in outside:
            raise _bad(_("设施“%(name)s”不在设施登记中或已停用") % {"name": c.name})
        if c.facility in gone:
            raise _bad(_("设施“%(name)s”在方案中已关闭") % {"name": c.name})
        if c.action == CLOSE:
            gone.add(c.facility)
    return outside


def district_answer(
    district: District,
    changes: Sequence[HypoChange],
    *,
    version: tuple[Any, ...] | None = None,
    circles: Sequence[Circle] | None = None,
) -> DistrictAnswer:
    """Each community × item of the district the changes touch, before and after, circle by
    circle (each equal to a full reassessment with the changes made).

    A circle's residents walk at most its run's limit to a facility, and the walking distance
    counts the straight legs from each point to its foot on the network, so it is never shorter
    than the straight-line distance between resident and facility. A circle none of whose
    communities comes within (limit + snap limit + :data:`NEAR_MARGIN_M`) straight-line metres
    of any changed place (a new site, a moved facility's old and new place, a closed facility;
    the snap limit and the margin are allowances beyond what is needed) therefore cannot change,
    and is not computed. Every other assessed circle is answered on its
    own base, its changes translated: a facility moved from beyond the base becomes an added one
    at its new place, one closed beyond the base changes nothing there. Circles never assessed
    are listed as such.

    The register's version and the circles' runs are read once for all circles (``version``:
    :func:`register_version` when the caller has it; ``circles``: :func:`district_circles`).
    """
    t0 = time.perf_counter()
    outside = district_facilities(changes)
    points = _points(changes, outside.__getitem__)
    places_changed = [(p.lon, p.lat) for p in points]
    circles = list(circles) if circles is not None else district_circles(district)
    runs = district_runs(circles)
    version = version if version is not None else register_version()
    outcomes: list[CircleOutcome] = []
    not_assessed: list[Circle] = []
    beyond = 0
    for circle in circles:
        run = runs.get(circle.pk)
        if run is None:
            not_assessed.append(circle)
            continue
        reach = run.limit_m + DEFAULT_MAX_SNAP_M + NEAR_MARGIN_M
        boxes = [
            b for m in circle.memberships.all() if (b := community_extent(m.community)) is not None
        ]
        if not any(metres_to_box(b, x, y) <= reach for b in boxes for x, y in places_changed):
            beyond += 1
            continue
        base = circle_base(circle, run=run, version=version)
        outcomes.append(CircleOutcome(circle, answer_on(base, changes, outside=outside)))
    off = tuple(dict.fromkeys(w for o in outcomes for w in o.answer.off_network))
    return DistrictAnswer(
        changes=tuple(changes),
        circles=tuple(outcomes),
        not_assessed=tuple(not_assessed),
        beyond=beyond,
        points=tuple(points),
        off_network=off,
        seconds=time.perf_counter() - t0,
    )
