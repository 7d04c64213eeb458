"""Platform pages under load: the circle page and the community list with 3,000 communities and
20,000 facilities, 20 concurrent clients, against gunicorn with the production settings on
loopback. Target: p95 ≤ 100 ms.

    python benchmarks/bench_platform_pages.py [--seconds 10] [--clients 20] [--workers 2]
                                              [--threads 1] [--database postgres|sqlite] [--cold]

A child process fills a fresh database (30 streets × 100 communities with 500 m boundaries,
1,000 circles of 3 communities, 20,000 facilities with 1–2 items, one finished assessment with
results for every community and circle) and logs a district officer in; static files are
collected as in a deployment. gunicorn then serves ``quarterhour.platform.wsgi`` as the
README's deployment does (``benchmarks/loadgen.serve``: 2 sync workers on two cores; production
settings, behind an assumed TLS proxy: requests carry ``X-Forwarded-Proto: https``). Before
measuring, every page is requested once, so the measured run is the steady state of the
page-fragment cache (production's file cache, shared by the workers); ``--cold`` skips that and
measures with the cache empty at the start. The clients are ``benchmarks/loadgen.load`` (wrk
when installed; a connection per request, as a reverse proxy sends them), ``--seconds`` per page
kind; every response must be 2xx/3xx.
The peer, measured in the same run against the same server, is ``/healthz`` (one ``SELECT 1``):
the cost of the stack itself. Ratio = page p95 / healthz p95.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.loadgen import HEADERS, Server, load, serve

PG_ADMIN = os.environ.get(
    "QH_BENCH_POSTGRES", "postgres://postgres:postgres@127.0.0.1:5432/postgres"
)
PG_DB = os.environ.get("QH_BENCH_DB", "qh_bench_pages")

FILL = r"""
import json, random
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from quarterhour.platform.core import standard
from quarterhour.platform.accounts.models import Membership, User
from quarterhour.platform.facilities.models import Facility, FacilityItem
from quarterhour.platform.geography.models import (
    Circle, CircleMembership, Community, District, Street)
from quarterhour.platform.planning.models import (
    AssessmentRun, CircleItemResult, CircleResult, CommunityResult, WalkNetworkFile)

rng = random.Random(7)
codes = [i.code for i in standard.walk_items()]
d = District.objects.create(code="110102000000", name="西城区")
DLAT, DLON = 0.0045, 0.0045 / 0.7668
streets = Street.objects.bulk_create(
    [Street(code=f"110102{s + 1:03d}000", district=d, name=f"街道{s + 1}") for s in range(30)])
