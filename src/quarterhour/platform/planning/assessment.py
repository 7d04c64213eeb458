"""Run one assessment: the communities, circles and register read from the database, planned by
the engine's one pipeline (:func:`quarterhour.engine.planning.plan`, the same as ``quarterhour
plan`` / ``report`` and ``batch``), the results stored.

Residents are counted as the pipeline counts them: a community with a boundary spreads its
residents over the walk-network nodes inside it by street frontage (a node inside two boundaries
belongs to the first by code); one with only a centre point keeps them at that point. A circle's
residents are its member communities', weighted by each member's population share. Facilities
are every active facility within the walk limit of the area (those across a street's edge serve
its residents too). The standard's per-item distances, ``required`` flags, thresholds and
demonstration rule apply as in the command line.

The reach runs tile by tile (:mod:`quarterhour.platform.planning.tiles`): exactly the distances
of one whole-network reach, with the previous run's tiles reused where no facility changed near
them, in this process or on a Dask cluster.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from quarterhour.engine import places, planning
from quarterhour.engine.geodesy import M_PER_DEG, degrees_for_metres
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.population import Communities
from quarterhour.platform.core.standard import engine_standard
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Circle, CircleMembership, Community
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleItemResult,
    CircleResult,
    CommunityItemResult,
    CommunityResult,
)
from quarterhour.platform.planning.networks import load_network
from quarterhour.platform.planning.tiles import TiledReach, keep_answers, tiled_reach

log = logging.getLogger("quarterhour.platform.assessment")


class _Progress:
    """Writes stage/done/total to the run row at most twice a second."""

    def __init__(self, run: AssessmentRun) -> None:
        self.run_pk = run.pk
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done != total:
            return
        self.last = now
        AssessmentRun.objects.filter(pk=self.run_pk).update(stage=stage, done=done, total=total)


def scope_communities(run: AssessmentRun) -> list[Community]:
    qs = Community.objects.select_related("street")
    if run.street_id is not None:
        scope = Q(street_id=run.street_id)
    elif run.district_id is not None:
        scope = Q(street__district_id=run.district_id)
    else:
        scope = Q()
    circles = scope_circles(run)
    members = CircleMembership.objects.filter(circle__in=circles).values("community_id")
    return list(qs.filter(scope | Q(pk__in=members)).order_by("code"))


def scope_circles(run: AssessmentRun) -> Any:
    if run.street_id is not None:
        return Circle.objects.filter(street_id=run.street_id)
    if run.district_id is not None:
        return Circle.objects.filter(street__district_id=run.district_id)
    return Circle.objects.all()


def inputs_date(communities: Sequence[Community], run: AssessmentRun) -> datetime | None:
    """The newest change among the inputs: nearby facilities, the communities, the network."""
    dates: list[datetime] = []
    if run.network is not None:
        dates.append(run.network.created_at)
    ids = [c.pk for c in communities]
    last = Community.history.filter(id__in=ids).aggregate(m=Max("history_date"))["m"]
    if last:
        dates.append(last)
    box = _bbox(communities, run.limit_m)
    if box is not None:
        f = Facility.objects.filter(
            lon__gte=box[0], lat__gte=box[1], lon__lte=box[2], lat__lte=box[3]
        ).aggregate(m=Max("updated_at"))["m"]
        if f:
            dates.append(f)
        deleted = Facility.history.filter(
            history_type="-", lon__gte=box[0], lat__gte=box[1], lon__lte=box[2], lat__lte=box[3]
        ).aggregate(m=Max("history_date"))["m"]
        if deleted:
            dates.append(deleted)
    return max(dates) if dates else None


def _bbox(communities: Sequence[Community], margin_m: float) -> tuple[float, ...] | None:
    lons: list[float] = []
    lats: list[float] = []
    for c in communities:
        if c.boundary_geojson:
            x0, y0, x1, y1 = shapely.from_geojson(c.boundary_geojson).bounds
            lons += [x0, x1]
            lats += [y0, y1]
        elif c.centre_lon is not None and c.centre_lat is not None:
            lons.append(c.centre_lon)
            lats.append(c.centre_lat)
    if not lons:
        return None
    dlon, dlat = degrees_for_metres(
        margin_m, lat=sum(lats) / len(lats), lat_m=M_PER_DEG, min_cos=0.1
    )
    return (min(lons) - dlon, min(lats) - dlat, max(lons) + dlon, max(lats) + dlat)


def build_origins(
    communities: Sequence[Community], network: WalkNetwork
) -> tuple[planning.Residents, dict[int, str]]:
    """Residents of every community (``zone`` = index into ``communities``), and notes by
    community pk for those that contribute nothing (no location / no network inside)."""
    comms = engine_communities(communities)
    areas = planning.areas_inside(network, comms.polygon)
    residents, notes = planning.residents_in_areas(network, comms, areas, centres=True)
    return residents, {communities[z].pk: note for z, note in notes.items()}


def engine_communities(communities: Sequence[Community]) -> Communities:
    """The communities as the engine reads a community list (population NaN when unknown; the
    elderly as a group when any community gives them, NaN where one does not)."""
    nan = math.nan
    groups = {}
    if any(c.elderly is not None for c in communities):
        groups["elderly"] = np.array(
            [float(c.elderly) if c.elderly is not None else nan for c in communities]
        )
    return Communities(
        code=tuple(c.code for c in communities),
        name=tuple(c.name for c in communities),
        population=np.array(
            [float(c.population) if c.population else nan for c in communities], dtype=float
        ),
        lon=np.array([c.centre_lon if c.centre_lon is not None else nan for c in communities]),
        lat=np.array([c.centre_lat if c.centre_lat is not None else nan for c in communities]),
        polygon=tuple(
            shapely.from_geojson(c.boundary_geojson) if c.boundary_geojson else None
            for c in communities
        ),
        groups=groups,
    )


def engine_facilities(communities: Sequence[Community], limit_m: float) -> list[places.Facility]:
    """The register's active facilities near the communities, plus resident units' facilities
    on offer for sharing (驻区单位资源共享: they count in coverage while the offer runs)."""
    from quarterhour.platform.sharing.selectors import planning_facilities

    box = _bbox(communities, limit_m + 300.0)
    if box is None:
        return []
    qs = (
        Facility.objects.filter(
            is_active=True, lon__gte=box[0], lat__gte=box[1], lon__lte=box[2], lat__lte=box[3]
        )
        .prefetch_related("items")
        .order_by("pk")
    )
    register = [_engine_facility(f) for f in qs]
    return register + planning_facilities(bbox=(box[0], box[1], box[2], box[3]))


def _engine_facility(f: Facility) -> places.Facility:
    return places.Facility(
        facility_id=f.key,
        name=f.name,
        lon=f.lon,
        lat=f.lat,
        item_codes=tuple(sorted(i.item_code for i in f.items.all())),
        address=f.address,
        source=f.source,
    )


def register_facilities(keys: Sequence[str]) -> dict[str, places.Facility]:
    """The register's active facilities of ``keys``, as an assessment reads them (by key)."""
    qs = Facility.objects.filter(key__in=list(keys), is_active=True).prefetch_related("items")
    return {f.key: _engine_facility(f) for f in qs}


