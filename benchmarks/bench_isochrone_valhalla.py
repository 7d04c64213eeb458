"""Near me's walking area vs Valhalla's isochrone service (pyvalhalla), on the same real network.

    pip install -e ".[bench]"          # pyvalhalla-weekly: bindings + valhalla_build_tiles
    python benchmarks/bench_isochrone_valhalla.py [--points 200] [--city sao-paulo|chengdu|all]
                                                  [--seed 7] [--build-threads 1]

Network: a real OpenStreetMap extract (© OpenStreetMap contributors, ODbL 1.0) from the shared
data folder beside the repository: São Paulo's ``spo_osm.pbf`` (r5py's sample data) and, with
``--city chengdu`` or ``all``, central Chengdu's ``chengdu.osm`` (OSM XML, written to PBF with
pyosmium first, since Valhalla reads PBF only).

- **ours**: the platform's walk network is the engine's OSM reader's answer
  (``read_osm_network``), stored in a fresh SQLite platform in a temporary data directory;
  each request is the walking area ``/near.json`` computes, ``portal.areas.walk_area_at``
  (snap, bounded search, the engine's isochrone on the reached part, the walked streets and
  the GeoJSON), with ``QUARTERHOUR_WALK_AREA_KEEP=0`` so every request is computed and none is
  read back; also the area alone (``walking.reach_from`` + ``walking.walk_area``). The limit is
  the platform's: ``portal.selectors.walk_profile`` (the standard's minutes × adult pace).
- **Valhalla**: ``valhalla_build_tiles`` builds routing tiles from the same PBF into a temporary
  directory (timed: preprocessing, like the hierarchy build in ``bench_reach``); each request
  is ``valhalla.Actor(config).isochrone(json)`` in process, ``costing: pedestrian`` with
  ``walking_speed`` = the platform's pace and ``contours: [{"time": minutes}]``,
  ``polygons: true`` (Valhalla's defaults otherwise: ``denoise`` 1 keeps the largest ring).

Both sides are warm (one request first: network, index and tiles loaded, as a platform worker
holds them) and answer the same seeded points (random network nodes in the middle 80 % of the
extract, moved up to ±40 m). Each side runs in its own process, so peak RSS is its own
(``VmHWM``; for ours it includes reading the OSM file and Django; "warm RSS" is the resident
size after loading, what a worker keeps). Ratio = Valhalla p95 / ours p95.

The answers are compared, not forced to agree: areas in the extract's UTM zone (pyproj), the
intersection over union, and, over our network's nodes, the share of the nodes in one polygon
that the other also covers, and the share of the nodes within the limit on our network (exact
walking distance) that Valhalla's polygon covers. The algorithms differ by design: ours is the
union of the walked street pieces (exact distances on our network, a 25 m street corridor);
Valhalla's is a contour drawn over a grid of its own graph's travel times (cells,
generalisation, the largest ring), and the two graphs are built from the same file by different
walking rules.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"


@dataclass(frozen=True, slots=True)
class City:
    key: str
    name: str
    source: Path


CITIES = {
    "sao-paulo": City("sao-paulo", "São Paulo", SHARED / "sao-paulo-r5py" / "spo_osm.pbf"),
    "chengdu": City("chengdu", "Chengdu 成都", SHARED / "chengdu-osm-2018" / "chengdu.osm"),
}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[int(q * (len(s) - 1))]


def _status_mib(field: str, pid: int | str = "self") -> float:
    """A memory line of /proc/<pid>/status in MiB (NaN once the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_now_mib() -> float:
    return _status_mib("VmRSS")


def peak_rss_mib() -> float:
    """This process's own peak resident size (VmHWM: of its address space since exec; unlike
    ``ru_maxrss``, not raised by the parent's size at the fork)."""
    return _status_mib("VmHWM")


def clock() -> tuple[float, float]:
    """(wall, this process's CPU) seconds: on a shared machine the CPU time is the fairer one."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float], wall: list[float], cpu: list[float]) -> None:
    wall.append(time.perf_counter() - start[0])
    cpu.append(time.process_time() - start[1])


def run_measured(cmd: list[str], *, cwd: Path) -> tuple[float, float]:
    """Run ``cmd`` to its end: (seconds, its peak RSS in MiB, read from /proc every 10 ms);
    raises on failure."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd)
    peak = 0.0
    while proc.poll() is None:
        seen = _status_mib("VmHWM", proc.pid)
        if seen == seen:  # not NaN
            peak = max(peak, seen)
        time.sleep(0.01)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} ended with {proc.returncode}")
    return seconds, peak


