"""Admin: funds and contracts, read-only and scoped; they are recorded on the funding page
through the services (which name every problem in the form's language)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.funding import selectors
from quarterhour.platform.funding.models import Contract, Fund


@admin.register(Fund)
class FundAdmin(ReadOnlyScopedAdmin):
    list_display = ("year", "street", "circle", "source", "use", "amount", "donor")
    list_filter = ("year", "source", "use")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.funds_visible(request.user)


@admin.register(Contract)
class ContractAdmin(ReadOnlyScopedAdmin):
    list_display = ("number", "street", "provider", "title", "amount", "signed_on")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.contracts_visible(request.user)
