"""What if a facility were added, moved or closed? Exact answers, recomputing only near it.

A :class:`Scenario` holds the current answers (every origin's nearest facility of every item,
as :func:`~quarterhour.engine.reach.reach` gives them) together with what is needed to change
them: the network's contraction hierarchy, the snapped facilities and where each origin sits.
:func:`apply` takes one :class:`Change` and returns the new scenario and, for each item the
change touches, the origins whose answer changed, before and after.

Why only nearby work is needed, and why the answers are the full run's to the last bit:

- The full run gives each node the least (distance, facility index) pair over the items'
  facilities, computed by two sweeps whose every step is "the least of some sums". Rounding is
  monotone, so the least over a set of facilities is the least of the answers each facility
  alone would give. Adding facility *f* therefore changes a node's answer to the least of its
  old answer and *f*'s own answer, and *f*'s own answer is only finite within the walking limit
  of *f*: :func:`~quarterhour.engine._hierarchy.local_query` runs the two sweeps restricted to
  those positions, in the sweeps' order, with the same additions as the full run.
- Closing *f* changes only the origins whose nearest was *f*. Their new nearest is within the
  limit of them, so within twice the limit of *f* (straight-line distances never exceed walks):
  one local query from the item's other facilities within that radius gives their answers.
- Moving is closing, then adding at the new place under the same facility index.

(The one thing the argument does not cover is two facilities whose distances to a node differ
by less than the rounding of one addition, ≈1e-13 m, where rounding can make them equal: the
full run and the change may then name different ones of the two; the distance is the same.)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from quarterhour.engine._hierarchy import NO_LABEL, local_query
from quarterhour.engine.facility_items import facilities_by_item, facility_coordinates, indexed
from quarterhour.engine.hierarchy import Hierarchy
from quarterhour.engine.network import WalkNetwork, haversine_m
from quarterhour.engine.places import Facility, Origins
from quarterhour.engine.reach import (
    _LIMIT_SLACK,
    REASON_NO_FACILITY,
    ItemReach,
    OriginPlaces,
    PreparedReach,
    ReachResult,
    facility_sources,
    hierarchy_for,
    origin_places,
    prepare,
    reach,
)
from quarterhour.engine.snapping import EdgeIndex, Snapped, index_for
from quarterhour.engine.tiling import HALO_ABSOLUTE_SLACK_M, HALO_RELATIVE_SLACK

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]

ADD = "add"
MOVE = "move"
CLOSE = "close"


@dataclass(frozen=True, slots=True)
class Change:
    """One hypothetical change.

    ``add``: ``facility`` is the new facility (its items, its place). ``move``: the facility
    at ``index`` (in the scenario's list) goes to ``lon``/``lat``. ``close``: the facility at
    ``index`` is removed.
    """

    action: str
    facility: Facility | None = None
    index: int = -1
    lon: float = math.nan
    lat: float = math.nan

    @classmethod
    def add(cls, facility: Facility) -> Change:
        return cls(ADD, facility=facility)

    @classmethod
    def move(cls, index: int, lon: float, lat: float) -> Change:
        return cls(MOVE, index=index, lon=lon, lat=lat)

    @classmethod
    def close(cls, index: int) -> Change:
        return cls(CLOSE, index=index)


@dataclass(frozen=True, slots=True, eq=False)
class ItemDiff:
    """The origins of one item whose answer changed (indices into the origins)."""

    item_code: str
    origin: Int64Array
    before_m: FloatArray
    before_facility: Int32Array
    after_m: FloatArray
    after_facility: Int32Array


@dataclass(frozen=True, slots=True, eq=False)
class WhatIf:
    """What one change did: per item it touches, the changed origins."""

    change: Change
    items: dict[str, ItemDiff]
    snapped: bool  # False when an added / moved facility lies beyond the snap limit


class _Work(threading.local):
    """Per-thread arrays of the local queries (all +inf / NO_LABEL / 0 between queries)."""

    def get(self, n: int) -> tuple[FloatArray, Int32Array, npt.NDArray[np.int8]]:
        bufs: tuple[FloatArray, Int32Array, npt.NDArray[np.int8]] | None = getattr(
            self, "bufs", None
        )
        if bufs is None or bufs[0].shape[0] != n:
            bufs = (
                np.full(n, np.inf),
                np.full(n, NO_LABEL, dtype=np.int32),
                np.zeros(n, dtype=np.int8),
            )
            self.bufs = bufs
        return bufs


_WORK = _Work()


@dataclass(frozen=True, slots=True, eq=False)
class Scenario:
    """Current answers and what a change needs; immutable (``apply`` returns a new one)."""

    network: WalkNetwork
    hierarchy: Hierarchy
    index: EdgeIndex
    origins: Origins
    places: OriginPlaces
    facilities: tuple[Facility, ...]
    facility_snap: Snapped
    result: ReachResult
    limit_m: float
    by_position: tuple[Int64Array, Int64Array] = field(repr=False)  # CSR position -> origins
    closed: frozenset[int] = frozenset()  # facilities closed by a change (they stay listed)
    serving: dict[str, Int64Array] = field(default_factory=dict, repr=False)  # item -> indices
    fac_lon: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)
    fac_lat: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)

    @property
    def item_codes(self) -> list[str]:
        return list(self.result.items)


def _origins_by_position(places: OriginPlaces, n: int) -> tuple[Int64Array, Int64Array]:
    o = np.arange(places.pos.shape[0], dtype=np.int64)
    pos = np.concatenate([places.pos, places.pos_v[places.pos_v != places.pos]])
    org = np.concatenate([o, o[places.pos_v != places.pos]])
    keep = pos >= 0
    pos, org = pos[keep], org[keep]
    order = np.argsort(pos, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pos, minlength=n), out=ptr[1:])
    return ptr, org[order]


def scenario(
    network: WalkNetwork,
    origins: Origins,
    facilities: Sequence[Facility],
    *,
    item_codes: Sequence[str],
    limit_m: float,
    max_snap_m: float,
    hierarchy: Hierarchy | None = None,
    edge_index: EdgeIndex | None = None,
    workers: int = 0,
) -> Scenario:
    """Assess once (the full run) and keep what changes need."""
    index = edge_index or index_for(network)
    # the columns made once (coordinates, groups by item) for the snap, the run and the changes
    facilities = indexed(facilities)
    prep: PreparedReach = prepare(
        network, origins, facilities, max_snap_m=max_snap_m, edge_index=index, hierarchy=hierarchy
    )
    h = hierarchy_for(prep, limit_m)
    prep = replace(prep, hierarchy=h)
    result = reach(
        network,
        origins,
        facilities,
        item_codes=item_codes,
        limit_m=limit_m,
        max_snap_m=max_snap_m,
        workers=workers,
        prepared=prep,
    )
    places = origin_places(prep, h)
    fac_lon, fac_lat = facility_coordinates(facilities)
    h.up_arcs()  # the changes' local queries need them: built with the base, not on a first click
    return Scenario(
        network=network,
        hierarchy=h,
        index=index,
        origins=origins,
        places=places,
        facilities=facilities,
        facility_snap=prep.facility_snap,
        result=result,
        limit_m=float(limit_m),
        by_position=_origins_by_position(places, h.n_nodes),
        serving=facilities_by_item(facilities, item_codes),
        # copies of their own: a move writes them (the kept columns are read-only)
        fac_lon=fac_lon.copy(),
        fac_lat=fac_lat.copy(),
    )


def _snap_set(snap: Snapped, i: int, one: Snapped) -> Snapped:
    """``snap`` with entry ``i`` replaced by ``one``'s only entry, in place (appended, in new
    arrays, when i == len)."""
    arrays = []
    for name in ("edge", "t", "offset_m", "along_m"):
        a = getattr(snap, name)
        b = getattr(one, name)
        if i == a.shape[0]:
            arrays.append(np.concatenate([a, b]))
        else:
            a[i] = b[0]
            arrays.append(a)
    return Snapped(arrays[0], arrays[1], arrays[2], arrays[3], snap.max_snap_m)


def _unsnapped() -> Snapped:
    return Snapped(np.array([-1]), np.array([np.nan]), np.array([np.nan]), np.array([np.nan]), 0.0)


def _lexless(
    d1: FloatArray, l1: Int32Array, d2: FloatArray, l2: Int32Array
) -> npt.NDArray[np.bool_]:
    """Where (d1, l1) comes strictly before (d2, l2)."""
    return np.asarray((d1 < d2) | ((d1 == d2) & (l1 < l2)))


def _origins_at(sc: Scenario, positions: Int32Array) -> Int64Array:
    ptr, org = sc.by_position
    if positions.size == 0:
        return np.empty(0, dtype=np.int64)
    starts = ptr[positions]
    lens = ptr[positions + 1] - starts
    first = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return np.unique(org[first + np.arange(int(lens.sum()))])


def _query(
    sc: Scenario, snap: Snapped, members: Int64Array, cand: Int64Array | None
) -> tuple[Int64Array, FloatArray, Int32Array]:
    """A local query from the facilities ``members`` (of one item); returns origins ``cand``
    (by default: every origin at a position the query reached) with their distance (NaN
    beyond the limit) and facility (-1) as the full run's gather computes them."""
    h = sc.hierarchy
    src = facility_sources(sc.network, snap, [members])
    limit = sc.limit_m + _LIMIT_SLACK
    dist, lab, state = _WORK.get(h.n_nodes)
    cap = 1 << 12
    while True:
        touched = np.empty(min(cap, h.n_nodes), dtype=np.int32)
        hk = np.empty(cap, dtype=np.float64)
        hv = np.empty(cap, dtype=np.int32)
        nt = local_query(
            *h.up_arcs(),
            h.dn_ptr,
            h.dn_src,
            h.dn_w,
            h.pos[src.node].astype(np.int32),
            src.dist,
            src.label,
            limit,
            dist,
            lab,
            state,
            touched,
            hk,
            hv,
        )
        if nt >= 0:
            break
        # buffers too small: any position may have been touched; reset all, retry bigger
        dist[:] = np.inf
        lab[:] = NO_LABEL
        state[:] = 0
        cap = min(cap * 4, 4 * (h.n_nodes + h.n_arcs) + 16)
    t = touched[:nt]
    try:
        if cand is None:
            cand = _origins_at(sc, t)
        pl = sc.places
        pu = pl.pos[cand]
        ok = pu >= 0
        pu0 = np.where(ok, pu, 0)
        if pl.is_nodes:
            best = dist[pu0]
            bl = lab[pu0]
        else:
            pv0 = np.where(ok, pl.pos_v[cand], 0)
            s = pl.along[cand]
            best = dist[pu0] + s
            bl = lab[pu0]
            c = dist[pv0] + pl.rest[cand]
            lv = lab[pv0]
            take = _lexless(c, lv, best, bl)
            best = np.where(take, c, best)
            bl = np.where(take, lv, bl)
            e = pl.edge[cand]
            for j in range(src.inner_edge.shape[0]):
                same = e == src.inner_edge[j]
                if not same.any():
                    continue
                c = np.full(cand.shape[0], np.inf)
                c[same] = src.inner_off[j] + np.abs(s[same] - src.inner_along[j])
                lj = np.full(cand.shape[0], src.inner_label[j], dtype=np.int32)
                take = same & _lexless(c, lj, best, bl)
                best = np.where(take, c, best)
                bl = np.where(take, lj, bl)
            best = best + pl.offset[cand]
        within = ok & (best <= limit)
        return (
            cand,
            np.where(within, best, np.nan),
            np.where(within, bl, -1).astype(np.int32),
        )
    finally:
        dist[t] = np.inf
        lab[t] = NO_LABEL
        state[t] = 0


