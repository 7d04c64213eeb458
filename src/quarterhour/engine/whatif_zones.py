"""What a what-if change does to zones (communities): covered residents and walking minutes of
each (zone, item) the change touches, before and after.

The zone figures are :func:`~quarterhour.engine.coverage.coverage_table`'s, computed over the
zone's own origins only: a zone's share, covered residents and quantiles depend on nothing
else, so they equal a full assessment's with the change made (given the exact distances of
:mod:`quarterhour.engine.whatif`). Only the zones holding an origin whose answer changed are
recomputed, and only for the items whose answers changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quarterhour.engine.coverage import ItemCoverage, ItemSpec, coverage_table
from quarterhour.engine.whatif import Change, Scenario, WhatIf, apply, private_copy

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class ZoneIndex:
    """Origins grouped by zone (built once per scenario): zone ``z``'s origins are
    ``order[ptr[z]:ptr[z + 1]]``."""

    zone: Int64Array
    ptr: Int64Array
    order: Int64Array

    @classmethod
    def build(cls, zone: Int64Array, n_zones: int) -> ZoneIndex:
        zone = np.asarray(zone, dtype=np.int64)
        order = np.argsort(zone, kind="stable").astype(np.int64)
        ptr = np.zeros(n_zones + 1, dtype=np.int64)
        np.cumsum(np.bincount(zone, minlength=n_zones), out=ptr[1:])
        return cls(zone, ptr, order)

    def origins_of(self, zones: Int64Array) -> Int64Array:
        if zones.size == 0:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([self.order[self.ptr[z] : self.ptr[z + 1]] for z in zones])


@dataclass(frozen=True, slots=True)
class ZoneItemChange:
    """One (zone, item): covered residents, share and walking minutes before and after."""

    zone: int
    item_code: str
    before: ItemCoverage
    after: ItemCoverage


def changed_origins(changes: Sequence[WhatIf]) -> dict[str, Int64Array]:
    """Per item, the origins any of ``changes`` touched (in order, without repeats)."""
    parts: dict[str, list[Int64Array]] = {}
    for w in changes:
        for code, d in w.items.items():
            if d.origin.size:
                parts.setdefault(code, []).append(d.origin)
    return {code: np.unique(np.concatenate(p)) for code, p in parts.items()}


def zone_changes(
    before: Mapping[str, FloatArray],
    after: Mapping[str, FloatArray],
    changed: Mapping[str, Int64Array],
    *,
    weight: FloatArray,
    zones: ZoneIndex,
    item_specs: Sequence[ItemSpec],
    limit_m: float,
    walk_minutes: float,
    speed_kmh: float,
) -> list[ZoneItemChange]:
    """The (zone, item) pairs holding a changed origin, in zone then item-spec order; only
    pairs whose figures moved are kept."""
    specs = [s for s in item_specs if s.code in changed and changed[s.code].size]
    if not specs:
        return []
    touched = {s.code: np.unique(zones.zone[changed[s.code]]) for s in specs}
    z_all = np.unique(np.concatenate(list(touched.values())))
    sel = zones.origins_of(z_all)
    local_zone = np.searchsorted(z_all, zones.zone[sel]).astype(np.int64)
    names = [str(z) for z in z_all.tolist()]
    w = np.asarray(weight, dtype=np.float64)[sel]

    def table(dist: Mapping[str, FloatArray]) -> list[dict[str, ItemCoverage]]:
        t = coverage_table(
            {s.code: np.asarray(dist[s.code])[sel] for s in specs},
            w,
            local_zone,
            names,
            specs,
            limit_m=limit_m,
            walk_minutes=walk_minutes,
            speed_kmh=speed_kmh,
        )
        return [{i.item_code: i for i in zc.items} for zc in t.zones]

    tb, ta = table(before), table(after)
    out: list[ZoneItemChange] = []
    for k, z in enumerate(z_all.tolist()):
        for s in specs:
            if not np.any(touched[s.code] == z):
                continue
            b, a = tb[k][s.code], ta[k][s.code]
            if (b.covered, b.median_min, b.p90_min) == (a.covered, a.median_min, a.p90_min):
                continue
            out.append(ZoneItemChange(int(z), s.code, b, a))
    return out


def apply_all(
    sc: Scenario,
    changes: Sequence[Change],
    *,
    weight: FloatArray,
    zones: ZoneIndex,
    item_specs: Sequence[ItemSpec],
    limit_m: float,
    walk_minutes: float,
    speed_kmh: float,
) -> tuple[Scenario, list[WhatIf], list[ZoneItemChange]]:
    """Make ``changes`` in turn on ``sc`` (which is left as it was) and sum the zones they
    touch: what the platform's what-if page computes for each answer."""
    made: list[WhatIf] = []
    now = private_copy(sc, changes)  # what the changes write, copied once; then in place
    for change in changes:
        now, what = apply(now, change, in_place=True)
        made.append(what)
    codes = [s.code for s in item_specs]
    found = zone_changes(
        {c: sc.result.items[c].distance_m for c in codes},
        {c: now.result.items[c].distance_m for c in codes},
        changed_origins(made),
        weight=weight,
        zones=zones,
        item_specs=item_specs,
        limit_m=limit_m,
        walk_minutes=walk_minutes,
        speed_kmh=speed_kmh,
    )
    return now, made, found
