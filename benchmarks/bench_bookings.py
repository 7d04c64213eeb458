"""Concurrent bookings of one shared-facility slot against PostgreSQL.

    DATABASE_URL=postgres://user:pass@127.0.0.1:5432/dbname python benchmarks/bench_bookings.py

Each round: a fresh slot of capacity 10 and 50 threads (own connections) that book it at the
same moment. Reported per strategy (median of the rounds): wall time, successful bookings,
places oversold. Strategies:

* ``quarterhour`` — ``sharing.services.book`` (slot row locked, conditional counter update);
* ``naive`` (the peer) — what a plain form view does: count the active bookings, insert if below
  capacity, in a transaction without a lock. It is faster and oversells.

The benchmark creates its own scratch database ``<name>_bench_bookings`` and drops it after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quarterhour.platform.settings.test")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from quarterhour.platform.core.errors import Invalid  # noqa: E402
from quarterhour.platform.sharing import services  # noqa: E402
from quarterhour.platform.sharing.models import Booking, Slot  # noqa: E402

N_PEOPLE = 50
CAPACITY = 10
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def naive_book(*, actor: Any, shared: Any, date: dt.date, start: dt.time, **_: Any) -> None:
    """The peer: check-then-insert without a lock (READ COMMITTED)."""
    window, end = services.find_window(shared, date, start)
    slot = services._slot_for(shared, window, date, start, end)
    with transaction.atomic():
        taken = Booking.objects.filter(slot=slot, status="active").count()
        if taken >= slot.capacity:
            raise Invalid("sharing_slot_full", "full")
        time.sleep(0.001)  # the form's own work between check and insert
        Booking.objects.create(slot=slot, booker=actor, created_at=T0)


def one_round(
    book: Callable[..., Any], people: list[Any], shared: Any, day: dt.date
) -> tuple[float, int, int]:
    barrier = threading.Barrier(len(people) + 1)
    ok = []
    lock = threading.Lock()

    def run(user: Any) -> None:
        try:
            barrier.wait(timeout=30)
            book(actor=user, shared=shared, date=day, start=dt.time(9), now=T0)
            with lock:
                ok.append(user.pk)
        except Invalid:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in people]
    for t in threads:
        t.start()
    barrier.wait(timeout=30)
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    stored = Booking.objects.filter(slot__shared=shared, slot__date=day, status="active").count()
    return wall, len(ok), max(0, stored - CAPACITY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_bookings needs PostgreSQL: set DATABASE_URL=postgres://…")
    db = connection.settings_dict
    db["TEST"]["NAME"] = f"{db['NAME']}_bench_bookings"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.platform.conftest import build_world, make_user
        from tests.platform.sharing.test_sharing import offer, unit_of

        world = build_world()
        unit = unit_of(world, world.A1, world.a1x, "第一中学")
        people = [make_user(f"bench{i:02d}", "resident") for i in range(N_PEOPLE)]
        results: dict[str, list[tuple[float, int, int]]] = {"quarterhour": [], "naive": []}
        for r in range(args.rounds):
            for name, fn in (("quarterhour", services.book), ("naive", naive_book)):
                shared = offer(world, capacity=CAPACITY, name=f"{name}-{r}", unit_staff=unit)
                day = dt.date(2026, 3, 7) + dt.timedelta(days=7 * r)
                results[name].append(one_round(fn, people, shared, day))
        print(
            f"{N_PEOPLE} concurrent bookings, capacity {CAPACITY}, {args.rounds} rounds, "
            f"PostgreSQL {connection.pg_version}"
        )
        med = {}
        for name, rows in results.items():
            wall = statistics.median(w for w, _o, _s in rows)
            med[name] = wall
            oks = sorted({o for _w, o, _s in rows})
            over = max(s for _w, _o, s in rows)
            print(
                f"  {name:12s} median {wall * 1000:7.1f} ms   succeeded {oks}   max oversold {over}"
            )
        print(f"  ratio quarterhour / naive wall time: {med['quarterhour'] / med['naive']:.2f}")
        assert all(o == CAPACITY for _w, o, _s in results["quarterhour"])
        assert Slot.objects.filter(taken__gt=CAPACITY).count() == 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
