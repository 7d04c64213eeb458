"""Periodic job: remind owners (and the convener) of joint-meeting actions past their due date."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from quarterhour.platform.jobs.registry import job
from quarterhour.platform.meetings.services import remind_overdue


@job("meetings.remind_overdue", every=timedelta(hours=6))
def remind(now: datetime) -> dict[str, int]:
    return {"reminded": remind_overdue(today=timezone.localdate(now))}
