"""Scale: the full assessment on generated cities of 100k … 2M nodes, tiles, Dask, a ministry run.

Inputs are seeded grid-like street networks (``benchmarks.gen.grid_network``) written as real
``.osm.pbf`` files (streets as ``highway=residential`` ways, facilities as tagged OSM nodes that
the standard's own OSM rules classify), so the measured run is the product's path end to end:
read OSM → network → read facilities → snap → 30 items → coverage. Every measurement runs in a
fresh subprocess; memory is that process's peak resident set (``ru_maxrss``) after each stage.

    python benchmarks/bench_scale.py stages   [--sizes 100000,500000,1000000,2000000] [--runs 1]
    python benchmarks/bench_scale.py write    [--write-sizes 100000,500000]
    python benchmarks/bench_scale.py overhead [--size 1000000] [--tile-m 40000]
    python benchmarks/bench_scale.py workers  [--workers-size 500000] [--workers-tile-m 20000]
    python benchmarks/bench_scale.py ministry [--cities 200] [--workers 2] [--sample 6]

``stages`` stops at the coverage summary; ``write`` adds writing the CSV files (reach.csv has one
row per node and item: 60M rows at 2M nodes) and reports its time and memory separately.
Generated files are cached in ``--work`` (default: a folder in the system temp directory).
``ministry`` writes one job file listing every city (seeded sizes 100k–300k nodes, one seed per
city; ``reach_csv = false``), runs it with ``engine.batch.run_job`` on a local Dask cluster and
projects to more workers from the measured times; ``--sample N`` runs N of the cities only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_WORK = Path(tempfile.gettempdir()) / "quarterhour-bench-scale"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------------------------------
# generated cities as OSM files


def item_tags() -> list[tuple[str, dict[str, str]]]:
    """For each standard item with an OSM rule: tags that the standard classifies as that item."""
    from quarterhour.engine.standards import load_standard

    std = load_standard("beijing-2011")
    out = []
    for item in std.items:
        for rule in item.osm:
            tags = {c.key: c.values[0] for c in rule.conditions if c.positive and c.values}
            if tags and item.code in std.classify_osm(tags):
                out.append((item.code, tags))
                break
    return out


def write_city(path: Path, n_nodes: int, seed: int) -> dict[str, int]:
    """A generated city as .osm.pbf: grid streets plus facilities for every OSM-findable item."""
    import osmium

    from benchmarks.gen import grid_network

    net = grid_network(n_nodes, seed=seed)
    side = round(math.sqrt(n_nodes))
    u = net.edge_u.astype(np.int64)
    v = net.edge_v.astype(np.int64)
    ways: list[np.ndarray] = []
    for step in (1, side):  # rows, then columns: chains of consecutive kept links
        sel = v - u == step
        uu, vv = u[sel], v[sel]
        order = np.lexsort((uu // side, uu % side)) if step == side else np.argsort(uu)
        uu, vv = uu[order], vv[order]
        start = np.ones(uu.shape[0], dtype=bool)
        start[1:] = uu[1:] != vv[:-1]
        bounds = np.append(np.flatnonzero(start), uu.shape[0])
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            ways.append(np.append(uu[a:b], vv[b - 1]))
    rng = np.random.default_rng(seed + 1)
    x0, y0, x1, y1 = net.bounds()
    area_km2 = (x1 - x0) * 111.195 * math.cos(math.radians((y0 + y1) / 2)) * (y1 - y0) * 111.195
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.pbf")
    tmp.unlink(missing_ok=True)
    n_fac = 0
    with osmium.SimpleWriter(str(tmp)) as w:
        lon, lat = net.node_lon.tolist(), net.node_lat.tolist()
        for i in range(net.n_nodes):
            w.add_node(osmium.osm.mutable.Node(id=i + 1, location=(lon[i], lat[i])))
        fid = net.n_nodes + 1
        for _code, tags in item_tags():
            k = max(1, int(rng.uniform(0.3, 3.0) * area_km2))
            at = rng.choice(net.n_nodes, size=k, replace=False)
            dx = rng.uniform(-0.0002, 0.0002, k)
            dy = rng.uniform(-0.0002, 0.0002, k)
            for node, ddx, ddy in zip(at.tolist(), dx.tolist(), dy.tolist(), strict=True):
                w.add_node(
                    osmium.osm.mutable.Node(
                        id=fid, location=(lon[node] + ddx, lat[node] + ddy), tags=tags
                    )
                )
                fid += 1
                n_fac += 1
        for k, nodes in enumerate(ways):
            w.add_way(
                osmium.osm.mutable.Way(
                    id=k + 1, nodes=(nodes + 1).tolist(), tags={"highway": "residential"}
                )
            )
    tmp.rename(path)
    return {"nodes": net.n_nodes, "ways": len(ways), "facilities": n_fac}


def city_path(work: Path, n_nodes: int, seed: int = 0) -> Path:
    return work / f"grid-{n_nodes}-seed{seed}.osm.pbf"


def city_file(work: Path, n_nodes: int, seed: int = 0) -> Path:
    path = city_path(work, n_nodes, seed)
    if not path.exists():
        run_child(["gen", str(path), str(n_nodes), str(seed)])
    return path


# ------------------------------------------------------------------------------------------
# children (one measurement each)


def child_stages(path: Path, mode: str, tile_m: float, threads: int) -> dict[str, Any]:
    from quarterhour.engine.assessment import load_facility_file, load_network, summarise
    from quarterhour.engine.standards import load_standard

    std = load_standard("beijing-2011")
    out: dict[str, Any] = {"rss_start_mb": rss_mb(), "stages": []}

    def stage(name: str, t0: float) -> float:
        t1 = time.perf_counter()
        out["stages"].append({"stage": name, "seconds": t1 - t0, "peak_mb": rss_mb()})
        return t1

    t = time.perf_counter()
    t_all = t
    net, _, _ = load_network(path)
    t = stage("read_network", t)
    facilities = load_facility_file(path, std)
    t = stage("read_facilities", t)
    out["nodes"], out["edges"], out["facilities"] = net.n_nodes, net.n_edges, len(facilities)
    if mode.startswith("whole"):
        from quarterhour.engine.places import Origins
        from quarterhour.engine.reach import prepare, reach
        from quarterhour.engine.snapping import EdgeIndex

        origins = Origins.from_network_nodes(net)
        prep = prepare(net, origins, facilities, edge_index=EdgeIndex(net))
        t = stage("snap", t)
        limit = 1000.0
        res = reach(
            net,
            origins,
            facilities,
            item_codes=[i.code for i in std.items],
            limit_m=limit,
            workers=threads,
            prepared=prep,
        )
        t = stage("reach_30_items", t)
        summaries = summarise(res, std, speed_kmh=std.walking.speed_kmh)
        t = stage("coverage", t)
        if mode == "whole+write":
            from quarterhour.engine.assessment import Assessment
            from quarterhour.engine.outputs import write_assessment

            done = Assessment(
                standard=std,
                network=net,
                result=res,
                minutes=std.walking.minutes,
                speed_kmh=std.walking.speed_kmh,
                osm_derived=False,
                summaries=summaries,
            )
            with tempfile.TemporaryDirectory() as tmp:
                write_assessment(done, Path(tmp) / "out", export_network=False)
                out["reach_csv_mb"] = (Path(tmp) / "out" / "reach.csv").stat().st_size / 2**20
            t = stage("write_csv", t)
        del res, prep  # the same steps assess() runs, timed one by one
    else:
        from quarterhour.engine.tiling import assess_partitioned

        runner = None
        ctx = None
        if mode == "tiled-dask":
            from quarterhour.engine.batch import dask_client, dask_tile_runner

            ctx = dask_client(workers=2)
            client = ctx.__enter__()
            client.run(warm_up)  # a long-running cluster's workers have their kernels loaded
            runner = dask_tile_runner(client)
            t = stage("start_cluster", t)
        assess_partitioned(
            net, facilities, standard=std, tile_m=tile_m, workers=threads, run_tiles=runner
        )
        t = stage("tiles_and_merge", t)
        if ctx is not None:
            ctx.__exit__(None, None, None)
    out["seconds"] = time.perf_counter() - t_all
    out["peak_mb"] = rss_mb()
    return out


def warm_up() -> None:
    """Load the compiled kernels in this process (numba's on-disk cache)."""
    from quarterhour.engine.network import build_network
    from quarterhour.engine.places import Facility, Origins
    from quarterhour.engine.reach import reach

    net = build_network([116.0, 116.001, 116.002], [39.9, 39.9, 39.9], [0, 1], [1, 2])
    fac = [Facility("f", "", 116.0005, 39.9001, ("x",))]
    reach(net, Origins.from_network_nodes(net), fac, item_codes=["x"], limit_m=1000.0)


def child_ministry(job: Path, workers: int) -> dict[str, Any]:
    from quarterhour.engine.batch import dask_client, read_job, run_job

    t = time.perf_counter()
    with dask_client(workers=workers) as client:
        t_up = time.perf_counter() - t
        t = time.perf_counter()
        outcomes = run_job(read_job(job), client=client, force=True)
        seconds = time.perf_counter() - t
    return {
        "cluster_start_s": t_up,
        "seconds": seconds,
        "cities": [(o.name, o.status, o.seconds, o.origins, o.error) for o in outcomes],
    }


def run_child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "_child", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def child_main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "gen":
        res: dict[str, Any] = write_city(Path(argv[1]), int(argv[2]), int(argv[3]))
    elif kind == "stages":
        res = child_stages(Path(argv[1]), argv[2], float(argv[3]), int(argv[4]))
    elif kind == "ministry":
        res = child_ministry(Path(argv[1]), int(argv[2]))
    else:
        raise SystemExit(f"unknown child {kind}")
    print(json.dumps(res))


# ------------------------------------------------------------------------------------------
# the benchmarks


def median_run(args: list[str], runs: int) -> dict[str, Any]:
    results = [run_child(args) for _ in range(runs)]
    results.sort(key=lambda r: r["seconds"])
    return results[len(results) // 2]


def bench_write(work: Path, sizes: list[int]) -> None:
    print("== with the CSV files written (reach.csv: one row per node x item)")
    for n in sizes:
        r = run_child(["stages", str(city_file(work, n)), "whole+write", "0", "0"])
        w = r["stages"][-1]
        print(
            f"  {r['nodes']:>9} nodes: write {w['seconds']:6.1f} s, reach.csv "
            f"{r['reach_csv_mb']:.0f} MiB, peak {r['peak_mb']:.0f} MiB "
            f"(without writing: {r['stages'][-2]['peak_mb']:.0f} MiB)"
        )


def bench_stages(work: Path, sizes: list[int], runs: int, threads: int) -> None:
    print(f"== full assess by stage (threads={threads or 'all cores'}; median of {runs})")
    print(f"{'nodes':>9} {'stage':<16} {'seconds':>8} {'peak MiB':>9}")
    totals = []
    for n in sizes:
        path = city_file(work, n)
        r = median_run(["stages", str(path), "whole", "0", str(threads)], runs)
        for s in r["stages"]:
            print(f"{r['nodes']:>9} {s['stage']:<16} {s['seconds']:>8.2f} {s['peak_mb']:>9.0f}")
        print(f"{r['nodes']:>9} {'TOTAL':<16} {r['seconds']:>8.2f} {r['peak_mb']:>9.0f}")
        print(f"{'':>9} ({r['edges']} edges, {r['facilities']} facilities)")
        totals.append((r["nodes"], r["seconds"], r["peak_mb"]))
    base_n, base_t, _ = totals[0]
    for n, t, peak in totals:
        per = t / n * 1e6
        print(
            f"  {n:>9} nodes: {t:7.1f} s, {per:5.2f} µs/node "
            f"(x{(t / base_t) / (n / base_n):.2f} of linear from {base_n}), "
            f"peak {peak / 1024:.2f} GiB"
        )


def bench_overhead(work: Path, size: int, tile_m: float, threads: int, runs: int) -> None:
    path = city_file(work, size)
    whole = median_run(["stages", str(path), "whole", "0", str(threads)], runs)
    tiled = median_run(["stages", str(path), "tiled", str(tile_m), str(threads)], runs)

    def compute(r: dict[str, Any]) -> float:
        return sum(
            s["seconds"]
            for s in r["stages"]
            if s["stage"] not in ("read_network", "read_facilities")
        )

    print(f"== partitioned vs whole at {whole['nodes']} nodes (tiles {tile_m / 1000:g} km)")
    print(
        f"  whole:  compute {compute(whole):7.1f} s, total {whole['seconds']:7.1f} s, "
        f"peak {whole['peak_mb']:.0f} MiB"
    )
    print(
        f"  tiled:  compute {compute(tiled):7.1f} s, total {tiled['seconds']:7.1f} s, "
        f"peak {tiled['peak_mb']:.0f} MiB"
    )
    print(
        f"  overhead (compute): x{compute(tiled) / compute(whole):.2f}   "
        f"(total: x{tiled['seconds'] / whole['seconds']:.2f})"
    )


def bench_workers(work: Path, size: int, tile_m: float, runs: int) -> None:
    path = city_file(work, size)
    one = median_run(["stages", str(path), "tiled", str(tile_m), "1"], runs)
    both = median_run(["stages", str(path), "whole", "0", "0"], runs)
    dask = median_run(["stages", str(path), "tiled-dask", str(tile_m), "1"], runs)

    def compute(r: dict[str, Any]) -> float:
        skip = ("read_network", "read_facilities", "start_cluster")
        return sum(s["seconds"] for s in r["stages"] if s["stage"] not in skip)

    print(f"== one process vs 2 local Dask workers at {one['nodes']} nodes (compute only)")
    print(f"  tiles, one process, 1 thread:      {compute(one):7.1f} s")
    print(f"  whole, one process, 2 threads:     {compute(both):7.1f} s")
    print(
        f"  tiles, 2 Dask workers x 1 thread:  {compute(dask):7.1f} s "
        f"(x{compute(one) / compute(dask):.2f} faster than one process, 1 thread)"
    )


def ministry_cities(cities: int) -> list[tuple[str, int, int]]:
    """(name, nodes asked for, seed) of the ministry's cities: seeded sizes 100k–300k nodes."""
    sizes = np.random.default_rng(2026).integers(100_000, 300_001, size=cities)
    return [(f"city-{k:03d}", int(n), k) for k, n in enumerate(sizes.tolist())]


def list_schedule(seconds: list[float], workers: int) -> float:
    """Makespan of the tasks, in job order, each to the worker that frees first (as Dask does
    with one task per city and no data to move)."""
    free = [0.0] * workers
    for s in seconds:
        k = free.index(min(free))
        free[k] += s
    return max(free)


def loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def bench_ministry(work: Path, sample: int, cities: int, workers: int, gen_procs: int) -> None:
    """Every city in one job file, run with ``run_job`` on a local Dask cluster; reach.csv off."""
    from concurrent.futures import ThreadPoolExecutor

    plan = ministry_cities(cities)
    if sample:  # evenly spread over the job (sizes are random, so this is a fair sample)
        plan = [plan[k] for k in np.linspace(0, cities - 1, sample).round().astype(int).tolist()]
    print(f"== ministry run: {len(plan)} of {cities} cities (load average {loadavg()} at start)")

    # inputs: generated once, cached in --work; timed apart from the run
    missing = [c for c in plan if not city_path(work, c[1], c[2]).exists()]
    t = time.perf_counter()
    with ThreadPoolExecutor(max(1, gen_procs)) as pool:
        paths = list(pool.map(lambda c: city_file(work, c[1], seed=c[2]), plan))
    gen_s = time.perf_counter() - t
    input_mb = sum(p.stat().st_size for p in paths) / 2**20
    print(
        f"  inputs: {len(missing)} generated in {gen_s:.0f} s ({gen_procs} processes), "
        f"{len(plan) - len(missing)} cached; {input_mb:.0f} MiB of .osm.pbf"
    )

    lines = [
        'out = "results"',
        "[defaults]",
        'standard = "beijing-2011"',
        "threads = 1",
        "reach_csv = false  # summary, facilities and unsnapped files only",
        "",
    ]
    for (name, _n, _seed), path in zip(plan, paths, strict=True):
        lines += ["[[city]]", f'name = "{name}"', f'network = "{path}"', ""]
    job = work / "ministry" / "job.toml"
    job.parent.mkdir(parents=True, exist_ok=True)
    job.write_text("\n".join(lines), encoding="utf-8")
    load_before = loadavg()
    r = run_child(["ministry", str(job), str(workers)])
    load_after = loadavg()
    (job.parent / "run.json").write_text(json.dumps(r, indent=1), encoding="utf-8")

    done = [c for c in r["cities"] if c[1] == "done"]
    failed = [c for c in r["cities"] if c[1] != "done"]
    if not done:
        raise SystemExit(f"no city was assessed: {failed[:3]}")
    nodes = sum(c[3] for c in done)
    wall = r["seconds"]
    busy = sum(c[2] for c in done)
    per_node = wall * workers / nodes  # worker-seconds per node, from the wall time
    out_mb = sum(
        f.stat().st_size
        for name, _, _ in plan
        for f in (job.parent / "results" / name).glob("*")
        if f.is_file()
    )
    print(
        f"  run: {len(done)} done, {len(failed)} failed; {nodes / 1e6:.2f}M nodes assessed; "
        f"{wall:.0f} s wall ({wall / 60:.1f} min) on {workers} local workers "
        f"(+{r['cluster_start_s']:.1f} s cluster start); results {out_mb / 2**20:.0f} MiB"
    )
    for name, status, _secs, _n, err in failed:
        print(f"    {name}: {status} {err}")
    secs = sorted(c[2] for c in done)
    print(
        f"  per city: {secs[0]:.1f} s … {secs[-1]:.1f} s (median {secs[len(secs) // 2]:.1f} s); "
        f"sum of city times {busy:.0f} s ({busy / wall / workers:.0%} of {workers} workers' wall)"
    )
    print(
        f"  throughput: {per_node * 1e6:.1f} worker-µs per node (wall x workers / nodes); "
        f"{busy / nodes * 1e6:.1f} µs per node inside the tasks"
    )
    print(f"  load average (1/5/15 min): {load_before} before, {load_after} after")
    if len(plan) < cities:
        total = sum(n for _, n, _ in ministry_cities(cities))
        print(f"  all {cities} cities ({total / 1e6:.1f}M nodes) at that throughput:")
        for n_workers in (workers, 8, 32, 128):
            print(f"    on {n_workers:>3} workers: {total * per_node / n_workers / 60:6.1f} min")
    else:
        task_s = [c[2] for c in r["cities"] if c[1] == "done"]
        print("  projection (linear: worker-s / N; list schedule of the measured city times):")
        for n_workers in (8, 32, 128):
            lin = nodes * per_node / n_workers
            sched = list_schedule(task_s, n_workers)
            print(
                f"    on {n_workers:>3} workers: {lin / 60:6.1f} min linear, "
                f"{sched / 60:6.1f} min scheduled (longest city {secs[-1]:.0f} s)"
            )
    print(
        "  assumptions: each worker has a core of its own, as fast as a worker measured here "
        "(under the load above), and >= 2 GiB; inputs and results on storage every worker "
        "reaches at local-disk speed; "
        "one task per city, the scheduler's cost negligible at 200 tasks; reach.csv not written."
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child_main(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "what", nargs="*", default=["stages", "write", "overhead", "workers", "ministry"]
    )
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK)
    ap.add_argument("--sizes", default="100000,500000,1000000,2000000")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--write-sizes", default="100000,500000")
    ap.add_argument("--workers-size", type=int, default=500_000)
    ap.add_argument("--workers-tile-m", type=float, default=20_000.0)
    ap.add_argument("--tile-m", type=float, default=40_000.0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--sample", type=int, default=0, help="ministry: only this many cities")
    ap.add_argument("--gen-procs", type=int, default=2, help="ministry: generating processes")
    ap.add_argument("--cities", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
        f"load average {os.getloadavg()[0]:.1f} at start; medians of {a.runs} run(s)"
    )
    for what in a.what:
        t = time.perf_counter()
        if what == "stages":
            bench_stages(a.work, [int(s) for s in a.sizes.split(",")], a.runs, a.threads)
        elif what == "write":
            bench_write(a.work, [int(x) for x in a.write_sizes.split(",")])
        elif what == "overhead":
            bench_overhead(a.work, a.size, a.tile_m, a.threads, a.runs)
        elif what == "workers":
            bench_workers(a.work, a.workers_size, a.workers_tile_m, a.runs)
        elif what == "ministry":
            bench_ministry(a.work, a.sample, a.cities, a.workers, a.gen_procs)
        else:
            raise SystemExit(f"unknown benchmark {what}")
        print(f"  ({what}: {time.perf_counter() - t:.0f} s)\n")


if __name__ == "__main__":
    main()
