"""Provider certification: every legal transition, every illegal one, bad input, audit records,
catalogue listing and the scheduled job (controllable clock)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from quarterhour.platform.catalogue.models import Service
from quarterhour.platform.certification import selectors, services
from quarterhour.platform.certification.models import (
    Certification,
    CertificationEvent,
    Objection,
    State,
)
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.notifications.models import Notification
from tests.platform.certification.helpers import (
    DAY,
    T0,
    TZ,
    apply,
    certified,
    meeting,
    notice,
    sign,
)


def events(cert: Certification) -> list[tuple[str, str, str]]:
    return [
        (e.action, e.from_state, e.to_state)
        for e in CertificationEvent.objects.filter(certification=cert).order_by("at", "pk")
    ]


# -- the whole path, as the policy describes it ------------------------------


def test_full_path_to_certified_lists_items_and_records_every_step(world):
    cert = certified(world)
    assert cert.state == State.CERTIFIED
    assert events(cert) == [
        ("apply", "", "applied"),
        ("meeting_approve", "applied", "meeting_approved"),
        ("sign_agreement", "meeting_approved", "agreement_signed"),
        ("start_notice", "agreement_signed", "public_notice"),
        ("certify", "public_notice", "certified"),
    ]
    actors = [
        e.actor.username
        for e in CertificationEvent.objects.filter(certification=cert).order_by("at", "pk")
    ]
    assert actors == ["provider_pa1", "community_a1x", "street_a1", "street_a1", "street_a1"]
    cert.refresh_from_db()
    assert (cert.meeting_attendees, cert.votes_for, cert.votes_against, cert.votes_abstain) == (
        25,
        20,
        3,
        2,
    )
    assert cert.notice_end == T0 + 8 * DAY
    service = Service.objects.get(pk=cert.catalogue_service_id)
    assert service.is_active and service.provider_id == world.pA1.pk
    assert sorted(service.items.values_list("item_code", flat=True)) == [
        "convenience.delivery",
        "shop.pharmacy",
    ]
    assert selectors.is_certified(world.pA1)
    assert list(selectors.certified_providers()) == [world.pA1]
    # history rows of the certification: one per save, the reason naming the action
    reasons = [h.history_change_reason for h in cert.history.order_by("history_id")]
    label = services.MACHINE.label
    assert reasons[:5] == [
        "申请认证",
        f"{label('meeting_approve')}：赞成 20，反对 3，弃权 2",
        str(label("sign_agreement")),
        str(label("start_notice")),
        str(label("certify")),
    ]
    # the provider's history page reads the same events
    assert next(e.action for e in selectors.provider_history(world.pA1)) == "certify"
    # the provider's staff were told
    kinds = set(
        Notification.objects.filter(recipient=world.users["provider"]).values_list(
            "kind", flat=True
        )
    )
    assert {"certification.meeting", "certification.notice", "certification.certified"} <= kinds


def test_meeting_rejection_ends_the_application(world):
    cert = meeting(
        world, apply(world), decision="reject", votes_for=10, votes_against=12, votes_abstain=3
    )
    assert cert.state == State.REJECTED
    assert events(cert)[-1] == ("meeting_reject", "applied", "rejected")


def test_objection_dismissed_then_certified_upheld_then_rejected(world):
    cert = notice(world, sign(world, meeting(world, apply(world))))
    resident = world.users["resident"]
    obj = services.object_to(actor=resident, certification=cert, text="噪音扰民", now=T0 + 2 * DAY)
    street = world.users["street"]
    with pytest.raises(Invalid) as exc:
        services.certify(actor=street, certification=cert, now=T0 + 9 * DAY)
    assert exc.value.code == "certification_open_objections"
    services.resolve_objection(
        actor=street, objection=obj, upheld=False, resolution="经核实已整改", now=T0 + 3 * DAY
    )
    assert Notification.objects.filter(
        recipient=resident, kind="certification.objection_resolved"
    ).exists()
    assert Notification.objects.filter(recipient=street, kind="certification.objection").exists()
    cert = services.certify(actor=street, certification=cert, now=T0 + 9 * DAY)
    assert cert.state == State.CERTIFIED
    assert [a for a, _f, _t in events(cert)] == [
        "apply",
        "meeting_approve",
        "sign_agreement",
        "start_notice",
        "objection",
        "dismiss_objection",
        "certify",
    ]


def test_upheld_objection_rejects(world):
    cert = notice(world, sign(world, meeting(world, apply(world))))
    obj = services.object_to(
        actor=world.users["resident"], certification=cert, text="无证经营", now=T0 + 2 * DAY
    )
    services.resolve_objection(
        actor=world.users["street"], objection=obj, upheld=True, resolution="属实", now=T0 + 3 * DAY
    )
    cert.refresh_from_db()
    assert cert.state == State.REJECTED
    assert events(cert)[-1] == ("uphold_objection", "public_notice", "rejected")
    assert Objection.objects.get(pk=obj.pk).status == "upheld"
    with pytest.raises(Invalid) as exc:
        services.resolve_objection(
            actor=world.users["street"], objection=obj, upheld=False, resolution="x"
        )
    assert exc.value.code == "certification_objection_closed"


def test_certify_during_notice_is_refused(world):
    cert = notice(world, sign(world, meeting(world, apply(world))))
    with pytest.raises(Invalid) as exc:
        services.certify(actor=world.users["street"], certification=cert, now=T0 + 3 * DAY)
    assert exc.value.code == "certification_notice_running"
    cert.refresh_from_db()
    assert cert.state == State.PUBLIC_NOTICE


def test_objection_outside_notice_is_refused(world):
    cert = sign(world, meeting(world, apply(world)))
    with pytest.raises(Invalid) as exc:
        services.object_to(actor=world.users["resident"], certification=cert, text="x", now=T0)
    assert exc.value.code == "certification_not_in_notice"
    cert = notice(world, cert)
    with pytest.raises(Invalid) as exc:  # after the notice ended
        services.object_to(
            actor=world.users["resident"], certification=cert, text="x", now=T0 + 30 * DAY
        )
    assert exc.value.code == "certification_not_in_notice"
    assert Objection.objects.count() == 0


def test_suspend_reinstate_disqualify_move_the_catalogue_listing(world):
    cert = certified(world)
    street = world.users["street"]
    service = Service.objects.get(pk=cert.catalogue_service_id)
    with pytest.raises(Invalid) as exc:
        services.suspend(actor=street, certification=cert, reason="  ")
    assert exc.value.code == "certification_reason_required"
    services.suspend(actor=street, certification=cert, reason="卫生检查不合格", now=T0 + 20 * DAY)
    service.refresh_from_db()
    assert not service.is_active
    services.reinstate(actor=street, certification=cert, reason="复查合格", now=T0 + 25 * DAY)
    service.refresh_from_db()
    assert service.is_active
    own = world.sA1  # a service the provider published itself
    assert own.is_active and not selectors.is_disqualified(world.pA1)
    cert = services.disqualify(
        actor=street, certification=cert, reason="多次投诉属实", now=T0 + 30 * DAY
    )
    service.refresh_from_db()
    own.refresh_from_db()
    assert cert.state == State.DISQUALIFIED and not service.is_active
    assert not own.is_active  # the provider leaves the catalogue
    assert selectors.is_disqualified(world.pA1)
    assert events(cert)[-3:] == [
        ("suspend", "certified", "suspended"),
        ("reinstate", "suspended", "certified"),
        ("disqualify", "certified", "disqualified"),
    ]
    assert (
        CertificationEvent.objects.get(certification=cert, action="disqualify").reason
        == "多次投诉属实"
    )
    assert not selectors.is_certified(world.pA1)


def test_disqualify_from_suspended(world):
    cert = certified(world)
    street = world.users["street"]
    services.suspend(actor=street, certification=cert, reason="停业整顿")
    cert = services.disqualify(actor=street, certification=cert, reason="整顿不合格")
    assert events(cert)[-1] == ("disqualify", "suspended", "disqualified")


@pytest.mark.parametrize("stage", ["applied", "meeting_approved", "agreement_signed"])
def test_withdraw_from_each_open_stage(world, stage):
    cert = apply(world)
    if stage != "applied":
        cert = meeting(world, cert)
    if stage == "agreement_signed":
        cert = sign(world, cert)
    cert = services.withdraw(actor=world.users["provider"], certification=cert, reason="暂不申请")
    assert events(cert)[-1] == ("withdraw", stage, "withdrawn")


def test_renewal_supersedes_the_old_certification(world):
    old = certified(world)
    new = services.renew(actor=world.users["provider"], certification=old, now=T0 + 300 * DAY)
    assert new.renewal_of_id == old.pk and new.state == State.APPLIED
    assert new.item_codes == old.item_codes
    T1 = T0 + 300 * DAY
    new = meeting(world, new, meeting_date=T1.date(), now=T1)
    new = sign(
        world, new, signed_on=T1.date(), term_start=T1.date(), term_end=dt.date(2030, 1, 1), now=T1
    )
    new = notice(world, new, now=T1)
    new = services.certify(actor=world.users["street"], certification=new, now=T1 + 8 * DAY)
    old.refresh_from_db()
    assert old.state == State.SUPERSEDED and new.state == State.CERTIFIED
    assert events(old)[-1] == ("supersede", "certified", "superseded")
    assert not Service.objects.get(pk=old.catalogue_service_id).is_active
    assert Service.objects.get(pk=new.catalogue_service_id).is_active


def test_one_open_application_at_a_time(world):
    apply(world)
    with pytest.raises(Invalid) as exc:
        apply(world)
    assert exc.value.code == "certification_already_open"
    assert Certification.objects.count() == 1


def test_tick_certifies_clean_notices_waits_on_objections_and_expires(world):
    clean = notice(world, sign(world, meeting(world, apply(world))))
    second = world.pA1.__class__.objects.create(name="第二家", street=world.A1)
    other = apply(world, provider=second, actor=world.users["street"])
    other = notice(world, sign(world, meeting(world, other)))
    services.object_to(
        actor=world.users["resident"], certification=other, text="有异议", now=T0 + 2 * DAY
    )
    assert services.tick(now=T0 + 5 * DAY) == {"certified": 0, "expired": 0, "waiting": 0}
    assert services.tick(now=T0 + 9 * DAY) == {"certified": 1, "expired": 0, "waiting": 1}
    clean.refresh_from_db()
    assert clean.state == State.CERTIFIED
    assert CertificationEvent.objects.get(certification=clean, action="certify").actor is None
    after_term = dt.datetime(2028, 3, 3, 9, 0, tzinfo=TZ)
    assert services.tick(now=after_term)["expired"] == 1
    clean.refresh_from_db()
    assert clean.state == State.EXPIRED
    assert not Service.objects.get(pk=clean.catalogue_service_id).is_active


# -- bad input: clear error, nothing stored ------------------------------


def _snapshot(cert: Certification) -> tuple[Any, ...]:
    cert.refresh_from_db()
    return (
        cert.state,
        cert.meeting_attendees,
        cert.notice_end,
        CertificationEvent.objects.count(),
        cert.history.count(),
    )


def test_votes_not_adding_up_is_refused_and_nothing_stored(world):
    cert = apply(world)
    before = _snapshot(cert)
    with pytest.raises(Invalid) as exc:
        meeting(world, cert, attendees=30)
    assert exc.value.code == "certification_votes_do_not_add_up"
    assert "与出席人数 30 不符" in str(exc.value.message)
    assert exc.value.issues[0].field == "attendees"
    assert _snapshot(cert) == before


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"votes_for": -1, "attendees": 4}, "certification_votes_negative"),
        (
            {"decision": "approve", "votes_for": 10, "votes_against": 12, "votes_abstain": 3},
            "certification_decision_against_votes",
        ),
        ({"decision": "reject"}, "certification_decision_against_votes"),
        ({"meeting_date": T0.date() + 5 * DAY}, "certification_meeting_in_future"),
        ({"decision": "maybe"}, "field_invalid"),
    ],
)
def test_bad_meeting_records_are_refused(world, kw, code):
    cert = apply(world)
    before = _snapshot(cert)
    with pytest.raises(Invalid) as exc:
        meeting(world, cert, **kw)
    assert exc.value.code == code
    assert _snapshot(cert) == before


def test_notice_in_the_past_is_refused(world):
    cert = sign(world, meeting(world, apply(world)))
    before = _snapshot(cert)
    with pytest.raises(Invalid) as exc:
        notice(world, cert, days=None, notice_end=T0 - DAY)
    assert exc.value.code == "certification_notice_in_past"
    assert _snapshot(cert) == before


def test_term_ending_before_it_starts_is_refused(world):
    cert = meeting(world, apply(world))
    before = _snapshot(cert)
    with pytest.raises(Invalid) as exc:
        sign(world, cert, term_end=T0.date())
    assert exc.value.code == "certification_term_invalid"
    assert _snapshot(cert) == before


def test_bad_application_collects_every_problem(world):
    with pytest.raises(Invalid) as exc:
        apply(world, item_codes=["no.such"], hotline=" ", opening_hours=[{"days": [9]}])
    codes = [i.code for i in exc.value.issues]
    assert codes[0] == "certification_unknown_item"
    assert "certification_hours_invalid" in codes and "field_invalid" in codes
    assert Certification.objects.count() == 0 and CertificationEvent.objects.count() == 0


# -- every illegal transition ------------------------------


def _call(action: str, w: Any, cert: Certification) -> Any:
    street = w.users["street"]
    now = T0 + 400 * DAY
    calls = {
        "meeting_approve": lambda: meeting(w, cert, now=now),
        "meeting_reject": lambda: meeting(
            w, cert, decision="reject", votes_for=1, votes_against=20, votes_abstain=4, now=now
        ),
        "sign_agreement": lambda: sign(w, cert, now=now),
        "start_notice": lambda: notice(w, cert, now=now),
        "certify": lambda: services.certify(actor=street, certification=cert, now=now),
        "suspend": lambda: services.suspend(actor=street, certification=cert, reason="r", now=now),
        "reinstate": lambda: services.reinstate(
            actor=street, certification=cert, reason="r", now=now
        ),
        "disqualify": lambda: services.disqualify(
            actor=street, certification=cert, reason="r", now=now
        ),
        "withdraw": lambda: services.withdraw(
            actor=w.users["provider"], certification=cert, now=now
        ),
    }
    return calls[action]()


ILLEGAL = [
    (state, action)
    for action in [
        "meeting_approve",
        "meeting_reject",
        "sign_agreement",
        "start_notice",
        "certify",
        "suspend",
        "reinstate",
        "disqualify",
        "withdraw",
    ]
    for state in State.values
    if state not in services.TRANSITIONS[action].sources
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(world, state, action):
    cert = apply(world)
    Certification.objects.filter(pk=cert.pk).update(state=state)  # put it there (test set-up)
    cert.refresh_from_db()
    before = _snapshot(cert)
    with pytest.raises(Invalid) as exc:
        _call(action, world, cert)
    assert exc.value.code == "certification_illegal_transition"
    assert _snapshot(cert) == before


def test_the_transition_table_covers_every_state():
    reachable = {t.target for t in services.TRANSITIONS.values()} | {"applied"}
    assert reachable == set(State.values)
    assert len(ILLEGAL) == 9 * 11 - sum(
        len(services.TRANSITIONS[a].sources)
        for a in [
            "meeting_approve",
            "meeting_reject",
            "sign_agreement",
            "start_notice",
            "certify",
            "suspend",
            "reinstate",
            "disqualify",
            "withdraw",
        ]
    )


def test_refusal_comes_before_any_write(world):
    cert = apply(world)
    before = _snapshot(cert)
    with pytest.raises(PermissionRefused):
        meeting(world, cert, actor=world.users["provider"])
    assert _snapshot(cert) == before


def test_scheduler_runs_the_notice_job_with_its_clock(world):
    from quarterhour.platform.jobs.registry import run_due

    cert = notice(world, sign(world, meeting(world, apply(world))))
    only = frozenset({"certification.tick", "evaluation.enforce_defects"})
    assert run_due(T0 + 2 * DAY, only=only) == ["certification.tick", "evaluation.enforce_defects"]
    cert.refresh_from_db()
    assert cert.state == State.PUBLIC_NOTICE
    assert run_due(T0 + 2 * DAY + dt.timedelta(minutes=5), only=only) == []  # not due yet
    assert "certification.tick" in run_due(T0 + 9 * DAY, only=only)
    cert.refresh_from_db()
    assert cert.state == State.CERTIFIED