# --- the preparation (parent process) ---------------------------------------------------------


def as_pbf(city: City, work: Path) -> Path:
    """The city's extract as PBF (Valhalla reads PBF only): XML is written out with pyosmium."""
    if city.source.suffix == ".pbf":
        return city.source
    import osmium

    out = work / f"{city.key}.osm.pbf"
    t = time.perf_counter()
    writer = osmium.SimpleWriter(str(out))
    try:
        for obj in osmium.FileProcessor(str(city.source)):
            writer.add(obj)
    finally:
        writer.close()
    print(f"  {city.source.name} → {out.name} with pyosmium ({time.perf_counter() - t:.1f} s)")
    return out


def request_points(pbf: Path, *, n: int, seed: int) -> list[tuple[float, float]]:
    """Seeded points near the network: nodes in the middle 80 % of the extract, ±40 m."""
    from quarterhour.engine.osm_network import read_osm_network

    net, _report = read_osm_network(pbf)
    lon, lat = net.node_lon, net.node_lat
    x0, x1 = np.quantile(lon, [0.1, 0.9])
    y0, y1 = np.quantile(lat, [0.1, 0.9])
    inner = np.flatnonzero((lon > x0) & (lon < x1) & (lat > y0) & (lat < y1))
    rng = np.random.default_rng(seed)
    chosen = rng.choice(inner, n, replace=False)
    dlat = 40.0 / 111_320.0
    dlon = dlat / np.cos(np.radians(float(np.median(lat))))
    return [
        (
            float(lon[k] + rng.uniform(-dlon, dlon)),
            float(lat[k] + rng.uniform(-dlat, dlat)),
        )
        for k in chosen
    ]


def build_tiles(pbf: Path, work: Path, *, threads: int) -> dict[str, Any]:
    """Valhalla's routing tiles from ``pbf`` into ``work/tiles``: time, peak RSS, size."""
    import valhalla

    tiles = work / "tiles"
    tiles.mkdir()
    config = valhalla.get_config(tile_extract="", tile_dir=tiles, verbose=False)
    config["mjolnir"]["concurrency"] = threads
    path = work / "valhalla.json"
    path.write_text(json.dumps(config))
    exe = Path(valhalla.PYVALHALLA_DIR) / "bin" / "valhalla_build_tiles"
    # in the temporary folder: the builder writes duplicateways.txt where it runs
    cmd = [str(exe), "-c", str(path), "-j", str(threads), str(pbf)]
    seconds, peak = run_measured(cmd, cwd=work)
    files = [p for p in tiles.rglob("*") if p.is_file()]
    return {
        "config": str(path),
        "seconds": seconds,
        "peak_mib": peak,
        "tiles": len(files),
        "mib": sum(p.stat().st_size for p in files) / 2**20,
        "version": valhalla.__version__,
    }


# --- the two sides (each in its own process) --------------------------------------------------