def execute(run: AssessmentRun, *, workers: int = 1) -> None:
    """Compute and store the results of ``run`` (status → done)."""
    progress = _Progress(run)
    progress("prepare", 0, 0)
    communities = scope_communities(run)
    circles = list(scope_circles(run).prefetch_related("memberships"))
    inputs = inputs_date(communities, run)
    if run.network is None:
        raise ValueError("assessment run has no walk network")
    network = load_network(run.network)
    residents, notes = build_origins(communities, network)
    facilities = engine_facilities(communities, run.limit_m)
    index_of = {c.pk: z for z, c in enumerate(communities)}
    given = tuple(
        planning.GivenCircle(
            circle_id=circle.code,
            members=tuple(
                (index_of[m.community_id], float(m.population_share))
                for m in circle.memberships.all()
                if m.community_id in index_of
            ),
        )
        for circle in circles
    )
    tiled: list[TiledReach] = []

    def reach_tiles(*, origins: Any, facilities: Any, item_codes: Any, **_: Any) -> Any:
        if len(origins):
            t = tiled_reach(
                run,
                network,
                origins,
                facilities,
                item_codes=item_codes,
                workers=workers,
                progress=progress,
            )
        else:
            t = TiledReach(
                {code: np.empty(0) for code in item_codes}, tiles_total=0, tiles_computed=0
            )
        tiled.append(t)
        return planning.Reached(t.distance_m, placed=t.placed)

    result = planning.plan(
        inputs=planning.PlanInputs(
            network=network,
            standard=engine_standard(run.standard),
            facilities=tuple(facilities),
            residents=residents,
            circles=given,
        ),
        options=planning.PlanOptions(
            minutes=run.walk_minutes, speed_kmh=run.speed_kmh, walk_items_only=True
        ),
        reach=reach_tiles,
        progress=progress,
    )
    progress("store", 0, 1)
    assert result.circle_table is not None
    _store(
        run,
        communities,
        circles,
        result,
        residents.zone,
        notes,
        inputs,
        tiles_total=tiled[0].tiles_total,
        tiles_computed=tiled[0].tiles_computed,
    )
    keep_answers(tiled[0])
    log.info(
        "assessment done",
        extra={
            "run": run.pk,
            "communities": len(communities),
            "facilities": len(facilities),
            "tiles": tiled[0].tiles_total,
            "tiles_computed": tiled[0].tiles_computed,
        },
    )


