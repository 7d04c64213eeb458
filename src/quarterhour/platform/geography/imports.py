"""Import the national administrative code lists (统计用区划代码) into the register.

The format is the one of ``beijing-adcode-communities-2016/adcode/*.csv``: no header, 20 columns
``code,parent,name,level,rank,adcode,post_code,area_code,ur_code,municipality,virtual,dummy,
longitude,latitude,center,province,city,county,town,village``; ``level`` ∈ city / county / town /
village; centres are GCJ-02 and are converted to WGS-84 here (never stored as GCJ-02).

county → :class:`District`, town → :class:`Street`, village → :class:`Community`. The 12-digit
code is the stable key: importing the same file again updates rows, it never duplicates them.
Every problem (file, row, field) is collected and reported at once; nothing is written then.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from quarterhour.engine.coords import to_wgs84
from quarterhour.engine.tables import DEFAULT_LIMITS, TableLimits
from quarterhour.platform.core import access
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.text import bad_fields
from quarterhour.platform.geography import permissions as perm
from quarterhour.platform.geography.error_codes import GeographyError as E
from quarterhour.platform.geography.models import Community, District, Street

COLUMNS = (
    "code", "parent", "name", "level", "rank", "adcode", "post_code", "area_code", "ur_code",
    "municipality", "virtual", "dummy", "longitude", "latitude", "center", "province", "city",
    "county", "town", "village",
)  # fmt: skip
LEVELS = ("city", "county", "town", "village")
#: longest name of a district, street or community (the register's column)
NAME_MAX_CHARS = 64

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    """Report nothing."""


@dataclass
class AdcodeRow:
    file: str
    row: int
    code: str
    parent: str
    name: str
    level: str
    ur_code: str
    lon: float | None
    lat: float | None


def upload_limits() -> TableLimits:
    """How big an uploaded import may be (the settings ``QH_IMPORT_MAX_*``)."""
    from django.conf import settings

    return TableLimits(
        max_bytes=settings.QH_IMPORT_MAX_BYTES,
        max_rows=settings.QH_IMPORT_MAX_ROWS,
        max_columns=settings.QH_IMPORT_MAX_COLUMNS,
        max_unpacked_bytes=settings.QH_IMPORT_MAX_UNPACKED_BYTES,
        max_shared_strings_bytes=settings.QH_IMPORT_MAX_SHARED_STRINGS_BYTES,
    )


def kind_label(kind: str) -> str:
    labels = {
        "district": _("区县"),
        "street": _("街道"),
        "community": _("社区"),
        "facility": _("设施"),
    }
    return str(labels.get(kind, kind))


@dataclass
class ImportReport:
    """What an import changed (or, in a dry run, would change), and the rows it left out."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    #: what is new, each in words (the first ones)
    added: list[str] = field(default_factory=list)
    #: rows left out (outside the importer's jurisdiction), each in words
    outside: list[str] = field(default_factory=list)
    #: what the reader left out, in words: rows of types outside the standard counted per
    #: type, repeated header lines and rows
    left_out: list[str] = field(default_factory=list)
    #: rows of types outside the standard (set aside, not imported), each in words (the first
    #: ones); ``set_aside_count`` counts them all
    set_aside: list[str] = field(default_factory=list)
    set_aside_count: int = 0
    dry_run: bool = False

    @property
    def set_aside_more(self) -> int:
        """Set-aside rows beyond those listed one by one."""
        return max(0, self.set_aside_count - len(self.set_aside))

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    def lines(self) -> list[str]:
        head = _("演练（未写入数据库）") if self.dry_run else _("已写入数据库")
        out = [head]
        for kind in ("district", "street", "community", "facility"):
            c, u, n, s = (
                self.created.get(kind, 0),
                self.updated.get(kind, 0),
                self.unchanged.get(kind, 0),
                self.skipped.get(kind, 0),
            )
            if c or u or n or s:
                line = _("%(kind)s：新增 %(c)d，更新 %(u)d，不变 %(n)d") % {
                    "kind": kind_label(kind),
                    "c": c,
                    "u": u,
                    "n": n,
                }
                if s:
                    line += _("，不在辖区内跳过 %(s)d") % {"s": s}
                out.append(line)
        out += self.left_out
        out += self.examples[:20]
        out += self.outside[:20]
        if len(self.outside) > 20:
            out.append(_("……另有 %(n)d 行跳过") % {"n": len(self.outside) - 20})
        out += self.set_aside
        if self.set_aside_more:
            out.append(_("……另有 %(n)d 行类型不在标准内") % {"n": self.set_aside_more})
        return out


