from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.planning.models import AssessmentRun, WalkNetworkFile
from quarterhour.platform.planning.selectors import runs_visible


@admin.register(WalkNetworkFile)
class WalkNetworkFileAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "source", "data_date", "n_nodes", "n_edges", "created_at")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        qs = WalkNetworkFile.objects.all()
        return qs if can_use_staff_pages(request.user) else qs.none()


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ReadOnlyScopedAdmin):
    list_display = ("pk", "district", "street", "status", "inputs_date", "created_at")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return runs_visible(request.user)
