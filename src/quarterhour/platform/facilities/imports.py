"""Import facilities from registers (CSV/XLSX, Chinese headers, GBK/UTF-8, WGS-84/GCJ-02/BD-09)
and from OSM extracts, through the engine's readers; upsert by stable key, within one
jurisdiction's register.

**Whose register.** Every register import is made *for* a jurisdiction (a district, street or
community the importer works for; the whole city for city staff): its :class:`RegisterScope`.
A register facility's key is ``<scope>/<file stem>:<编号>`` (or ``:<row>`` without an id
column), e.g. ``street:110102001000/台账:12``: two streets that each upload ``台账.csv`` never
share a key, and a street's file cannot name another jurisdiction's facility. A row whose key
already belongs to a facility the importer may not edit, or that now lies outside the scope,
is a row error naming that facility. OSM objects keep their global ``osm:<type>/<id>`` keys.

**What.** Each row's items come from the standard (its POI matchers and name rules: AMap and
Baidu exports are read as they come, with their typecodes, ``location`` columns and split
大类/中类/小类). Rows of types outside the standard are set aside — listed in the report in words,
not imported, not refused — and repeated header lines and repeated rows are skipped and counted.

**Where.** Each facility is placed in the community of the scope whose boundary holds it (or,
where communities have no boundary, the nearest community centre within 2 km). Rows outside
the scope are left out and listed (row, name, and the community they lie in when it is known);
a register of which no row lies inside is refused.

**Checks.** Who may import is checked before the file is read; the file is read within the
limits given (size, rows, columns: :class:`~quarterhour.engine.tables.TableLimits`); every
problem (over-long values, keys owned elsewhere, a coordinate system that does not fit the walk
network) is collected and raised at once as :class:`Invalid`, and nothing is written then. The
writes happen in one transaction; a dry run writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from quarterhour.engine import places
from quarterhour.engine._errors import InputError, InputErrors, QuarterhourError
from quarterhour.engine.coords import CRS_NAMES, Crs, parse_crs
from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.progress import Progress
from quarterhour.engine.tables import DEFAULT_LIMITS, TableLimits
from quarterhour.platform.core import access, text
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.standard import engine_standard, item_label
from quarterhour.platform.facilities import permissions as perm
from quarterhour.platform.facilities.error_codes import FacilityError as E
from quarterhour.platform.facilities.hours import parse_hours_text
from quarterhour.platform.facilities.models import Facility, FacilityItem, OwnerKind
from quarterhour.platform.geography.imports import ImportReport
from quarterhour.platform.geography.models import Community, District, Street
from quarterhour.platform.geography.selectors import CommunityLocator

if TYPE_CHECKING:
    from quarterhour.engine.registers import RegisterResult, SetAsideRow

HOURS_KEYS = ("营业时间", "开放时间", "服务时间", "hours", "opening_hours")
PHONE_KEYS = ("电话", "联系电话", "服务电话", "phone", "contact:phone")
OWNER_KEYS = ("权属单位", "产权单位", "owner", "operator")

#: the coordinate systems in words (what a person picks), each with its code
CRS_WORDS: dict[str, Any] = {
    "wgs84": gettext_lazy("GPS 定位、天地图、OpenStreetMap（WGS-84）"),
    "gcj02": gettext_lazy("高德地图、腾讯地图（GCJ-02）"),
    "bd09": gettext_lazy("百度地图（BD-09）"),
}
#: longest file name (its stem is part of every key)
FILE_NAME_MAX_CHARS = 80
#: new facilities listed one by one in a report
ADDED_SHOWN = 50
#: set-aside rows (types outside the standard) listed one by one in a report
SET_ASIDE_SHOWN = 20
#: types outside the standard named in the report's summary line
SET_ASIDE_TYPES_SHOWN = 10


def crs_words(crs: str) -> str:
    return str(CRS_WORDS.get(crs, crs))


def _no_progress(stage: str, done: int, total: int) -> None:
    """Report nothing."""


# ---------------------------------------------------------------------------------------------
# whose register


@dataclass(frozen=True, slots=True)
class RegisterScope:
    """The jurisdiction a register import is made for: it owns the keys, and its communities
    are where rows may lie. ``namespace`` "" is the server operator's import of everything
    (OSM extracts; keys not prefixed)."""

    namespace: str
    label: str
    district_id: int | None = None
    street_id: int | None = None
    community_id: int | None = None

    def communities(self) -> QuerySet[Community]:
        qs = Community.objects.all()
        if self.community_id is not None:
            return qs.filter(pk=self.community_id)
        if self.street_id is not None:
            return qs.filter(street_id=self.street_id)
        if self.district_id is not None:
            return qs.filter(street__district_id=self.district_id)
        return qs

    def key(self, facility_id: str) -> str:
        return f"{self.namespace}/{facility_id}" if self.namespace else facility_id


EVERYWHERE = RegisterScope("", "")


def _scope_of(obj: District | Street | Community | None) -> RegisterScope:
    if isinstance(obj, Community):
        return RegisterScope(
            f"community:{obj.code}",
            obj.name,
            district_id=obj.street.district_id,
            street_id=obj.street_id,
            community_id=obj.pk,
        )
    if isinstance(obj, Street):
        return RegisterScope(
            f"street:{obj.code}", obj.name, district_id=obj.district_id, street_id=obj.pk
        )
    if isinstance(obj, District):
        return RegisterScope(f"district:{obj.code}", obj.name, district_id=obj.pk)
    return RegisterScope("city", _("全市"))


def register_scopes(actor: Any) -> list[RegisterScope]:
    """The jurisdictions ``actor`` may import facility registers for (city, district, street and
    community staff; provider staff and residents none)."""
    out: dict[str, RegisterScope] = {}
    for m in access.memberships(actor):
        obj: Any
        if m.role == access.Role.CITY:
            obj = None
        elif m.role == access.Role.DISTRICT and m.district_id:
            obj = District.objects.get(pk=m.district_id)
        elif m.role == access.Role.STREET and m.street_id:
            obj = Street.objects.get(pk=m.street_id)
        elif m.role == access.Role.COMMUNITY and m.community_id:
            obj = Community.objects.select_related("street").get(pk=m.community_id)
        else:
            continue
        scope = _scope_of(obj)
        out.setdefault(scope.namespace, scope)
    return list(out.values())


def _scope_by_code(code: str) -> RegisterScope | None:
    kind, _sep, raw = code.rpartition(":")
    if code == "city":
        return _scope_of(None)
    found: District | Street | Community | None = None
    if kind in ("", "community"):
        found = Community.objects.select_related("street").filter(code=raw).first()
    if found is None and kind in ("", "street"):
        found = Street.objects.filter(code=raw).first()
    if found is None and kind in ("", "district"):
        found = District.objects.filter(code=raw).first()
    return None if found is None else _scope_of(found)


def register_scope(actor: Any, *, code: str | None = None) -> RegisterScope:
    """The scope of an import by ``actor`` for the jurisdiction ``code`` (a scope name such as
    ``street:110102001000`` or a bare area code; None: the actor's only one). Refuses, before
    anything is read, an actor who may import no register, or not for ``code``. The server
    operator (no actor) names the jurisdiction of a register with ``code``; without it the
    import is of everything (OSM extracts)."""
    if actor is None:
        if not code:
            return EVERYWHERE
        found = _scope_by_code(code)
        if found is None:
            raise Invalid(E.IMPORT_SCOPE_UNKNOWN, _("没有这个辖区：%(c)s") % {"c": code})
        return found
    scopes = register_scopes(actor)
    if not scopes:
        raise PermissionRefused(
            E.IMPORT_PERMISSION_DENIED,
            _("您无权导入设施登记表（只有区县、街道、社区工作人员可以导入本辖区的登记表）"),
        )
    if not code:
        if len(scopes) == 1:
            return scopes[0]
        raise Invalid(E.IMPORT_SCOPE_REQUIRED, _("请选择这份登记表属于哪个辖区"))
    wanted = _scope_by_code(code)
    for s in scopes:
        if wanted is not None and s.namespace == wanted.namespace:
            return s
    raise PermissionRefused(
        E.IMPORT_PERMISSION_DENIED,
        _("您无权为该辖区导入设施登记表：%(c)s") % {"c": code},
    )


# ---------------------------------------------------------------------------------------------
# reading


def _message(p: Any) -> str:
    english = (get_language() or "").startswith("en")
    return str(p.message_en if english else p.message_zh)


def engine_error_to_invalid(exc: QuarterhourError, *, file: str | None = None) -> Invalid:
    """The engine's problems as the platform's, located in ``file`` (the name the person gave
    the file, never a server path), in the page's language."""
    problems = (
        exc.problems
        if isinstance(exc, InputErrors)
        else (exc.problem,)
        if isinstance(exc, InputError)
        else ()
    )
    issues = [  # in the file's order: file-wide problems, then row by row
        Issue(p.code, _message(p), row=p.row, field=p.column, file=file or p.file)
        for p in sorted(problems, key=lambda p: p.row or 0)
    ] or [Issue(exc.code, _message(exc))]
    return Invalid(E.IMPORT_INVALID, _("设施文件有 %(n)d 处问题") % {"n": len(issues)}, issues)


@dataclass(frozen=True, slots=True)
class Register:
    """The facilities of one register file, with how its columns were named, and what the
    reader left out: rows of types outside the standard (``set_aside``) and ``notes`` in words
    (those rows counted per type, repeated header lines and rows skipped)."""

    facilities: tuple[places.Facility, ...]
    file: str  # the file's name as the person gave it
    columns: dict[str, str]  # role (name, address, id, …) -> header text in the file
    crs: Crs
    set_aside: tuple[SetAsideRow, ...] = ()
    notes: tuple[str, ...] = ()


def _type_words(category: str, typecode: str) -> str:
    """A row's type as the file gives it, in words (the category text, else its typecode)."""
    if category:
        return category
    if typecode:
        return _("类型编码 %(code)s") % {"code": typecode}
    return _("（空）")


def _left_out(result: RegisterResult) -> tuple[str, ...]:
    """What the reader left out, in words: rows of types outside the standard counted per type
    (the most common first), then repeated header lines and repeated rows."""
    notes: list[str] = []
    outside: Counter[str] = Counter()
    for t in result.tally:
        if not t.items:
            outside[_type_words(t.category, t.typecode)] += t.rows
    if outside:
        top = outside.most_common(SET_ASIDE_TYPES_SHOWN)
        types = "、".join(f"{name} ({n})" for name, n in top)
        if len(outside) > len(top):
            types += _("等 %(k)d 类") % {"k": len(outside)}
        notes.append(
            _("%(n)d 行的类型不在标准内，未导入：%(types)s")
            % {"n": sum(outside.values()), "types": types}
        )
    for what, n in result.skipped:
        if what == "repeated_header":
            notes.append(_("%(n)d 行重复的表头已略过") % {"n": n})
        else:
            notes.append(_("%(n)d 行与前面编号和内容都相同的重复行已略过") % {"n": n})
    return tuple(notes)


def _set_aside_text(row: SetAsideRow) -> str:
    """One set-aside row in words: its spreadsheet row, its name and its type."""
    return _("第 %(row)d 行「%(name)s」：类型「%(type)s」不在标准内，未导入") % {
        "row": row.row,
        "name": row.name or row.facility_id,
        "type": _type_words(row.category, row.typecode),
    }


def read_register(
    path: Path,
    *,
    crs: str,
    encoding: str | None = None,
    limits: TableLimits = DEFAULT_LIMITS,
    file: str | None = None,
) -> Register:
    """Read a register or POI export within ``limits`` against the platform's standard (rows of
    types outside it are set aside, not refused); its problems become :class:`Invalid` naming
    ``file`` (default: the path's name)."""
    from quarterhour.engine.registers import read_facility_register

    name = file or path.name
    std = engine_standard()
    try:
        declared = parse_crs(crs)
    except ValueError:
        raise Invalid(E.IMPORT_INVALID, _("未知的坐标系：%(c)s") % {"c": crs}) from None
    try:
        result = read_facility_register(
            path,
            crs=declared,
            standard=std,
            encoding=encoding,
            limits=limits,
        )
    except QuarterhourError as exc:
        raise engine_error_to_invalid(exc, file=name) from None
    return Register(
        tuple(result.facilities),
        name,
        dict(result.columns),
        declared,
        set_aside=result.set_aside,
        notes=_left_out(result),
    )


def read_osm(path: Path, *, progress: Progress = _no_progress) -> list[places.Facility]:
    from quarterhour.engine.osm_features import read_osm_facilities

    std = engine_standard()
    try:
        return read_osm_facilities(path, classify=std.classify_osm, progress=progress)
    except QuarterhourError as exc:
        raise engine_error_to_invalid(exc, file=path.name) from None


def crs_issue(
    register: Register, *, walk_network: Callable[[float, float], WalkNetwork | None]
) -> Issue | None:
    """A coordinate system that plainly does not fit: the register's points checked against the
    walk network that covers them (``walk_network(lon, lat)``: the stored network around the
    points, or None), as ``quarterhour assess`` does (GCJ-02 or BD-09 declared as WGS-84, and
    every other mix-up). None when it fits, or when there is no network to tell."""
    from quarterhour.engine.input_checks import MIN_POINTS, CrsMismatch, check_placement

    found = register.facilities
    if len(found) < MIN_POINTS:
        return None
    lon = np.array([f.lon for f in found])
    lat = np.array([f.lat for f in found])
    network = walk_network(float(np.median(lon)), float(np.median(lat)))
    if network is None:
        return None
    suggestion: str | None
    try:
        report = check_placement(network, lon, lat, source=register.file, declared_crs=register.crs)
        suggestion = report.crs_suggestion
    except CrsMismatch as exc:
        suggestion = exc.suggestion
    except InputError:  # off the network or swapped: the placement in communities tells
        return None
    if suggestion is None or suggestion not in CRS_NAMES:
        return None
    return Issue(
        E.IMPORT_CRS_MISMATCH,
        _(
            "坐标看起来是「%(found)s」，而不是所选的「%(declared)s」：按所选坐标系导入，"
            "设施会偏离实际位置数百米。请把坐标系改为「%(found)s」后重新上传"
            "（命令行：--crs %(code)s）"
        )
        % {
            "found": crs_words(suggestion),
            "declared": crs_words(register.crs),
            "code": suggestion,
        },
        file=register.file,
    )


# ---------------------------------------------------------------------------------------------
# writing


def _tag(f: places.Facility, keys: Sequence[str]) -> tuple[str, str]:
    """(header, value) of the first of ``keys`` the facility has."""
    tags = dict(f.tags)
    for k in keys:
        if tags.get(k):
            return k, tags[k]
    return "", ""


def _length_issues(
    f: places.Facility,
    key: str,
    hours_text: str,
    hours: list[dict[str, Any]] | None,
    *,
    columns: dict[str, str],
) -> list[Issue]:
    """Values longer than the register keeps or holding control characters (:mod:`core.text`),
    each naming its column and what to do."""
    checks: list[tuple[str, str, int, bool]] = [  # column, value, longest, is the key
        (columns.get("name", _("名称")), f.name, 200, False),
        (columns.get("address", _("地址")), f.address, 300, False),
        (columns.get("id", _("编号")), key, 200, True),
    ]
    phone_col, phone = _tag(f, PHONE_KEYS)
    owner_col, owner = _tag(f, OWNER_KEYS)
    hours_col = _tag(f, HOURS_KEYS)[0]
    checks += [(phone_col, phone, 64, False), (owner_col, owner, 200, False)]
    if hours is None:
        checks.append((hours_col, hours_text, 200, False))
    out = []
    for column, value, limit, is_key in checks:
        if text.has_control(value):
            out.append(
                Issue(
                    text.CODE,
                    _("含有不可见的控制字符，请删除后重新导入"),
                    row=f.row,
                    field=column,
                    file=f.source or None,
                )
            )
        if len(value) > limit:
            message = (
                _("编号与文件名合起来有 %(n)d 字，超过 %(m)d 字的上限：请缩短编号或文件名")
                if is_key
                else _("有 %(n)d 字，超过 %(m)d 字的上限：请缩短后重新导入")
            )
            out.append(
                Issue(
                    E.IMPORT_VALUE_TOO_LONG,
                    message % {"n": len(value), "m": limit},
                    row=f.row,
                    field=column,
                    file=f.source or None,
                )
            )
    return out


def _where(f: places.Facility) -> str:
    return _("第 %(row)d 行") % {"row": f.row} if f.row is not None else f.facility_id


def _outside_text(f: places.Facility, elsewhere: Community | None, scope: RegisterScope) -> str:
    name = f.name or f.facility_id
    if elsewhere is not None:
        return _("%(where)s「%(name)s」位于%(community)s，不属于%(scope)s，跳过") % {
            "where": _where(f),
            "name": name,
            "community": elsewhere.name,
            "scope": scope.label or _("本辖区"),
        }
    return _("%(where)s「%(name)s」（%(lon).6f, %(lat).6f）不在任何社区内，跳过") % {
        "where": _where(f),
        "name": name,
        "lon": f.lon,
        "lat": f.lat,
    }


def import_register(
    path: Path,
    *,
    actor: Any,
    crs: str,
    scope_code: str | None = None,
    encoding: str | None = None,
    file: str | None = None,
    dry_run: bool = False,
    owner_kind: str = OwnerKind.GOVERNMENT,
    limits: TableLimits = DEFAULT_LIMITS,
    progress: Progress = _no_progress,
    walk_network: Callable[[float, float], WalkNetwork | None] = lambda lon, lat: None,
) -> ImportReport:
    """Import a register file for ``scope_code`` (see :func:`register_scope`) as ``actor``:
    permission first, then the bounded read, the coordinate-system check against
    ``walk_network(lon, lat)`` (the stored network around the points; callers pass
    ``planning.networks.network_at``), and the upsert. The report lists the rows set aside as
    outside the standard (:attr:`ImportReport.left_out`, :attr:`ImportReport.set_aside`)."""
    scope = register_scope(actor, code=scope_code)
    if actor is None and scope is EVERYWHERE:
        raise Invalid(
            E.IMPORT_SCOPE_REQUIRED,
            _("请用 --for 写明登记表所属辖区的区划代码，或用 --as 以工作人员身份导入"),
        )
    name = file or path.name
    if len(name) > FILE_NAME_MAX_CHARS:
        raise Invalid(
            E.IMPORT_VALUE_TOO_LONG,
            _("文件名有 %(n)d 字，超过 %(m)d 字的上限：请改短文件名后重新上传")
            % {"n": len(name), "m": FILE_NAME_MAX_CHARS},
        )
    register = read_register(path, crs=crs, encoding=encoding, limits=limits, file=name)
    problem = crs_issue(register, walk_network=walk_network)
    if problem is not None:
        raise Invalid(problem.code, problem.message, [problem])
    report = upsert_facilities(
        register.facilities,
        actor=actor,
        scope=scope,
        dry_run=dry_run,
        owner_kind=owner_kind,
        columns=register.columns,
        register=True,
        progress=progress,
    )
    report.left_out = list(register.notes)
    report.set_aside = [_set_aside_text(r) for r in register.set_aside[:SET_ASIDE_SHOWN]]
    report.set_aside_count = len(register.set_aside)
    return report


def import_osm(
    path: Path,
    *,
    actor: Any,
    scope_code: str | None = None,
    dry_run: bool = False,
    owner_kind: str = OwnerKind.GOVERNMENT,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Import the facilities of an OSM extract that lie in the scope (the others are counted)."""
    scope = register_scope(actor, code=scope_code)
    found = read_osm(path, progress=progress)
    return upsert_facilities(
        found,
        actor=actor,
        scope=scope,
        dry_run=dry_run,
        owner_kind=owner_kind,
        register=False,
        progress=progress,
    )


def upsert_facilities(
    found: Sequence[places.Facility],
    *,
    actor: Any = None,
    scope: RegisterScope | None = None,
    dry_run: bool = False,
    owner_kind: str = OwnerKind.GOVERNMENT,
    derived_for_demo: bool = False,
    columns: dict[str, str] | None = None,
    register: bool = False,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Create or update ``found`` within ``scope`` (default: the actor's only one, or everything
    for the operator). ``register`` facilities are keyed in the scope's namespace and a file of
    which none lies inside is refused; OSM facilities keep their own keys."""
    if scope is None:
        scope = register_scope(actor)
    columns = columns or {}
    report = ImportReport(dry_run=dry_run)
    communities = list(scope.communities().select_related("street"))
    in_scope = {c.pk for c in communities}
    locator = CommunityLocator(communities)
    progress("locate", 0, len(found))
    where = locator.locate_many([f.lon for f in found], [f.lat for f in found])
    progress("locate", len(found), len(found))
    keys = [scope.key(f.facility_id) if register else f.facility_id for f in found]

    issues: list[Issue] = []
    hours_of: list[tuple[str, list[dict[str, Any]] | None]] = []
    for f, key in zip(found, keys, strict=True):
        hours_text = _tag(f, HOURS_KEYS)[1]
        hours = parse_hours_text(hours_text) if hours_text else []
        hours_of.append((hours_text, hours))
        if register:
            issues += _length_issues(f, key, hours_text, hours, columns=columns)

    existing = {
        fac.key: fac
        for fac in Facility.objects.filter(key__in=keys).select_related("community__street")
    }
    outside: list[int] = []
    keep: list[int] = []
    for k, (f, c, key) in enumerate(zip(found, where, keys, strict=True)):
        fac = existing.get(key)
        owned_elsewhere = fac is not None and (
            fac.community_id not in in_scope
            or (
                actor is not None
                and not perm.can_edit_facility(actor, fac.community, fac.provider_id)
            )
        )
        if owned_elsewhere and register and fac is not None:
            issues.append(
                Issue(
                    E.IMPORT_KEY_OUTSIDE,
                    _(
                        "编号「%(id)s」已登记为「%(name)s」（%(community)s），不在%(scope)s，"
                        "您不能修改它：请删去该行，或换一个编号"
                    )
                    % {
                        "id": f.facility_id.partition(":")[2] or f.facility_id,
                        "name": fac.name,
                        "community": fac.community.name,
                        "scope": scope.label or _("本辖区"),
                    },
                    row=f.row,
                    field=columns.get("id", _("编号")),
                    file=f.source or None,
                )
            )
            continue
        if c is None or owned_elsewhere:
            outside.append(k)
            continue
        if actor is not None and not perm.can_edit_facility(actor, c, None):
            issues.append(
                Issue(
                    E.PERMISSION_DENIED,
                    _("无权登记%(community)s的设施") % {"community": c.name},
                    row=f.row,
                    field=columns.get("name", _("名称")),
                    file=f.source or None,
                )
            )
            continue
        keep.append(k)
    if register and found and not keep and not issues:
        issues.append(
            Issue(
                E.IMPORT_NOTHING_INSIDE,
                _(
                    "文件中没有一处设施位于%(scope)s内：是否选错了坐标系或文件？"
                    "（按所选坐标系，设施的范围是 %(box)s）"
                )
                % {
                    "scope": scope.label or _("本辖区"),
                    "box": f"{min(f.lon for f in found):.4f},{min(f.lat for f in found):.4f} – "
                    f"{max(f.lon for f in found):.4f},{max(f.lat for f in found):.4f}",
                },
                file=found[0].source or None,
            )
        )
    if issues:
        raise Invalid(issues[0].code, _("设施文件有 %(n)d 处问题") % {"n": len(issues)}, issues)

    if outside:
        report.skipped["facility"] = len(outside)
        if register:  # name where the rows lie, when another community holds them
            others = CommunityLocator(Community.objects.exclude(pk__in=in_scope))
            lie = others.locate_many(
                [found[k].lon for k in outside], [found[k].lat for k in outside]
            )
            report.outside = [
                _outside_text(found[k], c, scope) for k, c in zip(outside, lie, strict=True)
            ]

    items_now: dict[int, set[str]] = {}
    for fid, code in FacilityItem.objects.filter(facility__in=existing.values()).values_list(
        "facility_id", "item_code"
    ):
        items_now.setdefault(fid, set()).add(code)
    new: list[Facility] = []
    new_items: list[tuple[Facility, Sequence[str]]] = []
    changed: list[Facility] = []
    item_changes: list[tuple[Facility, set[str]]] = []
    fields = [
        "name",
        "address",
        "lon",
        "lat",
        "community",
        "source",
        "opening_hours",
        "hours_note",
        "phone",
    ]
    for k in keep:
        f, c, key = found[k], where[k], keys[k]
        hours_text, hours = hours_of[k]
        values: dict[str, Any] = {
            "name": f.name or f.facility_id,
            "address": f.address,
            "lon": f.lon,
            "lat": f.lat,
            "community": c,
            "source": f.source,
            "opening_hours": hours or [],
            "hours_note": hours_text if hours is None else "",
            "phone": _tag(f, PHONE_KEYS)[1][:64],
        }
        fac = existing.get(key)
        if fac is None:
            fac = Facility(
                key=key,
                register_scope=scope.namespace if register else "",
                owner_kind=owner_kind,
                owner_name=_tag(f, OWNER_KEYS)[1][:200],
                derived_for_demo=derived_for_demo,
                **values,
            )
            new.append(fac)
            new_items.append((fac, f.item_codes))
            report.count(report.created, "facility")
            if len(report.added) < ADDED_SHOWN:
                report.added.append(
                    _("%(where)s「%(name)s」：%(community)s，%(items)s")
                    % {
                        "where": _where(f),
                        "name": fac.name,
                        "community": c.name if c is not None else "",
                        "items": "、".join(item_label(code) for code in f.item_codes),
                    }
                )
            continue
        diff = [name for name, v in values.items() if getattr(fac, name) != v]
        for name in diff:
            setattr(fac, name, values[name])
        wanted = set(f.item_codes)
        if wanted != items_now.get(fac.pk, set()):
            item_changes.append((fac, wanted))
            diff.append("items")
        if diff:
            changed.append(fac)
            report.count(report.updated, "facility")
            if len(report.examples) < 20:
                labels = [
                    str(getattr(Facility._meta.get_field(n), "verbose_name", n))
                    for n in diff
                    if n != "items"
                ]
                if "items" in diff:
                    labels.append(_("服务项目"))
                report.examples.append(
                    _("%(where)s「%(name)s」：%(what)s有变化")
                    % {"where": _where(f), "name": fac.name, "what": "、".join(labels)}
                )
        else:
            report.count(report.unchanged, "facility")
    if dry_run:
        return report
    for fac in (*new, *changed):  # bulk writes skip Model.save(), which folds it otherwise
        fac.refresh_search_text()
    with transaction.atomic():
        progress("write", 0, len(new) + len(changed))
        bulk_create_with_history(new, Facility, default_user=actor, batch_size=500)
        if new and new[0].pk is None:  # backends that do not return ids (not ours)
            by_key = {fac.key: fac for fac in Facility.objects.filter(key__in=[n.key for n in new])}
            new = [by_key[n.key] for n in new]
            new_items = [(by_key[fac.key], codes) for fac, codes in new_items]
        rows = [
            FacilityItem(facility=fac, item_code=code) for fac, codes in new_items for code in codes
        ]
        if changed:
            now = timezone.now()
            for fac in changed:
                fac.updated_at = now
            bulk_update_with_history(
                changed,
                Facility,
                [*fields, "updated_at", "search_text"],
                default_user=actor,
                batch_size=500,
            )
        for fac, wanted in item_changes:
            have = items_now.get(fac.pk, set())
            for row in FacilityItem.objects.filter(facility=fac, item_code__in=have - wanted):
                row._history_user = actor  # type: ignore[attr-defined]
                row.delete()
            rows += [FacilityItem(facility=fac, item_code=code) for code in sorted(wanted - have)]
        bulk_create_with_history(rows, FacilityItem, default_user=actor, batch_size=1000)
        if item_changes:
            # item changes are facility changes too: bump updated_at for stale-result checks
            Facility.objects.filter(pk__in=[fac.pk for fac, _w in item_changes]).update(
                updated_at=timezone.now()
            )
        progress("write", len(new) + len(changed), len(new) + len(changed))
    return report
