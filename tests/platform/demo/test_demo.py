"""``quarterhour demo --no-serve`` from scratch: real Helsinki OSM data → assessed demo platform."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_demo_builds_an_assessed_platform(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    proc = subprocess.run(
        [sys.executable, "-m", "quarterhour", "demo", "--no-serve", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for username in (
        "demo-city",
        "demo-district",
        "demo-street",
        "demo-community",
        "demo-provider",
        "demo-resident",
    ):
        assert username in out
    assert "derived for the demo" in out and "OpenStreetMap contributors" in out
    db = sqlite3.connect(tmp_path / "demo.sqlite3")
    try:
        (n_comm,) = db.execute(
            "select count(*) from geography_community where derived_for_demo"
        ).fetchone()
        (status,) = db.execute("select status from planning_assessmentrun").fetchone()
        (n_results,) = db.execute(
            "select count(*) from planning_circleresult where is_latest"
        ).fetchone()
        (n_circles,) = db.execute("select count(*) from geography_circle").fetchone()
        (n_fac,) = db.execute(
            "select count(*) from facilities_facility where key like 'osm:%'"
        ).fetchone()
    finally:
        db.close()
    assert n_comm > 10 and n_fac > 100
    assert status == "done"
    assert n_results == n_circles

    # a street officer queues an assessment; the worker process started by our own command runs it
    env.update(
        QUARTERHOUR_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        QUARTERHOUR_DEMO="1",
    )
    queue = (
        "from quarterhour.platform.bootstrap import setup; setup();"
        "from quarterhour.platform.accounts.models import User;"
        "from quarterhour.platform.planning.services import assessment_request;"
        "u = User.objects.get(username='demo-street');"
        "m = u.memberships.get();"
        "print(assessment_request(actor=u, street=m.street).pk)"
    )
    queued = subprocess.run(
        [sys.executable, "-c", queue], env=env, capture_output=True, text=True, timeout=120
    )
    assert queued.returncode == 0, queued.stderr
    run_id = int(queued.stdout.strip().splitlines()[-1])
    worker = subprocess.run(
        [sys.executable, "-m", "quarterhour", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr
    assert "worker: 1 assessment(s) run" in worker.stdout
    db = sqlite3.connect(tmp_path / "demo.sqlite3")
    try:
        row = db.execute(
            "select status, n_communities from planning_assessmentrun where id = ?", (run_id,)
        ).fetchone()
    finally:
        db.close()
    assert row[0] == "done" and row[1] > 0
