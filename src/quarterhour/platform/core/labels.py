"""Codes shown as words: standard item codes by the standard's names, model choices by their
labels, in the active language (zh-hans first). Pages never print a code (``shop.food``,
``meeting_approved``, ``care, health``); templates use the ``labels`` filters
(``{% load labels %}``: ``item``, ``items``, ``choice``), Python code these functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum
from typing import Any

from django.apps import apps
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from quarterhour.engine._errors import StandardError
from quarterhour.platform.core.standard import engine_standard, item_label

__all__ = [
    "choice_label",
    "choices_label",
    "item_label",
    "items_label",
    "place_name",
    "resolve_choices",
    "standard_label",
]


def separator() -> str:
    """How labels are joined in running text: 、 in Chinese, a comma in English."""
    return ", " if (get_language() or "").startswith("en") else "、"


def items_label(codes: Iterable[str] | None) -> str:
    """Standard item (or service) codes as their names, joined: ``居民服务站、药店``."""
    return separator().join(item_label(str(c)) for c in codes or ())


#: a name that is only an OpenStreetMap id (an unnamed object of the map)
OSM_ID = re.compile(r"^\s*osm:(?:node|way|relation)/\d+\s*$")


def place_name(name: str, codes: Iterable[str] = ()) -> str:
    """A place's name for people: an unnamed map object (named by its OSM id) is called by what
    it is, ``未命名的药店``; any other name as it is."""
    if name and not OSM_ID.match(name):
        return name
    first = next(iter(codes), None)
    what = item_label(str(first)) if first else _("服务设施")
    return _("未命名的%(what)s") % {"what": what}


def standard_label(code: str) -> str:
    """A facility standard's name (``beijing-2011`` → its Chinese or English title)."""
    try:
        std = engine_standard(code)
    except StandardError:  # an unknown or unreadable standard: its code is all there is
        return code
    return std.name_en if (get_language() or "").startswith("en") else std.name_zh


def resolve_choices(path: str) -> type[Enum]:
    """A choices class named ``app_label.Name`` or ``app_label.Model.Name`` (e.g.
    ``volunteers.Skill``, ``certification.Objection.Status``), from the app's models module."""
    app_label, _sep, rest = path.partition(".")
    found: Any = apps.get_app_config(app_label).models_module
    for part in rest.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and issubclass(found, Enum) and hasattr(found, "choices")):
        raise LookupError(f"{path} is not a choices class")
    return found


def choice_label(value: Any, choices: type[Enum] | str) -> str:
    """The label of one choice value; an unknown value is shown as it is."""
    cls = resolve_choices(choices) if isinstance(choices, str) else choices
    labels = dict(cls.choices)  # type: ignore[attr-defined]
    return str(labels.get(value, value))


def choices_label(values: Iterable[Any] | None, choices: type[Enum] | str) -> str:
    """Several choice values (a JSON list field, say) as their labels, joined."""
    cls = resolve_choices(choices) if isinstance(choices, str) else choices
    return separator().join(choice_label(v, cls) for v in values or ())
