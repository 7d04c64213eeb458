"""Admin: joint meetings and actions, read-only and scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.meetings import selectors
from quarterhour.platform.meetings.models import Action, Meeting


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "circle", "held_at", "status")
    list_filter = ("status",)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.meetings_visible(request.user)


@admin.register(Action)
class ActionAdmin(ReadOnlyScopedAdmin):
    list_display = ("description", "owner", "due_on", "status")
    list_filter = ("status",)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return Action.objects.filter(meeting__in=selectors.meetings_visible(request.user))
