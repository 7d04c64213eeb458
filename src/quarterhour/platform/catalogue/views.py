"""A provider's own page of the services it publishes (公布具体服务项目、服务方式和服务专线):
its staff (or its street) add a service with its items, methods, hours and hotline, or stop
publishing one. Residents see them on the provider's public page and in the catalogue."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.catalogue import permissions as perm
from quarterhour.platform.catalogue import services
from quarterhour.platform.catalogue.error_codes import CatalogueError as E
from quarterhour.platform.catalogue.forms import WEEKDAYS, chosen_days, hours_from_form
from quarterhour.platform.catalogue.models import Category, Provider, Service
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core import standard
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.facilities.hours import hours_words


def _own(request: HttpRequest, pk: int) -> Provider:
    pages.staff_only(request)
    provider = get_object_or_404(Provider.objects.select_related("street"), pk=pk)
    if not perm.can_edit_service(request.user, provider):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权管理该服务商的服务"))
    return provider


def _page(
    request: HttpRequest, provider: Provider, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    rows = []
    for s in provider.services.filter(is_active=True).prefetch_related("items").order_by("name"):
        labels = [standard.item_label(i.item_code) for i in s.items.all()]
        rows.append((s, labels, hours_words(s.opening_hours) or s.hours_note))
    d = request.POST
    return render(
        request,
        "catalogue/provider_services.html",
        {
            "provider": provider,
            "rows": rows,
            "categories": Category.choices,
            "items": [(c, standard.item_label(c)) for c in sorted(standard.known_item_codes())],
            "weekdays": WEEKDAYS,
            "chosen_items": d.getlist("item_codes"),
            "chosen_days": chosen_days(d),
            "errors": errors or {},
        },
    )


@login_required
def provider_services(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _own(request, pk)
    if request.method != "POST":
        return _page(request, provider)
    d = request.POST

    def publish() -> Any:
        return services.service_create(
            actor=request.user,
            provider=provider,
            name=pages.text(d, "name"),
            category=pages.text(d, "category"),
            item_codes=d.getlist("item_codes"),
            home_visit=pages.flag(d, "home_visit"),
            by_appointment=pages.flag(d, "by_appointment"),
            off_peak=pages.flag(d, "off_peak"),
            hotline=pages.text(d, "hotline"),
            opening_hours=hours_from_form(d),
            is_free=pages.flag(d, "is_free"),
            fee_note=pages.text(d, "fee_note"),
        )

    return pages.run(
        request,
        publish,
        success=_("服务已公布，居民可在服务目录和本单位页面看到"),
        to="catalogue:provider_services",
        again=lambda errors: _page(request, provider, errors),
        pk=provider.pk,
    )


@login_required
@require_POST
def stop_service(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    provider = _own(request, pk)
    service = get_object_or_404(Service, pk=service_pk, provider=provider)
    return pages.run(
        request,
        lambda: services.service_update(actor=request.user, service=service, is_active=False),
        success=_("已停止公布该服务"),
        to="catalogue:provider_services",
        pk=provider.pk,
    )
