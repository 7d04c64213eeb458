"""Template filters that show codes as words (see :mod:`quarterhour.platform.core.labels`)::

{% load labels %}
{{ cert.item_codes|items }}             居民服务站、药店
{{ "shop.food"|item }}                  the item's name
{{ v.skills|choice:"volunteers.Skill" }}  生活照料、医疗保健
{{ row.state|choice:"certification.State" }}  (a value from ``.values()`` rows)
{{ fund.amount|yuan }}                  1,738,345.60 (an amount of money, in yuan)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from quarterhour.platform.core import labels

register = template.Library()


@register.filter(name="yuan")
def yuan(value: Any) -> str:
    """An amount of money as people read it: thousands grouped, two decimals (1,738,345.60);
    none is a dash, and what is not a number is shown as it is."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"{amount:,.2f}"


@register.filter(name="item")
def item(code: Any) -> str:
    return labels.item_label(str(code))


@register.filter(name="items")
def items(codes: Any) -> str:
    return labels.items_label(codes)


@register.filter(name="choice")
def choice(value: Any, choices: str) -> str:
    """One value or a list of values of the choices class ``choices`` (``app.Name``)."""
    if isinstance(value, list | tuple):
        return labels.choices_label(value, choices)
    return labels.choice_label(value, choices)


@register.filter(name="place")
def place(obj: Any) -> str:
    """A facility-like object's name (``name`` and ``items`` rows or ``item_codes``)."""
    items = getattr(obj, "items", None)
    if items is not None and hasattr(items, "all"):
        codes = [i.item_code for i in items.all()]
    else:
        codes = list(getattr(obj, "item_codes", ()) or ())
    return labels.place_name(str(getattr(obj, "name", "") or ""), codes)


@register.filter(name="standard")
def standard(code: Any) -> str:
    return labels.standard_label(str(code))
