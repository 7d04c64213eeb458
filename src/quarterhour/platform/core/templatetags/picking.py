"""``{% picker "community" "community" %}``: a field that picks a record by name (see
``core/picking.py``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from quarterhour.platform.core import picking

register = template.Library()


@register.simple_tag(takes_context=True)
def picker(
    context: template.Context,
    kind_name: str,
    field: str,
    *,
    label: str = "",
    value: Any = None,
    required: bool = True,
    placeholder: str = "",
    form: str = "",
) -> SafeString:
    """The picker for ``kind_name`` posting the chosen row's id as ``field`` (and the text as
    ``field__text``). ``value``: the row chosen so far (or its id). ``form``: a name for the form
    when a page has several forms with the same field (keeps the element ids unique)."""
    k = picking.kind(kind_name)
    request = context.get("request")
    user = getattr(request, "user", None)
    data = getattr(request, "POST", {}) if request is not None else {}
    text = str(data.get(f"{field}__text", "")) if data else ""
    pk = str(data.get(field, "")) if data else ""
    if value is not None and not text:
        row = value if hasattr(value, "pk") else k.rows(user).filter(pk=value).first()
        if row is not None:
            text, _detail = k.show(row)
            pk = str(row.pk)
    html = render_to_string(
        "core/picker.html",
        {
            "kind": k,
            "field": field,
            "dom_id": f"pick-{form}-{field}" if form else f"pick-{field}",
            "label": label or k.title,
            "text": text,
            "pk": pk,
            "required": required,
            "placeholder": placeholder,
            "choices": picking.search(k, user, text),
            "url": reverse("pick", args=[k.name]),
            "errors": (context.get("errors") or {}).get(field, ()),
        },
    )
    return mark_safe(html)  # safe: rendered by the template engine, every value escaped


@register.simple_tag(takes_context=True)
def field_errors(context: template.Context, field: str) -> SafeString:
    """The problems found with ``field`` (from the view's ``errors``), beside it."""
    errors = context.get("errors") or {}
    return mark_safe(  # safe: each message is escaped by format_html_join
        format_html_join(
            "",
            '<span class="field-error" role="alert">{}</span>',
            ((m,) for m in errors.get(field, ())),
        )
    )


@register.simple_tag(takes_context=True)
def error_summary(context: template.Context) -> SafeString:
    """Every problem of the refused form, listed once at its top (each is also shown beside its
    field where the form has one)."""
    errors = context.get("errors") or {}
    seen: list[str] = []
    for messages in errors.values():
        seen.extend(m for m in messages if m not in seen)
    if not seen:
        return mark_safe("")
    items = format_html_join("", "<li>{}</li>", ((m,) for m in seen))
    return format_html(
        '<div class="error-summary" role="alert"><p>{}</p><ul>{}</ul></div>',
        _("未保存，请修改以下问题："),
        items,
    )
