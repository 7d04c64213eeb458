"""50 people book the same slot of capacity 10 at the same moment, from 50 real threads with
their own database connections: exactly 10 succeed, 40 are told the slot is full, the slot's
counter and the booking rows agree. Needs PostgreSQL (real row locks): run with
``DATABASE_URL=postgres://…``; on SQLite the test says so and is skipped."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection

from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.sharing import services
from quarterhour.platform.sharing.models import Booking, Slot
from tests.platform.conftest import build_world, make_user
from tests.platform.sharing.helpers import SAT, T0, offer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent bookings need PostgreSQL (set DATABASE_URL); SQLite serialises writers",
    ),
]

N_PEOPLE = 50
CAPACITY = 10


def test_fifty_concurrent_bookings_for_ten_places():
    world = build_world()
    shared = offer(world, capacity=CAPACITY)
    people = [make_user(f"booker{i:02d}", "resident") for i in range(N_PEOPLE)]
    start = threading.Barrier(N_PEOPLE)
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(user):
        try:
            start.wait(timeout=30)
            services.book(actor=user, shared=shared, date=SAT, start=dt.time(9), now=T0)
            result = "ok"
        except Invalid as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=one, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert Counter(outcomes) == {"ok": CAPACITY, "sharing_slot_full": N_PEOPLE - CAPACITY}
    slot = Slot.objects.get(shared=shared)
    assert slot.taken == CAPACITY
    assert Booking.objects.filter(slot=slot, status="active").count() == CAPACITY
    assert len(set(Booking.objects.values_list("booker_id", flat=True))) == CAPACITY
