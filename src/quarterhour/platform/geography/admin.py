from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts import permissions as perm
from quarterhour.platform.accounts.admin_scope import ScopedAdmin
from quarterhour.platform.geography import selectors, services
from quarterhour.platform.geography.models import (
    Circle,
    CircleMembership,
    Community,
    District,
    Street,
)


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ("code", "name", "population")
    search_fields = ("code", "name")
    service_fields = ("code", "name", "population", "boundary_geojson")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code",) if obj else ()

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.districts_visible(request.user)

    def can_add(self, request: HttpRequest) -> bool:
        return perm.can_create_district(request.user)

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_district(request.user, obj)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.district_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        return services.district_update(actor=request.user, district=obj, **data)


@admin.register(Street)
class StreetAdmin(ScopedAdmin):
    list_display = ("code", "name", "district", "kind")
    list_select_related = ("district",)
    search_fields = ("code", "name")
    service_fields = ("code", "name", "kind", "boundary_geojson", "supervision_phone", "district")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code", "district") if obj else ()

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.streets_visible(request.user)

    def can_add(self, request: HttpRequest) -> bool:
        return any(perm.can_create_street(request.user, d) for d in District.objects.all())

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_street(request.user, obj)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.street_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        data.pop("district", None)
        return services.street_update(actor=request.user, street=obj, **data)


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ("code", "name", "street", "urban_rural", "population", "households")
    list_select_related = ("street",)
    list_filter = ("urban_rural", "kind")
    search_fields = ("code", "name")
    service_fields = (
        "code",
        "street",
        "name",
        "kind",
        "urban_rural",
        "population",
        "households",
        "centre_lon",
        "centre_lat",
        "boundary_geojson",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code", "street", "ur_code", "derived_for_demo") if obj else ("ur_code",)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.communities_visible(request.user).select_related("street")

    def can_add(self, request: HttpRequest) -> bool:
        return selectors.streets_visible(request.user).exists() and any(
            perm.can_create_community(request.user, s)
            for s in selectors.streets_visible(request.user)[:50]
        )

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        return perm.can_edit_community(request.user, obj)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        return services.community_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        return services.community_update(actor=request.user, community=obj, **data)


class MembershipInline(admin.TabularInline):
    model = CircleMembership
    extra = 0
    fields = ("community", "population_share")
    readonly_fields = ("community", "population_share")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return perm.can_use_staff_pages(request.user)


@admin.register(Circle)
class CircleAdmin(ScopedAdmin):
    list_display = ("code", "name", "street", "status")
    list_select_related = ("street",)
    list_filter = ("status",)
    search_fields = ("code", "name")
    inlines = (MembershipInline,)
    service_fields = (
        "name",
        "status",
        "service_centre_name",
        "centre_lon",
        "centre_lat",
        "notes",
    )
    readonly_fields = ("code", "street", "service_centre", "derived_for_demo")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.circles_visible(request.user).select_related("street")

    def can_change(self, request: HttpRequest, obj: Any) -> bool:
        members = [m.community for m in obj.memberships.select_related("community__street")]
        return perm.can_edit_circle(request.user, obj.street, members)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Model:
        return services.circle_update(actor=request.user, circle=obj, **data)
