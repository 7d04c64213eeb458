"""The time a service acts at: the caller's ``now`` (tests and jobs pass one), else the clock."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now_or(now: dt.datetime | None) -> dt.datetime:
    """``now`` when given, else the current time."""
    return now if now is not None else timezone.now()
