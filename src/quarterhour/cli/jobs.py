"""``quarterhour jobs``: the scheduler process (escalation, reminders, notification retries and
every other app's periodic job). Separate from ``quarterhour worker`` (assessments)."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import datetime
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "jobs",
        help="定时任务进程（超期升级、提醒、通知重发） / scheduler for periodic jobs",
        description="Runs the platform's periodic jobs when due; stops on SIGINT/SIGTERM.",
    )
    p.add_argument("--once", action="store_true", help="运行一轮后退出 / one pass, then exit")
    p.add_argument("--poll", type=float, default=5.0, help="轮询间隔（秒） / poll interval, s")
    p.add_argument("--only", action="append", help="只运行此任务 / run only this job (repeat)")
    p.add_argument(
        "--now", help="以此时刻为当前时间（ISO 8601，测试/补跑用） / pretend it is this time"
    )
    p.add_argument("--list", action="store_true", help="列出任务 / list jobs and exit")
    p.add_argument("--settings", help="Django settings module")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from quarterhour.platform.bootstrap import setup

    setup(args.settings)
    from django.utils import timezone

    from quarterhour.platform.jobs.registry import discover, loop

    jobs = discover()
    if args.list:
        for name, j in sorted(jobs.items()):
            print(f"{name}\t{j.every}")
        return 0
    fixed: datetime | None = None
    if args.now:
        fixed = datetime.fromisoformat(args.now)
        if fixed.tzinfo is None:
            print("--now 须带时区 / --now needs a time zone offset")
            return 2

    def clock() -> datetime:
        return fixed if fixed is not None else timezone.now()

    stop = threading.Event()

    def _stop(*_a: object) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    only = frozenset(args.only) if args.only else None
    n = loop(clock=clock, stop=stop, poll_s=args.poll, once=args.once, only=only)
    print(f"jobs: {n} run(s) / 已运行 {n} 次任务")
    return 0
