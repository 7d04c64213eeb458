from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts.admin_scope import ScopedAdmin
from quarterhour.platform.core import access
from quarterhour.platform.facilities import permissions as perm
from quarterhour.platform.facilities import selectors, services
from quarterhour.platform.facilities.models import Facility


class FacilityForm(forms.ModelForm[Facility]):
    item_codes = forms.CharField(
        label=_("标准项目代码"), help_text=_("多个用逗号分隔，如 shop.pharmacy, station.health")
    )

    class Meta:
        model = Facility
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["item_codes"] = ", ".join(
                self.instance.items.values_list("item_code", flat=True)
            )

    def clean_item_codes(self) -> list[str]:
        raw = self.cleaned_data["item_codes"]
        return [c for c in re.split(r"[\s,，、;；]+", raw) if c]


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    form = FacilityForm
    list_display = ("name", "community", "owner_kind", "updated_at")
    list_select_related = ("community",)
    list_filter = ("owner_kind", "is_active")
    search_fields = ("name", "address", "key")
    raw_id_fields = ("community", "provider")
    service_fields = (
        "key",
        "name",
        "address",
        "lon",
        "lat",
        "community",
        "owner_kind",
        "owner_name",
        "provider",
        "opening_hours",
        "hours_note",
        "phone",
        "source",
        "is_active",
        "item_codes",
    )
    readonly_fields = ("derived_for_demo", "register_scope")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.facilities_visible(request.user)

    def can_add(self, request: HttpRequest) -> bool:
        return access.can_use_staff_pages(request.user)

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_facility(request.user, obj.community, obj.provider_id)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.facility_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        data.pop("key", None)
        return services.facility_update(actor=request.user, facility=obj, **data)
