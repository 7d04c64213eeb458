"""``quarterhour manage import_facilities FILE [--crs gcj02] [--osm] [--dry-run] [--as USER]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quarterhour.platform.errors import Invalid
from quarterhour.platform.facilities.imports import read_osm, read_register, upsert_facilities
from quarterhour.platform.facilities.models import OwnerKind
from quarterhour.platform.management_util import actor_from, printer


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

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"])
        progress = printer(self.stderr)
        try:
            rows: list[int] | None = None
            notes: list[str] = []
            if options["osm"]:
                found = read_osm(options["file"], progress=progress)
            else:
                read = read_register(
                    options["file"], crs=options["crs"], encoding=options["encoding"]
                )
                found, rows, notes = read.facilities, read.rows, read.notes
            report = upsert_facilities(
                found,
                actor=actor,
                dry_run=options["dry_run"],
                outside="skip" if options["osm"] else "error",
                owner_kind=options["owner_kind"],
                file_rows=rows,
                notes=notes,
                progress=progress,
            )
        except Invalid as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
