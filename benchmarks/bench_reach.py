"""Nearest facility for 30 items, all network nodes as origins, 1,000 m limit: ours vs peers.

Side by side in one run, each measurement in a fresh subprocess that reads the network from its
``.npz`` file as the platform keeps it (wall and CPU time, peak memory):

- ``ours``       quarterhour.engine.reach.reach with the network's contraction hierarchy and
                 snapping index kept (read from their files before the clock starts, the index
                 mapped, as kept with a stored network) and the facilities' columns made
                 when they are read (``indexed``: coordinates, groups by item; their time is
                 printed with the preprocessing): snap the facilities (lookups only), sweep 16
                 items a pass, gather;
- ``ours-cold``  the same with the snapping index built in the run (``--cold``);
- ``build``      preprocessing, once per network: contract the hierarchy (and write it, and
                 the snapping index beside it);
- ``dijkstra``   reach without a hierarchy: one bounded multi-source Dijkstra per item (the
                 path a one-off command-line run takes);
- ``scipy``      30 bare ``scipy.sparse.csgraph.dijkstra(min_only=True, limit=...)`` passes on
                 a prebuilt CSR (no snapping, no facility names);
- ``pandana``    end to end: ``Network`` (contraction hierarchy) + ``precompute`` +
                 ``set_pois``/``nearest_pois`` per item;
- ``routingkit`` pyroutingkit (RoutingKit's customizable contraction hierarchy): topology
                 with one virtual source per item joined to its facilities at 0 m, metric in
                 whole millimetres (uint32), then for each item the distance from its virtual
                 source to every node (``distances_many_to_many``); no limit, no facility names.

Networks: the real Chengdu walk network and seeded grid-like networks (100k, 1M, 2M nodes).
Facilities sit on nodes (so that pandana, which snaps to nodes, gets the same input). Origins
are the nodes, or with ``--origins points`` as many homes off them (scattered ~10 m around
nodes picked at random, seeded, and snapped onto edges as residents are; ours and the Dijkstra
path only, the scipy passes still on the nodes). The answers are compared: ours vs the
Dijkstra path (facility named, distance), vs pandana and RoutingKit (distance).

    python benchmarks/bench_reach.py [--sizes chengdu,100000,1000000,2000000] [--runs 3]
                                     [--origins nodes|points] [--repeat K]

``--repeat K``: ours and scipy run K more times in each process after the first, each run's
answers replacing the last's (a platform worker's what-ifs and assessments); their medians are
printed beside the first runs'.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHENGDU = ROOT.parent / "shared" / "data" / "chengdu-osm-2018" / "chengdu.osm"
LIMIT_M = 1000.0
N_ITEMS = 30
TMP = Path(os.environ.get("TMPDIR", "/tmp"))
NETWORK_ARRAYS = ("node_lon", "node_lat", "edge_u", "edge_v", "edge_length_m", "node_osm_id")


def network_file(size: str) -> Path:
    return TMP / f"qh-bench-network-{size}.npz"


def load(size: str):  # type: ignore[no-untyped-def]
    """The network (read from its ``.npz`` file as the platform keeps it, written on first
    use), the item codes and the facilities (with their columns, as a planning run reads a
    register: :func:`~quarterhour.engine.facility_items.indexed`)."""
    from benchmarks.gen import facilities_at_nodes, grid_network
    from quarterhour.engine.facility_items import indexed
    from quarterhour.engine.network import WalkNetwork
    from quarterhour.engine.standards import load_standard

    codes = [i.code for i in load_standard("beijing-2011").items][:N_ITEMS]
    path = network_file(size)
    if not path.exists():
        if size == "chengdu":
            from quarterhour.engine.osm_network import read_osm_network

            built, _ = read_osm_network(CHENGDU)
        else:
            built = grid_network(int(size), seed=0)
        np.savez(path, **{k: getattr(built, k) for k in NETWORK_ARRAYS})
    with np.load(path) as z:
        net = WalkNetwork(**{k: z[k] for k in NETWORK_ARRAYS})
    return net, codes, indexed(facilities_at_nodes(net, codes, seed=1))


def hierarchy_file(size: str) -> Path:
    return TMP / f"qh-bench-hierarchy-{size}.npz"


def edge_index_file(size: str) -> Path:
    return TMP / f"qh-bench-edges-{size}.npz"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def homes(net: Any) -> Any:
    """One origin per node, each scattered ~10 m (one standard deviation, ~1e-4 degrees) around
    a node picked at random (seeded)."""
    from quarterhour.engine.places import Origins

    rng = np.random.default_rng(7)
    n = net.n_nodes
    at = rng.integers(0, n, n)
    lon = net.node_lon[at] + rng.normal(0.0, 1e-4, n)
    lat = net.node_lat[at] + rng.normal(0.0, 1e-4, n)
    return Origins.from_points([str(i) for i in range(n)], lon, lat)


def again_medians(timed: list[tuple[float, float]]) -> dict[str, float]:
    """The medians of a process's later runs, (wall, CPU) seconds each."""
    return {
        "again_seconds": statistics.median(w for w, _ in timed),
        "again_cpu_seconds": statistics.median(c for _, c in timed),
    }


