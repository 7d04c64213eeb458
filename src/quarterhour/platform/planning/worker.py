"""The background worker: claims queued assessment runs and executes them.

Started by ``quarterhour worker`` (a process of its own) or, in the demo, as a thread of the
serving process. Web requests only insert a queued row, so they never wait for the engine.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from quarterhour.platform.planning.assessment import execute
from quarterhour.platform.planning.error_codes import PlanningError
from quarterhour.platform.planning.models import AssessmentRun

log = logging.getLogger("quarterhour.platform.worker")


def claim_next() -> AssessmentRun | None:
    """Take the oldest queued run (safe with several workers: skip-locked / conditional update)."""
    with transaction.atomic():
        qs = AssessmentRun.objects.filter(status=AssessmentRun.Status.QUEUED).order_by(
            "created_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        run = qs.first()
        if run is None:
            return None
        taken = AssessmentRun.objects.filter(pk=run.pk, status=AssessmentRun.Status.QUEUED).update(
            status=AssessmentRun.Status.RUNNING, started_at=timezone.now(), stage="start"
        )
        if not taken:
            return None
    return AssessmentRun.objects.select_related("network").get(pk=run.pk)


def run_one(run: AssessmentRun, *, workers: int = 1) -> None:
    try:
        execute(run, workers=workers)
    except Exception as exc:  # a failed run is recorded and the worker keeps going
        log.exception("assessment failed", extra={"run": run.pk})
        AssessmentRun.objects.filter(pk=run.pk).update(
            status=AssessmentRun.Status.FAILED,
            error_code=str(getattr(exc, "code", PlanningError.ENGINE_FAILED)),
            error_message=str(exc)[:2000],
            finished_at=timezone.now(),
        )


def _fresh_connections() -> None:
    """Drop stale connections between runs (a long-lived process), but never inside a
    transaction (tests run the worker inside theirs)."""
    if not connection.in_atomic_block:
        close_old_connections()


def work(
    *,
    once: bool = False,
    poll_s: float = 1.0,
    stop: threading.Event | None = None,
    workers: int = 1,
) -> int:
    """Run queued assessments until ``stop`` is set (or, with ``once``, until none is queued).
    Returns how many runs were executed."""
    stop = stop or threading.Event()
    n = 0
    while not stop.is_set():
        _fresh_connections()
        run = claim_next()
        if run is None:
            if once:
                break
            stop.wait(poll_s)
            continue
        run_one(run, workers=workers)
        n += 1
    _fresh_connections()
    return n


def start_thread(*, poll_s: float = 1.0) -> tuple[threading.Thread, threading.Event]:
    """A daemon worker thread (demo server); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=work, kwargs={"poll_s": poll_s, "stop": stop}, name="qh-worker", daemon=True
    )
    thread.start()
    return thread, stop
