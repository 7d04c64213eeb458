"""Shared set-up of the funding tests: a service-purchase contract of a certified provider."""

from __future__ import annotations

import datetime as dt
from typing import Any

from quarterhour.platform.certification.models import Certification
from quarterhour.platform.funding import services
from quarterhour.platform.funding.models import Contract
from tests.platform.certified import certify


def contract(
    w: Any, *, street: Any = None, provider: Any = None, number: str = "XC-2026-001"
) -> Contract:
    if not Certification.objects.filter(provider=provider or w.pA1).exists():
        certify(provider or w.pA1)
    return services.record_contract(
        actor=w.users["street"] if street is None else w.users["city"],
        street=street or w.A1,
        provider=provider or w.pA1,
        number=number,
        title="居家养老上门服务",
        amount="120000.00",
        signed_on=dt.date(2026, 1, 15),
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 12, 31),
    )
