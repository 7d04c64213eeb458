"""Nearest facility for 30 items, all network nodes as origins, 1,000 m limit.

Side by side in one run, each measurement in a fresh subprocess (time and peak memory):

- ``ours``      quarterhour.engine.reach.reach end to end from the network arrays (snap the
                facilities, build the routing graph, 30 bounded multi-source passes, gather);
- ``raw``       the lower bound: 30 bare compiled multi-source Dijkstra passes on a prebuilt CSR,
                no snapping, no gathering (same threads as ``ours``);
- ``scipy``     30 bare ``scipy.sparse.csgraph.dijkstra(min_only=True, limit=...)`` passes;
- ``pandana``   pandana end to end: ``Network`` (contraction hierarchies) + ``precompute`` +
                ``set_pois``/``nearest_pois`` for each item; distances compared with ours.

Networks: the real Chengdu walk network and seeded grid-like networks (100k, 1M nodes).
Facilities sit on nodes (so that pandana, which snaps to nodes, gets the same input).

    python benchmarks/bench_reach.py [--sizes chengdu,100000,1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHENGDU = ROOT.parent / "shared" / "data" / "chengdu-osm-2018" / "chengdu.osm"
LIMIT_M = 1000.0
N_ITEMS = 30


def load(size: str):  # type: ignore[no-untyped-def]
    from benchmarks.gen import facilities_at_nodes, grid_network
    from quarterhour.engine.standards import load_standard

    codes = [i.code for i in load_standard("beijing-2011").items][:N_ITEMS]
    if size == "chengdu":
        from quarterhour.engine.osm_network import read_osm_network

        net, _ = read_osm_network(CHENGDU)
    else:
        net = grid_network(int(size), seed=0)
    return net, codes, facilities_at_nodes(net, codes, seed=1)


def child(mode: str, size: str, workers: int, dump: str | None) -> dict[str, float]:
    net, codes, facilities = load(size)
    from quarterhour.engine.places import Origins

    origins = Origins.from_network_nodes(net)
    out: dict[str, float] = {"nodes": net.n_nodes, "facilities": len(facilities)}
    if mode == "ours":
        from quarterhour.engine.reach import reach

        reach(net, origins, facilities[:5], item_codes=codes[:1], limit_m=LIMIT_M)  # JIT warm-up
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        res = reach(net, origins, facilities, item_codes=codes, limit_m=LIMIT_M, workers=workers)
        out["seconds"] = time.perf_counter() - t
        out["rss_before_mb"] = base / 1024
        if dump:
            np.save(dump, np.stack([res.items[c].distance_m for c in codes]))
    elif mode in ("raw", "scipy"):
        from concurrent.futures import ThreadPoolExecutor

        from quarterhour.engine._kernels import multi_source_dijkstra
        from quarterhour.engine.graph import routing_graph
        from quarterhour.engine.reach import prepare

        prep = prepare(net, origins, facilities)
        g, _ = routing_graph(net, [])
        by_item = [
            np.array(
                [prep.facility_node[i] for i, f in enumerate(facilities) if c in f.item_codes],
                dtype=np.int32,
            )
            for c in codes
        ]
        if mode == "raw":

            def one(src: np.ndarray) -> None:
                dist = np.empty(g.n_nodes)
                label = np.empty(g.n_nodes, dtype=np.int32)
                multi_source_dijkstra(
                    g.indptr,
                    g.indices,
                    g.weights,
                    src,
                    np.zeros(src.size),
                    np.arange(src.size, dtype=np.int32),
                    LIMIT_M,
                    dist,
                    label,
                )

            one(by_item[0][:3])
            t = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(one, by_item))
            out["seconds"] = time.perf_counter() - t
        else:
            from scipy.sparse.csgraph import dijkstra

            csr = g.csr()
            t = time.perf_counter()
            for src in by_item:
                dijkstra(csr, indices=src, min_only=True, limit=LIMIT_M)
            out["seconds"] = time.perf_counter() - t
    elif mode == "pandana":
        import pandana
        import pandas as pd

        t = time.perf_counter()
        pn = pandana.Network(
            pd.Series(net.node_lon),
            pd.Series(net.node_lat),
            pd.Series(net.edge_u.astype(np.int64)),
            pd.Series(net.edge_v.astype(np.int64)),
            pd.DataFrame({"w": net.edge_length_m}),
            twoway=True,
        )
        pn.precompute(LIMIT_M)
        dists = []
        for c in codes:
            idx = [i for i, f in enumerate(facilities) if c in f.item_codes]
            xs = pd.Series([facilities[i].lon for i in idx], index=idx)
            ys = pd.Series([facilities[i].lat for i in idx], index=idx)
            pn.set_pois(c, LIMIT_M, 1, xs, ys)
            r = pn.nearest_pois(LIMIT_M, c, num_pois=1)
            dists.append(r[1].to_numpy(dtype=np.float64))
        out["seconds"] = time.perf_counter() - t
        if dump:
            np.save(dump, np.stack(dists))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(mode: str, size: str, workers: int, dump: str | None = None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", mode, "--size", size, "--workers", str(workers)]
    if dump:
        cmd += ["--dump", dump]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="chengdu,100000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pandana-max", type=int, default=100_000)
    ap.add_argument("--pandana-runs", type=int, default=2)
    ap.add_argument("--child")
    ap.add_argument("--size")
    ap.add_argument("--dump")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.size, a.workers, a.dump)))
        return
    tmp = Path("/tmp")
    for size in a.sizes.split(","):
        rows: dict[str, list[dict[str, float]]] = {}
        modes = [("ours", a.workers), ("ours", 1), ("raw", a.workers), ("raw", 1), ("scipy", 1)]
        nodes = measure("ours", size, a.workers)["nodes"]
        if nodes <= a.pandana_max:
            modes.append(("pandana", 2))
        for mode, w in modes:
            runs = a.pandana_runs if mode == "pandana" else a.runs
            key = f"{mode}[{w}t]"
            rows[key] = [measure(mode, size, w) for _ in range(runs)]
        med = {k: statistics.median(r["seconds"] for r in v) for k, v in rows.items()}
        mem = {k: max(r["peak_rss_mb"] for r in v) for k, v in rows.items()}
        first = rows[f"ours[{a.workers}t]"][0]
        print(
            f"\n== {size}: {int(first['nodes']):,} nodes, {int(first['facilities']):,} facilities, "
            f"{N_ITEMS} items, limit {LIMIT_M:.0f} m, runs {a.runs}"
        )
        print(f"{'':16}{'median s':>10}{'peak MiB':>10}{'ours/this':>11}")
        ours = med[f"ours[{a.workers}t]"]
        for k in med:
            print(f"{k:16}{med[k]:10.3f}{mem[k]:10.0f}{ours / med[k]:11.3f}")
        vs_raw = ours / med[f"raw[{a.workers}t]"]
        vs_scipy = ours / med["scipy[1t]"]
        print(
            f"pipeline overhead vs raw kernel ({a.workers} threads): {vs_raw:.2f}x; "
            f"vs 30 scipy passes: {vs_scipy:.2f}x"
        )
        if "pandana[2t]" in med:
            d_ours = str(tmp / f"qh-ours-{size}.npy")
            d_pan = str(tmp / f"qh-pandana-{size}.npy")
            measure("ours", size, a.workers, d_ours)
            measure("pandana", size, 2, d_pan)
            x, y = np.load(d_ours), np.load(d_pan)
            both = np.isfinite(x) & (y < LIMIT_M)
            reach_agree = float(np.mean(np.isfinite(x) == (y < LIMIT_M - 1e-3)))
            slower = med["pandana[2t]"] / ours
            max_diff = np.max(np.abs(x[both] - y[both]))
            print(
                f"pandana end to end is {slower:.0f}x slower; distances where both reach: "
                f"max |diff| {max_diff:.4f} m over {both.sum():,} pairs; "
                f"reachable/unreachable agree on {reach_agree:.4%}"
            )


if __name__ == "__main__":
    main()
