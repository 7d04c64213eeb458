"""The one command line: ``quarterhour <command> ...``.

Each command lives in its own module with ``register(subparsers)``; the module list below is the
whole command set.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from quarterhour import __version__

#: command modules, in the order ``--help`` lists them
COMMAND_MODULES: tuple[str, ...] = (
    "quarterhour.cli.assess",
    "quarterhour.cli.plan",
    "quarterhour.cli.whatif",  # adds `plan whatif` to the plan command
    "quarterhour.cli.manage",
    "quarterhour.cli.worker",
    "quarterhour.cli.batch",
    "quarterhour.cli.jobs",
    "quarterhour.cli.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quarterhour",
        description="一刻钟社区服务圈：步行可达性、设施标准达标评估与规划 / "
        "15-minute community service circles: walking reach, coverage, planning",
    )
    parser.add_argument("--version", action="version", version=f"quarterhour {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
