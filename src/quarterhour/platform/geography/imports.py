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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from quarterhour.engine.coords import to_wgs84
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.geography import permissions as perm
from quarterhour.platform.geography.models import Community, District, Street

COLUMNS = (
    "code", "parent", "name", "level", "rank", "adcode", "post_code", "area_code", "ur_code",
    "municipality", "virtual", "dummy", "longitude", "latitude", "center", "province", "city",
    "county", "town", "village",
)  # fmt: skip
LEVELS = ("city", "county", "town", "village")

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


@dataclass
class ImportReport:
    """What an import changed (or, in a dry run, would change)."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    def lines(self) -> list[str]:
        head = _("演练（未写入数据库）") if self.dry_run else _("已写入数据库")
        out = [head]
        for kind in ("district", "street", "community", "facility"):
            c, u, n = (
                self.created.get(kind, 0),
                self.updated.get(kind, 0),
                self.unchanged.get(kind, 0),
            )
            if c or u or n:
                out.append(
                    _("%(kind)s：新增 %(c)d，更新 %(u)d，不变 %(n)d")
                    % {"kind": kind, "c": c, "u": u, "n": n}
                )
        out += self.examples[:20]
        return out


def _decode(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise Invalid(
        "file_encoding",
        _("%(f)s：无法识别文件编码（应为 UTF-8 或 GBK）") % {"f": path.name},
        [Issue("file_encoding", _("无法识别文件编码（应为 UTF-8 或 GBK）"), file=path.name)],
    )


def _float(text: str) -> float | None:
    if text == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_adcode(paths: Sequence[Path]) -> list[AdcodeRow]:
    """Parse and check the files; raise :class:`Invalid` listing every problem."""
    rows: list[AdcodeRow] = []
    issues: list[Issue] = []
    for path in paths:
        if not path.is_file():
            issues.append(Issue("file_missing", _("文件不存在"), file=str(path)))
            continue
        text, _enc = _decode(path)
        for n, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not cells or all(not c.strip() for c in cells):
                continue

            def bad(field_name: str, message: str, *, _n: int = n, _file: str = path.name) -> None:
                issues.append(
                    Issue("adcode_invalid", message, row=_n, field=field_name, file=_file)
                )

            if len(cells) != len(COLUMNS):
                bad("*", _("应有 %(n)d 列，实际 %(m)d 列") % {"n": len(COLUMNS), "m": len(cells)})
                continue
            rec = dict(zip(COLUMNS, (c.strip() for c in cells), strict=True))
            ok = True
            for key in ("code", "parent"):
                if not (len(rec[key]) == 12 and rec[key].isdigit()):
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
                    "adcode_duplicate",
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
            "adcode_invalid", _("区划代码文件有 %(n)d 处问题") % {"n": len(issues)}, issues
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


def import_adcode(
    paths: Sequence[Path],
    *,
    actor: Any = None,
    dry_run: bool = False,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Create or update districts, streets and communities from adcode files (one transaction).

    With an ``actor`` every change is checked against its jurisdiction (and recorded as its);
    without one (the server operator's command line) the import is recorded as the system's.
    """
    progress("read", 0, len(paths))
    rows = read_adcode(paths)
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
            Issue("permission_denied", _("无权修改该辖区"), row=r.row, field="code", file=r.file)
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
                    "parent_missing",
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
                        "parent_changed",
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
            "adcode_invalid", _("区划代码文件有 %(n)d 处问题") % {"n": len(issues)}, issues
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
                    "parent_missing",
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
                        "parent_changed",
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
            "adcode_invalid", _("区划代码文件有 %(n)d 处问题") % {"n": len(issues)}, issues
        )
    if not dry_run:
        bulk_create_with_history(new_c, Community, default_user=actor, batch_size=500)
        if upd_c:
            bulk_update_with_history(upd_c, Community, fields, default_user=actor, batch_size=500)
    progress("communities", len(village_rows), len(village_rows))
    if actor is not None and issues:
        raise PermissionRefused("permission_denied", _("无权修改该辖区"))
