"""``quarterhour manage export_siting_candidates OUT.csv``.

Resident units' facilities on offer for sharing, as siting candidates for the engine:
``quarterhour plan sites ... --candidates OUT.csv`` then weighs opening one of them (错时共享)
against building new. The file has the columns ``read_origins`` reads (id, name, lon, lat),
and is written by the one table writer (names a spreadsheet would run as formulas neutralised).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from quarterhour.engine.table_writer import write_rows_csv
from quarterhour.platform.sharing.selectors import planning_facilities


class Command(BaseCommand):
    help = "导出驻区单位共享设施作为选址候选点 / export shared facilities as siting candidates"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        facilities = planning_facilities()
        out: Path = options["out"]
        write_rows_csv(
            out,
            ["编号", "名称", "服务项目", "经度", "纬度"],
            (
                [f.facility_id, f.name, "、".join(f.item_codes), f"{f.lon:.7f}", f"{f.lat:.7f}"]
                for f in facilities
            ),
        )
        self.stdout.write(f"{len(facilities)} 处共享设施 / shared facilities → {out}")