def side_ours(work: Path) -> None:
    job = json.loads((work / "job.json").read_text())
    data_dir = work / "data"
    data_dir.mkdir()
    os.environ.update(
        {
            "QUARTERHOUR_DATA_DIR": str(data_dir),
            "DATABASE_URL": "",
            "LOG_LEVEL": "WARNING",
            "QUARTERHOUR_WALK_AREA_KEEP": "0",  # every request computed, none read back
        }
    )
    from quarterhour.platform.bootstrap import setup

    setup("quarterhour.platform.settings.base")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from quarterhour.engine.osm_network import read_osm_network
    from quarterhour.platform.planning.networks import store_network
    from quarterhour.platform.portal import areas, selectors, walking

    t = time.perf_counter()
    net, _report = read_osm_network(job["pbf"])
    read_s = time.perf_counter() - t
    store_network(net, name=Path(job["pbf"]).name, attribution=ATTRIBUTION)
    t = time.perf_counter()
    data = walking.walk_data()  # routing arrays and the edge index, once per worker
    load_s = time.perf_counter() - t
    limit_m, speed_kmh, minutes = selectors.walk_profile(elderly=False)
    pts = [tuple(p) for p in job["points"]]
    areas.walk_area_at(data, pts[0][0], pts[0][1], limit_m=limit_m)  # warm-up
    warm_rss = rss_now_mib()
    load0 = os.getloadavg()
    whole: list[float] = []
    whole_cpu: list[float] = []
    area_only: list[float] = []
    area_cpu: list[float] = []
    answers: list[dict[str, Any] | None] = []
    reached: list[list[int]] = []
    for lon, lat in pts:
        t0 = clock()
        try:
            got, kept = areas.walk_area_at(data, lon, lat, limit_m=limit_m)
        except walking.PointOffNetworkError:
            answers.append(None)
            reached.append([])
            continue
        since(t0, whole, whole_cpu)
        if kept:
            raise SystemExit("a walking area was read back; QUARTERHOUR_WALK_AREA_KEEP=0 is meant")
        t0 = clock()
        reach = walking.reach_from(data, lon, lat, limit_m=limit_m)
        walking.walk_area(data, reach)
        since(t0, area_only, area_cpu)
        answers.append(json.loads("{" + got.body + "}")["isochrone"])
        reached.append(reach.nodes.tolist())
    np.savez(work / "nodes.npz", lon=data.network.node_lon, lat=data.network.node_lat)
    result = {
        "limit_m": limit_m,
        "speed_kmh": speed_kmh,
        "minutes": minutes,
        "nodes": int(data.network.n_nodes),
        "edges": int(data.network.n_edges),
        "read_s": read_s,
        "load_s": load_s,
        "warm_rss_mib": warm_rss,
        "peak_rss_mib": peak_rss_mib(),
        "times": whole,
        "cpu": whole_cpu,
        "area_times": area_only,
        "area_cpu": area_cpu,
        "answers": answers,
        "reached": reached,
        "load": [load0, os.getloadavg()],
    }
    (work / "ours.json").write_text(json.dumps(result))


def side_valhalla(work: Path) -> None:
    job = json.loads((work / "job.json").read_text())
    import valhalla

    def request(lon: float, lat: float) -> str:
        return json.dumps(
            {
                "locations": [{"lon": lon, "lat": lat}],
                "costing": "pedestrian",
                "costing_options": {"pedestrian": {"walking_speed": job["speed_kmh"]}},
                "contours": [{"time": job["minutes"]}],
                "polygons": True,
            }
        )

    t = time.perf_counter()
    actor = valhalla.Actor(job["config"])
    pts = [tuple(p) for p in job["points"]]
    actor.isochrone(request(*pts[0]))  # warm-up: the tiles load on first use
    warm_s = time.perf_counter() - t
    warm_rss = rss_now_mib()
    load0 = os.getloadavg()
    times: list[float] = []
    cpu: list[float] = []
    answers: list[dict[str, Any] | None] = []
    errors: list[str] = []
    for lon, lat in pts:
        body = request(lon, lat)
        t0 = clock()
        try:
            text = actor.isochrone(body)
        except RuntimeError as exc:  # e.g. no walkable edge near the point
            answers.append(None)
            errors.append(str(exc)[:200])
            continue
        since(t0, times, cpu)
        features = json.loads(text)["features"]
        polys = [f["geometry"] for f in features if f["geometry"]["type"].endswith("Polygon")]
        answers.append(polys[0] if polys else None)
    result = {
        "warm_s": warm_s,
        "warm_rss_mib": warm_rss,
        "peak_rss_mib": peak_rss_mib(),
        "times": times,
        "cpu": cpu,
        "answers": answers,
        "errors": errors,
        "load": [load0, os.getloadavg()],
    }
    (work / "valhalla.json").write_text(json.dumps(result))


# --- the comparison (parent process) ----------------------------------------------------------