def _members(sc: Scenario, snap: Snapped, code: str) -> Int64Array:
    """The facilities of item ``code`` on the network (closed ones are off it)."""
    idx = sc.serving.get(code, np.empty(0, dtype=np.int64))
    return idx[snap.edge[idx] >= 0]


Before = dict[str, list[tuple[Int64Array, FloatArray, Int32Array]]]


def _write(
    items: dict[str, ItemReach],
    code: str,
    where: Int64Array,
    d: FloatArray,
    f: Int32Array,
    reason: str,
    before: Before,
) -> None:
    """Set origins ``where`` of item ``code`` (in place: see :func:`private_copy`); keep their
    values before in ``before``."""
    cur = items[code]
    before.setdefault(code, []).append(
        (where, cur.distance_m[where].copy(), cur.facility[where].copy())
    )
    dist = cur.distance_m
    fac = cur.facility
    dist[where] = d
    fac[where] = f
    items[code] = ItemReach(code, dist, fac, reason)


def _close(
    sc: Scenario,
    index: int,
    items: dict[str, ItemReach],
    snap: Snapped,
    before: Before,
) -> None:
    """Re-solve the origins whose nearest was facility ``index`` (already removed from
    ``snap``)."""
    fac = sc.facilities[index]
    radius = 2.0 * sc.limit_m * (1.0 + HALO_RELATIVE_SLACK) + HALO_ABSOLUTE_SLACK_M
    for code in fac.item_codes:
        if code not in items:
            continue
        cur = items[code]
        hit = np.flatnonzero(cur.facility == index).astype(np.int64)
        if hit.size == 0:
            continue
        members = _members(sc, snap, code)
        members = members[members != index]
        if members.size:
            near = haversine_m(sc.fac_lon[members], sc.fac_lat[members], fac.lon, fac.lat) <= radius
            members = members[near]
        if members.size:
            _, nd, nf = _query(sc, snap, members, hit)
        else:
            nd = np.full(hit.size, np.nan)
            nf = np.full(hit.size, -1, dtype=np.int32)
        _write(items, code, hit, nd, nf, cur.reason, before)


