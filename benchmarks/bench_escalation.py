"""Escalation job over 100,000 open overdue requests on PostgreSQL. Target: ≤ 10 s.

    python benchmarks/bench_escalation.py [--requests 100000] [--runs 3] [--peer 2000]

A fresh database holds 1 district, 30 streets, 3,000 communities, 30 providers, one staff member
per street and for the district, 1,000 residents with e-mail and phone (every fifth request is
theirs, so each escalation also writes a notice and two pending deliveries for them), and the
requests: 70 % owned by their community, 10 % by a provider station, 15 % by a street, 5 % by the
district, all past their deadline. Each run times ``escalate_overdue`` (the ``requests.escalate``
job: new owner, fresh deadline from the district calendar, a handover and an event per request,
digests to the receiving units, notices to submitters); between runs the deadlines are put back
in the past and the records of the previous run removed, so every run escalates all of them.
The peer, in the same run, is the obvious row-by-row way through the ORM (lock, save, create the
handover and the event, ``notify`` per request) on ``--peer`` requests, scaled to the total.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

PG_ADMIN = os.environ.get(
    "QH_BENCH_POSTGRES", "postgres://postgres:postgres@127.0.0.1:5432/postgres"
)
PG_DB = "qh_bench_escalation"


def fill(n: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from quarterhour.platform.accounts.models import Membership, User
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.geography.models import Community, District, Street
    from quarterhour.platform.requests.models import Category, ServiceRequest

    rng = random.Random(11)
    d = District.objects.create(code="110102000000", name="西城区")
    streets = Street.objects.bulk_create(
        [Street(code=f"110102{s + 1:03d}000", district=d, name=f"街道{s + 1}") for s in range(30)]
    )
    comms = Community.objects.bulk_create(
        [
            Community(code=f"{st.code[:9]}{c + 1:03d}", street=st, name=f"社区{s}-{c}")
            for s, st in enumerate(streets)
            for c in range(100)
        ],
        batch_size=1000,
    )
    providers = Provider.objects.bulk_create(
        [Provider(name=f"服务站{i}", street=streets[i]) for i in range(30)]
    )
    cats = Category.objects.bulk_create(
        [
            Category(code=f"c{i}", name=f"类别{i}", deadline_amount=1 + i, deadline_unit=u)
            for i, u in enumerate(["days", "hours", "days", "hours", "days"])
        ]
    )
    pw = make_password("bench-password-long")
    staff = User.objects.bulk_create(
        [User(username=f"street{i}", password=pw) for i in range(30)]
        + [User(username="district", password=pw)]
    )
    Membership.objects.bulk_create(
        [Membership(user=staff[i], role="street", street=streets[i]) for i in range(30)]
        + [Membership(user=staff[30], role="district", district=d)]
    )
    residents = User.objects.bulk_create(
        [
            User(
                username=f"r{i}",
                password=pw,
                email=f"r{i}@example.org",
                phone=f"1380000{i:04d}",
            )
            for i in range(1000)
        ],
        batch_size=1000,
    )
    now = timezone.now()
    rows = []
    for i in range(n):
        c = comms[rng.randrange(len(comms))]
        roll = rng.random()
        owner: dict = {"owner_level": "community", "owner_community": c}
        if roll >= 0.7:
            owner = {"owner_level": "provider", "owner_provider": providers[rng.randrange(30)]}
        if roll >= 0.8:
            owner = {"owner_level": "street", "owner_street": c.street}
        if roll >= 0.95:
            owner = {"owner_level": "district", "owner_district": d}
        received = now - timedelta(days=rng.uniform(5, 20))
        rows.append(
            ServiceRequest(
                category=cats[i % 5],
                status="new" if i % 3 else "accepted",
                channel="web",
                community=c,
                street_id=c.street_id,
                district=d,
                submitter=residents[i % 1000] if i % 5 == 0 else None,
                received_at=received,
                due_at=received + timedelta(days=1),
                remind_at=received,
                updated_at=received,
                **owner,
            )
        )
    ServiceRequest.objects.bulk_create(rows, batch_size=5000)
    return {"now": now}


def reset(now) -> None:
    from django.db import connection

    from quarterhour.platform.requests.models import ServiceRequest

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE requests_handover, requests_event, notifications_delivery, "
            "notifications_notification"
        )
    ServiceRequest.objects.update(due_at=now - timedelta(days=1), status="new")


def peer(now, n: int) -> float:
    """Row by row through the ORM, as a first version would do it."""
    from django.db import transaction

    from quarterhour.platform.notifications.services import notify
    from quarterhour.platform.requests.deadlines import due_and_remind
    from quarterhour.platform.requests.models import Event, Handover, ServiceRequest
    from quarterhour.platform.requests.services import owner_of, owner_people

    ids = list(
        ServiceRequest.objects.filter(due_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    t = time.perf_counter()
    for pk in ids:
        with transaction.atomic():
            req = (
                ServiceRequest.objects.select_for_update(of=("self",))
                .select_related(
                    "owner_community", "owner_street", "owner_provider", "category", "submitter"
                )
                .get(pk=pk)
            )
            before = owner_of(req)
            if req.owner_level in ("community", "provider"):
                street = (req.owner_community or req.owner_provider).street
                req.owner_level, req.owner_street = "street", street
                req.owner_community = req.owner_provider = None
            elif req.owner_level == "street":
                req.owner_level, req.owner_district_id = "district", req.owner_street.district_id
                req.owner_street = None
            else:
                req.owner_level, req.owner_district = "city", None
            req.due_at, req.remind_at = due_and_remind(req.category, req.district_id, now)
            req.escalations += 1
            req.save()
            after = owner_of(req)
            Handover.objects.create(
                request=req,
                kind="escalation",
                at=now,
                from_level=before.level,
                from_unit=before.name(),
                to_level=after.level,
                to_unit=after.name(),
                reason="超期",
            )
            Event.objects.create(request=req, at=now, action="escalate", to_status="new")
            notify(
                recipients=owner_people(req), kind="k", subject="升级", body="", obj=req, now=now
            )
            if req.submitter:
                notify(
                    recipients=[req.submitter], kind="k", subject="升级", body="", obj=req, now=now
                )
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peer", type=int, default=2000)
    args = ap.parse_args()
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    os.environ["QUARTERHOUR_DATA_DIR"] = tmp.name
    os.environ["LOG_LEVEL"] = "WARNING"
    try:
        from quarterhour.platform.bootstrap import setup

        setup("quarterhour.platform.settings.base")
        from django.conf import settings
        from django.core.management import call_command

        # nothing leaves the machine: e-mail into memory (the SMS gateway only logs)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        from django.db import connection

        from quarterhour.platform.requests.escalation import escalate_overdue
        from quarterhour.platform.requests.models import Handover

        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        now = fill(args.requests)["now"]
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(f"filled {args.requests} overdue requests in {time.perf_counter() - t:.0f} s")
        times = []
        if os.environ.get("QH_PROFILE"):
            import cProfile
            import pstats

            reset(now)
            prof = cProfile.Profile()
            prof.enable()
            escalate_overdue(now=now)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        for i in range(args.runs):
            reset(now)
            t = time.perf_counter()
            counts = escalate_overdue(now=now + timedelta(seconds=i))
            times.append(time.perf_counter() - t)
            done = sum(counts.values())
            assert done == args.requests, (done, counts)
            assert Handover.objects.count() == args.requests
            print(f"  run {i + 1}: {times[-1]:.2f} s  {counts}")
        # the floor: one UPDATE moving every request's deadline (same index work per row,
        # nothing else) — what any approach that rewrites the rows pays at least
        floors = []
        for _ in range(args.runs):
            reset(now)
            t = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(
                    "UPDATE requests_servicerequest SET due_at = due_at - interval '1 second', "
                    "owner_level = owner_level"
                )
            floors.append(time.perf_counter() - t)
        floor = statistics.median(floors)
        reset(now)
        p = peer(now, args.peer)
        scaled = p / args.peer * args.requests
        med = statistics.median(times)
        print(
            f"escalate_overdue, {args.requests} requests, median of {args.runs}: {med:.2f} s "
            f"({args.requests / med:,.0f} requests/s) — target ≤ 10 s: "
            + ("ok" if med <= 10 else "OVER")
        )
        print(
            f"floor (one UPDATE of every row's deadline, median of {args.runs}): {floor:.2f} s; "
            f"ours / floor = {med / floor:.1f}×"
        )
        print(
            f"peer (row by row via the ORM, {args.peer} requests): {p:.2f} s → "
            f"{scaled:.0f} s for {args.requests}; ratio peer/ours = {scaled / med:.0f}×"
        )
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        tmp.cleanup()


if __name__ == "__main__":
    main()