def utm_of(lon: float, lat: float) -> str:
    zone = int((lon + 180.0) // 6.0) + 1
    return f"EPSG:{32700 + zone if lat < 0 else 32600 + zone}"


def compare(work: Path, ours: dict[str, Any], vh: dict[str, Any]) -> dict[str, list[float]]:
    import pyproj
    import shapely
    from shapely.geometry import shape

    nodes = np.load(work / "nodes.npz")
    lon, lat = nodes["lon"], nodes["lat"]
    crs = utm_of(float(np.median(lon)), float(np.median(lat)))
    to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    nx, ny = to_m.transform(lon, lat)

    def metric(geojson: dict[str, Any]) -> Any:
        g = shapely.make_valid(shape(geojson))
        return shapely.transform(g, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])))

    out: dict[str, list[float]] = {
        k: []
        for k in (
            "ours_km2",
            "valhalla_km2",
            "area_ratio",
            "iou",
            "ours_nodes_in_valhalla",
            "valhalla_nodes_in_ours",
            "reached_in_valhalla",
            "valhalla_beyond_limit",
        )
    }
    for a_js, b_js, reached in zip(ours["answers"], vh["answers"], ours["reached"], strict=True):
        if a_js is None or b_js is None:
            continue
        a, b = metric(a_js), metric(b_js)
        out["ours_km2"].append(a.area / 1e6)
        out["valhalla_km2"].append(b.area / 1e6)
        out["area_ratio"].append(b.area / a.area)
        out["iou"].append(shapely.intersection(a, b).area / shapely.union(a, b).area)
        x0, y0, x1, y1 = shapely.union(a, b).bounds
        near = np.flatnonzero((nx >= x0) & (nx <= x1) & (ny >= y0) & (ny <= y1))
        shapely.prepare(a)
        shapely.prepare(b)
        in_a = near[shapely.contains_xy(a, nx[near], ny[near])]
        in_b = near[shapely.contains_xy(b, nx[near], ny[near])]
        both = np.intersect1d(in_a, in_b).size
        out["ours_nodes_in_valhalla"].append(both / max(in_a.size, 1))
        out["valhalla_nodes_in_ours"].append(both / max(in_b.size, 1))
        r = np.asarray(reached, dtype=np.int64)
        out["reached_in_valhalla"].append(np.isin(r, in_b).mean() if r.size else float("nan"))
        within = np.zeros(lon.shape[0], dtype=bool)
        within[r] = True
        out["valhalla_beyond_limit"].append(float((~within[in_b]).mean()) if in_b.size else 0.0)
    return out


def run_city(city: City, args: argparse.Namespace) -> None:
    print(f"\n== {city.name}: {city.source.name} — {ATTRIBUTION}")
    if not city.source.is_file():
        print(f"  skipped: {city.source} is not there")
        return
    with tempfile.TemporaryDirectory(prefix="qh-vh-") as tmp:
        work = Path(tmp)
        pbf = as_pbf(city, work)
        pts = request_points(pbf, n=args.points, seed=args.seed)
        build = build_tiles(pbf, work, threads=args.build_threads)
        job: dict[str, Any] = {"pbf": str(pbf), "points": pts, "config": build["config"]}
        (work / "job.json").write_text(json.dumps(job))
        me = [sys.executable, str(Path(__file__).resolve()), "--work", str(work), "--side"]
        subprocess.run([*me, "ours"], check=True)
        ours = json.loads((work / "ours.json").read_text())
        job.update({k: ours[k] for k in ("limit_m", "speed_kmh", "minutes")})
        (work / "job.json").write_text(json.dumps(job))
        subprocess.run([*me, "valhalla"], check=True)
        vh = json.loads((work / "valhalla.json").read_text())
        agree = compare(work, ours, vh)
    report(city, args, build=build, ours=ours, vh=vh, agree=agree)


