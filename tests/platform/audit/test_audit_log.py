"""One audit log: every model the platform writes keeps a history (who, when, what, why), and
every admin page either goes through the services or is read-only.

The models without a history of their own are listed with the reason (an event log that is
itself the history, computed results, a person's own settings, scheduler bookkeeping); any other
model without one fails the first test. The writes fixed here (district deadlines, work
calendars, API keys issued and revoked, roles granted and removed, accounts opened and closed)
are each performed through their service and their history entry read back.

And across the board: the demo is built (every seeder writing through the services) and every row
of every model is checked to have a history entry, or an event row where the model's record is
an event log; each model either has rows after the demo or is listed with why it has none.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin

from quarterhour.platform.accounts import services as accounts
from quarterhour.platform.accounts.admin_scope import (
    AuditedAdmin,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
)
from quarterhour.platform.accounts.models import Membership
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.open311 import keys
from quarterhour.platform.requests import configuration
from quarterhour.platform.requests.models import CalendarDay, CategoryDeadline, WorkCalendar

pytestmark = pytest.mark.django_db

#: models written without a history table of their own, and why that is right
NO_HISTORY = {
    "requests.ServiceRequest": "its Event rows are its history (who, when, action, note)",
    "requests.Event": "the request's event log itself",
    "requests.Handover": "the request's transfer log itself (who → whom → why)",
    "certification.CertificationEvent": "the certification's event log itself",
    "sharing.SharingEvent": "the sharing state machines' event log itself",
    "volunteers.VolunteeringEvent": "the volunteering state machines' event log itself",
    "meetings.MeetingEvent": "the meetings state machines' event log itself",
    "requests.Follower": "a resident joining a request; the request's events record it",
    "planning.WalkNetworkFile": "a file registered by the import command; runs name it",
    "planning.AssessmentRun": "the run records who asked, when and its state",
    "planning.CommunityResult": "computed by an assessment run",
    "planning.CommunityItemResult": "computed by an assessment run",
    "planning.CircleResult": "computed by an assessment run",
    "planning.CircleItemResult": "computed by an assessment run",
    "notifications.Notification": "a message sent: the record of itself",
    "notifications.Delivery": "a delivery attempt: the record of itself",
    "notifications.Preference": "a person's own choice of channels",
    "jobs.JobState": "the scheduler's bookkeeping",
    "sharing.Slot": "an occurrence made by the first booking, which has the history",
    "evaluation.SurveyResponse": "a resident's answer, written once and never changed",
}


def _platform_models() -> list[Any]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("quarterhour.platform")
        and not m.__name__.startswith("Historical")
    ]


def test_every_written_model_keeps_a_history() -> None:
    missing = [
        m._meta.label
        for m in _platform_models()
        if not hasattr(m, "history") and m._meta.label not in NO_HISTORY
    ]
    assert missing == []
    for label in NO_HISTORY:  # each still exists (LookupError otherwise)
        apps.get_model(label)


def _last(model_history: Any) -> Any:
    return model_history.order_by("-history_date", "-history_id").first()


def _entry(rec: Any, *, actor: Any, reason: str, kind: str) -> None:
    assert rec is not None
    assert rec.history_user_id == actor.pk  # who
    assert rec.history_date is not None  # when
    assert rec.history_type == kind  # what: + created, ~ changed, - deleted
    assert rec.history_change_reason == reason  # why


@pytest.fixture
def category(world: Any) -> Any:
    from tests.platform.requests.helpers import make_categories

    return make_categories()["repair"]


def test_district_deadline_is_recorded(world: Any, category: Any) -> None:
    actor = world.users["district"]
    row = configuration.set_district_deadline(
        actor=actor, category=category, district=world.A, amount=5, unit="days"
    )
    _entry(_last(row.history.all()), actor=actor, reason="区县办结时限", kind="+")
    configuration.set_district_deadline(
        actor=actor, category=category, district=world.A, amount=2, unit="days"
    )
    rec = _last(CategoryDeadline.history.filter(id=row.pk))
    _entry(rec, actor=actor, reason="区县办结时限", kind="~")
    assert rec.amount == 2


def test_work_calendar_is_recorded(world: Any) -> None:
    actor = world.users["district"]
    cal = configuration.set_calendar(
        actor=actor,
        district=world.A,
        weekdays="12345",
        day_start=time(8, 30),
        day_end=time(17, 30),
        days_off=[date(2026, 10, 1)],
    )
    # the days set are named in the reason (and the days rewritten carry the same)
    _entry(
        _last(cal.history.all()),
        actor=actor,
        reason="工作日历（放假：2026-10-01；上班：）",
        kind="+",
    )
    configuration.set_calendar(actor=actor, district=world.A, days_on=[date(2026, 10, 1)])
    rec = _last(WorkCalendar.history.filter(id=cal.pk))
    _entry(rec, actor=actor, reason="工作日历（放假：；上班：2026-10-01）", kind="~")
    assert CalendarDay.objects.get(calendar=cal).is_workday is True
    # each day rewritten keeps its own entry: the old one deleted, the new one created
    day = CalendarDay.objects.get(calendar=cal)
    why = "工作日历（放假：；上班：2026-10-01）"
    _entry(_last(day.history.all()), actor=actor, reason=why, kind="+")
    gone = _last(CalendarDay.history.filter(history_type="-"))
    _entry(gone, actor=actor, reason=why, kind="-")


def test_api_key_issue_and_revocation_are_recorded(world: Any) -> None:
    actor = world.users["city"]
    client, raw = keys.issue_key(actor=actor, name="12345 热线")
    _entry(_last(client.history.all()), actor=actor, reason="发放接口密钥", kind="+")
    assert keys.check_key(raw) == client
    with pytest.raises(PermissionRefused):
        keys.revoke_key(actor=world.users["resident"], client=client)
    keys.revoke_key(actor=actor, client=client)
    _entry(_last(client.history.all()), actor=actor, reason="吊销接口密钥", kind="~")
    with pytest.raises(keys.KeyRefused):
        keys.check_key(raw)


def test_roles_granted_and_removed_are_recorded(world: Any) -> None:
    actor, user = world.users["city"], world.users["resident"]
    m = accounts.grant_membership(
        actor=actor, user=user, role="community", community=world.a1y, reason="新任社工"
    )
    _entry(_last(m.history.all()), actor=actor, reason="新任社工", kind="+")
    pk = m.pk
    accounts.remove_membership(actor=actor, membership=m, reason="调离")
    _entry(_last(Membership.history.filter(id=pk)), actor=actor, reason="调离", kind="-")
    with pytest.raises(PermissionRefused):
        accounts.grant_membership(
            actor=world.users["street"], user=user, role="city", reason="自我提拔"
        )


def test_account_activation_is_recorded(world: Any) -> None:
    actor, user = world.users["city"], world.users["provider"]
    accounts.set_active(actor=actor, user=user, active=False, reason="离职")
    rec = _last(user.history.all())
    _entry(rec, actor=actor, reason="离职", kind="~")
    assert rec.is_active is False
    assert not hasattr(rec, "password")  # the hash is not copied into the history
    accounts.set_active(actor=actor, user=user, active=True, reason="返聘")
    assert _last(user.history.all()).is_active is True


def test_admin_changes_are_recorded_with_who(world: Any, client: Any, category: Any) -> None:
    actor = world.users["city"]
    client.force_login(actor)
    user = world.users["resident"]
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "is_active": "",  # deactivate
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    for m in Membership.objects.filter(user=user):
        i = int(data["memberships-TOTAL_FORMS"])
        data.update({f"memberships-{i}-id": m.pk, f"memberships-{i}-user": user.pk})
        data.update({f"memberships-{i}-role": m.role})
        data["memberships-TOTAL_FORMS"] = str(i + 1)
        data["memberships-INITIAL_FORMS"] = str(i + 1)
    r = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert r.status_code == 302, r.content[:2000]
    rec = _last(user.history.all())
    assert (rec.is_active, rec.history_user_id) == (False, actor.pk)
    assert rec.history_change_reason == "在管理后台修改"


def test_every_admin_goes_through_the_services_or_is_read_only() -> None:
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("quarterhour.platform"):
            continue
        label = model._meta.label
        assert isinstance(model_admin, ScopedAdmin | AuditedAdmin), label
        if isinstance(model_admin, ScopedAdmin) and not isinstance(
            model_admin, ReadOnlyScopedAdmin
        ):
            # saves go to the app's services (ScopedAdmin.save_model → create/update)
            assert type(model_admin).save_model is ScopedAdmin.save_model, label
            assert type(model_admin).save_related is ScopedAdmin.save_related, label
        if isinstance(model_admin, AuditedAdmin):
            assert type(model_admin).save_model is AuditedAdmin.save_model, label
            assert type(model_admin).save_formset is AuditedAdmin.save_formset, label
    from quarterhour.platform.requests import admin as requests_admin

    assert issubclass(requests_admin.CategoryAdmin, AuditedAdmin)
    assert issubclass(requests_admin.CalendarAdmin, AuditedAdmin)


# -- every row the demo writes through the services has its history -----------------------------

#: rows without a history table of their own whose record is an event row of another model:
#: model → (event model, the event's path to the row)
RECORDED_BY_EVENTS = {
    "requests.ServiceRequest": ("requests.Event", "request"),
    "requests.Follower": ("requests.Event", "request__followers"),
    "sharing.Slot": ("sharing.Booking", "slot"),  # the booking that made it keeps the history
}
#: tables that are themselves the record (an event log, a computed result, a person's own
#: settings, bookkeeping): their rows need no history of their own
SELF_RECORDING = frozenset(NO_HISTORY) - frozenset(RECORDED_BY_EVENTS)

#: models the demo leaves empty, and why; each is still covered by the first test (a history
#: table or a place in NO_HISTORY) and by its own app's tests
EMPTY_AFTER_DEMO = {
    "jobs.JobState": "written by the scheduler when its jobs run, not by the seeders",
    "notifications.Preference": "written only when a person changes their own channels",
    "requests.Attribute": "extra Open311 questions of a category: the demo's categories ask none",
    "requests.Follower": "a resident joining another's request (我也遇到): none in the demo",
}


def _rows_without_history(model: Any) -> list[Any]:
    history = model.history.model
    recorded = history.objects.values(model._meta.pk.attname)
    return list(model.objects.exclude(pk__in=recorded).values_list("pk", flat=True)[:5])


def _rows_without_event(model: Any, event_label: str, path: str) -> list[Any]:
    events = apps.get_model(event_label).objects.values(f"{path}__pk" if "__" in path else path)
    return list(model.objects.exclude(pk__in=events).values_list("pk", flat=True)[:5])


@pytest.fixture
def demo_built(db: Any) -> None:
    """The demo as ``quarterhour demo`` builds it: the map, the people, an assessment, and every
    mechanism's seeder writing through its services."""
    from quarterhour.platform.demo import build

    build(lambda _message: None)


def test_every_row_the_demo_writes_has_a_history(demo_built: None) -> None:
    without: dict[str, list[Any]] = {}
    empty: list[str] = []
    for model in _platform_models():
        label = model._meta.label
        if not model.objects.exists():
            empty.append(label)
        elif hasattr(model, "history"):
            missing = _rows_without_history(model)
            if missing:
                without[label] = missing
        elif label in RECORDED_BY_EVENTS:
            missing = _rows_without_event(model, *RECORDED_BY_EVENTS[label])
            if missing:
                without[label] = missing
        else:
            assert label in SELF_RECORDING, label
    assert without == {}, "rows written without a history entry (first pks)"
    assert sorted(empty) == sorted(EMPTY_AFTER_DEMO), "models the demo leaves empty"