def _add(
    sc: Scenario,
    index: int,
    fac: Facility,
    items: dict[str, ItemReach],
    snap: Snapped,
    before: Before,
) -> None:
    """Facility ``index`` (in ``snap``) now serves its items: origins it is nearest to take it."""
    if snap.edge[index] < 0:
        return
    cand, nd, nf = _query(sc, snap, np.array([index], dtype=np.int64), None)
    if cand.size == 0:
        return
    for code in fac.item_codes:
        if code not in items:
            continue
        cur = items[code]
        od = cur.distance_m[cand]
        of = cur.facility[cand]
        old_d = np.where(np.isnan(od), np.inf, od)
        old_f = np.where(of < 0, NO_LABEL, of).astype(np.int32)
        new_d = np.where(np.isnan(nd), np.inf, nd)
        new_f = np.where(nf < 0, NO_LABEL, nf).astype(np.int32)
        take = np.isfinite(new_d) & _lexless(new_d, new_f, old_d, old_f)
        _write(items, code, cand[take], nd[take], nf[take], "", before)


def apply(sc: Scenario, change: Change, *, in_place: bool = False) -> tuple[Scenario, WhatIf]:
    """The scenario with ``change`` made, and what changed for whom.

    ``in_place``: write the new answers into the scenario's own arrays instead of copies (no
    work in proportion to the number of origins; the old scenario then shows the new answers).
    """
    if not in_place:
        sc = private_copy(sc, [change])  # what the change writes, copied once
    items = dict(sc.result.items)
    facilities = sc.facilities
    snap = sc.facility_snap
    before: Before = {}
    snapped = True
    if change.action == ADD:
        if change.facility is None:
            raise ValueError("an added facility is needed")
        fac = change.facility
        one = sc.index.snap([fac.lon], [fac.lat], max_snap_m=snap.max_snap_m)
        index = len(facilities)
        facilities = (*facilities, fac)
        snap = _snap_set(snap, index, one)
        snapped = bool(one.edge[0] >= 0)
        serving = dict(sc.serving)
        for code in fac.item_codes:
            if code in serving:
                serving[code] = np.append(serving[code], index)
        sc = replace(
            sc,
            serving=serving,
            fac_lon=np.append(sc.fac_lon, fac.lon),
            fac_lat=np.append(sc.fac_lat, fac.lat),
        )
        sc2 = replace(sc, facilities=facilities, facility_snap=snap)
        _add(sc2, index, fac, items, snap, before)
    elif change.action in (MOVE, CLOSE):
        index = change.index
        if not 0 <= index < len(facilities):
            raise ValueError(f"no facility {index}")
        if index in sc.closed:
            raise ValueError(f"facility {index} is closed already")
        removed = _snap_set(snap, index, _unsnapped())
        _close(sc, index, items, removed, before)
        snap = removed
        if change.action == MOVE:
            old = facilities[index]
            fac = replace(old, lon=float(change.lon), lat=float(change.lat))
            facilities = (*facilities[:index], fac, *facilities[index + 1 :])
            one = sc.index.snap([fac.lon], [fac.lat], max_snap_m=snap.max_snap_m)
            snap = _snap_set(snap, index, one)
            snapped = bool(one.edge[0] >= 0)
            lon, lat = sc.fac_lon, sc.fac_lat
            lon[index], lat[index] = fac.lon, fac.lat
            sc = replace(sc, fac_lon=lon, fac_lat=lat)
            sc2 = replace(sc, facilities=facilities, facility_snap=snap)
            _add(sc2, index, fac, items, snap, before)
    else:
        raise ValueError(f"unknown change {change.action!r}")
    # an item without any facility on the network says so, as a full run would
    for code in {c for c in _codes_of(change, sc) if c in items}:
        has = _members(sc, snap, code).size > 0
        cur = items[code]
        reason = "" if has else REASON_NO_FACILITY
        if cur.reason != reason:
            items[code] = ItemReach(code, cur.distance_m, cur.facility, reason)
    diffs: dict[str, ItemDiff] = {}
    for code, parts in before.items():
        # the first value kept for an origin is its value before the change
        o_all = np.concatenate([p[0] for p in parts])
        o, first = np.unique(o_all, return_index=True)
        bd = np.concatenate([p[1] for p in parts])[first]
        bf = np.concatenate([p[2] for p in parts])[first]
        a = items[code]
        ad, af = a.distance_m[o], a.facility[o]
        same = (bf == af) & ((bd == ad) | (np.isnan(bd) & np.isnan(ad)))
        keep = ~same
        diffs[code] = ItemDiff(code, o[keep], bd[keep], bf[keep], ad[keep], af[keep])
    result = replace(sc.result, facilities=facilities, items=items, facility_snap=snap)
    closed = sc.closed | {change.index} if change.action == CLOSE else sc.closed
    new = replace(sc, facilities=facilities, facility_snap=snap, result=result, closed=closed)
    return new, WhatIf(change, diffs, snapped)


