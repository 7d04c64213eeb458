"""Journeys: the demo as people get it (``quarterhour demo``), driven in Debian Chromium by clicks.

One demo per test session: built by the real command into a data directory of its own (SQLite, or
a PostgreSQL database of its own when the run uses PostgreSQL), then served by
``quarterhour demo --no-build`` on a free port with the assessment worker and the scheduled jobs
running, exactly as a user starts it. Tests start at ``/`` (or the role's home after logging in
by clicking), never type a URL or an id, and read the stored outcome straight from the demo's
database with :meth:`DemoSite.sql`. Journeys share the one demo, so each works on data of its
own (its own resident, provider, offer …) and does not depend on the order they run in.

After a click that submits or navigates, check the page it leads to with Playwright's ``expect``
(it waits for the text to appear), not with ``inner_text``/``count`` (read at once, possibly from
the page being left), and wait for the words only the outcome shows: a check that the old page
also passes can close a context while its request is still on the way.

Screenshots: :func:`shot` saves the page at 1366 px and 390 px wide into ``var/screenshots/``.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from tests.platform.browser import ARGS, BROWSER_MARKS, CHROMIUM

PASSWORD = "demo-journeys-2011"
#: where :func:`shot` writes (``QH_SCREENSHOTS`` moves them, e.g. out of the checkout)
SHOTS = Path(
    os.environ.get("QH_SCREENSHOTS") or Path(__file__).resolve().parents[3] / "var" / "screenshots"
)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = BROWSER_MARKS


@dataclass
class DemoSite:
    url: str
    database_url: str
    data_dir: Path

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the demo's database (``%s`` placeholders)."""
        if self.database_url.startswith("sqlite:"):
            db = sqlite3.connect(self.data_dir / "demo.sqlite3", timeout=20)
            try:
                return db.execute(query.replace("%s", "?"), params).fetchall()
            finally:
                db.close()
        import psycopg

        with psycopg.connect(self.database_url.replace("postgres://", "postgresql://")) as db:
            return db.execute(query, params).fetchall()  # type: ignore[arg-type]

    def one(self, query: str, *params: Any) -> Any:
        rows = self.sql(query, *params)
        assert len(rows) == 1, rows
        return rows[0][0] if len(rows[0]) == 1 else rows[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _demo_database(data_dir: Path) -> str:
    """SQLite in the data dir, or a fresh PostgreSQL database beside the test run's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{data_dir / 'demo.sqlite3'}"
    import psycopg

    base, _, name = url.rpartition("/")
    # one demo database per test process (pytest-xdist runs several)
    name = name.split("?")[0] + "_journeys" + os.environ.get("PYTEST_XDIST_WORKER", "")
    admin = base.replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=database_url,
        QUARTERHOUR_DATA_DIR=str(data_dir),
        QH_DEMO_PASSWORD=PASSWORD,
        PYTHONHASHSEED="0",
    )
    return env


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    data_dir = tmp_path_factory.mktemp("demo")
    database_url = _demo_database(data_dir)
    env = _env(database_url, data_dir)
    cmd = [sys.executable, "-m", "quarterhour", "demo", "--data-dir", str(data_dir)]
    built = subprocess.run(
        [*cmd, "--no-serve"], env=env, capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stdout + built.stderr
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [*cmd, "--no-build", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urlopen(f"{url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        "the demo server did not start:\n" + (data_dir / "server.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield DemoSite(url=url, database_url=database_url, data_dir=data_dir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Not for the whole session: Playwright's sync API keeps an
    event loop running in this thread while it is open, and Django then refuses database calls
    from any later test in the same process ("SynchronousOnlyOperation")."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, demo: DemoSite) -> Iterator[Any]:
    """A fresh browser (no cookies) at desktop width, Chinese first, on the demo's front door."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    context.set_default_timeout(15_000)
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.goto(demo.url + "/")
    yield p
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def login(page: Any, username: str, *, password: str = PASSWORD) -> None:
    """Log in the way a person does: from the page's login link, then the form."""
    if not page.locator("input[name=username]").count():
        page.get_by_role("link", name=re.compile("登录")).first.click()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()


def shot(page: Any, name: str) -> None:
    """Save the page as seen at 1366 px and at 390 px wide (``var/screenshots/<name>-<w>.png``)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"{name}-{viewport['width']}.png"), full_page=True)
    page.set_viewport_size(size)


def run_jobs(demo: DemoSite, *, at: Any, only: str) -> str:
    """Run the demo's scheduled job ``only`` once as if it were ``at`` (an aware datetime): what
    the scheduler does by itself when that time comes (``quarterhour jobs --once --now``)."""
    cmd = [sys.executable, "-m", "quarterhour", "jobs", "--once", "--only", only]
    done = subprocess.run(
        [*cmd, "--now", at.isoformat()],
        env=_env(demo.database_url, demo.data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
