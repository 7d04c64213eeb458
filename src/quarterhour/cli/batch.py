"""``quarterhour batch JOBFILE``: assess many cities (a province, a ministry's list) in one go."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from quarterhour.cli._console import console, error, progress_bar, warn
from quarterhour.engine._errors import QuarterhourError
from quarterhour.engine.batch import CityOutcome, dask_client, read_job, run_job

STATUS_TEXT = {
    "done": "完成 / done",
    "skipped": "未变，跳过 / unchanged",
    "failed": "失败 / failed",
}


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "batch",
        help="批量评估多个城市（可用 Dask 集群） / assess many cities, on a Dask cluster",
        description="按任务文件（TOML）逐城评估；每城完成即写出结果，重跑时跳过输入未变的城市，"
        "单城失败不影响其他城市。 / Assess every city of a job file (TOML); each city's results "
        "are written as it finishes, a rerun skips cities whose inputs did not change, and a "
        "failed city does not stop the others.",
    )
    p.add_argument("jobfile", type=Path, help="任务文件 / job file (TOML)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="Dask 调度器地址 / Dask scheduler address"
    )
    where.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="本机启动 N 个 Dask 工作进程（0 = 本进程依次计算） / local Dask worker processes",
    )
    p.add_argument(
        "--timeout", type=float, default=10.0, help="连接调度器超时（秒） / connect timeout, s"
    )
    p.add_argument("--force", action="store_true", help="全部重算 / recompute every city")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        job = read_job(args.jobfile)

        def report(o: CityOutcome) -> None:
            if o.status == "failed":
                error(escape(f"{o.name}: {o.error}"))
            for w in o.warnings:
                warn(escape(f"{o.name}: {w}"))

        with (
            dask_client(args.scheduler, workers=args.workers, timeout_s=args.timeout) as client,
            progress_bar() as progress,
        ):

            def cities(stage: str, done: int, total: int) -> None:
                progress("城市 / cities" if stage == "cities" else stage, done, total)

            outcomes = run_job(
                job, client=client, force=args.force, progress=cities, on_outcome=report
            )
    except QuarterhourError as exc:
        error(escape(str(exc)))
        return 2
    table = Table(title=f"批量评估 / batch: {args.jobfile}")
    table.add_column("城市 / city")
    table.add_column("状态 / status")
    table.add_column("秒 / s", justify="right")
    table.add_column("居住点 / origins", justify="right")
    for o in outcomes:
        table.add_row(
            escape(o.name),
            STATUS_TEXT.get(o.status, o.status),
            "" if o.status == "skipped" else f"{o.seconds:.1f}",
            str(o.origins or ""),
        )
    console.print(table)
    console.print(f"结果 / results: {job.out}")
    failed = sum(1 for o in outcomes if o.status == "failed")
    if failed:
        error(f"{failed} 个城市失败，见 batch-status.csv / {failed} cities failed")
        return 1
    return 0
