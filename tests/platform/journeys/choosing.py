"""Choosing in a picker the way a person does: type part of a name, wait for the suggestions,
take the one that reads right; the page's script then holds the chosen row's id."""

from __future__ import annotations

from typing import Any

#: how long a step may take on a loaded machine (the first page that loads the walk network
#: reads it from disk; two cores are shared by several test runs)
SLOW = 60_000


def choose(page: Any, box: Any, typed: str, *, starts: str) -> str:
    """Type ``typed`` into the picker ``box`` and take the suggestion starting with ``starts``;
    returns the suggestion's text."""
    box.fill(typed)
    options = f"#{box.get_attribute('id')}-list option"
    page.wait_for_function(
        "([sel, s]) => [...document.querySelectorAll(sel)].some(o => o.value.startsWith(s))",
        arg=[options, starts],
    )
    label = next(
        v
        for v in page.eval_on_selector_all(options, "os => os.map(o => o.value)")
        if v.startswith(starts)
    )
    box.fill(label)
    hidden = page.locator(f"#{box.get_attribute('id')}-id")
    assert hidden.input_value(), f"no id chosen for {label}"
    return label
