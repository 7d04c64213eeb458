"""The scheduler and the request jobs, on a controllable clock: reminders before the deadline,
escalation community → street → district → city after it, one job holder at a time, failures
recorded, and the ``quarterhour jobs`` command itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from quarterhour.cli import main as cli_main
from quarterhour.platform.jobs import registry
from quarterhour.platform.jobs.models import JobState
from quarterhour.platform.notifications.models import Notification
from quarterhour.platform.requests import services
from quarterhour.platform.requests.models import Event, Handover, ServiceRequest
from tests.platform.conftest import make_user
from tests.platform.requests.helpers import BJ, MONDAY_10, FakeClock, bj, make_categories

pytestmark = pytest.mark.django_db

REQUEST_JOBS = frozenset({"requests.remind", "requests.escalate"})


@pytest.fixture
def req(world: Any) -> ServiceRequest:
    cats = make_categories()
    return services.submit(
        actor=world.users["resident"],
        category=cats["repair"],
        channel="web",
        community=world.a1x,
        attributes={"what": "gym"},
        now=MONDAY_10,
    )


def test_jobs_are_registered() -> None:
    jobs = registry.discover()
    assert {"requests.remind", "requests.escalate", "notifications.deliver"} <= set(jobs)
    assert jobs["requests.escalate"].every == timedelta(minutes=5)


def test_reminder_then_escalation_up_the_levels(world: Any, req: ServiceRequest) -> None:
    district_b = make_user("district_b", "district", district=world.B)
    clock = FakeClock(bj(2026, 3, 4, 13, 59))  # one minute before the reminder time
    assert registry.loop(clock=clock, once=True, only=REQUEST_JOBS) == 2
    req.refresh_from_db()
    assert (req.reminded_at, req.owner_level) == (None, "community")

    clock.now = bj(2026, 3, 4, 14, 5)  # reminder due (due Thursday 10:00)
    registry.loop(clock=clock, once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert req.reminded_at == clock.now
    reminder = Notification.objects.get(kind="request.reminder")
    assert reminder.recipient == world.users["community"]
    assert reminder.subject == f"诉求 #{req.pk} 将于 2026-03-05 10:00 到期"

    clock.now = bj(2026, 3, 4, 14, 11)  # the next run does not remind again
    registry.loop(clock=clock, once=True, only=REQUEST_JOBS)
    assert Notification.objects.filter(kind="request.reminder").count() == 1

    clock.now = bj(2026, 3, 5, 10, 0)  # Thursday 10:00: overdue → street
    registry.loop(clock=clock, once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert (req.status, req.owner_level, req.owner_street_id, req.owner_community) == (
        "new",
        "street",
        world.A1.pk,
        None,
    )
    assert req.escalations == 1
    assert req.reminded_at is None
    assert req.due_at == bj(2026, 3, 10, 10)  # a fresh 3 working days
    h = Handover.objects.get(request=req)
    assert (h.kind, h.by, h.from_unit, h.to_unit, h.reason) == (
        "escalation",
        None,
        "社区 南北长街社区",
        "街道 西长安街街道",
        "超过办结期限，自动升级",
    )
    digest = Notification.objects.get(kind="request.escalated")
    assert (digest.recipient, digest.subject, digest.body) == (
        world.users["street"],
        "1 件超期诉求已升级到您单位",
        f"诉求编号：#{req.pk}",
    )
    told = Notification.objects.get(recipient=world.users["resident"], kind="request.status")
    assert told.subject == f"您的诉求 #{req.pk} 已超期，已升级督办"

    clock.advance(minutes=5)  # not overdue any more: nothing happens
    registry.loop(clock=clock, once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert req.escalations == 1

    clock.now = bj(2026, 3, 10, 10, 0)
    registry.loop(clock=clock, once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert (req.owner_level, req.owner_district_id) == ("district", world.A.pk)
    assert (
        Notification.objects.filter(
            kind="request.escalated", recipient=world.users["district"]
        ).count()
        == 1
    )
    assert not Notification.objects.filter(recipient=district_b).exists()

    clock.now = req.due_at
    registry.loop(clock=clock, once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert (req.owner_level, req.escalations) == ("city", 3)
    clock.now = req.due_at
    registry.loop(clock=clock, once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert (req.owner_level, req.escalations) == ("city", 4)  # the city keeps it
    trail = list(Event.objects.filter(request=req).values_list("action", flat=True))
    assert trail == ["submit", "remind", "escalate", "escalate", "escalate", "escalate"]
    levels = list(Handover.objects.filter(request=req).values_list("from_level", "to_level"))
    assert levels == [
        ("community", "street"),
        ("street", "district"),
        ("district", "city"),
        ("city", "city"),
    ]


def test_closed_requests_do_not_escalate(world: Any, req: ServiceRequest) -> None:
    services.close(actor=world.users["community"], request=req, resolution="修好了")
    registry.loop(clock=FakeClock(bj(2026, 4, 1, 10)), once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert (req.status, req.owner_level, req.escalations) == ("closed", "community", 0)


def test_job_runs_once_per_period_and_one_holder_at_a_time(world: Any, req: Any) -> None:
    j = registry.discover()["requests.escalate"]
    t = bj(2026, 3, 2, 11)
    assert registry.run_job(j, t) is True
    assert registry.run_job(j, t + timedelta(minutes=4)) is False  # not due yet
    state = JobState.objects.get(name="requests.escalate")
    assert (state.next_run_at, state.runs, state.last_ok) == (t + timedelta(minutes=5), 1, True)
    # a holder that has not finished (locked) keeps others out until its lock expires
    JobState.objects.filter(name=j.name).update(locked_until=t + timedelta(hours=1))
    assert registry.run_job(j, t + timedelta(minutes=10)) is False
    assert registry.run_job(j, t + timedelta(hours=1, seconds=1)) is True


def test_failed_job_is_recorded_and_the_loop_goes_on(world: Any) -> None:
    calls = []

    def broken(now: Any) -> dict[str, int]:
        calls.append(now)
        raise RuntimeError("boom")

    registry.job("test.broken", every=timedelta(minutes=1))(broken)
    try:
        t = bj(2026, 3, 2, 11)
        ran = registry.run_due(t, only=frozenset({"test.broken", "requests.remind"}))
        assert ran == ["requests.remind", "test.broken"]
        state = JobState.objects.get(name="test.broken")
        assert (state.last_ok, state.last_error) == (False, "RuntimeError: boom")
        assert state.next_run_at == t + timedelta(minutes=1)
        assert JobState.objects.get(name="requests.remind").last_ok is True
    finally:
        registry.JOBS.pop("test.broken")


def test_the_jobs_command(world: Any, req: ServiceRequest, capsys: Any) -> None:
    code = cli_main(
        [
            "jobs",
            "--once",
            "--now",
            "2026-03-05T10:00:00+08:00",
            "--only",
            "requests.escalate",
            "--settings",
            "quarterhour.platform.settings.test",
        ]
    )
    assert code == 0
    assert "jobs: 1 run(s)" in capsys.readouterr().out
    req.refresh_from_db()
    assert (req.owner_level, req.escalations) == ("street", 1)
    state = JobState.objects.get(name="requests.escalate")
    assert state.last_result == {"street": 1}
    assert state.last_started_at.astimezone(BJ) == bj(2026, 3, 5, 10)
    assert cli_main(["jobs", "--list", "--settings", "quarterhour.platform.settings.test"]) == 0
    assert "requests.escalate\t0:05:00" in capsys.readouterr().out
    assert cli_main(["jobs", "--once", "--now", "2026-03-05T10:00:00"]) == 2


def test_overdue_count_for_provider(world: Any, req: ServiceRequest) -> None:
    from quarterhour.platform.requests.selectors import overdue_count_for_provider

    services.transfer(
        actor=world.users["community"],
        request=req,
        to=services.Owner("provider", provider=world.pA1),
        reason="由服务站点维修",
        now=bj(2026, 3, 2, 11),
    )
    assert overdue_count_for_provider(world.pA1, year=2026, now=bj(2026, 3, 5, 9)) == 0
    # late and still with the station (the job has not run yet)
    assert overdue_count_for_provider(world.pA1, year=2026, now=bj(2026, 3, 5, 10, 1)) == 1
    registry.loop(clock=FakeClock(bj(2026, 3, 5, 10, 1)), once=True, only=REQUEST_JOBS)
    req.refresh_from_db()
    assert req.owner_level == "street"
    h = Handover.objects.get(request=req, kind="escalation")
    assert (h.from_provider, h.from_unit) == (world.pA1, "服务站点 长安便民服务社")
    # escalated away from the station: still counted against it, once
    assert overdue_count_for_provider(world.pA1, year=2026, now=bj(2026, 3, 20, 9)) == 1
    assert overdue_count_for_provider(world.pB1, year=2026, now=bj(2026, 3, 20, 9)) == 0
    assert overdue_count_for_provider(world.pA1, year=2025, now=bj(2026, 3, 20, 9)) == 0
