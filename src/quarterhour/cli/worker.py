"""``quarterhour worker``: run queued assessments in the background (one process)."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "worker",
        help="后台评估进程 / background worker that runs queued assessments",
        description="Claims queued assessment runs and executes them; stops on SIGINT/SIGTERM.",
    )
    p.add_argument("--once", action="store_true", help="只处理当前队列后退出 / drain and exit")
    p.add_argument("--poll", type=float, default=1.0, help="轮询间隔（秒） / poll interval, s")
    p.add_argument(
        "--threads", type=int, default=0, help="引擎线程数（0=每核一个） / engine threads"
    )
    p.add_argument("--settings", help="Django settings module")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from quarterhour.platform.bootstrap import setup

    setup(args.settings)
    from quarterhour.platform.planning.worker import work

    stop = threading.Event()

    def _stop(*_a: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    n = work(once=args.once, poll_s=args.poll, stop=stop, workers=args.threads)
    print(f"worker: {n} assessment(s) run / 已完成 {n} 次评估")
    return 0
