"""Admin: volunteers and needs, read-only and scoped (approval and matching on the pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.volunteers import selectors
from quarterhour.platform.volunteers.models import Need, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "community", "organisation", "status", "registered_at")
    list_filter = ("status", "organisation")
    search_fields = ("name",)
    exclude = ("phone",)  # personal data stays on the community's pages

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.volunteers_visible(request.user)


@admin.register(Need)
class NeedAdmin(ReadOnlyScopedAdmin):
    list_display = ("skill", "community", "status", "wanted_at", "volunteer")
    list_filter = ("skill", "status")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.needs_visible(request.user)
