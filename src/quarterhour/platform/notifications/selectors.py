"""Reads of a person's own inbox (nobody sees another person's notifications)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from quarterhour.platform.notifications.models import Notification, Preference


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user: Any) -> int:
    return inbox(user, unread_only=True).count()


def preference(user: Any) -> Preference:
    """The person's channel choices (defaults when never saved: everything on)."""
    found = Preference.objects.filter(user=user).first()
    return found or Preference(user=user)