def issue_text(issue: Issue) -> str:
    """One problem in words: file, row and column as a spreadsheet shows them, then what is
    wrong and what to do (no codes, no server paths)."""
    place = ""
    if issue.row is not None:
        place += _("第 %(row)d 行") % {"row": issue.row}
    if issue.field:
        place += _("「%(column)s」列") % {"column": issue.field}
    where = " ".join(p for p in (issue.file, place) if p)
    return f"{where}：{issue.message}" if where else str(issue.message)


def issue_lines(exc: Invalid | PermissionRefused) -> list[str]:
    """Every problem of a refused import, in words (the message alone for a refusal)."""
    issues = getattr(exc, "issues", ())
    return [issue_text(i) for i in issues] or [str(exc.message)]


def _decode(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise Invalid(
        E.FILE_ENCODING,
        _("%(f)s：无法识别文件编码（应为 UTF-8 或 GBK）") % {"f": path.name},
        [Issue(E.FILE_ENCODING, _("无法识别文件编码（应为 UTF-8 或 GBK）"), file=path.name)],
    )


def _float(text: str) -> float | None:
    if text == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _field_label(name: str) -> str:
    """The column of the adcode format (which has no header row) in words."""
    if name == "*":
        return str(_("整行"))
    return str(_("%(name)s（第 %(n)d 列）") % {"name": name, "n": COLUMNS.index(name) + 1})


def _records(path: Path, limits: TableLimits) -> Iterator[tuple[int, list[str]]]:
    """The file's CSV records with their row numbers, within the limits (else :class:`Invalid`)."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise Invalid(
            E.FILE_TOO_LARGE,
            _("%(f)s 有 %(s)d KB，超过上限 %(m)d KB：请拆分后分别导入")
            % {"f": path.name, "s": size // 1024, "m": limits.max_bytes // 1024},
        )
    text, _enc = _decode(path)
    reader = csv.reader(io.StringIO(text))
    n = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise Invalid(
                E.FILE_UNREADABLE,
                _("%(f)s 第 %(n)d 行无法按 CSV 读取：请检查引号是否成对，或另存为 CSV")
                % {"f": path.name, "n": n + 1},
            ) from None
        n += 1
        if n > limits.max_rows:
            raise Invalid(
                E.FILE_TOO_LARGE,
                _("%(f)s 超过 %(m)d 行（上限）：请拆分后分别导入")
                % {"f": path.name, "m": limits.max_rows},
            )
        yield n, cells


def read_adcode(paths: Sequence[Path], *, limits: TableLimits = DEFAULT_LIMITS) -> list[AdcodeRow]:
    """Parse and check the files; raise :class:`Invalid` listing every problem."""
    rows: list[AdcodeRow] = []
    issues: list[Issue] = []
    for path in paths:
        if not path.is_file():
            issues.append(Issue(E.FILE_MISSING, _("文件不存在"), file=path.name))
            continue
        for n, cells in _records(path, limits):
            if not cells or all(not c.strip() for c in cells):
                continue

            def bad(field_name: str, message: str, *, _n: int = n, _file: str = path.name) -> None:
                issues.append(
                    Issue(
                        E.ADCODE_INVALID,
                        message,
                        row=_n,
                        field=_field_label(field_name),
                        file=_file,
                    )
                )

            if len(cells) != len(COLUMNS):
                bad("*", _("应有 %(n)d 列，实际 %(m)d 列") % {"n": len(COLUMNS), "m": len(cells)})
                continue
            rec = dict(zip(COLUMNS, (c.strip() for c in cells), strict=True))
            ok = True
            for key in bad_fields(rec):
                bad(key, _("含有不可见的控制字符，请删除后重新导入"))
                ok = False
            for key in ("code", "parent"):
                if not (len(rec[key]) == 12 and rec[key].isascii() and rec[key].isdigit()):
                    bad(key, _("区划代码须为 12 位数字：%(v)r") % {"v": rec[key]})
                    ok = False
            if rec["level"] not in LEVELS:
                bad(
                    "level",
                    _("未知级别 %(v)r（应为 city/county/town/village）") % {"v": rec["level"]},
                )
                ok = False
            if not rec["name"]:
                bad("name", _("名称为空"))
                ok = False
            elif len(rec["name"]) > NAME_MAX_CHARS:
                bad(
                    "name",
                    _("名称有 %(n)d 字，超过 %(m)d 字的上限：请缩短后重新导入")
                    % {"n": len(rec["name"]), "m": NAME_MAX_CHARS},
                )
                ok = False
            try:
                lon, lat = _float(rec["longitude"]), _float(rec["latitude"])
            except ValueError:
                bad("longitude", _("经纬度不是数字"))
                continue
            if (lon is None) != (lat is None):
                bad("latitude", _("经度和纬度须同时给出"))
                ok = False
            elif lon is not None and lat is not None and not (73 <= lon <= 136 and 3 <= lat <= 54):
                bad(
                    "longitude",
                    _("坐标不在中国范围内：%(lon)s, %(lat)s") % {"lon": lon, "lat": lat},
                )
                ok = False
            if (
                ok
                and rec["level"] == "village"
                and (rec["code"][:9] != rec["parent"][:9] or rec["code"][9:] == "000")
            ):
                bad(
                    "code",
                    _("社区代码 %(c)s 与所属街道 %(p)s 不符")
                    % {"c": rec["code"], "p": rec["parent"]},
                )
                ok = False
            if (
                ok
                and rec["level"] == "town"
                and (rec["code"][:6] != rec["parent"][:6] or rec["code"][9:] != "000")
            ):
                bad(
                    "code",
                    _("街道代码 %(c)s 与所属区县 %(p)s 不符")
                    % {"c": rec["code"], "p": rec["parent"]},
                )
                ok = False
            if ok:
                rows.append(
                    AdcodeRow(
                        path.name,
                        n,
                        rec["code"],
                        rec["parent"],
                        rec["name"],
                        rec["level"],
                        rec["ur_code"],
                        lon,
                        lat,
                    )
                )
    seen: dict[str, AdcodeRow] = {}
    for r in rows:
        if r.code in seen:
            first = seen[r.code]
            issues.append(
                Issue(
                    E.ADCODE_DUPLICATE,
                    _("代码 %(c)s 重复（首次出现于 %(f)s 第 %(r)d 行）")
                    % {"c": r.code, "f": first.file, "r": first.row},
                    row=r.row,
                    field="code",
                    file=r.file,
                )
            )
        seen[r.code] = r
    if issues:
        raise Invalid(
            E.ADCODE_INVALID, _("区划代码文件有 %(n)d 处问题") % {"n": len(issues)}, issues
        )
    # GCJ-02 → WGS-84, all at once
    located = [r for r in rows if r.lon is not None]
    if located:
        lon_w, lat_w = to_wgs84(
            np.array([r.lon for r in located]), np.array([r.lat for r in located]), crs="gcj02"
        )
        for r, x, y in zip(located, lon_w.tolist(), lat_w.tolist(), strict=True):
            r.lon, r.lat = round(x, 7), round(y, 7)
    return rows


def _street_kind(name: str) -> str:
    if name.endswith("街道办事处") or name.endswith("街道"):
        return Street.Kind.STREET
    if name.endswith("地区办事处") or name.endswith("地区"):
        return Street.Kind.AREA
    if name.endswith("镇"):
        return Street.Kind.TOWN
    if name.endswith("乡"):
        return Street.Kind.TOWNSHIP
    return Street.Kind.STREET


def _urban_rural(ur_code: str) -> str:
    if ur_code.startswith("1"):
        return Community.UrbanRural.URBAN
    if ur_code.startswith("2"):
        return Community.UrbanRural.RURAL
    return Community.UrbanRural.UNKNOWN


def _community_kind(name: str) -> str:
    return (
        Community.Kind.VILLAGERS
        if ("村" in name and "委员会" in name) or name.endswith("村委会")
        else Community.Kind.RESIDENTS
    )


def _apply(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    return changed


def can_import_communities(actor: Any) -> bool:
    """May ``actor`` import community lists at all (city, district or street staff)? Checked
    before a file is read; each row is then checked against the actor's jurisdiction."""
    return any(
        m.role in (access.Role.CITY, access.Role.DISTRICT, access.Role.STREET)
        for m in access.memberships(actor)
    )


def import_adcode(
    paths: Sequence[Path],
    *,
    actor: Any = None,
    dry_run: bool = False,
    limits: TableLimits = DEFAULT_LIMITS,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Create or update districts, streets and communities from adcode files (one transaction).

    With an ``actor`` every change is checked against its jurisdiction (and recorded as its),
    and whether it may import community lists at all is checked before any file is read;
    without one (the server operator's command line) the import is recorded as the system's.
    """
    if actor is not None and not can_import_communities(actor):
        raise PermissionRefused(
            E.IMPORT_PERMISSION_DENIED,
            _("您无权导入社区名录（只有市、区县、街道工作人员可以导入本辖区的社区）"),
        )
    progress("read", 0, len(paths))
    rows = read_adcode(paths, limits=limits)
    progress("read", len(paths), len(paths))
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        _plan_and_write(rows, actor=actor, report=report, dry_run=dry_run, progress=progress)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _plan_and_write(
    rows: list[AdcodeRow],
    *,
    actor: Any,
    report: ImportReport,
    dry_run: bool,
    progress: Progress,
) -> None:
    issues: list[Issue] = []
    districts = {d.code: d for d in District.objects.all()}
    streets = {s.code: s for s in Street.objects.select_related("district")}
    communities = {c.code: c for c in Community.objects.all()}

    def refuse(r: AdcodeRow) -> None:
        issues.append(
            Issue(
                E.ROW_OUT_OF_JURISDICTION, _("无权修改该辖区"), row=r.row, field="code", file=r.file
            )
        )

    # districts
    new_d: list[District] = []
    upd_d: list[District] = []
    for r in (r for r in rows if r.level == "county"):
        d = districts.get(r.code)
        if d is None:
            if actor is not None and not perm.can_create_district(actor):
                refuse(r)
                continue
            d = District(code=r.code, name=r.name)
            districts[r.code] = d
            new_d.append(d)
            report.count(report.created, "district")
        elif _apply(d, {"name": r.name}):
            if actor is not None and not perm.can_edit_district(actor, d):
                refuse(r)
                continue
            upd_d.append(d)
            report.count(report.updated, "district")
        else:
            report.count(report.unchanged, "district")
    if not dry_run:
        bulk_create_with_history(new_d, District, default_user=actor)
        if upd_d:
            bulk_update_with_history(upd_d, District, ["name"], default_user=actor)
    # streets
    new_s: list[Street] = []
    upd_s: list[Street] = []
    for r in (r for r in rows if r.level == "town"):
        parent = districts.get(r.parent)
        if parent is None:
            issues.append(
                Issue(
                    E.PARENT_MISSING,
                    _("所属区县 %(p)s 不存在") % {"p": r.parent},
                    row=r.row,
                    field="parent",
                    file=r.file,
                )
            )
            continue
        values: dict[str, Any] = {"name": r.name, "kind": _street_kind(r.name)}
        s = streets.get(r.code)
        if s is None:
            if actor is not None and not perm.can_create_street(actor, parent):
                refuse(r)
                continue
            s = Street(code=r.code, district=parent, **values)
            streets[r.code] = s
            new_s.append(s)
            report.count(report.created, "street")
        else:
            if s.district_id != parent.pk:
                issues.append(
                    Issue(
                        E.PARENT_CHANGED,
                        _("街道不能改属其他区县"),
                        row=r.row,
                        field="parent",
                        file=r.file,
                    )
                )
                continue
            changed = _apply(s, values)
            if not changed:
                report.count(report.unchanged, "street")
                continue
            if actor is not None and not perm.can_edit_street(actor, s):
                refuse(r)
                continue
            upd_s.append(s)
            report.count(report.updated, "street")
            if len(report.examples) < 20:
                report.examples.append(f"~ {r.code} {r.name}: {', '.join(changed)}")
    if issues:
        raise Invalid(
            E.ADCODE_INVALID, _("区划代码文件有 %(n)d 处问题") % {"n": len(issues)}, issues
        )
    if not dry_run:
        bulk_create_with_history(new_s, Street, default_user=actor, batch_size=500)
        if upd_s:
            bulk_update_with_history(upd_s, Street, ["name", "kind"], default_user=actor)
    progress("streets", len(new_s) + len(upd_s), len(new_s) + len(upd_s))
    # communities
    new_c: list[Community] = []
    upd_c: list[Community] = []
    fields = ["name", "kind", "ur_code", "urban_rural", "centre_lon", "centre_lat"]
    village_rows = [r for r in rows if r.level == "village"]
    for k, r in enumerate(village_rows):
        parent_street = streets.get(r.parent)
        if parent_street is None:
            issues.append(
                Issue(
                    E.PARENT_MISSING,
                    _("所属街道 %(p)s 不存在") % {"p": r.parent},
                    row=r.row,
                    field="parent",
                    file=r.file,
                )
            )
            continue
        cvalues: dict[str, Any] = {
            "name": r.name,
            "kind": _community_kind(r.name),
            "ur_code": r.ur_code,
            "urban_rural": _urban_rural(r.ur_code),
        }
        if r.lon is not None:  # a later list without a centre keeps the one we have
            cvalues["centre_lon"], cvalues["centre_lat"] = r.lon, r.lat
        c = communities.get(r.code)
        if actor is not None and not perm.can_create_community(actor, parent_street):
            refuse(r)
            continue
        if c is None:
            c = Community(code=r.code, street=parent_street, **cvalues)
            communities[r.code] = c
            new_c.append(c)
            report.count(report.created, "community")
        else:
            if c.street_id != parent_street.pk:
                issues.append(
                    Issue(
                        E.PARENT_CHANGED,
                        _("社区不能改属其他街道"),
                        row=r.row,
                        field="parent",
                        file=r.file,
                    )
                )
                continue
            changed = _apply(c, cvalues)
            if not changed:
                report.count(report.unchanged, "community")
                continue
            upd_c.append(c)
            report.count(report.updated, "community")
            if len(report.examples) < 20:
                report.examples.append(f"~ {r.code} {r.name}: {', '.join(changed)}")
        if k % 1000 == 0:
            progress("communities", k, len(village_rows))
    if issues:
        raise Invalid(
            E.ADCODE_INVALID, _("区划代码文件有 %(n)d 处问题") % {"n": len(issues)}, issues
        )
    if not dry_run:
        bulk_create_with_history(new_c, Community, default_user=actor, batch_size=500)
        if upd_c:
            bulk_update_with_history(upd_c, Community, fields, default_user=actor, batch_size=500)
    progress("communities", len(village_rows), len(village_rows))
    if actor is not None and issues:
        raise PermissionRefused(E.ROW_OUT_OF_JURISDICTION, _("无权修改该辖区"))
