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
