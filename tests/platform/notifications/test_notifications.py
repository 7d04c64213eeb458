"""Notifications: inbox rows, e-mail through Django's mail backend, SMS through the (fake,
logging) gateway, delivery after commit only, retries, preferences, the inbox page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.notifications import selectors, services
from quarterhour.platform.notifications.channels import LoggingSmsGateway, mask_phone
from quarterhour.platform.notifications.models import Delivery, Notification, Preference

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clear_sms() -> None:
    LoggingSmsGateway.sent.clear()


def _people(world: Any) -> tuple[Any, Any]:
    resident = world.users["resident"]
    resident.email = "resident@example.org"
    resident.phone = "13812345678"
    resident.save()
    staff = world.users["community"]  # no e-mail, no phone
    return resident, staff


def test_notify_writes_inbox_and_sends_after_commit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    resident, staff = _people(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = services.notify(
            recipients=[resident, staff, resident, None],
            kind="request.status",
            subject="诉求已受理",
            body="编号 7",
            obj=world.a1x,
            now=T0,
        )
        # inside the transaction: inbox rows exist, nothing sent yet
        assert len(mail.outbox) == 0
        assert list(LoggingSmsGateway.sent) == []
    assert len(callbacks) == 1
    assert [r.recipient_id for r in rows] == [resident.pk, staff.pk]
    assert Notification.objects.count() == 2
    row = Notification.objects.get(recipient=resident)
    assert (row.kind, row.subject, row.body, row.object_id) == (
        "request.status",
        "诉求已受理",
        "编号 7",
        str(world.a1x.pk),
    )
    assert row.content_type.model == "community"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["resident@example.org"]
    assert mail.outbox[0].subject == "诉求已受理"
    assert mail.outbox[0].body == "编号 7"
    assert list(LoggingSmsGateway.sent) == [("13812345678", "诉求已受理：编号 7")]
    statuses = sorted(
        Delivery.objects.values_list("notification__recipient__username", "channel", "status")
    )
    assert statuses == [
        ("community_a1x", "email", "skipped"),
        ("community_a1x", "sms", "skipped"),
        ("resident", "email", "sent"),
        ("resident", "sms", "sent"),
    ]


def test_rolled_back_transaction_sends_nothing(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    resident, _staff = _people(world)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notify(recipients=[resident], kind="k", subject="s", body="b")
        raise RuntimeError("the calling service failed")
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert len(mail.outbox) == 0
    assert list(LoggingSmsGateway.sent) == []


def test_preferences_turn_channels_off(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    resident, _ = _people(world)
    services.set_preference(actor=resident, email=False, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[resident], kind="k", subject="s", body="")
    assert len(mail.outbox) == 0
    assert list(LoggingSmsGateway.sent) == [("13812345678", "s")]
    assert Preference.objects.get(user=resident).email is False


def test_failed_delivery_is_retried_then_given_up(world: Any, monkeypatch: Any) -> None:
    resident, _ = _people(world)
    services.notify(recipients=[resident], kind="k", subject="s", body="b", now=T0)
    calls = []

    def broken(self: Any, phone: str, text: str) -> None:
        calls.append(phone)
        raise ConnectionError("gateway down")

    monkeypatch.setattr(LoggingSmsGateway, "send_sms", broken)
    # first pass: e-mail goes, SMS fails and stays pending with the error
    assert services.deliver_pending(now=T0) == 1
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts, sms.error) == ("pending", 1, "ConnectionError: gateway down")
    for i in range(2, services.MAX_ATTEMPTS + 1):
        assert services.deliver_pending(now=T0 + timedelta(minutes=i)) == 0
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert len(calls) == services.MAX_ATTEMPTS
    assert services.deliver_pending(now=T0 + timedelta(hours=1)) == 0
    assert len(calls) == services.MAX_ATTEMPTS
    assert len(mail.outbox) == 1


def test_claimed_delivery_is_not_sent_twice(world: Any) -> None:
    resident, _ = _people(world)
    services.notify(recipients=[resident], kind="k", subject="s", body="b", now=T0)
    Delivery.objects.update(claimed_at=T0)  # another sender is working on them
    assert services.deliver_pending(now=T0 + timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 0
    # a claim older than the timeout is taken over (the other sender crashed)
    assert services.deliver_pending(now=T0 + services.CLAIM_TIMEOUT + timedelta(seconds=1)) == 2
    assert len(mail.outbox) == 1


def test_bad_input_stores_nothing(world: Any) -> None:
    resident, _ = _people(world)
    with pytest.raises(Invalid) as exc:
        services.notify(recipients=[resident], kind="", subject=" ", body="b")
    assert [i.field for i in exc.value.issues] == ["subject", "kind"]
    assert Notification.objects.count() == 0
    assert services.notify(recipients=[], kind="k", subject="s", body="b") == []


def test_only_the_recipient_reads(world: Any) -> None:
    resident, staff = _people(world)
    (row,) = services.notify(recipients=[resident], kind="k", subject="s", body="b")
    with pytest.raises(PermissionRefused):
        services.mark_read(actor=staff, notification=row)
    assert selectors.unread_count(resident) == 1
    assert selectors.inbox(staff).count() == 0
    services.mark_read(actor=resident, notification=row, now=T0)
    row.refresh_from_db()
    assert row.read_at == T0
    assert selectors.unread_count(resident) == 0


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"


def test_inbox_page(world: Any, client: Any) -> None:
    resident, staff = _people(world)
    services.notify(recipients=[resident], kind="k", subject="您的诉求已办结", body="请评价")
    services.notify(recipients=[staff], kind="k", subject="别人的通知", body="")
    client.force_login(resident)
    page = client.get("/notifications/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "您的诉求已办结" in text
    assert "别人的通知" not in text
    note = Notification.objects.get(recipient=resident)
    assert client.post(f"/notifications/{note.pk}/read").status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    other = Notification.objects.get(recipient=staff)
    assert client.post(f"/notifications/{other.pk}/read").status_code == 404
    assert client.post("/notifications/preference", {"sms": "on"}).status_code == 302
    pref = Preference.objects.get(user=resident)
    assert (pref.email, pref.sms) == (False, True)
    client.logout()
    assert client.get("/notifications/").status_code == 302
