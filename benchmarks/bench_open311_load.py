"""Open311 POST under load: 100 concurrent clients submitting requests for 60 s on loopback,
gunicorn with the production settings, PostgreSQL. Every accepted request must be stored
exactly once — none lost, none duplicated — with an idempotency key on every POST.

    python benchmarks/bench_open311_load.py [--seconds 60] [--clients 100] [--workers 3]

A child process fills a fresh database (1 district, 30 streets × 10 communities as 500 m
squares, two categories — one with a required attribute — one staff member per community, an
API client). Each client thread keeps a keep-alive ``httpx`` client and POSTs
``/api/open311/v2/requests.json`` with a fresh ``Idempotency-Key``; every tenth POST is sent twice
(a client retry), and a POST that times out is retried with the same key, as a real client
would. After the run the database is compared with what the clients were told: one row per
accepted key, with the id the client received, and no other rows. The peer, in the same run
against the same server, is ``/healthz`` (one ``SELECT 1``) for 10 s with the same clients.
Everything stays on 127.0.0.1; the load is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.loadgen import serve

PG_ADMIN = os.environ.get(
    "QH_BENCH_POSTGRES", "postgres://postgres:postgres@127.0.0.1:5432/postgres"
)
PG_DB = "qh_bench_open311"
API_KEY = "qh_bench-" + "k" * 32

FILL = r"""
import hashlib, json
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from quarterhour.platform.accounts.models import Membership, User
from quarterhour.platform.geography.models import Community, District, Street
from quarterhour.platform.open311.models import ApiClient
from quarterhour.platform.requests.models import Attribute, Category
KEY = "%(key)s"
DLAT, DLON = 0.0045, 0.0045 / 0.7668
d = District.objects.create(code="110102000000", name="西城区")
squares = []
for s in range(30):
    st = Street.objects.create(code=f"110102{s + 1:03d}000", district=d, name=f"街道{s + 1}")
    for c in range(10):
        lon0, lat0 = 116.30 + c * DLON, 39.85 + s * DLAT
        ring = [[lon0, lat0], [lon0 + DLON, lat0], [lon0 + DLON, lat0 + DLAT],
                [lon0, lat0 + DLAT], [lon0, lat0]]
        com = Community.objects.create(
            code=f"{st.code[:9]}{c + 1:03d}", street=st, name=f"社区{s + 1}-{c + 1}",
            centre_lon=lon0 + DLON / 2, centre_lat=lat0 + DLAT / 2,
            boundary_geojson=json.dumps({"type": "Polygon", "coordinates": [ring]}))
        u = User.objects.create(username=f"c{com.pk}")  # inbox only: nothing is mailed
        Membership.objects.create(user=u, role="community", community=com)
        squares.append([lon0, lat0])
repair = Category.objects.create(code="repair", name="公共设施报修", deadline_amount=3)
Category.objects.create(code="noise", name="噪声投诉", deadline_amount=2, deadline_unit="hours")
Attribute.objects.create(category=repair, code="what", datatype="singlevaluelist", required=True,
    order=1, description="损坏的是什么？", values=[{"key": "light", "name": "楼道灯"}])
ApiClient.objects.create(name="bench", key_prefix=KEY[:8],
                         key_sha256=hashlib.sha256(KEY.encode()).hexdigest())
