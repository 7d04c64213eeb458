"""Test helpers: run a queued assessment through the worker at once."""

from __future__ import annotations

from typing import Any

from quarterhour.platform.planning.models import AssessmentRun
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.planning.worker import work


def run_street_a1(world: Any) -> AssessmentRun:
    run = assessment_request(actor=world.users["street"], street=world.A1, speed_kmh=4.1)
    assert run.status == AssessmentRun.Status.QUEUED
    assert work(once=True) == 1
    run.refresh_from_db()
    return run


def run_city(world: Any) -> AssessmentRun:
    run = assessment_request(actor=world.users["city"], speed_kmh=4.1)
    assert work(once=True) == 1
    run.refresh_from_db()
    assert run.status == AssessmentRun.Status.DONE, run.error_message
    return run
