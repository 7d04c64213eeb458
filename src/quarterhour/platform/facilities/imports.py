"""Import facilities from registers (CSV/XLSX, Chinese headers, GBK/UTF-8, WGS-84/GCJ-02/BD-09)
and from OSM extracts, through the engine's readers; upsert by stable key.

Each facility is placed in the community whose boundary holds it (or, where communities have no
boundary, the nearest community centre within 2 km). A register row outside every community is an
error naming the row; OSM objects outside every community are counted and skipped (an extract
usually reaches beyond the registered area). One transaction; a dry run rolls back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from quarterhour.engine import places
from quarterhour.engine._errors import InputError, InputErrors, QuarterhourError
from quarterhour.engine.coords import parse_crs
from quarterhour.engine.progress import Progress
from quarterhour.platform.accounts import permissions as perm
from quarterhour.platform.errors import Invalid, Issue
from quarterhour.platform.facilities.error_codes import FacilityError as E
from quarterhour.platform.facilities.hours import parse_hours_text
from quarterhour.platform.facilities.models import Facility, FacilityItem, OwnerKind
from quarterhour.platform.geography.imports import ImportReport
from quarterhour.platform.geography.models import Community
from quarterhour.platform.geography.selectors import CommunityLocator, communities_visible
from quarterhour.platform.standard import engine_standard

if TYPE_CHECKING:
    from quarterhour.engine.registers import RegisterResult

HOURS_KEYS = ("营业时间", "开放时间", "服务时间", "hours", "opening_hours")
PHONE_KEYS = ("电话", "联系电话", "服务电话", "phone", "contact:phone")
OWNER_KEYS = ("权属单位", "产权单位", "owner", "operator")


def _no_progress(stage: str, done: int, total: int) -> None:
    """Report nothing."""


def engine_error_to_invalid(exc: QuarterhourError) -> Invalid:
    problems = (
        exc.problems
        if isinstance(exc, InputErrors)
        else (exc.problem,)
        if isinstance(exc, InputError)
        else ()
    )
    issues = [
        Issue(p.code, f"{p.message_zh} / {p.message_en}", row=p.row, field=p.column, file=p.file)
        for p in problems
    ] or [Issue(exc.code, f"{exc.message_zh} / {exc.message_en}")]
    return Invalid(E.IMPORT_INVALID, _("设施文件有 %(n)d 处问题") % {"n": len(issues)}, issues)


def _tag(f: places.Facility, keys: Sequence[str]) -> str:
    tags = dict(f.tags)
    for k in keys:
        if tags.get(k):
            return tags[k]
    return ""


@dataclass(frozen=True, slots=True)
class RegisterRead:
    """A register's facilities with their spreadsheet rows, and what was left out (lines to
    show with the import report: types outside the standard, repeated lines)."""

    facilities: list[places.Facility]
    rows: list[int]
    header_row: int
    notes: list[str]


def _left_out(result: RegisterResult) -> list[str]:
    notes: list[str] = []
    outside: Counter[str] = Counter()
    for t in result.tally:
        if not t.items:
            outside[t.category or t.typecode or _("（空）")] += t.rows
    if outside:
        top = outside.most_common(10)
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
    return notes


def read_register(path: Path, *, crs: str, encoding: str | None = None) -> RegisterRead:
    """The register's facilities (rows of types outside the standard are set aside and
    reported, not refused), with the spreadsheet row of each."""
    from quarterhour.engine.registers import read_facility_register

    std = engine_standard()
    try:
        result = read_facility_register(path, crs=parse_crs(crs), standard=std, encoding=encoding)
    except QuarterhourError as exc:
        raise engine_error_to_invalid(exc) from None
    return RegisterRead(
        list(result.facilities), list(result.rows), result.header_row, _left_out(result)
    )


def read_osm(path: Path, *, progress: Progress = _no_progress) -> list[places.Facility]:
    from quarterhour.engine.osm_features import read_osm_facilities

    std = engine_standard()
    try:
        return read_osm_facilities(path, classify=std.classify_osm, progress=progress)
    except QuarterhourError as exc:
        raise engine_error_to_invalid(exc) from None


def upsert_facilities(
    found: Sequence[places.Facility],
    *,
    actor: Any = None,
    dry_run: bool = False,
    outside: str = "error",
    owner_kind: str = OwnerKind.GOVERNMENT,
    derived_for_demo: bool = False,
    first_row: int = 1,
    file_rows: Sequence[int] | None = None,
    notes: Sequence[str] = (),
    progress: Progress = _no_progress,
) -> ImportReport:
    """Create or update facilities by ``facility_id`` (the stable key). ``outside`` is "error"
    (registers) or "skip" (OSM extracts); ``file_rows`` gives each facility's file row (else
    ``first_row`` is the row of ``found[0]`` and the rest follow); ``notes`` (what the reader
    left out) head the report's lines."""
    report = ImportReport(dry_run=dry_run)
    report.examples.extend(notes)
    row_of = (
        list(file_rows) if file_rows is not None else [first_row + k for k in range(len(found))]
    )
    scope = communities_visible(actor) if actor is not None else Community.objects.all()
    communities = list(scope.select_related("street"))
    locator = CommunityLocator(communities)
    progress("locate", 0, len(found))
    where = locator.locate_many([f.lon for f in found], [f.lat for f in found])
    progress("locate", len(found), len(found))
    issues: list[Issue] = []
    skipped = 0
    for k, (f, c) in enumerate(zip(found, where, strict=True)):
        if c is not None:
            if actor is not None and not perm.can_edit_facility(actor, c, None):
                issues.append(
                    Issue(
                        "permission_denied",
                        _("无权登记该社区的设施"),
                        row=row_of[k],
                        field=f.facility_id,
                    )
                )
            continue
        if outside == "skip":
            skipped += 1
            continue
        issues.append(
            Issue(
                E.OUTSIDE_EVERY_COMMUNITY,
                _("设施 %(id)s「%(name)s」（%(lon).6f, %(lat).6f）不在任何%(scope)s社区内")
                % {
                    "id": f.facility_id,
                    "name": f.name,
                    "lon": f.lon,
                    "lat": f.lat,
                    "scope": _("您辖区的") if actor is not None else "",
                },
                row=row_of[k],
                field="lon/lat",
                file=f.source,
            )
        )
    if issues:
        raise Invalid(issues[0].code, _("设施文件有 %(n)d 处问题") % {"n": len(issues)}, issues)

    existing = {
        fac.key: fac for fac in Facility.objects.filter(key__in=[f.facility_id for f in found])
    }
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
    for f, c in zip(found, where, strict=True):
        if c is None:
            continue
        hours_text = _tag(f, HOURS_KEYS)
        hours = parse_hours_text(hours_text) if hours_text else []
        values: dict[str, Any] = {
            "name": f.name or f.facility_id,
            "address": f.address,
            "lon": f.lon,
            "lat": f.lat,
            "community": c,
            "source": f.source,
            "opening_hours": hours or [],
            "hours_note": hours_text if hours is None else "",
            "phone": _tag(f, PHONE_KEYS)[:64],
        }
        fac = existing.get(f.facility_id)
        if fac is None:
            fac = Facility(
                key=f.facility_id,
                owner_kind=owner_kind,
                owner_name=_tag(f, OWNER_KEYS)[:200],
                derived_for_demo=derived_for_demo,
                **values,
            )
            new.append(fac)
            new_items.append((fac, f.item_codes))
            report.count(report.created, "facility")
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
                report.examples.append(f"~ {fac.key} {fac.name}: {', '.join(diff)}")
        else:
            report.count(report.unchanged, "facility")
    if skipped:
        report.examples.insert(len(notes), _("跳过 %(n)d 处不在任何社区内的设施") % {"n": skipped})
    if dry_run:
        return report
    for fac in (*new, *changed):  # bulk writes skip Model.save(), which folds it otherwise
        fac.refresh_search_text()
    with transaction.atomic():
        progress("write", 0, len(new) + len(changed))
        bulk_create_with_history(new, Facility, default_user=actor, batch_size=500)
        if new and new[0].pk is None:  # backends that do not return ids (not ours)
            keys = {fac.key: fac for fac in Facility.objects.filter(key__in=[n.key for n in new])}
            new = [keys[n.key] for n in new]
            new_items = [(keys[fac.key], codes) for fac, codes in new_items]
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