comms = []
for s, st in enumerate(streets):
    for c in range(100):
        lon0 = 116.30 + (c % 10) * DLON + (s % 6) * 10 * DLON
        lat0 = 39.85 + (c // 10) * DLAT + (s // 6) * 10 * DLAT
        ring = [[lon0, lat0], [lon0 + DLON, lat0], [lon0 + DLON, lat0 + DLAT],
                [lon0, lat0 + DLAT], [lon0, lat0]]
        comms.append(Community(
            code=f"{st.code[:9]}{c + 1:03d}", street=st, name=f"社区{s + 1}-{c + 1}",
            population=rng.randint(1500, 6000), urban_rural="urban",
            centre_lon=lon0 + DLON / 2, centre_lat=lat0 + DLAT / 2,
            boundary_geojson=json.dumps({"type": "Polygon", "coordinates": [ring]})))
comms = Community.objects.bulk_create(comms, batch_size=500)
circles = Circle.objects.bulk_create(
    [Circle(code=f"C{k:04d}", name=f"服务圈{k}", street=comms[3 * k].street, status="built")
     for k in range(1000)], batch_size=500)
CircleMembership.objects.bulk_create(
    [CircleMembership(circle=circ, community=comms[3 * k + j], population_share=1.0)
     for k, circ in enumerate(circles) for j in range(3)], batch_size=1000)
facs = []
for i in range(20000):
    c = comms[rng.randrange(len(comms))]
    facs.append(Facility(key=f"bench:{i}", name=f"设施{i}", community=c,
                         lon=c.centre_lon + rng.uniform(-0.002, 0.002),
                         lat=c.centre_lat + rng.uniform(-0.002, 0.002)))
facs = Facility.objects.bulk_create(facs, batch_size=1000)
FacilityItem.objects.bulk_create(
    [FacilityItem(facility=f, item_code=code)
     for f in facs for code in rng.sample(codes, rng.choice((1, 2)))], batch_size=2000)
net = WalkNetworkFile.objects.create(name="bench", path="none.npz")
now = timezone.now()
run = AssessmentRun.objects.create(
    district=d, network=net, status="done", standard="beijing-2011", walk_minutes=15,
    speed_kmh=4, limit_m=1000, inputs_date=now, finished_at=now)
CommunityResult.objects.bulk_create(
    [CommunityResult(run=run, community=c, population=c.population, n_origins=10,
                     items_required=len(codes), items_met=rng.randint(5, len(codes)),
                     missing=codes[:5]) for c in comms], batch_size=1000)
CircleResult.objects.bulk_create(
    [CircleResult(run=run, circle=k, population=10000, items_required=len(codes), items_met=18,
                  missing=codes[:5]) for k in circles], batch_size=1000)
CircleItemResult.objects.bulk_create(
    [CircleItemResult(run=run, circle=k, item_code=code, share=rng.random(),
                      median_min=rng.uniform(2, 14), p90_min=None, met=rng.random() > 0.3)
     for k in circles for code in codes], batch_size=2000)
user = User.objects.create_user("bench-district", password="bench-password-long")
Membership.objects.create(user=user, role="district", district=d)
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(json.dumps({"session": s.session_key, "circles": [c.pk for c in circles],
                  "pages": 60, "communities": len(comms), "facilities": len(facs)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread)")
    ap.add_argument("--cold", action="store_true", help="do not warm the page cache first")
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["QUARTERHOUR_DATA_DIR"] = tmp.name
    env["SECRET_KEY"] = "bench-" + "x" * 60  # the session is signed in the child, read by gunicorn
    if args.database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    try:
        t = time.perf_counter()
        fill = subprocess.run(
            [sys.executable, "-c", FILL], env=env, capture_output=True, text=True, timeout=1800
        )
        if fill.returncode != 0:
            raise SystemExit(fill.stderr[-3000:])
        data = json.loads(fill.stdout.strip().splitlines()[-1])
        print(
            f"filled {data['communities']} communities, {len(data['circles'])} circles, "
            f"{data['facilities']} facilities ({args.database}) in {time.perf_counter() - t:.0f} s"
        )
        server_env = {**env, "LOG_LEVEL": "WARNING"}
        with serve(server_env, workers=args.workers, threads=args.threads) as server:
            measure(server, data, args)
    finally:
        if args.database == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        tmp.cleanup()


def measure(server: Server, data: dict, args: argparse.Namespace) -> None:
    """The pages under load: healthz (the peer), the community list pages, circle pages."""
    import httpx

    session = {"Cookie": f"sessionid={data['session']}"}
    rng = random.Random(1)
    circles = [f"/circles/{pk}/" for pk in rng.sample(data["circles"], 200)]
    lists = [f"/communities/?page={p}" for p in range(1, data["pages"] + 1)]
    kinds = {"healthz (peer)": ["/healthz"], "community list": lists, "circle page": circles}
    # warm every worker (imports, standard, connections)
    load(
        server,
        ["/healthz", *lists[:3], *circles[:3]],
        clients=args.clients,
        seconds=2,
        headers=session,
    )
    # every page once (the fragment cache's steady state; with --cold, one of each kind): each
    # must answer 200 itself, not a redirect to the login page
    with httpx.Client(base_url=server.base, headers={**HEADERS, **session}) as http:
        for path in [*lists, *circles] if not args.cold else [lists[0], circles[0]]:
            r = http.get(path)
            if r.status_code != 200:
                raise SystemExit(f"{path} answered {r.status_code}")
    results = {
        k: load(server, p, clients=args.clients, seconds=args.seconds, headers=session)
        for k, p in kinds.items()
    }
    peer = results["healthz (peer)"].p95_ms
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads, {args.clients} concurrent "
        f"clients ({results['healthz (peer)'].generator}), {args.seconds:.0f} s per page kind, "
        f"{os.cpu_count()} CPU cores, page cache {'cold' if args.cold else 'warm'}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'page':<16} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p95/peer':>9} {'CPU ms/req':>10} errors"
    )
    for k, r in results.items():
        verdict = (
            "" if k.startswith("healthz") else ("  ok" if r.p95_ms <= 100 else "  OVER 100 ms")
        )
        print(
            f"{k:<16} {r.requests:>9} {r.rps:>7.0f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} "
            f"{r.p95_ms / peer:>9.1f} {r.cpu_ms:>10.2f} {r.errors}{verdict}"
        )
        for e in r.error_samples:
            print("   ", e)


if __name__ == "__main__":
    main()