def child(
    mode: str,
    size: str,
    workers: int,
    dump: str | None,
    *,
    origin_kind: str = "nodes",
    repeat: int = 0,
) -> dict[str, float]:
    net, codes, facilities = load(size)
    from quarterhour.engine.places import Origins

    origins = Origins.from_network_nodes(net) if origin_kind == "nodes" else homes(net)
    out: dict[str, float] = {"nodes": net.n_nodes, "facilities": len(facilities)}
    by_item = [[i for i, f in enumerate(facilities) if c in f.item_codes] for c in codes]
    if mode == "build":
        from quarterhour.engine.hierarchy import build_hierarchy
        from quarterhour.engine.network import build_network
        from quarterhour.engine.reach import _LIMIT_SLACK

        tiny = build_network(net.node_lon[:3], net.node_lat[:3], [0, 1], [1, 2])
        build_hierarchy(tiny, bound_m=LIMIT_M)  # compile / load the kernels
        base = peak_mb()
        t, t_cpu = time.perf_counter(), time.process_time()
        built = build_hierarchy(net, bound_m=LIMIT_M + _LIMIT_SLACK)
        out["seconds"] = time.perf_counter() - t
        out["cpu_seconds"] = time.process_time() - t_cpu
        out["arcs"] = built.n_arcs
        out["hierarchy_mb"] = built.nbytes() / 2**20
        out["extra_mb"] = peak_mb() - base
        built.save(hierarchy_file(size))
        # the snapping index too (once per network, as a stored network keeps it: written when
        # missing or stale): a measured run that built it would count its memory in that run's
        # peak (1M: 1,087 MiB, not 974)
        from quarterhour.engine.snapping import kept_edge_index

        kept_edge_index(net, path=edge_index_file(size))
        from quarterhour.engine.facility_items import IndexedFacilities

        t = time.perf_counter()
        IndexedFacilities(tuple(facilities))  # what ``load`` did: the columns, once per register
        out["columns_seconds"] = time.perf_counter() - t
    elif mode in ("ours", "ours-cold", "dijkstra"):
        from quarterhour.engine.hierarchy import Hierarchy
        from quarterhour.engine.reach import prepare, reach
        from quarterhour.engine.snapping import kept_edge_index

        h = Hierarchy.load(hierarchy_file(size)) if mode != "dijkstra" else None
        if mode == "ours":  # the snapping index kept beside the network (written by ``build``)
            kept_edge_index(net, path=edge_index_file(size))
        warm = facilities[:50]
        reach(
            net,
            origins,
            warm,
            item_codes=codes[:2],
            limit_m=LIMIT_M,
            prepared=prepare(net, origins, warm, hierarchy=h),
        )  # compile / load kernels

        def once() -> tuple[tuple[float, float], tuple[float, float], Any]:
            t, t_cpu = time.perf_counter(), time.process_time()
            prep = prepare(net, origins, facilities, hierarchy=h)
            snapped = time.perf_counter() - t, time.process_time() - t_cpu
            res = reach(
                net, origins, facilities, item_codes=codes, limit_m=LIMIT_M, workers=workers,
                prepared=prep,
            )  # fmt: skip
            return (time.perf_counter() - t, time.process_time() - t_cpu), snapped, res

        (out["seconds"], out["cpu_seconds"]), snapped, res = once()
        out["snap_seconds"], out["snap_cpu_seconds"] = snapped
        out["peak_rss_mb"] = peak_mb()  # the first run's (later runs hold two runs' answers)
        if repeat:  # the process goes on: each run's answers replace the last run's
            again = []
            for _ in range(repeat):
                wall_cpu, _, res = once()
                again.append(wall_cpu)
            out.update(again_medians(again))
            out["again_peak_rss_mb"] = peak_mb()
        if dump:
            np.savez(
                dump,
                d=np.stack([res.items[c].distance_m for c in codes]),
                f=np.stack([res.items[c].facility for c in codes]),
            )
    elif mode == "scipy":
        from scipy.sparse.csgraph import dijkstra

        from quarterhour.engine.graph import routing_graph
        from quarterhour.engine.reach import prepare

        prep = prepare(net, origins, facilities)
        assert prep.routed is not None
        fnode = prep.routed.facility_node
        g, _ = routing_graph(net, [])
        csr = g.csr()
        sources = [np.asarray(fnode[idx], dtype=np.int32) for idx in by_item]
        blocks: list[tuple[float, float]] = []
        for _ in range(1 + repeat):
            t, t_cpu = time.perf_counter(), time.process_time()
            for src in sources:
                dijkstra(csr, indices=src, min_only=True, limit=LIMIT_M)
            blocks.append((time.perf_counter() - t, time.process_time() - t_cpu))
        out["seconds"], out["cpu_seconds"] = blocks[0]
        if repeat:
            out.update(again_medians(blocks[1:]))
    elif mode == "pandana":
        import pandana
        import pandas as pd

        t, t_cpu = time.perf_counter(), time.process_time()
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
        for c, idx in zip(codes, by_item, strict=True):
            xs = pd.Series([facilities[i].lon for i in idx], index=idx)
            ys = pd.Series([facilities[i].lat for i in idx], index=idx)
            pn.set_pois(c, LIMIT_M, 1, xs, ys)
            r = pn.nearest_pois(LIMIT_M, c, num_pois=1)
            dists.append(r[1].to_numpy(dtype=np.float64))
        out["seconds"] = time.perf_counter() - t
        out["cpu_seconds"] = time.process_time() - t_cpu
        if dump:
            np.savez(dump, d=np.stack(dists))
    elif mode == "routingkit":
        import pyroutingkit as prk

        from quarterhour.engine.reach import prepare

        prep = prepare(net, origins, facilities)
        assert prep.routed is not None
        fnode = prep.routed.facility_node
        n = net.n_nodes
        mm = np.round(net.edge_length_m * 1000.0).astype(np.uint32)
        tails = [net.edge_u, net.edge_v]
        heads = [net.edge_v, net.edge_u]
        weights = [mm, mm]
        for k, idx in enumerate(by_item):  # virtual source n + k -> the item's facilities
            f = np.unique(fnode[idx]).astype(np.uint32)
            tails.append(np.full(f.size, n + k, dtype=np.uint32))
            heads.append(f)
            weights.append(np.zeros(f.size, dtype=np.uint32))
        tail = np.concatenate(tails).astype(np.uint32)
        head = np.concatenate(heads).astype(np.uint32)
        w = np.concatenate(weights)
        order = np.lexsort((head, tail))
        lat = np.concatenate([net.node_lat, np.full(N_ITEMS, net.node_lat.mean())])
        lon = np.concatenate([net.node_lon, np.full(N_ITEMS, net.node_lon.mean())])
        t, t_cpu = time.perf_counter(), time.process_time()
        topo = prk.CCHTopology()
        topo.build(
            tail[order], head[order], lat.astype(np.float32), lon.astype(np.float32), n + N_ITEMS
        )
        metric = prk.CCHMetric(topo)
        metric.customize(w[order])
        out["build_seconds"] = time.perf_counter() - t
        targets = np.arange(n, dtype=np.uint32)
        t, t_cpu = time.perf_counter(), time.process_time()
        dists = []
        for k in range(N_ITEMS):
            d = metric.distances_many_to_many(np.array([n + k], dtype=np.uint32), targets)[0]
            dists.append(np.where(d <= LIMIT_M * 1000, d / 1000.0, np.inf))
        out["seconds"] = time.perf_counter() - t
        out["cpu_seconds"] = time.process_time() - t_cpu
        if dump:
            np.savez(dump, d=np.stack(dists))
    out.setdefault("peak_rss_mb", peak_mb())
    return out