print(json.dumps({"squares": squares, "dlon": DLON, "dlat": DLAT}))
"""


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[int(q * (len(values) - 1))] * 1000 if values else float("nan")


def post_load(base: str, world: dict, *, clients: int, seconds: float) -> dict:
    import httpx

    lat: list[float] = []
    told: dict[str, int] = {}  # idempotency key -> id the client was given
    bad: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    headers = {"X-Forwarded-Proto": "https"}

    def send(http: httpx.Client, key: str, data: dict, mine: list[float]) -> tuple[int, int]:
        for _attempt in range(5):  # a client retries a POST that timed out, same key
            t = time.perf_counter()
            try:
                r = http.post(
                    "/api/open311/v2/requests.json", data=data, headers={"Idempotency-Key": key}
                )
            except httpx.TimeoutException:
                continue
            mine.append(time.perf_counter() - t)
            body = r.json()
            return r.status_code, int(body[0].get("service_request_id", 0))
        return 0, 0

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        got: dict[str, int] = {}
        errors: list[str] = []
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            n = 0
            while time.perf_counter() < stop_at:
                lon0, lat0 = rng.choice(world["squares"])
                data = {
                    "api_key": API_KEY,
                    "service_code": rng.choice(["repair", "noise"]),
                    "lat": f"{lat0 + rng.uniform(0.1, 0.9) * world['dlat']:.7f}",
                    "long": f"{lon0 + rng.uniform(0.1, 0.9) * world['dlon']:.7f}",
                    "description": f"压测诉求 {seed}-{n}",
                    "attribute[what]": "light",
                }
                if data["service_code"] == "noise":
                    del data["attribute[what]"]
                key = str(uuid.UUID(int=rng.getrandbits(128)))
                for _repeat in range(2 if n % 10 == 0 else 1):
                    code, rid = send(http, key, data, mine)
                    if code in (200, 201):
                        if key in got and got[key] != rid:
                            errors.append(f"key {key}: ids {got[key]} and {rid}")
                        got[key] = rid
                    else:
                        errors.append(f"HTTP {code}")
                n += 1
        with lock:
            lat.extend(mine)
            told.update(got)
            bad.extend(errors)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"lat": lat, "told": told, "bad": bad, "wall": wall}


def get_load(base: str, *, clients: int, seconds: float) -> list[float]:
    import httpx

    lat: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        mine = []
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.perf_counter() < stop_at:
                t = time.perf_counter()
                http.get("/healthz")
                mine.append(time.perf_counter() - t)
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--workers", type=int, default=3)
    args = ap.parse_args()
    import psycopg

    tmp = tempfile.TemporaryDirectory()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["QUARTERHOUR_DATA_DIR"] = tmp.name
    env["SECRET_KEY"] = "bench-" + "x" * 60
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    env["DATABASE_URL"] = db_url
    try:
        fill = subprocess.run(
            [sys.executable, "-c", FILL % {"key": API_KEY}],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if fill.returncode != 0:
            raise SystemExit(fill.stderr[-3000:])
        world = json.loads(fill.stdout.strip().splitlines()[-1])
        server_env = {**env, "LOG_LEVEL": "WARNING"}
        with serve(server_env, workers=args.workers, threads=1) as server:
            base = server.base
            get_load(base, clients=args.workers * 2, seconds=2)  # warm the workers
            res = post_load(base, world, clients=args.clients, seconds=args.seconds)
            peer = get_load(base, clients=args.clients, seconds=10)
            with psycopg.connect(db_url) as conn:
                rows = conn.execute(
                    "SELECT idempotency_key, id FROM requests_servicerequest"
                ).fetchall()
            stored = {k: i for k, i in rows}
            told = res["told"]
            lost = [k for k in told if k not in stored]
            mismatched = [k for k in told if k in stored and stored[k] != told[k]]
            unknown = [k for k in stored if k not in told]
            lat = res["lat"]
            rps = len(lat) / res["wall"]
            print(
                f"gunicorn -w {args.workers}, {args.clients} concurrent clients, "
                f"{args.seconds:.0f} s, PostgreSQL, {os.cpu_count()} CPU cores"
            )
            print(
                f"POST requests.json: {len(lat)} responses ({rps:.0f} req/s), "
                f"p50 {pct(lat, 0.5):.0f} ms, p95 {pct(lat, 0.95):.0f} ms; "
                f"{len(told)} distinct keys accepted, {len(res['bad'])} errors"
            )
            for e in res["bad"][:5]:
                print("   ", e)
            print(
                f"stored rows {len(rows)}: lost {len(lost)}, duplicated "
                f"{len(rows) - len(stored)}, id differs from the answer {len(mismatched)}, "
                f"stored but never acknowledged {len(unknown)} — "
                + (
                    "exactly once: ok"
                    if not (lost or mismatched or len(rows) != len(told))
                    else "FAIL"
                )
            )
            print(
                f"peer GET /healthz: {len(peer) / 10:.0f} req/s, p95 {pct(peer, 0.95):.0f} ms; "
                f"POST p95 / healthz p95 = {pct(lat, 0.95) / pct(peer, 0.95):.1f}×"
            )
            if lat:
                print(f"(median POST {statistics.median(lat) * 1000:.0f} ms)")
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        tmp.cleanup()


if __name__ == "__main__":
    main()
