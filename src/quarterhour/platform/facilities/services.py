"""Writes to the facility register: permission, validation, write, audit."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.errors import Issue, Refusal, raise_if_any
from quarterhour.platform.core.recording import delete_audited, save_audited, set_fields
from quarterhour.platform.core.standard import known_item_codes
from quarterhour.platform.facilities import permissions as perm
from quarterhour.platform.facilities.error_codes import FacilityError as E
from quarterhour.platform.facilities.hours import validate_hours
from quarterhour.platform.facilities.models import Facility, FacilityItem
from quarterhour.platform.geography.models import Community

FACILITY_FIELDS = frozenset(
    {
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
        "derived_for_demo",
    }
)


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权登记或修改该社区的设施"))


def check_facility(
    *, lon: Any, lat: Any, item_codes: Sequence[str], opening_hours: Any
) -> list[Issue]:
    issues: list[Issue] = []
    if not (
        isinstance(lon, int | float)
        and isinstance(lat, int | float)
        and math.isfinite(lon)
        and math.isfinite(lat)
        and -180 <= lon <= 180
        and -90 <= lat <= 90
    ):
        issues.append(Issue(E.COORDINATES_INVALID, _("经纬度无效"), field="lon"))
    if not item_codes:
        issues.append(Issue(E.NO_ITEMS, _("设施至少要服务一个标准项目"), field="item_codes"))
    known = known_item_codes()
    for code in item_codes:
        if code not in known:
            issues.append(
                Issue(E.UNKNOWN_ITEM, _("未知的标准项目 %(c)s") % {"c": code}, field="item_codes")
            )
    for problem in validate_hours(opening_hours):
        issues.append(Issue(E.HOURS_INVALID, problem, field="opening_hours"))
    return issues


def _set_items(facility: Facility, item_codes: Iterable[str], *, actor: Any) -> None:
    wanted = set(item_codes)
    for row in list(facility.items.all()):
        if row.item_code in wanted:
            wanted.discard(row.item_code)
        else:
            delete_audited(row, actor=actor)
    for code in sorted(wanted):
        save_audited(FacilityItem(facility=facility, item_code=code), actor=actor)


@transaction.atomic
def facility_create(
    *,
    actor: Any,
    key: str,
    name: str,
    lon: float,
    lat: float,
    community: Community,
    item_codes: Sequence[str],
    **fields: Any,
) -> Facility:
    if not perm.can_edit_facility(actor, community, getattr(fields.get("provider"), "pk", None)):
        raise _refuse()
    issues = check_facility(
        lon=lon, lat=lat, item_codes=item_codes, opening_hours=fields.get("opening_hours", [])
    )
    raise_if_any(issues)
    facility = Facility(key=key, name=name, lon=lon, lat=lat, community=community)
    set_fields(facility, fields, allowed=FACILITY_FIELDS)
    save_audited(facility, actor=actor)
    _set_items(facility, item_codes, actor=actor)
    return facility


@transaction.atomic
def facility_update(
    *, actor: Any, facility: Facility, item_codes: Sequence[str] | None = None, **fields: Any
) -> Facility:
    if not perm.can_edit_facility(actor, facility.community, facility.provider_id):
        raise _refuse()
    new_community = fields.get("community", facility.community)
    new_provider = fields.get("provider", facility.provider)
    if not perm.can_edit_facility(actor, new_community, getattr(new_provider, "pk", None)):
        raise _refuse()
    codes = (
        list(item_codes)
        if item_codes is not None
        else list(facility.items.values_list("item_code", flat=True))
    )
    issues = check_facility(
        lon=fields.get("lon", facility.lon),
        lat=fields.get("lat", facility.lat),
        item_codes=codes,
        opening_hours=fields.get("opening_hours", facility.opening_hours),
    )
    raise_if_any(issues)
    set_fields(facility, fields, allowed=FACILITY_FIELDS)
    save_audited(facility, actor=actor)
    if item_codes is not None:
        _set_items(facility, item_codes, actor=actor)
    return facility


@transaction.atomic
def facility_delete(*, actor: Any, facility: Facility, reason: str = "") -> None:
    if not perm.can_edit_facility(actor, facility.community, facility.provider_id):
        raise _refuse()
    for row in list(facility.items.all()):
        delete_audited(row, actor=actor, reason=reason)
    delete_audited(facility, actor=actor, reason=reason)