def measure(
    mode: str,
    size: str,
    workers: int,
    dump: str | None = None,
    *,
    origin_kind: str = "nodes",
    repeat: int = 0,
) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", mode, "--size", size, "--workers", str(workers)]
    cmd += ["--origins", origin_kind, "--repeat", str(repeat)]
    if dump:
        cmd += ["--dump", dump]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} {size}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="chengdu,100000,1000000,2000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="also without the kept snapping index")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pandana-max", type=int, default=100_000)
    ap.add_argument("--routingkit-max", type=int, default=100_000)
    ap.add_argument("--slow-runs", type=int, default=1, help="runs of pandana and RoutingKit")
    ap.add_argument("--child")
    ap.add_argument("--size")
    ap.add_argument("--dump")
    ap.add_argument("--origins", choices=("nodes", "points"), default="nodes")
    ap.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="ours and scipy: this many more runs in the same process after the first (each "
        "run's answers replacing the last run's, as a platform worker's do); their median too",
    )
    a = ap.parse_args()
    if a.child:
        print(
            json.dumps(
                child(a.child, a.size, a.workers, a.dump, origin_kind=a.origins, repeat=a.repeat)
            )
        )
        return
    kind = a.origins
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    for size in a.sizes.split(","):
        build = measure("build", size, a.workers)
        nodes = int(build["nodes"])
        rows: dict[str, list[dict[str, float]]] = {}
        modes = [("ours", a.workers), ("ours", 1), ("dijkstra", a.workers), ("scipy", 1)]
        if a.cold:
            modes[2:2] = [("ours-cold", a.workers), ("ours-cold", 1)]
        if nodes <= a.pandana_max and kind == "nodes":  # both answer for nodes only
            modes.append(("pandana", 2))
        if nodes <= a.routingkit_max and kind == "nodes":
            modes.append(("routingkit", 2))
        for mode, w in modes:
            runs = a.slow_runs if mode in ("pandana", "routingkit") else a.runs
            again = a.repeat if mode in ("ours", "scipy") else 0
            rows[f"{mode}[{w}t]"] = [
                measure(mode, size, w, origin_kind=kind, repeat=again) for _ in range(runs)
            ]
        med = {k: statistics.median(r["seconds"] for r in v) for k, v in rows.items()}
        cpu = {k: statistics.median(r["cpu_seconds"] for r in v) for k, v in rows.items()}
        mem = {k: max(r["peak_rss_mb"] for r in v) for k, v in rows.items()}
        ours = med[f"ours[{a.workers}t]"]
        print(
            f"\n== {size}: {nodes:,} nodes, {int(build['facilities']):,} facilities, "
            f"{N_ITEMS} items, limit {LIMIT_M:.0f} m, runs {a.runs}, "
            f"load {os.getloadavg()[0]:.2f}"
            + (
                ", origins: as many homes off the nodes (scipy: the nodes)"
                if kind == "points"
                else ""
            )
        )
        print(
            f"preprocessing (once per network): hierarchy {build['seconds']:.2f} s, "
            f"{int(build['arcs']):,} arcs, {build['hierarchy_mb']:.0f} MiB kept, "
            f"+{build['extra_mb']:.0f} MiB while building; the facilities' columns (once per "
            f"register) {build['columns_seconds'] * 1000:.1f} ms"
        )
        # wall time suffers from other jobs on a shared machine; CPU time of the process far less
        ours_cpu = cpu[f"ours[{a.workers}t]"]
        print(
            f"{'':18}{'median s':>10}{'CPU s':>9}{'peak MiB':>10}{'this/ours':>11}"
            f"{'CPU this/ours':>15}"
        )
        for k in med:
            print(
                f"{k:18}{med[k]:10.4f}{cpu[k]:9.4f}{mem[k]:10.0f}{med[k] / ours:11.1f}"
                f"{cpu[k] / ours_cpu:15.1f}"
            )
        ours_rows = rows[f"ours[{a.workers}t]"]
        snap = statistics.median(r["snap_seconds"] for r in ours_rows)
        snap_cpu = statistics.median(r["snap_cpu_seconds"] for r in ours_rows)
        sweeps_cpu = statistics.median(r["cpu_seconds"] - r["snap_cpu_seconds"] for r in ours_rows)
        print(
            f"ours: of which snapping the facilities{' and homes' if kind == 'points' else ''} "
            f"{snap:.3f} s ({snap_cpu:.3f} s CPU); "
            f"sweeps and gathering {sweeps_cpu:.3f} s CPU "
            f"(30 scipy passes / that: {cpu['scipy[1t]'] / sweeps_cpu:.1f}x CPU)"
        )
        if a.repeat:
            ag = {
                k: (
                    statistics.median(r["again_seconds"] for r in rows[k]),
                    statistics.median(r["again_cpu_seconds"] for r in rows[k]),
                )
                for k in (f"ours[{a.workers}t]", "ours[1t]", "scipy[1t]")
            }
            mine = ag[f"ours[{a.workers}t]"]
            print(
                f"the process going on (runs 2-{a.repeat + 1} of each process, each run's answers "
                "replacing the last's; medians): "
                + "; ".join(f"{k} {w:.4f} s ({c:.4f} s CPU)" for k, (w, c) in ag.items())
                + f"; 30 scipy passes / ours {ag['scipy[1t]'][0] / mine[0]:.1f}x wall, "
                f"{ag['scipy[1t]'][1] / mine[1]:.1f}x CPU"
            )
        if "routingkit[2t]" in rows:
            rk = statistics.median(r["build_seconds"] for r in rows["routingkit[2t]"])
            print(f"routingkit: topology + customization {rk:.2f} s (not in the time above)")
        oneoff = build["seconds"] + ours
        print(
            f"one-off run, building the hierarchy first: {oneoff:.2f} s vs Dijkstra path "
            f"{med[f'dijkstra[{a.workers}t]']:.2f} s (a one-off run takes the Dijkstra path)"
        )
        print(
            f"30 scipy passes / ours: {med['scipy[1t]'] / ours:.1f}x wall, "
            f"{cpu['scipy[1t]'] / ours_cpu:.1f}x CPU"
        )
        # the answers, compared
        d_ours = str(TMP / f"qh-ours-{size}.npz")
        d_dij = str(TMP / f"qh-dij-{size}.npz")
        measure("ours", size, a.workers, d_ours, origin_kind=kind)
        measure("dijkstra", size, a.workers, d_dij, origin_kind=kind)
        x, y = np.load(d_ours), np.load(d_dij)
        same_reach = np.array_equal(np.isnan(x["d"]), np.isnan(y["d"]))
        both = ~np.isnan(x["d"])
        print(
            f"ours vs Dijkstra path: reachable pairs {int(both.sum()):,} (same set: {same_reach}), "
            f"max |distance difference| {np.max(np.abs(x['d'][both] - y['d'][both])):.2e} m, "
            f"facility named differs in {int((x['f'] != y['f']).sum())} pairs"
        )
        for peer in ("pandana", "routingkit"):
            if f"{peer}[2t]" not in rows:
                continue
            d_peer = str(TMP / f"qh-{peer}-{size}.npz")
            measure(peer, size, 2, d_peer)
            z = np.load(d_peer)["d"]
            ok = both & (z < LIMIT_M)
            agree = float(np.mean(both == (z < LIMIT_M - 1e-3)))
            print(
                f"{peer}: distances where both reach: max |diff| "
                f"{np.max(np.abs(x['d'][ok] - z[ok])):.4f} m over {int(ok.sum()):,} pairs; "
                f"reachable/unreachable agree on {agree:.4%}"
            )


if __name__ == "__main__":
    main()
