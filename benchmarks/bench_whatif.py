"""What-if: one change's answer time vs a full reassessment (100k and 1M nodes, 30 items).

In one process per network: the hierarchy (from ``bench_reach``'s file when present, else
built), the full assessment (:func:`quarterhour.engine.whatif.scenario`), then a seeded mix
of changes — add a facility, move one, close one — each answered by
:func:`quarterhour.engine.whatif.apply`. Printed: medians and the slowest change, the full
reassessment with the hierarchy, and their ratio. One change in each kind is checked
against a full run with the change made (every answer equal).

    python benchmarks/bench_whatif.py [--sizes 100000,1000000] [--changes 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LIMIT_M = 1000.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--changes", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    from benchmarks.bench_reach import hierarchy_file, load
    from quarterhour.engine.hierarchy import Hierarchy, build_hierarchy
    from quarterhour.engine.places import Facility, Origins
    from quarterhour.engine.reach import _LIMIT_SLACK, prepare, reach
    from quarterhour.engine.whatif import Change, apply, scenario

    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    for size in a.sizes.split(","):
        net, codes, facilities = load(size)
        origins = Origins.from_network_nodes(net)
        path = hierarchy_file(size)
        h = Hierarchy.load(path) if path.exists() else None
        if h is None or not h.fits(net, LIMIT_M + _LIMIT_SLACK):
            h = build_hierarchy(net, bound_m=LIMIT_M + _LIMIT_SLACK)
        t = time.perf_counter()
        sc = scenario(
            net, origins, facilities, item_codes=codes, limit_m=LIMIT_M, max_snap_m=300.0,
            hierarchy=h, workers=a.workers,
        )  # fmt: skip
        t_first = time.perf_counter() - t
        t = time.perf_counter()
        prep = prepare(net, origins, sc.facilities, hierarchy=h)
        reach(
            net, origins, sc.facilities, item_codes=codes, limit_m=LIMIT_M, prepared=prep,
            workers=a.workers,
        )  # fmt: skip
        t_full = time.perf_counter() - t
        rng = np.random.default_rng(7)
        times: dict[str, list[float]] = {"add": [], "move": [], "close": []}
        changed: dict[str, list[int]] = {"add": [], "move": [], "close": []}
        model = list(sc.facilities)
        checked: set[str] = set()
        for i in range(a.changes):
            kind = ("add", "move", "close")[i % 3]
            node = int(rng.integers(net.n_nodes))
            lon, lat = float(net.node_lon[node]), float(net.node_lat[node])
            open_ = [j for j in range(len(model)) if j not in sc.closed]
            if kind == "add":
                code = codes[int(rng.integers(len(codes)))]
                fac = Facility(f"new-{i}", "", lon, lat, (code,))
                change = Change.add(fac)
                model.append(fac)
            else:
                j = open_[int(rng.integers(len(open_)))]
                if kind == "move":
                    change = Change.move(j, lon, lat)
                    model[j] = replace(model[j], lon=lon, lat=lat)
                else:
                    change = Change.close(j)
                    model[j] = replace(model[j], item_codes=())
            t = time.perf_counter()
            sc, what = apply(sc, change, in_place=True)
            times[kind].append(time.perf_counter() - t)
            changed[kind].append(sum(d.origin.size for d in what.items.values()))
            if kind not in checked:
                full = reach(
                    net, origins, model, item_codes=codes, limit_m=LIMIT_M, workers=a.workers,
                    prepared=prepare(net, origins, model, hierarchy=h),
                )  # fmt: skip
                for c in codes:
                    np.testing.assert_array_equal(
                        sc.result.items[c].distance_m, full.items[c].distance_m
                    )
                    np.testing.assert_array_equal(
                        sc.result.items[c].facility, full.items[c].facility
                    )
                checked.add(kind)
        every = [x for v in times.values() for x in v]
        print(
            f"\n== {size}: {net.n_nodes:,} nodes, {len(facilities):,} facilities, "
            f"{len(codes)} items, limit {LIMIT_M:.0f} m, load {os.getloadavg()[0]:.2f}"
        )
        print(
            f"full reassessment with the hierarchy: {t_full:.3f} s "
            f"(the first, with setup: {t_first:.3f} s)"
        )
        for kind, v in times.items():
            print(
                f"{kind:6} x{len(v)}: median {1000 * statistics.median(v):.2f} ms, slowest "
                f"{1000 * max(v):.2f} ms, origins changed (median) "
                f"{statistics.median(changed[kind]):.0f}"
            )
        med = statistics.median(every)
        p95 = 1000 * float(np.quantile(every, 0.95))
        print(
            f"a change: median {1000 * med:.2f} ms, p95 {p95:.2f} ms = {t_full / med:.0f}x "
            f"faster than a full reassessment; checked equal to a full run: {sorted(checked)}"
        )


if __name__ == "__main__":
    main()
