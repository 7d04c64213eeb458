"""Lists on a phone: the street, district and community staff, a provider and a resident open
every page of their navigation (and of 运行机制) on a 390 px screen; every list table fits the
screen (its rows are cards, each value beside its column's heading, web/cards.js), so nothing
has to be scrolled sideways."""

from __future__ import annotations

from typing import Any

import pytest

from tests.platform.journeys.conftest import PHONE, login


def _wide_lists(page: Any) -> list[str]:
    """The visible list tables of the page that scroll sideways, named by page and id."""
    wide = []
    tables = page.locator("main table.list")
    for i in range(tables.count()):
        table = tables.nth(i)
        if not table.is_visible() or not table.locator("tbody tr").count():
            continue
        # on a phone a table too wide scrolls by itself (or in its .table-wrap), not the page
        scrolls = table.evaluate(
            """t => [t, t.closest('.table-wrap')].some(
                   e => e && e.scrollWidth > e.clientWidth + 1)
               || t.getBoundingClientRect().right > innerWidth + 0.5"""
        )
        if scrolls:
            wide.append(f"{page.locator('h1').first.inner_text()} #{table.get_attribute('id')}")
    return wide


def _names(links: Any) -> list[str]:
    return [links.nth(i).inner_text() for i in range(links.count())]


def _look(page: Any, link: Any) -> tuple[list[str], int]:
    """Follow ``link``; the page's list tables that scroll sideways, and how many are cards."""
    link.click()
    page.wait_for_load_state()
    return _wide_lists(page), page.locator("main table.list.row-cards").count()


@pytest.mark.parametrize(
    "username", ["demo-street", "demo-community", "demo-provider", "demo-district", "demo-resident"]
)
def test_lists_are_cards_on_a_phone(demo, page, username):
    page.set_viewport_size(PHONE)
    login(page, username)
    nav = page.get_by_role("navigation", name="主导航")
    wide, seen = [], 0
    for name in _names(nav.get_by_role("link")):
        more, cards = _look(page, nav.get_by_role("link", name=name, exact=True))
        wide, seen = wide + more, seen + cards
        if name == "运行机制":
            for sub in _names(page.locator("main li > a")):
                more, cards = _look(page, page.locator("main li > a", has_text=sub).first)
                wide, seen = wide + more, seen + cards
                page.go_back()
        page.go_back()  # to the home, whose navigation every page's may not repeat
    assert not wide, wide
    assert seen >= 1  # lists were there to be looked at, as cards
