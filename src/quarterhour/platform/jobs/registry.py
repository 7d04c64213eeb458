"""The job registry and the scheduler loop (with an injectable clock for tests)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from quarterhour.platform.jobs.models import JobState

log = logging.getLogger("quarterhour.platform.jobs")

JobFunc = Callable[[datetime], dict[str, Any] | None]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every: timedelta
    func: JobFunc
    #: a run holding the job longer than this is assumed dead and the job is taken over
    timeout: timedelta


JOBS: dict[str, Job] = {}


def job(
    name: str, *, every: timedelta, timeout: timedelta = timedelta(minutes=30)
) -> Callable[[JobFunc], JobFunc]:
    def register(func: JobFunc) -> JobFunc:
        JOBS[name] = Job(name, every, func, timeout)
        return func

    return register


def discover() -> dict[str, Job]:
    """Import every installed app's ``jobs`` module (idempotent)."""
    autodiscover_modules("jobs")
    return JOBS


def _claim(j: Job, now: datetime) -> bool:
    JobState.objects.get_or_create(name=j.name)
    due = Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    n = JobState.objects.filter(due, free, name=j.name).update(
        locked_until=now + j.timeout, last_started_at=now
    )
    return n == 1


def run_job(j: Job, now: datetime) -> bool:
    """Run ``j`` if it is due and free at ``now``; returns whether it ran."""
    if not _claim(j, now):
        return False
    started = time.perf_counter()
    ok, result, error = True, {}, ""
    try:
        # a job manages its own transactions (escalation commits chunk by chunk)
        result = j.func(now) or {}
    except Exception as exc:  # recorded on the job row; the loop goes on
        log.exception("job failed", extra={"job": j.name})
        ok, error = False, f"{type(exc).__name__}: {exc}"[:4000]
    took = time.perf_counter() - started
    JobState.objects.filter(name=j.name).update(
        next_run_at=now + j.every,
        locked_until=None,
        last_finished_at=now,
        last_ok=ok,
        last_result=result,
        last_error=error,
        last_seconds=took,
        runs=F("runs") + 1,
    )
    log.info("job ran", extra={"job": j.name, "ok": ok, "seconds": round(took, 3), **result})
    return True


def run_due(now: datetime, *, only: frozenset[str] | None = None) -> list[str]:
    """Run every registered job due at ``now``; returns the names of those that ran."""
    ran = []
    for name, j in sorted(discover().items()):
        if only is not None and name not in only:
            continue
        if run_job(j, now):
            ran.append(name)
    return ran


def loop(
    *,
    clock: Clock = timezone.now,
    stop: threading.Event | None = None,
    poll_s: float = 5.0,
    once: bool = False,
    only: frozenset[str] | None = None,
) -> int:
    """Run due jobs until ``stop`` is set (``once``: one pass). Returns how many runs."""
    stop = stop or threading.Event()
    n = 0
    while not stop.is_set():
        if not connection.in_atomic_block:
            close_old_connections()
        n += len(run_due(clock(), only=only))
        if once:
            break
        stop.wait(poll_s)
    return n