def report(
    city: City,
    args: argparse.Namespace,
    *,
    build: dict[str, Any],
    ours: dict[str, Any],
    vh: dict[str, Any],
    agree: dict[str, list[float]],
) -> None:
    n_ours = sum(a is not None for a in ours["answers"])
    n_vh = sum(a is not None for a in vh["answers"])
    print(
        f"  {args.points} points (seed {args.seed}), {ours['minutes']:.0f} min at "
        f"{ours['speed_kmh']:.1f} km/h = {ours['limit_m']:.0f} m; answered: ours {n_ours}, "
        f"Valhalla {n_vh}" + (f" (first error: {vh['errors'][0]})" if vh["errors"] else "")
    )
    print(
        f"  ours: {ours['nodes']:,} nodes, {ours['edges']:,} edges; read {ours['read_s']:.1f} s "
        f"+ routing arrays and edge index {ours['load_s']:.1f} s"
    )
    print(
        f"  Valhalla {build['version']}: valhalla_build_tiles ({args.build_threads} thread) "
        f"{build['seconds']:.1f} s, peak RSS {build['peak_mib']:.0f} MiB, {build['tiles']} "
        f"files {build['mib']:.1f} MiB; actor + first request {vh['warm_s']:.2f} s"
    )
    rows = [
        ("ours: walking area + streets, JSON (walk_area_at)", "times", "cpu", ours),
        ("ours: the area alone (reach_from + walk_area)", "area_times", "area_cpu", ours),
        ("Valhalla: Actor.isochrone (GeoJSON)", "times", "cpu", vh),
    ]
    print(
        f"  {'per request, ms':<52} {'p50':>7} {'p95':>7} {'CPU p50':>8} {'CPU p95':>8} "
        f"{'warm RSS':>9} {'peak RSS':>9}"
    )
    for name, wall, cpu, side in rows:
        w, c = side[wall], side[cpu]
        mem = (
            f"{side['warm_rss_mib']:>8.0f}M {side['peak_rss_mib']:>8.0f}M"
            if wall == "times"
            else ""
        )
        print(
            f"  {name:<52} {statistics.median(w) * 1e3:>7.1f} {pct(w, 0.95) * 1e3:>7.1f} "
            f"{statistics.median(c) * 1e3:>8.1f} {pct(c, 0.95) * 1e3:>8.1f} {mem}"
        )
    for what, key, area in (("wall", "times", "area_times"), ("CPU", "cpu", "area_cpu")):
        vh95, vh50 = pct(vh[key], 0.95), statistics.median(vh[key])
        print(
            f"  ratio Valhalla / ours, {what}: p95 {vh95 / pct(ours[key], 0.95):.3f} "
            f"(the area alone {vh95 / pct(ours[area], 0.95):.3f}), "
            f"p50 {vh50 / statistics.median(ours[key]):.3f}; ours takes "
            f"{pct(ours[key], 0.95) / vh95:.1f}× Valhalla's p95"
        )
    n = len(agree["iou"])
    print(f"  agreement over the {n} points both answered (median, [p5–p95]):")
    labels = {
        "ours_km2": "area, ours (km²)",
        "valhalla_km2": "area, Valhalla (km²)",
        "area_ratio": "area Valhalla / ours",
        "iou": "intersection / union",
        "ours_nodes_in_valhalla": "our network's nodes in ours also in Valhalla's",
        "valhalla_nodes_in_ours": "… in Valhalla's also in ours",
        "reached_in_valhalla": "nodes within the limit (exact) in Valhalla's",
        "valhalla_beyond_limit": "nodes in Valhalla's beyond the limit (ours)",
    }
    for key, label in labels.items():
        v = [x for x in agree[key] if np.isfinite(x)]
        print(
            f"    {label:<48} {statistics.median(v):>7.3f} [{pct(v, 0.05):.3f}–{pct(v, 0.95):.3f}]"
        )
    la, lb = ours["load"], vh["load"]
    print(
        f"  load (1-min) during ours {la[0][0]:.1f}→{la[1][0]:.1f}, during Valhalla "
        f"{lb[0][0]:.1f}→{lb[1][0]:.1f}; {os.cpu_count()} CPU cores"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--city", choices=[*CITIES, "all"], default="sao-paulo")
    ap.add_argument("--build-threads", type=int, default=1)
    ap.add_argument("--side", choices=["ours", "valhalla"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.side == "ours":
        side_ours(args.work)
        return
    if args.side == "valhalla":
        side_valhalla(args.work)
        return
    try:
        import valhalla  # noqa: F401
    except ImportError:
        raise SystemExit('pyvalhalla-weekly is needed: pip install -e ".[bench]"') from None
    print(f"load average at start: {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPU cores")
    for key in CITIES if args.city == "all" else [args.city]:
        run_city(CITIES[key], args)


if __name__ == "__main__":
    main()
