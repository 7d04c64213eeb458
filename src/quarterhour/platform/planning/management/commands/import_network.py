"""``quarterhour manage import_network FILE.osm.pbf [--name NAME] [--date YYYY-MM-DD]``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quarterhour.engine._errors import QuarterhourError
from quarterhour.platform.management_util import printer
from quarterhour.platform.planning.networks import store_network


class Command(BaseCommand):
    help = "导入步行路网（OSM .pbf/.osm） / import the walk network of an OSM extract"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", help="名称（默认取文件名）")
        parser.add_argument("--date", help="数据日期 YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        from quarterhour.engine.osm_network import read_osm_network

        path: Path = options["file"]
        try:
            network, _report = read_osm_network(path, progress=printer(self.stderr))
        except QuarterhourError as exc:
            raise CommandError(str(exc)) from None
        date = dt.date.fromisoformat(options["date"]) if options["date"] else None
        record = store_network(
            network,
            name=options["name"] or path.name,
            source=path.name,
            attribution="© OpenStreetMap contributors (ODbL)",
            data_date=date,
        )
        self.stdout.write(
            f"network #{record.pk}: {record.n_nodes} nodes, {record.n_edges} edges "
            f"/ 路网已导入：{record.n_nodes} 个节点，{record.n_edges} 条路段"
        )
