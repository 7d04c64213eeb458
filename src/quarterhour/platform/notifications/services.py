"""Sending notifications: ``notify`` (inbox rows now, outside channels after commit), the
retry job for outside deliveries, and a person's own inbox actions."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.errors import Issue, PermissionRefused, raise_if_any
from quarterhour.platform.notifications.channels import Channel, configured_channels
from quarterhour.platform.notifications.error_codes import NotificationError as E
from quarterhour.platform.notifications.models import Delivery, Notification, Preference

log = logging.getLogger("quarterhour.platform.notifications")

#: a delivery claimed longer ago than this is assumed abandoned (crashed sender) and retried
CLAIM_TIMEOUT = timedelta(minutes=5)
#: outside deliveries are given up (status failed) after this many attempts
MAX_ATTEMPTS = 5
#: up to this many outside deliveries are sent right after commit; more wait for the job
IMMEDIATE_LIMIT = 200


def _recipients(recipients: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        out.append(user)
    return out


@dataclass(frozen=True, slots=True)
class Message:
    """One message to one person (for :func:`notify_bulk`)."""

    recipient: Any
    kind: str
    subject: str
    body: str
    obj: models.Model | None = None


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    subject: str,
    body: str,
    obj: models.Model | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Tell ``recipients`` (users; duplicates, ``None`` and inactive users dropped) about
    ``obj``. Writes one inbox row per person in the caller's transaction and one pending
    delivery per outside channel the person can be reached by and has not turned off; those
    are sent once the transaction commits (and retried by the jobs loop when they fail).
    Nothing is sent if the caller's transaction rolls back. Returns the inbox rows."""
    issues = []
    if not str(subject).strip():
        issues.append(Issue(E.EMPTY_SUBJECT, _("通知标题不能为空"), field="subject"))
    if not kind:
        issues.append(Issue(E.EMPTY_SUBJECT, _("通知类型不能为空"), field="kind"))
    raise_if_any(issues)
    people = _recipients(recipients)
    return notify_bulk([Message(u, kind, subject, body, obj) for u in people], now=now)


def notify_bulk(messages: Sequence[Message], *, now: datetime | None = None) -> list[Notification]:
    """Many messages at once (scheduled jobs): the same as :func:`notify` per message, in a
    few queries. Messages to inactive users or ``None`` are dropped."""
    todo = [m for m in messages if m.recipient is not None and m.recipient.is_active]
    if not todo:
        return []
    when = now or timezone.now()
    ctypes: dict[type, ContentType] = {}
    rows = []
    for m in todo:
        ctype = None
        if m.obj is not None:
            cls = type(m.obj)
            ctype = ctypes.get(cls) or ctypes.setdefault(
                cls, ContentType.objects.get_for_model(cls)
            )
        rows.append(
            Notification(
                recipient=m.recipient,
                kind=m.kind,
                subject=str(m.subject)[:200],
                body=str(m.body),
                content_type=ctype,
                object_id=str(m.obj.pk) if m.obj is not None else "",
                created_at=when,
            )
        )
    rows = Notification.objects.bulk_create(rows, batch_size=2000)
    if any(r.pk is None for r in rows):  # backends without RETURNING (none we support)
        raise RuntimeError("bulk_create did not return primary keys")
    channels = configured_channels()
    users = {m.recipient.pk: m.recipient for m in todo}
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(users))}
    deliveries = []
    for row, m in zip(rows, todo, strict=True):
        pref = prefs.get(m.recipient.pk)
        for name, channel in channels.items():
            address = channel.address(m.recipient)
            wanted = getattr(pref, name, True) if pref is not None else True
            status = Delivery.Status.PENDING if address and wanted else Delivery.Status.SKIPPED
            deliveries.append(
                Delivery(notification=row, channel=name, status=status, address=address)
            )
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    pending = [d.notification_id for d in deliveries if d.status == Delivery.Status.PENDING]
    if pending and len(pending) <= IMMEDIATE_LIMIT:
        ids = sorted(set(pending))
        transaction.on_commit(lambda: deliver_pending(notification_ids=ids))
    # larger batches (scheduled jobs) are left to the ``notifications.deliver`` job
    return rows


def _claim(pending: Q, *, now: datetime, limit: int) -> list[Delivery]:
    """Take up to ``limit`` deliveries matching ``pending`` for this process (a conditional
    update per row, so two senders never take the same one)."""
    stale = now - CLAIM_TIMEOUT
    candidates = list(
        Delivery.objects.filter(pending, status=Delivery.Status.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("id")
        .values_list("id", "claimed_at")[:limit]
    )
    taken = []
    for pk, claimed in candidates:
        n = Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING, claimed_at=claimed)
        if n.update(claimed_at=now, attempts=F("attempts") + 1):
            taken.append(pk)
    return list(Delivery.objects.filter(pk__in=taken).select_related("notification"))


def _send(delivery: Delivery, channel: Channel | None, *, now: datetime) -> bool:
    if channel is None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, error=f"channel {delivery.channel} not configured"
        )
        return False
    note = delivery.notification
    try:
        channel.send(delivery.address, note.subject, note.body)
    except Exception as exc:  # any gateway failure: recorded, retried later
        log.warning("delivery failed", extra={"delivery": delivery.pk, "channel": channel.name})
        gave_up = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if gave_up else Delivery.Status.PENDING,
            claimed_at=None,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=now, error=""
    )
    return True


def deliver_pending(
    *,
    notification_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> int:
    """Send pending outside deliveries (those of ``notification_ids``, or all). Returns how
    many were sent. Called after commit by :func:`notify` and periodically by the jobs loop."""
    when = now or timezone.now()
    which = Q(notification_id__in=notification_ids) if notification_ids is not None else Q()
    channels = configured_channels()
    sent = 0
    for delivery in _claim(which, now=when, limit=limit):
        sent += _send(delivery, channels.get(delivery.channel), now=when)
    return sent


# -- the recipient's own actions -------------------------------------------------------------


def mark_read(*, actor: Any, notification: Notification, now: datetime | None = None) -> None:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionRefused(E.PERMISSION_DENIED, _("这不是您的通知"))
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def mark_all_read(*, actor: Any, now: datetime | None = None) -> int:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionRefused(E.PERMISSION_DENIED, _("请先登录"))
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


@transaction.atomic
def set_preference(*, actor: Any, email: bool, sms: bool) -> Preference:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionRefused(E.PERMISSION_DENIED, _("请先登录"))
    pref, _created = Preference.objects.update_or_create(
        user=actor, defaults={"email": email, "sms": sms}
    )
    return pref
