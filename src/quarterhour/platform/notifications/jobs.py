"""Periodic job: send (and retry) pending e-mail / SMS deliveries."""

from __future__ import annotations

from datetime import datetime, timedelta

from quarterhour.platform.jobs.registry import job
from quarterhour.platform.notifications.services import deliver_pending


@job("notifications.deliver", every=timedelta(minutes=1))
def deliver(now: datetime) -> dict[str, int]:
    return {"sent": deliver_pending(now=now, limit=2000)}
