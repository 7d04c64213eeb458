"""Run one assessment: communities' residents → engine reach → coverage → stored rows.

Origins: a community with a boundary contributes the walk-network nodes inside it (its population
spread evenly over them); one with only a centre point contributes that point. A circle's origins
are its member communities' origins, weighted by each member's population share. Facilities are
every active facility within the walk limit of the area (those across a street's edge serve its
residents too).

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

from quarterhour.engine import places
from quarterhour.engine.coverage import CoverageTable, ItemSpec, coverage_table
from quarterhour.platform.core import standard
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

_DEG_M = 111_320.0


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
    dlat = margin_m / _DEG_M
    dlon = margin_m / (_DEG_M * max(0.1, math.cos(math.radians(sum(lats) / len(lats)))))
    return (min(lons) - dlon, min(lats) - dlat, max(lons) + dlon, max(lats) + dlat)


def build_origins(
    communities: Sequence[Community], node_lon: Any, node_lat: Any
) -> tuple[places.Origins, np.ndarray, dict[int, str]]:
    """Origins of every community; ``zone[i]`` = index of origin i's community (in order).

    Returns notes for communities that contribute nothing (no location / no network inside).
    """
    ids: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    weight: list[float] = []
    zone: list[int] = []
    notes: dict[int, str] = {}
    for z, c in enumerate(communities):
        pop = float(c.population) if c.population else None
        if c.boundary_geojson:
            geom = shapely.from_geojson(c.boundary_geojson)
            x0, y0, x1, y1 = geom.bounds
            near = np.flatnonzero(
                (node_lon >= x0) & (node_lon <= x1) & (node_lat >= y0) & (node_lat <= y1)
            )
            inside = near[shapely.contains_xy(geom, node_lon[near], node_lat[near])]
            if inside.size:
                w = (pop / inside.size) if pop else 1.0
                for k in inside.tolist():
                    ids.append(f"{c.code}:node/{k}")
                    lon.append(float(node_lon[k]))
                    lat.append(float(node_lat[k]))
                    weight.append(w)
                    zone.append(z)
                continue
            if c.centre_lon is None:
                notes[c.pk] = "no_network_inside"
                continue
        if c.centre_lon is None or c.centre_lat is None:
            notes[c.pk] = "no_location"
            continue
        ids.append(f"{c.code}:centre")
        lon.append(c.centre_lon)
        lat.append(c.centre_lat)
        weight.append(pop or 1.0)
        zone.append(z)
    origins = places.Origins.from_points(ids, lon, lat, weight=weight)
    return origins, np.asarray(zone, dtype=np.int64), notes


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
    register = [
        places.Facility(
            facility_id=f.key,
            name=f.name,
            lon=f.lon,
            lat=f.lat,
            item_codes=tuple(sorted(i.item_code for i in f.items.all())),
            address=f.address,
            source=f.source,
        )
        for f in qs
    ]
    return register + planning_facilities(bbox=(box[0], box[1], box[2], box[3]))


def _specs() -> list[ItemSpec]:
    return [
        ItemSpec(i.code, i.name_zh, i.name_en, share_threshold=i.share_threshold)
        for i in standard.walk_items()
    ]


def _zone_table(
    distances: dict[str, np.ndarray],
    weights: np.ndarray,
    zone: np.ndarray,
    zone_ids: Sequence[str],
    specs: Sequence[ItemSpec],
    run: AssessmentRun,
) -> CoverageTable:
    return coverage_table(
        distances,
        weights,
        zone,
        zone_ids,
        specs,
        limit_m=run.limit_m,
        walk_minutes=run.walk_minutes,
        speed_kmh=run.speed_kmh,
    )


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
    origins, zone, notes = build_origins(communities, network.node_lon, network.node_lat)
    facilities = engine_facilities(communities, run.limit_m)
    specs = _specs()
    codes = [s.code for s in specs]
    if len(origins):
        tiled = tiled_reach(
            run,
            network,
            origins,
            facilities,
            item_codes=codes,
            workers=workers,
            progress=progress,
        )
    else:
        tiled = TiledReach({code: np.empty(0) for code in codes}, tiles_total=0, tiles_computed=0)
    dist = tiled.distance_m
    progress("coverage", 0, 1)
    community_table = _zone_table(
        dist, origins.weight, zone, [c.code for c in communities], specs, run
    )
    # circles: each member community's origins, weighted by its population share
    index_of = {c.pk: z for z, c in enumerate(communities)}
    c_idx: list[np.ndarray] = []
    c_zone: list[np.ndarray] = []
    c_w: list[np.ndarray] = []
    for cz, circle in enumerate(circles):
        for m in circle.memberships.all():
            z = index_of.get(m.community_id)
            if z is None:
                continue
            sel = np.flatnonzero(zone == z)
            c_idx.append(sel)
            c_zone.append(np.full(sel.size, cz, dtype=np.int64))
            c_w.append(origins.weight[sel] * m.population_share)
    idx = np.concatenate(c_idx) if c_idx else np.empty(0, dtype=np.int64)
    circle_table = _zone_table(
        {code: d[idx] for code, d in dist.items()},
        np.concatenate(c_w) if c_w else np.empty(0),
        np.concatenate(c_zone) if c_zone else np.empty(0, dtype=np.int64),
        [c.code for c in circles],
        specs,
        run,
    )
    progress("store", 0, 1)
    _store(
        run,
        communities,
        circles,
        community_table,
        circle_table,
        zone,
        notes,
        inputs,
        n_facilities=len(facilities),
        tiles_total=tiled.tiles_total,
        tiles_computed=tiled.tiles_computed,
    )
    keep_answers(tiled)
    log.info(
        "assessment done",
        extra={
            "run": run.pk,
            "communities": len(communities),
            "facilities": len(facilities),
            "tiles": tiled.tiles_total,
            "tiles_computed": tiled.tiles_computed,
        },
    )


def _opt(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@transaction.atomic
def _store(
    run: AssessmentRun,
    communities: Sequence[Community],
    circles: Sequence[Circle],
    ctable: CoverageTable,
    ktable: CoverageTable,
    zone: np.ndarray,
    notes: dict[int, str],
    inputs: datetime | None,
    *,
    n_facilities: int,
    tiles_total: int,
    tiles_computed: int,
) -> None:
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
                population=zc.population,
                n_origins=int(n_origins[z]),
                items_required=zc.items_required,
                items_met=zc.items_met if has_origins else 0,
                missing=[s.code for s in zc.missing],
                note=notes.get(c.pk, ""),
            )
        )
        if not has_origins:
            continue
        for it in zc.items:
            ci_rows.append(
                CommunityItemResult(
                    run=run,
                    community=c,
                    item_code=it.item_code,
                    share=_opt(it.share),
                    median_min=_opt(it.median_min),
                    p90_min=_opt(it.p90_min),
                    met=it.met,
                )
            )
    k_rows: list[CircleResult] = []
    ki_rows: list[CircleItemResult] = []
    for circle, zk in zip(circles, ktable.zones, strict=True):
        k_rows.append(
            CircleResult(
                run=run,
                circle=circle,
                population=zk.population,
                items_required=zk.items_required,
                items_met=zk.items_met,
                missing=[s.code for s in zk.missing],
                demonstration=zk.demonstration,
            )
        )
        for it in zk.items:
            ki_rows.append(
                CircleItemResult(
                    run=run,
                    circle=circle,
                    item_code=it.item_code,
                    share=_opt(it.share),
                    median_min=_opt(it.median_min),
                    p90_min=_opt(it.p90_min),
                    met=it.met,
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
        n_facilities=n_facilities,
        n_communities=len(communities),
        tiles_total=tiles_total,
        tiles_computed=tiles_computed,
        finished_at=timezone.now(),
    )
