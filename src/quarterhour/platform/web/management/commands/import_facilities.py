"""``quarterhour manage import_facilities FILE [--crs gcj02] [--as USER | --for CODE] [--osm]
[--dry-run]``.

A register is imported *for* a jurisdiction: ``--as USER`` imports as that staff member, for
their jurisdiction (``--for`` picks one when they have several), with their permissions checked
before the file is read; the server operator names the jurisdiction with ``--for`` (an area code
such as 110102001000). Exit code 2 when the file is refused (every problem is listed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.facilities.imports import import_osm, import_register
from quarterhour.platform.facilities.models import OwnerKind
from quarterhour.platform.geography.imports import issue_lines
from quarterhour.platform.management_util import actor_from, printer
from quarterhour.platform.planning.networks import network_at


class Command(BaseCommand):
    help = (
        "导入设施登记表（CSV/XLSX，中文表头，GBK/UTF-8，WGS-84/GCJ-02/BD-09）或 OSM 设施 / "
        "import a facility register or the facilities of an OSM extract"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--crs", default="wgs84", help="wgs84 | gcj02 | bd09")
        parser.add_argument("--encoding", help="utf-8 / gbk（默认自动识别）")
        parser.add_argument("--osm", action="store_true", help="文件是 OSM 数据（.pbf/.osm）")
        parser.add_argument(
            "--owner-kind", default=OwnerKind.GOVERNMENT, choices=[k.value for k in OwnerKind]
        )
        parser.add_argument("--dry-run", action="store_true", help="只报告将会发生的变化")
        parser.add_argument("--as", dest="actor", help="以该用户身份导入（检查其辖区权限）")
        parser.add_argument(
            "--for",
            dest="scope",
            help="登记表所属辖区的区划代码（如 110102001000），或 street:代码 / city",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"])
        progress = printer(self.stderr)
        try:
            if options["osm"]:
                report = import_osm(
                    options["file"],
                    actor=actor,
                    scope_code=options["scope"],
                    dry_run=options["dry_run"],
                    owner_kind=options["owner_kind"],
                    progress=progress,
                )
            else:
                report = import_register(
                    options["file"],
                    actor=actor,
                    crs=options["crs"],
                    scope_code=options["scope"],
                    encoding=options["encoding"],
                    dry_run=options["dry_run"],
                    owner_kind=options["owner_kind"],
                    progress=progress,
                    walk_network=network_at,
                )
        except (Invalid, PermissionRefused) as exc:
            lines = issue_lines(exc)
            head = str(exc.message)
            body = "\n".join(f"  - {line}" for line in lines if line != head)
            raise CommandError(f"{head}\n{body}" if body else head, returncode=2) from None
        for line in report.lines():
            self.stdout.write(line)
