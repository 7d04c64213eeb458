"""The demo serves as a user starts it, and a person logs in by clicking (the harness itself)."""

from __future__ import annotations

from tests.platform.journeys.conftest import login, shot


def test_the_demo_answers_and_a_street_officer_logs_in(demo, page):
    assert demo.one("select count(*) from accounts_user where username = %s", "demo-street") == 1
    login(page, "demo-street")
    assert page.get_by_text("南港街道 张干事").first.is_visible()
    shot(page, "street-home")
