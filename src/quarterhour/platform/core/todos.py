"""What a person has to do, gathered from every app for their home page.

An app declares where its to-dos come from in a ``todos.py`` module (discovered like the jobs)::

    from quarterhour.platform.core.todos import Todo, todo_source

    @todo_source("requests", order=10)
    def requests_todos(user, now):   # the person, the clock; return what concerns them
        return [Todo(section=_("诉求"), title=_("待受理的诉求"), count=3, url=...)]

A source reads through its app's selectors, answers for any user (an empty list when nothing
concerns them) and links each to-do to the page where it is done. :func:`todos_for` runs every
source and sorts the result: by source (its ``order``), and within one, overdue first, then by
deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True, slots=True)
class Todo:
    """One thing to do (or to follow), in words, with where to do it.

    ``count``: how many (None when the to-do is one item); ``due``: its deadline (a date or a
    moment; None when it has none); ``overdue``: past it; ``note``: a second line (who owns it,
    what state it is in); ``action``: where a one-button form posts to do it from the list
    (labelled ``action_label``; the service behind it checks and records as always)."""

    section: str | Promise
    title: str | Promise
    url: str
    count: int | None = None
    due: dt.datetime | dt.date | None = None
    overdue: bool = False
    note: str | Promise = ""
    action: str = ""
    action_label: str | Promise = ""
    order: int = field(default=0, compare=False)

    @property
    def timed(self) -> bool:
        """Is the deadline a moment (shown with its time) rather than a day?"""
        return isinstance(self.due, dt.datetime)


Source = Callable[[Any, dt.datetime], list[Todo]]


@dataclass(frozen=True, slots=True)
class _Registered:
    name: str
    order: int
    func: Source


SOURCES: dict[str, _Registered] = {}


def todo_source(name: str, *, order: int = 100) -> Callable[[Source], Source]:
    """Register ``func(user, now) -> list[Todo]`` under ``name`` (a later one replaces it)."""

    def register(func: Source) -> Source:
        SOURCES[name] = _Registered(name, order, func)
        return func

    return register


def discover() -> dict[str, _Registered]:
    """Import every installed app's ``todos`` module (idempotent)."""
    autodiscover_modules("todos")
    return SOURCES


def _sort_key(t: Todo) -> tuple[int, int, float]:
    due = t.due
    if isinstance(due, dt.datetime):
        stamp = due.timestamp()
    elif isinstance(due, dt.date):
        stamp = dt.datetime.combine(due, dt.time.max, tzinfo=dt.UTC).timestamp()
    else:
        stamp = float("inf")
    return (t.order, 0 if t.overdue else 1, stamp)


def todos_for(user: Any, *, now: dt.datetime | None = None) -> list[Todo]:
    """Every source's to-dos for ``user``, by source; overdue first, then soonest due."""
    at = now or timezone.now()
    found: list[Todo] = []
    for src in sorted(discover().values(), key=lambda s: (s.order, s.name)):
        found += [replace(t, order=src.order) for t in src.func(user, at)]
    return sorted(found, key=_sort_key)


def by_section(todos: list[Todo]) -> list[tuple[str, list[Todo]]]:
    """The to-dos grouped under their section headings, sections in first-appearance order."""
    groups: dict[str, list[Todo]] = {}
    for t in todos:
        groups.setdefault(str(t.section), []).append(t)
    return list(groups.items())
