"""Admin: feedback, evaluations and defect notices, read-only and scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.evaluation import selectors
from quarterhour.platform.evaluation.models import DefectNotice, Evaluation, Feedback


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyScopedAdmin):
    list_display = ("provider", "kind", "rating", "status", "received_at")
    list_filter = ("kind", "status")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.feedback_visible(request.user)


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
