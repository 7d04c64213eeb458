from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts.admin_scope import ScopedAdmin
from quarterhour.platform.catalogue import permissions as perm
from quarterhour.platform.catalogue import selectors, services
from quarterhour.platform.catalogue.models import Provider, Service
from quarterhour.platform.core import access
from quarterhour.platform.geography.selectors import streets_visible


@admin.register(Provider)
class ProviderAdmin(ScopedAdmin):
    list_display = ("name", "kind", "street", "hotline")
    list_select_related = ("street",)
    search_fields = ("name", "credit_code")
    raw_id_fields = ("community",)
    service_fields = (
        "street",
        "name",
        "kind",
        "credit_code",
        "community",
        "address",
        "hotline",
        "website",
        "description",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("street",) if obj else ()

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.providers_visible(request.user)

    def can_add(self, request: HttpRequest) -> bool:
        return any(
            perm.can_edit_provider(request.user, s) for s in streets_visible(request.user)[:50]
        )

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_provider(request.user, obj.street, obj.pk)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.provider_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        data.pop("street", None)
        return services.provider_update(actor=request.user, provider=obj, **data)


class ServiceForm(forms.ModelForm[Service]):
    item_codes = forms.CharField(label=_("项目代码"), help_text=_("多个用逗号分隔"))

    class Meta:
        model = Service
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["item_codes"] = ", ".join(
                self.instance.items.values_list("item_code", flat=True)
            )

    def clean_item_codes(self) -> list[str]:
        return [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data["item_codes"]) if c]


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    form = ServiceForm
    list_display = ("name", "provider", "category", "home_visit", "by_appointment", "off_peak")
    list_select_related = ("provider",)
    list_filter = ("category",)
    search_fields = ("name",)
    raw_id_fields = ("provider", "facility")
    service_fields = (
        "provider",
        "name",
        "category",
        "home_visit",
        "by_appointment",
        "off_peak",
        "hotline",
        "opening_hours",
        "hours_note",
        "is_free",
        "fee_note",
        "facility",
        "description",
        "is_active",
        "item_codes",
    )

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.services_visible(request.user)

    def can_add(self, request: HttpRequest) -> bool:
        return access.can_use_staff_pages(request.user)

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_service(request.user, obj.provider)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.service_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        data.pop("provider", None)
        return services.service_update(actor=request.user, service=obj, **data)
