"""Periodic job: defect notices past their deadline and not corrected end the certification."""

from __future__ import annotations

from datetime import datetime, timedelta

from quarterhour.platform.evaluation.services import enforce_defect_notices
from quarterhour.platform.jobs.registry import job


@job("evaluation.enforce_defects", every=timedelta(hours=1))
def enforce_defects(now: datetime) -> dict[str, int]:
    return {"disqualified": len(enforce_defect_notices(now=now))}
