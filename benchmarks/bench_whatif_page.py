"""The what-if page's engine call on the benchmark city: a list of changes → zone figures.

The circle what-if page (``web/whatif.py`` → ``planning/whatif.answer_on``) answers each request
by :func:`quarterhour.engine.whatif_zones.apply_all` on the circle's cached base: the changes made
in turn on a copy of the base's answers, then the coverage table of every (community, item)
they touch, before and after. This measures that call, warm, on the whole seeded grid city of
``bench_reach`` (every node an origin with a population weight, communities = 500 m squares,
30 items, 1,000 m) — far more origins than any circle holds, so an upper bound on the page's
engine time. (The platform's demo cannot hold a 1M-node city in this sandbox's time budget; the
Django part of the page around this call reads a few rows and renders one table.)

Each request is a seeded random scenario of 1–3 changes (add / move / close). One scenario of
each size is checked against a full reach with the changes made and the full coverage table:
every (community, item) the call lists equals the full table's, every other is unchanged.

    python benchmarks/bench_whatif_page.py [--sizes 100000,1000000] [--requests 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LIMIT_M = 1000.0
SPEED_KMH = LIMIT_M / 1000.0 * 4.0  # 15 minutes = exactly the limit


def zones_of(net: object) -> tuple[np.ndarray, int]:
    lon, lat = net.node_lon, net.node_lat  # type: ignore[attr-defined]
    dlat = 500.0 / 111_320.0
    dlon = dlat / np.cos(np.radians(float(lat.mean())))
    cx = ((lon - lon.min()) / dlon).astype(np.int64)
    cy = ((lat - lat.min()) / dlat).astype(np.int64)
    cell = cx * (int(cy.max()) + 1) + cy
    _, zone = np.unique(cell, return_inverse=True)
    return zone.astype(np.int64), int(zone.max()) + 1


def random_changes(
    sc: Any, net: Any, codes: list[str], rng: Any, n: int
) -> tuple[list[Any], list[Any]]:
    from quarterhour.engine.places import Facility
    from quarterhour.engine.whatif import Change

    model = list(sc.facilities)
    out: list[Any] = []
    closed: set[int] = set()
    for i in range(n):
        kind = ("add", "move", "close")[int(rng.integers(3))]
        node = int(rng.integers(net.n_nodes))
        lon, lat = float(net.node_lon[node]), float(net.node_lat[node])
        if kind == "add":
            code = codes[int(rng.integers(len(codes)))]
            fac = Facility(f"page-{i}", "", lon, lat, (code,))
            out.append(Change.add(fac))
            model.append(fac)
            continue
        j = int(rng.integers(len(sc.facilities)))
        while j in closed:
            j = int(rng.integers(len(sc.facilities)))
        if kind == "move":
            out.append(Change.move(j, lon, lat))
            model[j] = replace(model[j], lon=lon, lat=lat)
        else:
            out.append(Change.close(j))
            closed.add(j)
            model[j] = replace(model[j], item_codes=())
    return out, model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    from benchmarks.bench_reach import hierarchy_file, load
    from quarterhour.engine.coverage import ItemSpec, coverage_table
    from quarterhour.engine.hierarchy import Hierarchy, build_hierarchy
    from quarterhour.engine.places import Origins
    from quarterhour.engine.reach import _LIMIT_SLACK, prepare, reach
    from quarterhour.engine.whatif import scenario
    from quarterhour.engine.whatif_zones import ZoneIndex, apply_all

    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores, shared)")
    for size in a.sizes.split(","):
        net, codes, facilities = load(size)
        rng = np.random.default_rng(11)
        base_origins = Origins.from_network_nodes(net)
        origins = replace(base_origins, weight=rng.integers(1, 6, net.n_nodes).astype(float))
        zone, n_zones = zones_of(net)
        zones = ZoneIndex.build(zone, n_zones)
        specs = [ItemSpec(c, c, c) for c in codes]
        path = hierarchy_file(size)
        h = Hierarchy.load(path) if path.exists() else None
        if h is None or not h.fits(net, LIMIT_M + _LIMIT_SLACK):
            t = time.perf_counter()
            h = build_hierarchy(net, bound_m=LIMIT_M + _LIMIT_SLACK)
            h.save(path)
            print(f"hierarchy built in {time.perf_counter() - t:.1f} s, kept in {path}")
        t = time.perf_counter()
        sc = scenario(
            net, origins, facilities, item_codes=codes, limit_m=LIMIT_M, max_snap_m=300.0,
            hierarchy=h, workers=a.workers,
        )  # fmt: skip
        t_base = time.perf_counter() - t
        kw = dict(
            weight=origins.weight, zones=zones, item_specs=specs, limit_m=LIMIT_M,
            walk_minutes=15.0, speed_kmh=SPEED_KMH,
        )  # fmt: skip

        apply_all(
            sc, random_changes(sc, net, codes, rng, 1)[0], **kw
        )  # compile / allocate the work arrays
        times: list[float] = []
        cpu: list[float] = []
        rows: list[int] = []
        checked: set[int] = set()
        for r in range(a.requests):
            n = 1 + r % 3
            changes, model = random_changes(sc, net, codes, rng, n)
            t, c = time.perf_counter(), time.process_time()
            _now, _made, found = apply_all(sc, changes, **kw)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            rows.append(len(found))
            if n in checked or not found:
                continue
            full = reach(
                net, origins, model, item_codes=codes, limit_m=LIMIT_M, workers=a.workers,
                prepared=prepare(net, origins, model, hierarchy=h),
            )  # fmt: skip
            table = coverage_table(
                {c: full.items[c].distance_m for c in codes}, origins.weight, zone,
                [str(z) for z in range(n_zones)], specs, limit_m=LIMIT_M, walk_minutes=15.0,
                speed_kmh=SPEED_KMH,
            )  # fmt: skip
            for f in found:
                got = next(i for i in table.zones[f.zone].items if i.item_code == f.item_code)
                assert (got.covered, got.share, got.median_min, got.p90_min) == (
                    f.after.covered, f.after.share, f.after.median_min, f.after.p90_min,
                ), (f, got)  # fmt: skip
            checked.add(n)
        p95 = 1000 * float(np.quantile(times, 0.95))
        cpu95 = 1000 * float(np.quantile(cpu, 0.95))
        print(
            f"\n== {size}: {net.n_nodes:,} nodes = origins, {n_zones:,} communities, "
            f"{len(facilities):,} facilities, {len(codes)} items, load {os.getloadavg()[0]:.2f}"
        )
        print(f"the base (full assessment, once per circle and register version): {t_base:.2f} s")
        print(
            f"a page's engine call, {a.requests} scenarios of 1-3 changes: median "
            f"{1000 * statistics.median(times):.1f} ms, p95 {p95:.1f} ms, slowest "
            f"{1000 * max(times):.1f} ms ({'ok' if p95 <= 100 else 'OVER'} 100 ms); CPU median "
            f"{1000 * statistics.median(cpu):.1f} ms, p95 {cpu95:.1f} ms; "
            f"(community, item) rows median {statistics.median(rows):.0f}; "
            f"checked equal to a full run for {sorted(checked)} changes"
        )


if __name__ == "__main__":
    main()
