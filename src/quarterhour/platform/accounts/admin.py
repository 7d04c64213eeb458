"""Users and memberships: managed by city staff only (``can_manage_users``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import AuditedAdmin
from quarterhour.platform.accounts.models import Membership, User
from quarterhour.platform.accounts.permissions import can_manage_users

admin.site.unregister(Group)


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    raw_id_fields = ("district", "street", "community", "provider")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_users(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_users(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_users(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_users(request.user)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):
    inlines = (MembershipInline,)
    list_display = ("username", "display_name", "is_active", "last_login")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("", {"fields": ("display_name", "phone", "email", "is_active", "is_staff")}),
    )

    def _ok(self, request: HttpRequest) -> bool:
        return can_manage_users(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._ok(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._ok(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._ok(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._ok(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
