"""HSDS ``/services`` (and the resident catalogue) with 20,000 services under 50 concurrent
clients, against gunicorn with the production settings on loopback. Target: p95 ≤ 100 ms.

    python benchmarks/bench_hsds.py [--services 20000] [--clients 50] [--seconds 10]
                                    [--workers 2] [--threads 1] [--database-url postgres://…]

A fresh SQLite platform (temporary data directory; or a fresh PostgreSQL database with
``--database-url``) gets 1,000 providers in 20 streets, 5,000 facilities and ``--services``
services with 1–2 standard items each. Request kinds, each for ``--seconds`` with ``--clients``
closed-loop clients (``benchmarks/loadgen.py``: wrk when installed; a connection per request, as
a reverse proxy sends them), after a first pass over the same paths with cold caches
(``--warm-seconds``, reported as ``(1st)``); every answer must be 200:

- ``healthz (peer)``  one ``SELECT 1``: the cost of the stack itself;
- ``services``        random pages of 50 (``?page=N``);
- ``services+filter`` a random item's taxonomy term AND a random organization;
- ``services search`` ``?search=`` a random service-name fragment;
- ``catalogue``       the resident catalogue page of a random item.

Ratio = p95 / healthz p95.
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
from benchmarks.loadgen import load, serve

FILL = r"""
import json, random
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from quarterhour.platform.core import standard
from quarterhour.platform.catalogue.models import Provider, Service, ServiceItem
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Community, District, Street
from quarterhour.platform.hsds import ids
from quarterhour.platform.hsds.taxonomy import current
import sys
n_services = int(sys.argv[1])
rng = random.Random(11)
codes = [i.code for i in standard.items()]
d = District.objects.create(code="110102000000", name="西城区")
streets = Street.objects.bulk_create(
    [Street(code=f"110102{s + 1:03d}000", district=d, name=f"街道{s + 1}") for s in range(20)])
comms = Community.objects.bulk_create(
    [Community(code=f"{st.code[:9]}{c + 1:03d}", street=st, name=f"社区{i}-{c + 1}",
               centre_lon=116.3 + c * 0.01, centre_lat=39.9 + i * 0.01)
     for i, st in enumerate(streets) for c in range(10)])
from quarterhour.platform.core.searchtext import search_text
# bulk_create skips Model.save(), which keeps search_text otherwise
provs = Provider.objects.bulk_create(
    [Provider(name=f"服务商{k}", street=streets[k % 20], hotline=f"010-{k:06d}",
              description="社区服务", search_text=search_text(f"服务商{k}", "社区服务"))
     for k in range(1000)], batch_size=1000)
facs = Facility.objects.bulk_create(
    [Facility(key=f"b:{k}", name=f"服务点{k}", community=comms[k % len(comms)],
              lon=116.3 + rng.random() * 0.1, lat=39.9 + rng.random() * 0.2,
              address=f"某路 {k} 号", search_text=search_text(f"服务点{k}", f"某路 {k} 号"),
              opening_hours=[{"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "20:00"}])
     for k in range(5000)], batch_size=2000)
cats = ["public", "volunteer", "convenience", "special"]
names = ["送药上门", "家政服务", "助餐", "理发", "维修",
         "洗衣", "代缴费", "陪诊", "日间照料", "课堂"]
svcs = Service.objects.bulk_create(
    [Service(provider=provs[k % 1000], name=f"{names[k % 10]}{k}", category=cats[k % 4],
             search_text=search_text(f"{names[k % 10]}{k}"),
             hotline=f"010-{k:07d}", is_free=k % 3 == 0, home_visit=k % 2 == 0,
             facility=facs[k % 5000] if k % 4 else None,
             opening_hours=[{"days": [1, 2, 3, 4, 5, 6], "opens": "09:00", "closes": "18:00"}])
     for k in range(n_services)], batch_size=2000)
ServiceItem.objects.bulk_create(
    [ServiceItem(service=s, item_code=c)
     for s in svcs for c in rng.sample(codes, rng.choice((1, 2)))],
    batch_size=5000)
tax = current()
print(json.dumps({
    "terms": [tax.by_code[c].id for c in codes],
    "items": codes,
    "orgs": [ids.make("organization", p.pk) for p in provs],
    "names": names,
    "pages": (n_services + 49) // 50,
}))
"""


def fresh_postgres(url: str) -> None:
    """Drop and create the database the URL names (connecting to the server's ``postgres``)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"give a plain database name in the URL, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warm-seconds", type=float, default=3.0)
    ap.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL URL of a database to create afresh (dropped first); default SQLite",
    )
    args = ap.parse_args()
    if args.database_url:
        fresh_postgres(args.database_url)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "QUARTERHOUR_DATA_DIR": tmp,
            "DATABASE_URL": args.database_url,
            "LOG_LEVEL": "WARNING",
        }
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", FILL, str(args.services)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        data = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"filled {args.services:,} services in {time.perf_counter() - t:.0f} s")
        with serve(env, workers=args.workers, threads=args.threads) as server:
            base = server.base
            rng = random.Random(2)
            pages = [f"/api/hsds/services?page={rng.randint(1, data['pages'])}" for _ in range(300)]
            filt = [
                f"/api/hsds/services?taxonomy_term_id={rng.choice(data['terms'])}"
                f"&organization_id={rng.choice(data['orgs'])}"
                for _ in range(300)
            ]
            search = [
                f"/api/hsds/services?search={rng.choice(data['names'])}{rng.randint(1, 99)}"
                for _ in range(300)
            ]
            cat = [f"/catalogue/?item={rng.choice(data['items'])}" for _ in range(100)]
            kinds = {
                "healthz (peer)": ["/healthz"],
                "services": pages,
                "services+filter": filt,
                "services search": search,
                "catalogue": cat,
            }
            import httpx

            probe = httpx.get(base + search[0], headers={"X-Forwarded-Proto": "https"}).json()
            if not probe.get("total_items"):
                raise SystemExit(f"search finds nothing: {search[0]} -> {probe}")
            # a first pass over every path (cold caches; reported too), then the measured runs
            cold = {
                f"{k} (1st)": load(server, p, clients=args.clients, seconds=args.warm_seconds)
                for k, p in kinds.items()
                if not k.startswith("healthz")
            }
            results = {
                k: load(server, p, clients=args.clients, seconds=args.seconds)
                for k, p in kinds.items()
            }
            results.update(cold)
            peer = results["healthz (peer)"].p95_ms
            gen = results["healthz (peer)"].generator
            print(
                f"gunicorn -w {args.workers} --threads {args.threads}, {args.clients} clients "
                f"({gen}), {args.seconds:.0f} s per kind, {os.cpu_count()} CPU cores, "
                f"{'PostgreSQL' if args.database_url else 'SQLite'}"
            )
            print(
                f"{'kind':<22} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
                f"{'p99 ms':>8} {'p95/peer':>9} {'CPU ms/req':>10} errors"
            )
            for k, r in results.items():
                verdict = (
                    ""
                    if k.startswith("healthz") or k.endswith("(1st)")
                    else ("  ok" if r.p95_ms <= 100 else "  OVER")
                )
                print(
                    f"{k:<22} {r.requests:>9} {r.rps:>7.0f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} "
                    f"{r.p99_ms:>8.1f} {r.p95_ms / peer:>9.1f} {r.cpu_ms:>10.2f} "
                    f"{r.errors}{verdict}"
                )
                for e in r.error_samples:
                    print("   ", e)


if __name__ == "__main__":
    main()
