"""Admin: shared facilities and bookings, read-only and scoped (bookings go through the capacity
lock on the pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quarterhour.platform.accounts.admin_scope import ReadOnlyScopedAdmin
from quarterhour.platform.sharing import selectors
from quarterhour.platform.sharing.models import Booking, SharedFacility


@admin.register(SharedFacility)
class SharedFacilityAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "unit", "kind", "community", "price", "capacity", "status")
    list_filter = ("kind", "price", "status")
    search_fields = ("name", "unit__name")

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.shared_visible(request.user)


@admin.register(Booking)
class BookingAdmin(ReadOnlyScopedAdmin):
    list_display = ("slot", "booker", "places", "status", "created_at")
    list_filter = ("status",)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return Booking.objects.filter(
            slot__shared__in=selectors.shared_visible(request.user)
        ).select_related("slot__shared", "booker")
