"""Choosing a record by name: the searchable picker behind every "which community / provider /
facility / resident unit / person?" field, so that nobody types a database id.

Each app declares what can be picked from it in its own ``picking.py`` (discovered like the jobs):
a :class:`Kind` says which rows a user may pick, how a typed text matches them, and how a row is
shown (a label that names it unambiguously, and a detail line). The page renders the field with
``{% picker %}`` (``core/templatetags/picking.py``): a text box with suggestions (a ``<datalist>``
filled from ``/pick/<kind>.json`` as the person types, ``core/static/core/picker.js``) and a hidden
id the script fills when a suggestion is chosen. Without the script, or when the hidden id is
missing, :func:`resolve` takes the typed text: one exact match is the choice; otherwise the field
gets an error listing close matches ("您是不是要找：…").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.error_codes import CoreError
from quarterhour.platform.core.errors import Invalid, Issue
from quarterhour.platform.core.searchtext import fold

#: at most this many suggestions are offered (and pre-rendered into the page)
LIMIT = 20
#: the longest text a picker takes
MAX_TEXT = 100


@dataclass(frozen=True, slots=True)
class Choice:
    pk: int
    label: str
    detail: str


@dataclass(frozen=True, slots=True)
class Kind:
    """What can be picked of one kind."""

    name: str
    title: str | Promise  # "社区": the field's noun, in words
    rows: Callable[[Any], QuerySet[Any]]  # the rows this user may pick
    match: Callable[[QuerySet[Any], str], QuerySet[Any]]  # rows matching a folded text
    show: Callable[[Any], tuple[str, str]]  # a row's (label, detail)
    exact: Callable[[QuerySet[Any], str], QuerySet[Any]]  # rows named exactly by the text
    public: bool = False  # may people who are not logged in pick it (e.g. a community)?


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, Kind]:
    autodiscover_modules("picking")
    return KINDS


def kind(name: str) -> Kind:
    found = kinds().get(name)
    if found is None:
        raise KeyError(name)
    return found


def allowed(k: Kind, user: Any) -> bool:
    return k.public or bool(getattr(user, "is_authenticated", False))


def _choice(k: Kind, row: Model) -> Choice:
    label, detail = k.show(row)
    return Choice(int(row.pk), label, detail)


def clean(text: str) -> str:
    """The typed text, bounded, without control characters (a NUL ends a pattern early in
    SQLite and is refused by PostgreSQL)."""
    return "".join(ch for ch in text[:MAX_TEXT] if ch.isprintable()).strip()


def search(k: Kind, user: Any, text: str, *, limit: int = LIMIT) -> list[Choice]:
    """Up to ``limit`` rows the user may pick whose name or code matches ``text`` (all of them,
    first ``limit``, for an empty text)."""
    rows = k.rows(user)
    q = fold(clean(text))
    if q:
        rows = k.match(rows, q)
    return [_choice(k, r) for r in rows[:limit]]


def suggestions(k: Kind, user: Any, text: str) -> list[Choice]:
    """Close matches for a text that named nothing: by the whole text, else by its pieces."""
    found = search(k, user, text, limit=5)
    if found or len(text) < 2:
        return found
    q = fold(clean(text))
    seen: dict[int, Choice] = {}
    for size in (2, 1):
        for i in range(0, max(1, len(q) - size + 1)):
            for c in search(k, user, q[i : i + size], limit=5):
                seen.setdefault(c.pk, c)
            if len(seen) >= 5:
                return list(seen.values())[:5]
    return list(seen.values())[:5]


def resolve(k: Kind, user: Any, *, field: str, pk: str, text: str, required: bool = True) -> Any:
    """The row chosen in a picker field: by its hidden id when the page's script set one (and the
    user may pick it), else by the typed text. Raises :class:`Invalid` naming ``field``."""
    rows = k.rows(user)
    pk = pk.strip()
    text = clean(text)
    if pk.isascii() and pk.isdigit() and len(pk) < 19:
        row = rows.filter(pk=int(pk)).first()
        if row is not None and (not text or text in _choice(k, row).label):
            return row
    if not text:
        if not required:
            return None
        message = _("请选择%(what)s") % {"what": k.title}
        raise Invalid(
            CoreError.FIELD_REQUIRED,
            message,
            [Issue(CoreError.FIELD_REQUIRED, message, field=field)],
        )
    named = list(k.exact(rows, text)[:2])
    base = text.split("（")[0].strip()  # a suggestion's label: "name（where）"
    if len(named) != 1 and base and base != text:
        same = list(k.exact(rows, base)[:LIMIT])
        by_label = [r for r in same if _choice(k, r).label == text]
        if not by_label:  # a name that has brackets itself: "某中心（演示）（某街道）"
            near = list(k.match(rows, fold(base))[:LIMIT])
            by_label = [r for r in near if _choice(k, r).label == text]
        named = by_label if len(by_label) == 1 else same[:2]
    if len(named) == 1:
        return named[0]
    close = suggestions(k, user, text)
    if close:
        message = _("没有找到“%(text)s”。您是不是要找：%(names)s") % {
            "text": text,
            "names": "、".join(c.label for c in close),
        }
    else:
        message = _("没有找到名为“%(text)s”的%(what)s，请输入名称或代码的一部分，从提示中选择") % {
            "text": text,
            "what": k.title,
        }
    raise Invalid(
        CoreError.PICKER_NO_MATCH, message, [Issue(CoreError.PICKER_NO_MATCH, message, field=field)]
    )


def picked(data: Any, field: str, *, kind_name: str, user: Any, required: bool = True) -> Any:
    """Read picker ``field`` from submitted form ``data`` (the hidden id ``field`` and the text
    ``field__text``)."""
    return resolve(
        kind(kind_name),
        user,
        field=field,
        pk=str(data.get(field, "")),
        text=str(data.get(f"{field}__text", "")),
        required=required,
    )
