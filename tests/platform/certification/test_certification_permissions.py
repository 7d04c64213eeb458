"""Certification permissions: every role × own/other jurisdiction × action. Allowed calls take
effect; refused ones raise PermissionRefused and leave every certification table unchanged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from quarterhour.platform.certification import services
from quarterhour.platform.certification.models import Certification, CertificationEvent, Objection
from quarterhour.platform.core.errors import PermissionRefused
from tests.platform.helpers import permission_cases

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
DAY = dt.timedelta(days=1)

# fmt: off
EXPECTED: dict[str, tuple[str, ...]] = {
    #                   city  district street community provider resident superuser
    "apply":           ("YY", "YN",    "YN",  "NN",     "YN",    "NN",    "NN"),
    "record_meeting":  ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN"),
    "sign_agreement":  ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "start_notice":    ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "object":          ("NN", "NN",    "NN",  "NN",     "NN",    "YY",    "NN"),
    "certify":         ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "suspend":         ("YY", "YN",    "YN",  "NN",     "NN",    "NN",    "NN"),
    "withdraw":        ("YY", "YN",    "YN",  "NN",     "YN",    "NN",    "NN"),
}
# fmt: on

STAGE = {
    "apply": None,
    "record_meeting": "applied",
    "sign_agreement": "meeting_approved",
    "start_notice": "agreement_signed",
    "object": "public_notice",
    "certify": "public_notice",
    "suspend": "certified",
    "withdraw": "applied",
}


def _target(w: Any, side: str, stage: str | None) -> tuple[Any, Any, Certification | None]:
    provider = w.pA1 if side == "own" else w.pB1
    community = w.a1x if side == "own" else w.b1x
    if stage is None:
        return provider, community, None
    city = w.users["city"]
    cert = services.apply(
        actor=city,
        provider=provider,
        community=community,
        category="convenience",
        item_codes=["shop.pharmacy"],
        hotline="010-1",
        now=T0,
    )
    order = ["applied", "meeting_approved", "agreement_signed", "public_notice", "certified"]
    steps = order[1 : order.index(stage) + 1]
    for step in steps:
        if step == "meeting_approved":
            services.record_meeting(
                actor=city,
                certification=cert,
                meeting_date=T0.date(),
                attendees=3,
                votes_for=3,
                votes_against=0,
                votes_abstain=0,
                decision="approve",
                now=T0,
            )
        if step == "agreement_signed":
            services.sign_agreement(
                actor=city,
                certification=cert,
                signed_on=T0.date(),
                term_start=T0.date(),
                term_end=dt.date(2029, 1, 1),
                unified_sign=True,
                unified_standard=True,
                unified_management=True,
                now=T0,
            )
        if step == "public_notice":
            services.start_notice(actor=city, certification=cert, days=7, now=T0)
        if step == "certified":
            services.certify(actor=city, certification=cert, now=T0 + 8 * DAY)
    cert.refresh_from_db()
    return provider, community, cert


def _do(action: str, user: Any, provider: Any, community: Any, cert: Any) -> None:
    later = T0 + 8 * DAY
    if action == "apply":
        services.apply(
            actor=user,
            provider=provider,
            community=community,
            category="convenience",
            item_codes=["shop.pharmacy"],
            hotline="010-2",
            now=T0,
        )
    elif action == "record_meeting":
        services.record_meeting(
            actor=user,
            certification=cert,
            meeting_date=T0.date(),
            attendees=3,
            votes_for=2,
            votes_against=1,
            votes_abstain=0,
            decision="approve",
            now=T0,
        )
    elif action == "sign_agreement":
        services.sign_agreement(
            actor=user,
            certification=cert,
            signed_on=T0.date(),
            term_start=T0.date(),
            term_end=dt.date(2029, 1, 1),
            unified_sign=True,
            unified_standard=False,
            unified_management=True,
            now=T0,
        )
    elif action == "start_notice":
        services.start_notice(actor=user, certification=cert, days=7, now=T0)
    elif action == "object":
        services.object_to(actor=user, certification=cert, text="异议", now=T0 + DAY)
    elif action == "certify":
        services.certify(actor=user, certification=cert, now=later)
    elif action == "suspend":
        services.suspend(actor=user, certification=cert, reason="检查", now=later)
    elif action == "withdraw":
        services.withdraw(actor=user, certification=cert, reason="撤回", now=T0)


def _tables() -> tuple[Any, ...]:
    return (
        list(Certification.objects.values_list("pk", "state").order_by("pk")),
        CertificationEvent.objects.count(),
        Objection.objects.count(),
        Certification.history.count(),
    )


CASES = permission_cases(EXPECTED)


@pytest.mark.parametrize(("action", "role", "side", "allowed"), CASES)
def test_certification_permission(world, action, role, side, allowed):
    provider, community, cert = _target(world, side, STAGE[action])
    user = world.users[role]
    before = _tables()
    if allowed:
        _do(action, user, provider, community, cert)
        assert _tables() != before
    else:
        with pytest.raises(PermissionRefused):
            _do(action, user, provider, community, cert)
        assert _tables() == before
