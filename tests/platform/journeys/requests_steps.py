"""Steps the request journeys share: choosing from a picker's suggestions as a person does."""

from __future__ import annotations

from typing import Any


def choose(page: Any, box: Any, typed: str, *, starting: str = "") -> str:
    """Type ``typed`` into the picker ``box``, wait for suggestions matching it and take the first
    (or the first starting with ``starting``). Returns the label chosen."""
    box.fill(typed)
    list_id = box.get_attribute("list")
    page.wait_for_function(
        """([id, typed]) => {
             const l = document.getElementById(id), t = typed.toLowerCase();
             return l.options.length > 0
               && [...l.options].every(o => o.value.toLowerCase().includes(t)); }""",
        arg=[list_id, typed],
    )
    labels = page.eval_on_selector(f"#{list_id}", "l => [...l.options].map(o => o.value)")
    label = next(v for v in labels if v.startswith(starting))
    box.fill(label)
    hidden = box.get_attribute("data-target")
    page.wait_for_function("id => document.getElementById(id).value !== ''", arg=hidden)
    return label


def station_community(demo: Any, username: str) -> str:
    """The name of the community whose station ``username`` works at."""
    return demo.one(
        "select c.name from geography_community c join accounts_membership m"
        " on m.community_id = c.id join accounts_user u on u.id = m.user_id"
        " where u.username = %s",
        username,
    )
