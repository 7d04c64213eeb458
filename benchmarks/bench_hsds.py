"""HSDS ``/services`` (and the resident catalogue) with 20,000 services under 50 concurrent
clients, against gunicorn with the production settings on loopback. Target: p95 ≤ 100 ms.

    python benchmarks/bench_hsds.py [--services 20000] [--clients 50] [--seconds 10]
                                    [--workers 2] [--threads 8]

A fresh SQLite platform (temporary data directory) gets 1,000 providers in 20 streets, 5,000
facilities and ``--services`` services with 1–2 standard items each. Request kinds, each for
``--seconds`` with a thread per client (own keep-alive ``httpx`` client), every answer must be
200:

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
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

FILL = r"""
import json, random
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from quarterhour.platform import standard
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
provs = Provider.objects.bulk_create(
    [Provider(name=f"服务商{k}", street=streets[k % 20], hotline=f"010-{k:06d}",
              description="社区服务") for k in range(1000)], batch_size=1000)
facs = Facility.objects.bulk_create(
    [Facility(key=f"b:{k}", name=f"服务点{k}", community=comms[k % len(comms)],
              lon=116.3 + rng.random() * 0.1, lat=39.9 + rng.random() * 0.2,
              address=f"某路 {k} 号",
              opening_hours=[{"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "20:00"}])
     for k in range(5000)], batch_size=2000)
cats = ["public", "volunteer", "convenience", "special"]
names = ["送药上门", "家政服务", "助餐", "理发", "维修",
         "洗衣", "代缴费", "陪诊", "日间照料", "课堂"]
svcs = Service.objects.bulk_create(
    [Service(provider=provs[k % 1000], name=f"{names[k % 10]}{k}", category=cats[k % 4],
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(base: str, paths: list[str], *, clients: int, seconds: float) -> dict[str, object]:
    import httpx

    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        with httpx.Client(
            base_url=base, headers={"X-Forwarded-Proto": "https"}, timeout=60
        ) as http:
            while time.perf_counter() < stop_at:
                path = rng.choice(paths)
                t = time.perf_counter()
                r = http.get(path)
                mine.append(time.perf_counter() - t)
                if r.status_code != 200:
                    with lock:
                        errors.append(f"{path}: {r.status_code}")
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat.sort()
    return {
        "n": len(lat),
        "rps": len(lat) / wall,
        "p50": statistics.median(lat) * 1000,
        "p95": lat[int(0.95 * (len(lat) - 1))] * 1000,
        "errors": errors[:5],
        "n_errors": len(errors),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "QUARTERHOUR_DATA_DIR": tmp,
            "DATABASE_URL": "",
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
        server_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "quarterhour.platform.settings.production",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        subprocess.run(
            [sys.executable, "-m", "quarterhour", "manage", "collectstatic", "--noinput", "-v0"],
            env=server_env,
            check=True,
            timeout=300,
        )
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "quarterhour.platform.wsgi:application",
                "-w",
                str(args.workers),
                "--threads",
                str(args.threads),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=server_env,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            for _ in range(150):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
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
            cat = [f"/portal/catalogue/?item={rng.choice(data['items'])}" for _ in range(100)]
            kinds = {
                "healthz (peer)": ["/healthz"],
                "services": pages,
                "services+filter": filt,
                "services search": search,
                "catalogue": cat,
            }
            load(base, ["/healthz", *pages[:5], *cat[:3]], clients=args.clients, seconds=2)
            results = {
                k: load(base, p, clients=args.clients, seconds=args.seconds)
                for k, p in kinds.items()
            }
            peer = float(results["healthz (peer)"]["p95"])  # type: ignore[arg-type]
            print(
                f"gunicorn -w {args.workers} --threads {args.threads}, {args.clients} clients, "
                f"{args.seconds:.0f} s per kind, {os.cpu_count()} CPU cores, SQLite"
            )
            print(
                f"{'kind':<16} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
                f"{'p95/peer':>9} errors"
            )
            for k, r in results.items():
                p95 = float(r["p95"])  # type: ignore[arg-type]
                verdict = "" if k.startswith("healthz") else ("  ok" if p95 <= 100 else "  OVER")
                print(
                    f"{k:<16} {r['n']:>9} {r['rps']:>7.0f} {r['p50']:>8.1f} {p95:>8.1f} "
                    f"{p95 / peer:>9.1f} {r['n_errors']}{verdict}"
                )
                for e in r["errors"]:  # type: ignore[attr-defined]
                    print("   ", e)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
