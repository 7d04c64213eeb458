"""Periodic jobs of requests: reminders before the deadline, escalation after it."""

from __future__ import annotations

from datetime import datetime, timedelta

from quarterhour.platform.jobs.registry import job
from quarterhour.platform.requests.escalation import escalate_overdue, send_reminders


@job("requests.remind", every=timedelta(minutes=5))
def remind(now: datetime) -> dict[str, int]:
    return send_reminders(now=now)


@job("requests.escalate", every=timedelta(minutes=5))
def escalate(now: datetime) -> dict[str, int]:
    return escalate_overdue(now=now)
