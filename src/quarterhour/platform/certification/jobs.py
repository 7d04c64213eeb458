"""Periodic job: end public notices (certify the clean ones) and expire certifications whose
term is over."""

from __future__ import annotations

from datetime import datetime, timedelta

from quarterhour.platform.certification.services import tick
from quarterhour.platform.jobs.registry import job


@job("certification.tick", every=timedelta(minutes=15))
def certification_tick(now: datetime) -> dict[str, int]:
    return tick(now=now)
