"""Resident "near me" on a 1M-node network: warm server time per request, and under load.

    python benchmarks/bench_portal_nearme.py [--nodes 1000000] [--requests 200] [--facilities 20000]
                                             [--concurrent] [--clients 50] [--seconds 10]
                                             [--page-places N] [--page-only] [--runs N] [--healthz]
                                             [--warm-times N]

A fresh SQLite platform in a temporary data directory gets the seeded grid network of
``benchmarks/gen.py`` (stored as the platform's walk network) and ``--facilities`` facilities at
random nodes with 1–2 standard items each. After one warm-up request (network, edge index,
routing arrays and facility snaps load once per process) each request is a random point within
40 m of a random node:

- ``page``      GET /near/?lon=…&lat=… through Django's test client (whole server time:
                snapping, bounded search, facility gather, DB reads, template);
- ``isochrone``  GET /near.json (the map's walking area and local network);
- ``search``    the bounded search from the point alone (``walking.reach_from``);
- ``peer``      a plain full-graph Dijkstra per request from the snapped edge's end
                (``scipy.sparse.csgraph.dijkstra`` on the same CSR, no limit), same points.

Ratio = peer p95 / page p95. With ``--concurrent``, gunicorn (production settings and the
README's deployment line: ``--workers 2``, one sync worker per core) serves the same data on
loopback and ``--clients`` closed-loop clients (``benchmarks/loadgen.py``: wrk when installed; a
connection per request, as a reverse proxy sends them) request random points for ``--seconds``;
every answer must be 200 (``--page-places N``: only the first N places, asked again and again —
residents reopening their page, answered from the kept pages). Then the walking area
(``/near.json``) under the same load over ``--places`` places asked again and again, before
(``QUARTERHOUR_WALK_AREA_KEEP=0``: nothing kept) and after (kept per snapped place,
``portal/areas.py``). In process, ``isochrone kept`` is the same point's walking area asked a
second time. Targets: page p95 ≤ 50 ms warm, ≤ 30 ms under 50 clients; a kept walking area ≤ 10
ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadgen import HEADERS, LoadResult, load, serve  # noqa: E402


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[int(q * (len(s) - 1))]


def fill(nodes: int, n_fac: int) -> tuple[object, list[tuple[float, float]]]:
    from benchmarks.gen import grid_network
    from quarterhour.platform.core import standard
    from quarterhour.platform.facilities.models import Facility, FacilityItem
    from quarterhour.platform.geography.models import Community, District, Street
    from quarterhour.platform.planning.networks import store_network

    t = time.perf_counter()
    net = grid_network(nodes)
    store_network(net, name="bench grid", attribution="seeded grid")
    print(f"network {net.n_nodes:,} nodes, {net.n_edges:,} edges ({time.perf_counter() - t:.1f} s)")
    d = District.objects.create(code="110102000000", name="西城区")
    s = Street.objects.create(code="110102001000", district=d, name="街道")
    c = Community.objects.create(code="110102001001", street=s, name="社区")
    rng = np.random.default_rng(3)
    at = rng.integers(0, net.n_nodes, n_fac)
    codes = [i.code for i in standard.items()]
    facs = Facility.objects.bulk_create(
        [
            Facility(
                key=f"bench:{i}",
                name=f"设施{i}",
                community=c,
                lon=float(net.node_lon[k]),
                lat=float(net.node_lat[k]),
                opening_hours=[{"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "20:00"}],
            )
            for i, k in enumerate(at)
        ],
        batch_size=2000,
    )
    pick = random.Random(5)
    FacilityItem.objects.bulk_create(
        [
            FacilityItem(facility=f, item_code=code)
            for f in facs
            for code in pick.sample(codes, pick.choice((1, 2)))
        ],
        batch_size=5000,
    )
    # request points: near nodes in the middle 80 % of the grid (40 m jitter)
    lo, la = net.node_lon, net.node_lat
    x0, x1 = np.quantile(lo, [0.1, 0.9])
    y0, y1 = np.quantile(la, [0.1, 0.9])
    inner = np.flatnonzero((lo > x0) & (lo < x1) & (la > y0) & (la < y1))
    chosen = rng.choice(inner, 2000)
    pts = [
        (float(lo[k]) + rng.uniform(-3e-4, 3e-4), float(la[k]) + rng.uniform(-3e-4, 3e-4))
        for k in chosen
    ]
    return net, pts


def in_process(
    pts: list[tuple[float, float]], n: int, *, peer: bool = True, page_only: bool = False
) -> dict[str, list[float]]:
    import scipy.sparse.csgraph as csgraph
    from django.test import Client

    from quarterhour.platform.portal import walking

    client = Client()
    t = time.perf_counter()
    first = client.get("/near/", {"lon": pts[0][0], "lat": pts[0][1]})
    if first.status_code != 200:
        raise SystemExit(f"first request answered {first.status_code}")
    print(f"first request (loads network, index, snaps): {time.perf_counter() - t:.1f} s")
    data = walking.walk_data()
    csr = data.graph.csr()
    out: dict[str, list[float]] = {
        "page": [],
        "isochrone": [],
        "isochrone kept": [],
        "search": [],
        "peer": [],
    }
    found = []
    for lon, lat in pts[1 : n + 1]:
        q = {"lon": lon, "lat": lat}
        t = time.perf_counter()
        r = client.get("/near/", q)
        out["page"].append(time.perf_counter() - t)
        if r.status_code != 200:
            raise SystemExit(f"page answered {r.status_code} for {q}")
        found.append(r.content.count(b'class="hit"'))
        if page_only:
            continue
        t = time.perf_counter()
        r = client.get("/near.json", q)
        out["isochrone"].append(time.perf_counter() - t)
        t = time.perf_counter()
        again = client.get("/near.json", q)  # the same snapped place: kept
        out["isochrone kept"].append(time.perf_counter() - t)
        if again.content != r.content:
            raise SystemExit(f"the kept walking area differs for {q}")
        t = time.perf_counter()
        reach = walking.reach_from(data, lon, lat, limit_m=1000.0)
        out["search"].append(time.perf_counter() - t)
        src = int(data.network.edge_u[reach.edge])
        t = time.perf_counter()
        if peer:
            csgraph.dijkstra(csr, directed=False, indices=src)
        out["peer"].append(time.perf_counter() - t)
    print(f"places listed per page (nearest 3 of each item): median {statistics.median(found):.0f}")
    return out


def under_load(
    env: dict[str, str],
    pts: list[tuple[float, float]],
    *,
    clients: int,
    seconds: float,
    workers: int,
    threads: int,
    path: str = "/near/",
    warm_times: int = 1,
) -> LoadResult:
    """gunicorn with the production settings; ``clients`` closed-loop connections (wrk when
    installed, else a thread per client with its own httpx client)."""
    import httpx

    with serve(env, workers=workers, threads=threads) as server:
        base = server.base

        # warm every worker (each loads the network once): concurrent requests until all fast
        def warm(i: int) -> None:
            with httpx.Client(base_url=base, headers=HEADERS, timeout=300) as http:
                for lon, lat in (pts * warm_times)[i::16][:per]:
                    http.get(path, params={"lon": lon, "lat": lat})

        # every place once when they are few (the kept walking areas: each asked before);
        # ``warm_times`` times each, so that every worker has most of them kept
        per = max(10, -(-len(pts) * warm_times // 16)) if len(pts) <= 400 else 10
        warmers = [threading.Thread(target=warm, args=(i,)) for i in range(16)]
        for th in warmers:
            th.start()
        for th in warmers:
            th.join()
        paths = [f"{path}?lon={lon:.7f}&lat={lat:.7f}" for lon, lat in pts]
        return load(server, paths, clients=clients, seconds=seconds)


def report(what: str, args: argparse.Namespace, r: LoadResult, *, target: float) -> None:
    verdict = "ok" if r.p95_ms <= target else f"OVER {target:.0f} ms"
    print(
        f"{what}: gunicorn {args.workers}×{args.threads} threads, {args.clients} clients "
        f"({r.generator}), {r.seconds:.0f} s: {r.requests} requests, {r.rps:.0f} req/s, "
        f"p50 {r.p50_ms:.1f} ms, p95 {r.p95_ms:.1f} ms ({verdict}), p99 {r.p99_ms:.1f} ms, "
        f"server CPU {r.cpu_ms:.2f} ms per answer, errors {r.errors} {r.error_samples}, "
        f"load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--facilities", type=int, default=20_000)
    ap.add_argument("--concurrent", action="store_true")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument(
        "--area-only",
        action="store_true",
        help="under load, only the walking area before / after (not the page)",
    )
    ap.add_argument(
        "--places",
        type=int,
        default=200,
        help="the walking-area runs under load ask these many places over and over",
    )
    ap.add_argument(
        "--page-places",
        type=int,
        default=0,
        help="the page under load asks only these many places over and over (0: all 2,000)",
    )
    ap.add_argument(
        "--page-only",
        action="store_true",
        help="only the page: no walking area or full-graph Dijkstra in process or under load",
    )
    ap.add_argument(
        "--runs", type=int, default=1, help="the page under load this many times (a server each)"
    )
    ap.add_argument(
        "--warm-times",
        type=int,
        default=1,
        help="before the page under load, ask each place this many times (4: each of the two "
        "workers has almost every place kept, as when residents have been asking a while)",
    )
    ap.add_argument(
        "--healthz", action="store_true", help="also /healthz under the same load (the floor)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "QUARTERHOUR_DATA_DIR": tmp,
            "DATABASE_URL": "",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "LOG_LEVEL": "WARNING",
        }
        os.environ.update(env)
        from quarterhour.platform.bootstrap import setup

        setup("quarterhour.platform.settings.base")
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _net, pts = fill(args.nodes, args.facilities)
        res = in_process(
            pts,
            args.requests,
            peer=not (args.area_only or args.page_only),
            page_only=args.page_only,
        )
        print(f"{args.requests} requests, warm, one process ({os.cpu_count()} CPU cores)")
        print(f"{'measure':<12} {'p50 ms':>8} {'p95 ms':>8}")
        res = {k: v for k, v in res.items() if v}
        for k, v in res.items():
            print(f"{k:<12} {statistics.median(v) * 1000:>8.1f} {pct(v, 0.95) * 1000:>8.1f}")
        page95 = pct(res["page"], 0.95) * 1000
        verdict = "ok" if page95 <= 50 else "OVER 50 ms"
        if "peer" in res:
            peer95 = pct(res["peer"], 0.95) * 1000
            print(f"page p95 {page95:.1f} ms ({verdict}); full-graph Dijkstra p95 {peer95:.1f} ms;")
            print(f"ratio peer/page = {peer95 / page95:.1f}")
        else:
            print(f"page p95 {page95:.1f} ms ({verdict})")
        for _run in range(args.runs if args.concurrent and not args.area_only else 0):
            r = under_load(
                env,
                pts[: args.page_places] if args.page_places > 0 else pts,
                clients=args.clients,
                seconds=args.seconds,
                workers=args.workers,
                threads=args.threads,
                warm_times=args.warm_times,
            )
            report("near me page", args, r, target=30.0)
        if args.concurrent and args.healthz:
            r = under_load(
                env,
                pts[:10],
                clients=args.clients,
                seconds=args.seconds,
                workers=args.workers,
                threads=args.threads,
                path="/healthz",
            )
            report("/healthz (the floor)", args, r, target=30.0)
        if args.concurrent and not args.page_only:
            # the walking area under load, a set of places asked again and again (residents
            # reopening their page): before (nothing kept) and after (kept per snapped place)
            hot = pts[: args.places]
            for keep in ("0", "2048"):
                r = under_load(
                    {**env, "QUARTERHOUR_WALK_AREA_KEEP": keep},
                    hot,
                    clients=args.clients,
                    seconds=args.seconds,
                    workers=args.workers,
                    threads=args.threads,
                    path="/near.json",
                )
                label = "walking area, nothing kept" if keep == "0" else "walking area, kept"
                report(label, args, r, target=30.0)


if __name__ == "__main__":
    main()
