"""Platform import: every Beijing adcode list (16 districts, 336 streets, 7,007 communities)
into the register, on SQLite and PostgreSQL. Target: ≤ 10 s each.

    python benchmarks/bench_platform_import.py [--runs 3] [--backends sqlite postgres]

Each backend runs in a fresh subprocess (its own DATABASE_URL): migrate a fresh database (not
timed), then ``--runs`` times: empty the register, time ``import_adcode(all files)`` — parse,
check, GCJ-02 → WGS-84, write with history rows — and once more on the full register (the
re-import that updates nothing). The peer, measured in the same child, is the floor of any such
import: ``csv`` parsing plus one bare ``executemany`` INSERT of the same 7,359 rows into an
unindexed table, in one transaction, without checks, conversion or history. Ratio = ours / floor.
PostgreSQL: ``QH_BENCH_POSTGRES`` (default postgres://postgres:postgres@127.0.0.1:5432/postgres);
a scratch database ``qh_bench_import`` is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ADCODE = HERE.parent.parent / "shared" / "data" / "beijing-adcode-communities-2016" / "adcode"
PG_ADMIN = os.environ.get(
    "QH_BENCH_POSTGRES", "postgres://postgres:postgres@127.0.0.1:5432/postgres"
)
PG_DB = "qh_bench_import"

CHILD = r"""
import csv, json, sys, time
from pathlib import Path
from quarterhour.platform.bootstrap import setup
setup("quarterhour.platform.settings.base")
from django.core.management import call_command
from django.db import connection, transaction
call_command("migrate", verbosity=0)
from quarterhour.platform.geography.imports import import_adcode
from quarterhour.platform.geography.models import Community, Street, District

files = sorted(Path(sys.argv[1]).glob("*.csv"))
runs = int(sys.argv[2])

def empty():
    for m in (Community, Street, District):
        m.history.all().delete()
        m.objects.all().delete()

ours, floor = [], []
for _ in range(runs):
    empty()
    t = time.perf_counter()
    report = import_adcode(files)
    ours.append(time.perf_counter() - t)
t = time.perf_counter()
again = import_adcode(files)
reimport = time.perf_counter() - t
counts = (District.objects.count(), Street.objects.count(), Community.objects.count())
with connection.cursor() as cur:
    cur.execute("DROP TABLE IF EXISTS bench_floor")
    cur.execute("CREATE TABLE bench_floor (code varchar(12), parent varchar(12), name varchar(64), "
                "level varchar(8), lon double precision, lat double precision)")
for _ in range(runs):
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_floor")
    t = time.perf_counter()
    rows = []
    for f in files:
        for r in csv.reader(f.open(encoding="utf-8")):
            rows.append((r[0], r[1], r[2], r[3], float(r[12]) if r[12] else None,
                         float(r[13]) if r[13] else None))
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany("INSERT INTO bench_floor VALUES (%s, %s, %s, %s, %s, %s)", rows)
    floor.append(time.perf_counter() - t)
print(json.dumps({"ours": ours, "floor": floor, "reimport": reimport, "counts": counts,
                  "unchanged": again.unchanged}))
"""


def run_backend(name: str, runs: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    with tempfile.TemporaryDirectory() as tmp:
        env["QUARTERHOUR_DATA_DIR"] = tmp
        if name == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                conn.execute(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
        try:
            proc = subprocess.run(
                [sys.executable, "-c", CHILD, str(ADCODE), str(runs)],
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
            )
        finally:
            if name != "sqlite":
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    args = ap.parse_args()
    print(f"adcode files: {len(list(ADCODE.glob('*.csv')))} in {ADCODE}")
    print(
        f"{'backend':<10} {'ours median s':>14} {'re-import s':>12} {'floor s':>9} "
        f"{'ours/floor':>11}  rows (districts, streets, communities)"
    )
    for name in args.backends:
        r = run_backend(name, args.runs)
        ours, floor = statistics.median(r["ours"]), statistics.median(r["floor"])
        verdict = "ok" if ours <= 10.0 else "OVER 10 s"
        print(
            f"{name:<10} {ours:>14.2f} {r['reimport']:>12.2f} {floor:>9.3f} {ours / floor:>11.1f}"
            f"  {tuple(r['counts'])}  [{verdict}]"
        )


if __name__ == "__main__":
    main()
