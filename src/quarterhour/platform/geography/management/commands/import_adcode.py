"""``quarterhour manage import_adcode FILE... [--dry-run] [--as USER]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.geography.imports import import_adcode, issue_lines
from quarterhour.platform.management_util import actor_from, printer


class Command(BaseCommand):
    help = "导入统计用区划代码（区县、街道、社区；GCJ-02 中心点转 WGS-84） / import adcode lists"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只报告将会发生的变化")
        parser.add_argument("--as", dest="actor", help="以该用户身份导入（检查其辖区权限）")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from(options["actor"])
        try:
            report = import_adcode(
                options["files"],
                actor=actor,
                dry_run=options["dry_run"],
                progress=printer(self.stderr),
            )
        except (Invalid, PermissionRefused) as exc:
            head = str(exc.message)
            body = "\n".join(f"  - {line}" for line in issue_lines(exc) if line != head)
            raise CommandError(f"{head}\n{body}" if body else head, returncode=2) from None
        for line in report.lines():
            self.stdout.write(line)
