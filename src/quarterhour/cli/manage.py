"""``quarterhour manage ...``: Django's management commands (migrate, import_adcode, ...)."""

from __future__ import annotations

import argparse
import os
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "manage",
        add_help=False,
        help="平台管理命令（Django manage.py） / platform management commands (Django)",
        description="quarterhour manage <command> [options]: migrate, import_adcode, "
        "import_facilities, import_network, createsuperuser, ...",
    )
    p.add_argument("django_args", nargs=argparse.REMAINDER)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quarterhour.platform.settings.base")
    from django.core.management import execute_from_command_line

    from quarterhour.platform.env import ensure_data_dir

    ensure_data_dir()

    execute_from_command_line(["quarterhour manage", *args.django_args])
    return 0
