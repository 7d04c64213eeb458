"""Test helpers: the certification steps with the usual answers (a provider of street A1 applies
for community a1x; the community meets, the street signs and gives notice), on a fixed clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from quarterhour.platform.certification import services
from quarterhour.platform.certification.models import Certification

TZ = timezone.get_fixed_timezone(8 * 60)
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
DAY = dt.timedelta(days=1)


def apply(w: Any, *, now: dt.datetime = T0, **kw: Any) -> Certification:
    args = {
        "actor": w.users["provider"],
        "provider": w.pA1,
        "community": w.a1x,
        "category": "convenience",
        "item_codes": ["shop.pharmacy", "convenience.delivery"],
        "hotline": "010-8888",
        "opening_hours": [{"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "20:00"}],
        "home_visit": True,
        "documents": "营业执照\n药品经营许可证",
        "now": now,
    }
    args.update(kw)
    return services.apply(**args)


def meeting(w: Any, cert: Certification, *, decision: str = "approve", **kw: Any) -> Certification:
    args = {
        "actor": w.users["community"],
        "certification": cert,
        "meeting_date": T0.date(),
        "attendees": 25,
        "votes_for": 20,
        "votes_against": 3,
        "votes_abstain": 2,
        "decision": decision,
        "now": T0 + dt.timedelta(hours=1),
    }
    args.update(kw)
    return services.record_meeting(**args)


def sign(w: Any, cert: Certification, **kw: Any) -> Certification:
    args = {
        "actor": w.users["street"],
        "certification": cert,
        "signed_on": T0.date() + DAY,
        "term_start": T0.date() + DAY,
        "term_end": dt.date(2028, 3, 2),
        "unified_sign": True,
        "unified_standard": True,
        "unified_management": True,
        "now": T0 + DAY,
    }
    args.update(kw)
    return services.sign_agreement(**args)


def notice(w: Any, cert: Certification, **kw: Any) -> Certification:
    args = {"actor": w.users["street"], "certification": cert, "days": 7, "now": T0 + DAY}
    args.update(kw)
    return services.start_notice(**args)


def certified(w: Any) -> Certification:
    cert = notice(w, sign(w, meeting(w, apply(w))))
    return services.certify(actor=w.users["street"], certification=cert, now=T0 + 9 * DAY)
