"""Writes to the administrative register: check permission, validate, write, audit.

Every function takes the acting user as keyword-only ``actor``; a refused action raises
:class:`PermissionRefused` before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.errors import Invalid, Issue, Refusal, raise_if_any
from quarterhour.platform.core.recording import delete_audited, save_audited, set_fields
from quarterhour.platform.geography import permissions as perm
from quarterhour.platform.geography.error_codes import GeographyError as E
from quarterhour.platform.geography.models import (
    Circle,
    CircleMembership,
    Community,
    District,
    Street,
)

_CODE12 = re.compile(r"^\d{12}$")

DISTRICT_FIELDS = frozenset({"name", "population", "boundary_geojson"})
STREET_FIELDS = frozenset({"name", "kind", "boundary_geojson", "supervision_phone"})
COMMUNITY_FIELDS = frozenset(
    {
        "name",
        "kind",
        "urban_rural",
        "ur_code",
        "population",
        "households",
        "elderly",
        "centre_lon",
        "centre_lat",
        "boundary_geojson",
    }
)
CIRCLE_FIELDS = frozenset(
    {"name", "status", "service_centre_name", "service_centre", "centre_lon", "centre_lat", "notes"}
)


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权在此辖区进行该操作"))


def check_street_code(code: str, district: District) -> list[Issue]:
    if not _CODE12.match(code):
        return [Issue(E.CODE_INVALID, _("区划代码须为 12 位数字"), field="code")]
    if code[:6] != district.code[:6] or code[9:] != "000" or code[6:9] == "000":
        return [
            Issue(
                E.STREET_CODE_NOT_IN_DISTRICT,
                _("街道代码 %(code)s 不属于区县 %(d)s（%(dc)s）")
                % {"code": code, "d": district.name, "dc": district.code},
                field="code",
            )
        ]
    return []


def check_community_code(code: str, street: Street) -> list[Issue]:
    """A community's 12-digit code must extend its street's first nine digits."""
    if not _CODE12.match(code):
        return [Issue(E.CODE_INVALID, _("区划代码须为 12 位数字"), field="code")]
    if code[:9] != street.code[:9] or code[9:] == "000":
        return [
            Issue(
                E.CODE_NOT_IN_STREET,
                _("社区代码 %(code)s 不属于街道 %(s)s（%(sc)s）")
                % {"code": code, "s": street.name, "sc": street.code},
                field="code",
            )
        ]
    return []


# -- districts, streets, communities -------------------------------------------------------------


@transaction.atomic
def district_create(*, actor: Any, code: str, name: str, **fields: Any) -> District:
    if not perm.can_create_district(actor):
        raise _refuse()
    if not _CODE12.match(code):
        raise Invalid(E.CODE_INVALID, _("区划代码须为 12 位数字"))
    district = District(code=code, name=name)
    set_fields(district, fields, allowed=DISTRICT_FIELDS)
    save_audited(district, actor=actor)
    return district


@transaction.atomic
def district_update(*, actor: Any, district: District, **fields: Any) -> District:
    if not perm.can_edit_district(actor, district):
        raise _refuse()
    set_fields(district, fields, allowed=DISTRICT_FIELDS)
    save_audited(district, actor=actor)
    return district


@transaction.atomic
def street_create(*, actor: Any, district: District, code: str, name: str, **fields: Any) -> Street:
    if not perm.can_create_street(actor, district):
        raise _refuse()
    issues = check_street_code(code, district)
    raise_if_any(issues)
    street = Street(district=district, code=code, name=name)
    set_fields(street, fields, allowed=STREET_FIELDS)
    save_audited(street, actor=actor)
    return street


@transaction.atomic
def street_update(*, actor: Any, street: Street, **fields: Any) -> Street:
    if not perm.can_edit_street(actor, street):
        raise _refuse()
    set_fields(street, fields, allowed=STREET_FIELDS)
    save_audited(street, actor=actor)
    return street


@transaction.atomic
def community_create(
    *, actor: Any, street: Street, code: str, name: str, **fields: Any
) -> Community:
    if not perm.can_create_community(actor, street):
        raise _refuse()
    issues = check_community_code(code, street)
    raise_if_any(issues)
    community = Community(street=street, code=code, name=name)
    set_fields(community, fields, allowed=COMMUNITY_FIELDS)
    save_audited(community, actor=actor)
    return community


@transaction.atomic
def community_update(*, actor: Any, community: Community, **fields: Any) -> Community:
    if not perm.can_edit_community(actor, community):
        raise _refuse()
    set_fields(community, fields, allowed=COMMUNITY_FIELDS)
    save_audited(community, actor=actor)
    return community


# -- circles -------------------------------------------------------------------------------------


def check_members(
    members: Sequence[tuple[Community, float]], *, circle: Circle | None
) -> list[Issue]:
    issues: list[Issue] = []
    if not members:
        return [Issue(E.CIRCLE_WITHOUT_COMMUNITIES, _("服务圈至少要包含一个社区"), field="members")]
    seen: set[int] = set()
    for community, share in members:
        if community.pk in seen:
            issues.append(
                Issue(
                    E.CIRCLE_DUPLICATE_MEMBER,
                    _("社区 %(c)s 重复列出") % {"c": community.name},
                    field="members",
                )
            )
        seen.add(community.pk)
        if not 0.0 < share <= 1.0:
            issues.append(
                Issue(
                    E.CIRCLE_SHARE_INVALID,
                    _("社区 %(c)s 的人口占比须在 0 到 1 之间（不含 0）") % {"c": community.name},
                    field="population_share",
                )
            )
    others = (
        CircleMembership.objects.filter(community_id__in=seen)
        .exclude(circle=circle)
        .values("community_id")
        .annotate(total=Sum("population_share"))
    )
    elsewhere = {row["community_id"]: float(row["total"]) for row in others}
    for community, share in members:
        total = elsewhere.get(community.pk, 0.0) + share
        if total > 1.0 + 1e-9:
            issues.append(
                Issue(
                    E.CIRCLE_SHARE_OVER_ONE,
                    _("社区 %(c)s 在各服务圈的人口占比合计 %(t).2f，超过 1")
                    % {"c": community.name, "t": total},
                    field="population_share",
                )
            )
    return issues


def _write_members(
    circle: Circle, members: Sequence[tuple[Community, float]], *, actor: Any
) -> None:
    wanted = {c.pk: (c, share) for c, share in members}
    for existing in list(circle.memberships.all()):
        if existing.community_id not in wanted:
            delete_audited(existing, actor=actor)
            continue
        _c, share = wanted.pop(existing.community_id)
        if existing.population_share != share:
            existing.population_share = share
            save_audited(existing, actor=actor)
    for community, share in wanted.values():
        save_audited(
            CircleMembership(circle=circle, community=community, population_share=share),
            actor=actor,
        )


@transaction.atomic
def circle_create(
    *,
    actor: Any,
    street: Street,
    code: str,
    name: str,
    members: Sequence[tuple[Community, float]],
    **fields: Any,
) -> Circle:
    """A circle led by ``street`` over ``members`` — (community, population share) pairs."""
    if not perm.can_edit_circle(actor, street, [c for c, _s in members]):
        raise _refuse()
    issues = check_members(members, circle=None)
    raise_if_any(issues)
    circle = Circle(street=street, code=code, name=name)
    set_fields(circle, fields, allowed=CIRCLE_FIELDS | {"derived_for_demo"})
    save_audited(circle, actor=actor)
    _write_members(circle, members, actor=actor)
    return circle


@transaction.atomic
def circle_update(*, actor: Any, circle: Circle, **fields: Any) -> Circle:
    current = [m.community for m in circle.memberships.select_related("community__street")]
    if not perm.can_edit_circle(actor, circle.street, current):
        raise _refuse()
    set_fields(circle, fields, allowed=CIRCLE_FIELDS)
    save_audited(circle, actor=actor)
    return circle


@transaction.atomic
def circle_set_members(
    *, actor: Any, circle: Circle, members: Sequence[tuple[Community, float]]
) -> Circle:
    current = [m.community for m in circle.memberships.select_related("community__street")]
    if not perm.can_edit_circle(actor, circle.street, [*current, *(c for c, _s in members)]):
        raise _refuse()
    issues = check_members(members, circle=circle)
    raise_if_any(issues)
    _write_members(circle, members, actor=actor)
    return circle