def _elderly(zone: Any) -> dict[str, Any]:
    """The zone's elderly coverage per item (the engine's group rows at the elderly pace)."""
    return {g.item_code: g for g in zone.groups if g.group == "elderly"}


def _opt(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@transaction.atomic
def _store(
    run: AssessmentRun,
    communities: Sequence[Community],
    circles: Sequence[Circle],
    result: planning.PlanResult,
    zone: np.ndarray,
    notes: dict[int, str],
    inputs: datetime | None,
    *,
    tiles_total: int,
    tiles_computed: int,
) -> None:
    ctable, ktable = result.community_table, result.circle_table
    assert ktable is not None
    n_origins = (
        np.bincount(zone, minlength=len(communities))
        if zone.size
        else np.zeros(len(communities), dtype=np.int64)
    )
    CommunityResult.objects.filter(community__in=communities, is_latest=True).update(
        is_latest=False
    )
    CircleResult.objects.filter(circle__in=circles, is_latest=True).update(is_latest=False)
    c_rows: list[CommunityResult] = []
    ci_rows: list[CommunityItemResult] = []
    for z, (c, zc) in enumerate(zip(communities, ctable.zones, strict=True)):
        has_origins = int(n_origins[z]) > 0
        c_rows.append(
            CommunityResult(
                run=run,
                community=c,
                population=round(zc.population, 6),  # a sum of frontage shares
                n_origins=int(n_origins[z]),
                items_required=zc.items_required,
                items_met=zc.items_met if has_origins else 0,
                missing=[s.code for s in zc.missing],
                note=notes.get(c.pk, ""),
            )
        )
        if not has_origins:
            continue
        elderly = _elderly(zc)
        for it in zc.items:
            old = elderly.get(it.item_code)
            ci_rows.append(
                CommunityItemResult(
                    run=run,
                    community=c,
                    item_code=it.item_code,
                    share=_opt(it.share),
                    median_min=_opt(it.median_min),
                    p90_min=_opt(it.p90_min),
                    met=it.met,
                    elderly_share=None if old is None else _opt(old.share),
                    elderly_met=None if old is None else old.met,
                )
            )
    k_rows: list[CircleResult] = []
    ki_rows: list[CircleItemResult] = []
    for circle, zk in zip(circles, ktable.zones, strict=True):
        k_rows.append(
            CircleResult(
                run=run,
                circle=circle,
                population=round(zk.population, 6),
                items_required=zk.items_required,
                items_met=zk.items_met,
                missing=[s.code for s in zk.missing],
                demonstration=zk.demonstration,
            )
        )
        elderly = _elderly(zk)
        for it in zk.items:
            old = elderly.get(it.item_code)
            ki_rows.append(
                CircleItemResult(
                    run=run,
                    circle=circle,
                    item_code=it.item_code,
                    share=_opt(it.share),
                    median_min=_opt(it.median_min),
                    p90_min=_opt(it.p90_min),
                    met=it.met,
                    elderly_share=None if old is None else _opt(old.share),
                    elderly_met=None if old is None else old.met,
                )
            )
    CommunityResult.objects.bulk_create(c_rows, batch_size=500)
    CommunityItemResult.objects.bulk_create(ci_rows, batch_size=1000)
    CircleResult.objects.bulk_create(k_rows, batch_size=500)
    CircleItemResult.objects.bulk_create(ki_rows, batch_size=1000)
    AssessmentRun.objects.filter(pk=run.pk).update(
        status=AssessmentRun.Status.DONE,
        stage="done",
        done=1,
        total=1,
        inputs_date=inputs,
        n_facilities=result.facilities.in_register,
        n_facilities_placed=result.facilities.placed,
        n_communities=len(communities),
        tiles_total=tiles_total,
        tiles_computed=tiles_computed,
        finished_at=timezone.now(),
    )
