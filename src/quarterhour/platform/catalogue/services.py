"""Writes to providers and their services: permission, validation, write, audit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.catalogue import permissions as perm
from quarterhour.platform.catalogue.error_codes import CatalogueError as E
from quarterhour.platform.catalogue.models import Category, Provider, Service, ServiceItem
from quarterhour.platform.core.error_codes import CoreError
from quarterhour.platform.core.errors import (
    Invalid,
    Issue,
    PermissionRefused,
    Refusal,
    raise_if_any,
)
from quarterhour.platform.core.recording import delete_audited, save_audited, set_fields
from quarterhour.platform.core.standard import known_item_codes
from quarterhour.platform.facilities.hours import validate_hours
from quarterhour.platform.geography.models import Street

PROVIDER_FIELDS = frozenset(
    {"name", "kind", "credit_code", "community", "address", "hotline", "website", "description"}
)
SERVICE_FIELDS = frozenset(
    {
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
    }
)


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权管理该服务商或其服务"))


def _check_provider(street: Street, fields: dict[str, Any]) -> None:
    community = fields.get("community")
    if community is not None and community.street_id != street.pk:
        raise Invalid(
            E.COMMUNITY_NOT_IN_STREET,
            _("社区 %(c)s 不在街道 %(s)s 内") % {"c": community.name, "s": street.name},
            [Issue(E.COMMUNITY_NOT_IN_STREET, _("社区不在所属街道内"), field="community")],
        )


@transaction.atomic
def provider_create(*, actor: Any, street: Street, name: str, **fields: Any) -> Provider:
    if not perm.can_edit_provider(actor, street):
        raise _refuse()
    _check_provider(street, fields)
    provider = Provider(street=street, name=name)
    set_fields(provider, fields, allowed=PROVIDER_FIELDS)
    save_audited(provider, actor=actor)
    return provider


@transaction.atomic
def provider_update(*, actor: Any, provider: Provider, **fields: Any) -> Provider:
    if not perm.can_edit_provider(actor, provider.street, provider.pk):
        raise _refuse()
    _check_provider(provider.street, fields)
    set_fields(provider, fields, allowed=PROVIDER_FIELDS)
    save_audited(provider, actor=actor)
    return provider


def _check_facility(provider: Provider, facility: Any) -> None:
    """A service is offered at its own provider's facility or at one no provider owns (a
    community's room), never at another provider's: refused before anything is written."""
    if facility is not None and facility.provider_id not in (None, provider.pk):
        raise PermissionRefused(
            E.PERMISSION_DENIED,
            _("设施“%(f)s”属于另一家服务商，不能挂靠本服务商的服务") % {"f": facility.name},
        )


def _check_service(item_codes: Sequence[str], opening_hours: Any) -> list[Issue]:
    issues: list[Issue] = []
    if not item_codes:
        issues.append(Issue(E.NO_ITEMS, _("服务至少要对应一个项目"), field="item_codes"))
    known = known_item_codes()
    for code in item_codes:
        if code not in known:
            issues.append(
                Issue(E.UNKNOWN_ITEM, _("未知的服务项目 %(c)s") % {"c": code}, field="item_codes")
            )
    for problem in validate_hours(opening_hours):
        issues.append(Issue(E.HOURS_INVALID, problem, field="opening_hours"))
    return issues


def _set_items(service: Service, item_codes: Iterable[str], *, actor: Any) -> None:
    wanted = set(item_codes)
    for row in list(service.items.all()):
        if row.item_code in wanted:
            wanted.discard(row.item_code)
        else:
            delete_audited(row, actor=actor)
    for code in sorted(wanted):
        save_audited(ServiceItem(service=service, item_code=code), actor=actor)


@transaction.atomic
def service_create(
    *,
    actor: Any,
    provider: Provider,
    name: str,
    category: str,
    item_codes: Sequence[str],
    **fields: Any,
) -> Service:
    if not perm.can_edit_service(actor, provider):
        raise _refuse()
    _check_facility(provider, fields.get("facility"))
    issues = _check_service(item_codes, fields.get("opening_hours", []))
    if not name.strip():
        issues.insert(0, Issue(CoreError.FIELD_INVALID, _("请填写服务名称"), field="name"))
    if category not in Category.values:
        issues.insert(0, Issue(CoreError.FIELD_INVALID, _("请选择服务类别"), field="category"))
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
    service = Service(provider=provider, name=name.strip(), category=category)
    set_fields(service, fields, allowed=SERVICE_FIELDS)
    save_audited(service, actor=actor)
    _set_items(service, item_codes, actor=actor)
    return service


@transaction.atomic
def service_update(
    *, actor: Any, service: Service, item_codes: Sequence[str] | None = None, **fields: Any
) -> Service:
    if not perm.can_edit_service(actor, service.provider):
        raise _refuse()
    codes = (
        list(item_codes)
        if item_codes is not None
        else list(service.items.values_list("item_code", flat=True))
    )
    _check_facility(service.provider, fields.get("facility"))
    issues = _check_service(codes, fields.get("opening_hours", service.opening_hours))
    raise_if_any(issues)
    set_fields(service, fields, allowed=SERVICE_FIELDS)
    save_audited(service, actor=actor)
    if item_codes is not None:
        _set_items(service, item_codes, actor=actor)
    return service


@transaction.atomic
def service_delete(*, actor: Any, service: Service, reason: str = "") -> None:
    if not perm.can_edit_service(actor, service.provider):
        raise _refuse()
    for row in list(service.items.all()):
        delete_audited(row, actor=actor, reason=reason)
    delete_audited(service, actor=actor, reason=reason)
