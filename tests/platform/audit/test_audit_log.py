"""One audit log: every model the platform writes keeps a history (who, when, what, why), and
every admin page either goes through the services or is read-only.

The models without a history of their own are listed with the reason (an event log that is
itself the history, computed results, a person's own settings, scheduler bookkeeping); any other
model without one fails the first test. The writes fixed here (district deadlines, work
calendars, API keys issued and revoked, roles granted and removed, accounts opened and closed)
are each performed through their service and their history entry read back.
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
    # the days set are named in the reason (the days themselves are rewritten in bulk)
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
