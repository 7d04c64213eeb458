"""Admin for the request set-up (categories, attributes, deadlines, calendars): city staff,
every save audited (:class:`AuditedAdmin`). District staff set their own deadlines and calendar
through requests.configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from quarterhour.platform.accounts import permissions as account_perm
from quarterhour.platform.accounts.admin_scope import AuditedAdmin
from quarterhour.platform.requests.models import (
    Attribute,
    CalendarDay,
    Category,
    CategoryDeadline,
    WorkCalendar,
)


class CityOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return account_perm.can_manage_users(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return account_perm.can_manage_users(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return account_perm.can_manage_users(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return account_perm.can_manage_users(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttributeInline(CityOnly, admin.TabularInline[Attribute, Category]):
    model = Attribute
    extra = 0


class DeadlineInline(CityOnly, admin.TabularInline[CategoryDeadline, Category]):
    model = CategoryDeadline
    extra = 0


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, CityOnly, admin.ModelAdmin[Category]):
    list_display = ("code", "name", "kind", "deadline_amount", "deadline_unit", "is_active")
    inlines = (AttributeInline, DeadlineInline)


class DayInline(CityOnly, admin.TabularInline[CalendarDay, WorkCalendar]):
    model = CalendarDay
    extra = 0


@admin.register(WorkCalendar)
class CalendarAdmin(AuditedAdmin, CityOnly, admin.ModelAdmin[WorkCalendar]):
    list_display = ("district", "weekdays", "day_start", "day_end")
    inlines = (DayInline,)
