"""Admin: feedback, evaluations and defect notices, read-only and scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.accounts.models import Role
from quarterhour.platform.core.access import memberships
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.evaluation import selectors
from quarterhour.platform.evaluation.error_codes import EvaluationError as E
from quarterhour.platform.evaluation.models import DefectNotice, Evaluation, Feedback

GOVERNMENT = (Role.CITY, Role.DISTRICT, Role.STREET, Role.COMMUNITY)


#: who complained is personal: shown to the government staff who collected it, never to the
#: provider's staff (who see the complaint, not the complainant)
PERSONAL = ("resident_name", "received_by")


def _may_see_complainant(request: HttpRequest) -> bool:
    return any(m.role in GOVERNMENT for m in memberships(request.user))


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyScopedAdmin):
    list_display = ("provider", "kind", "rating", "status", "received_at")
    list_filter = ("kind", "status")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.feedback_visible(request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if _may_see_complainant(request):
            return fields
        return [f for f in fields if f not in PERSONAL]

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """The history shows every field's old values: for the complainant's eyes only."""
        if not _may_see_complainant(request):
            raise PermissionRefused(E.PERSONAL_DATA, _("投诉人信息仅限政府工作人员查看"))
        return super().history_view(request, object_id, extra_context)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyScopedAdmin):
    list_display = ("provider", "year", "score", "published", "rewarded")
    list_filter = ("year", "published")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.evaluations_visible(request.user)


@admin.register(DefectNotice)
class DefectNoticeAdmin(ReadOnlyScopedAdmin):
    list_display = ("provider", "issued_at", "correct_by", "status")
    list_filter = ("status",)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.notices_visible(request.user)
