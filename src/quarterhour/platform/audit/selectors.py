"""Read the history of a register row: who changed what, when, and from which value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models


@dataclass(frozen=True, slots=True)
class Change:
    when: datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    field: str
    old: Any
    new: Any
    reason: str


def changes(instance: models.Model) -> list[Change]:
    """Every recorded field change of ``instance``, newest first."""
    # ``history`` is added to each model by simple_history's HistoricalRecords (untyped)
    history = instance.history  # type: ignore[attr-defined]
    records = list(history.select_related("history_user").order_by("-history_date", "-history_id"))
    out: list[Change] = []
    for i, rec in enumerate(records):
        who = str(rec.history_user) if rec.history_user else ""
        reason = rec.history_change_reason or ""
        prev = records[i + 1] if i + 1 < len(records) else None
        if prev is None or rec.history_type == "+":
            out.append(Change(rec.history_date, who, rec.history_type, "", None, None, reason))
            continue
        delta = rec.diff_against(prev)
        if rec.history_type == "-" or not delta.changes:
            out.append(Change(rec.history_date, who, rec.history_type, "", None, None, reason))
        for c in delta.changes:
            out.append(
                Change(rec.history_date, who, rec.history_type, c.field, c.old, c.new, reason)
            )
    return out