def private_copy(sc: Scenario, changes: Sequence[Change]) -> Scenario:
    """``sc`` with copies of its own of every array that ``changes``, made in turn with
    ``in_place``, write: the answers of the items they touch, the facilities' snap and
    coordinates (a move or a closure writes them; an addition makes new ones). Copied once
    however many changes follow, instead of once per change and write (at 1M origins a move
    copied 49 MB)."""
    codes = {c for ch in changes for c in _codes_of(ch, sc)}  # an added one's: by its ADD
    items = dict(sc.result.items)
    for code in codes & items.keys():
        r = items[code]
        items[code] = replace(r, distance_m=r.distance_m.copy(), facility=r.facility.copy())
    snap = sc.facility_snap
    writes = any(ch.action in (MOVE, CLOSE) for ch in changes)
    if writes:
        snap = Snapped(
            snap.edge.copy(), snap.t.copy(), snap.offset_m.copy(), snap.along_m.copy(),
            snap.max_snap_m,
        )  # fmt: skip
    moves = any(ch.action == MOVE for ch in changes)
    return replace(
        sc,
        facility_snap=snap,
        result=replace(sc.result, items=items, facility_snap=snap),
        fac_lon=sc.fac_lon.copy() if moves else sc.fac_lon,
        fac_lat=sc.fac_lat.copy() if moves else sc.fac_lat,
    )


def _codes_of(change: Change, sc: Scenario) -> tuple[str, ...]:
    if change.action == ADD and change.facility is not None:
        return change.facility.item_codes
    if 0 <= change.index < len(sc.facilities):
        return sc.facilities[change.index].item_codes
    return ()
