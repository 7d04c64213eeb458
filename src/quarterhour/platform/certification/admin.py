"""Admin: certifications are read here (scoped by jurisdiction); every transition is made on the
staff pages through the state machine, never by editing a row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.certification import selectors
from quarterhour.platform.certification.models import Certification, CertificationEvent


class EventInline(admin.TabularInline[CertificationEvent, Certification]):
    model = CertificationEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certification)
class CertificationAdmin(ReadOnlyScopedAdmin):
    list_display = ("provider", "community", "state", "applied_at", "term_end")
    list_filter = ("state",)
    search_fields = ("provider__name",)
    inlines = (EventInline,)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.certifications_visible(request.user)
