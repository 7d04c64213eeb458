"""``quarterhour demo``: the platform alive on real map data, every mechanism seeded.

:func:`build` makes, in order: the map (:mod:`.world`: Helsinki OSM network and facilities,
derived communities and circles), the people (:mod:`.accounts`), the first assessment, then each
mechanism's demo data through its own services (the modules named in :data:`SEEDERS`, each with a
``seed(demo: Demo) -> None``). Everything is flagged: communities and circles carry
``derived_for_demo``, every page shows the demo banner, seeded texts say 演示.
"""

from __future__ import annotations

import importlib
import random
import time
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from quarterhour.platform.demo.accounts import People
from quarterhour.platform.demo.world import Say, World

#: the mechanisms' seeders, run in this order (a later one may use what an earlier one made)
SEEDERS: tuple[str, ...] = (
    "sharing_rooms",
    "certification",
    "requests",
    "evaluation",
    "volunteering",
    "joint_meeting",
    "funding",
    "whatif",
)


@dataclass
class Demo:
    """What a seeder gets: the map, the people, a seeded random source and the clock."""

    world: World
    people: People
    rng: random.Random
    now: Any
    say: Say

    def user(self, key: str) -> Any:
        return self.people.users[key]


@dataclass
class DemoAccounts:
    rows: list[tuple[str, str, str]]  # (role label, username, password)


def build(say: Say) -> DemoAccounts:
    from django.db import transaction

    from quarterhour.platform.demo import accounts, world
    from quarterhour.platform.planning.assessment import execute
    from quarterhour.platform.planning.services import assessment_request

    made = world.build(say)
    with transaction.atomic():
        people = accounts.create(made, accounts.plan(made))

    t1 = time.perf_counter()
    run = assessment_request(
        actor=people.users["city"], district=made.district, network=made.network
    )
    execute(run)
    run.refresh_from_db()
    say(
        f"评估 / assessment #{run.pk}: {run.get_status_display()} "
        f"({time.perf_counter() - t1:.1f} s, {run.n_communities} communities, "
        f"{run.n_facilities} facilities)"
    )
    demo = Demo(world=made, people=people, rng=random.Random(2011), now=timezone.now(), say=say)
    for name in SEEDERS:
        module = importlib.import_module(f"quarterhour.platform.demo.{name}")
        with transaction.atomic():
            module.seed(demo)
    return DemoAccounts(people.rows)
