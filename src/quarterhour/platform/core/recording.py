"""Write one register row with its audit record (django-simple-history: who, when, what, and the
previous value, as a full snapshot per change). Services call these, never ``save()`` directly."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.errors import Invalid, Issue


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation as :class:`Invalid` naming each field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        issues = [
            Issue("field_invalid", "; ".join(str(m) for m in msgs), field=field)
            for field, msgs in exc.message_dict.items()
        ]
        raise Invalid("field_invalid", _("输入有误"), issues) from None


def save_audited(
    instance: models.Model, *, actor: Any, reason: str = "", exclude: list[str] | None = None
) -> None:
    validate(instance, exclude=exclude)
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save()


def delete_audited(instance: models.Model, *, actor: Any, reason: str = "") -> None:
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.delete()


def set_fields(instance: models.Model, fields: dict[str, Any], *, allowed: frozenset[str]) -> None:
    """Assign ``fields`` after checking every name is one the service lets callers change."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise Invalid(
            "field_not_editable",
            _("这些字段不能在此修改：%(f)s") % {"f": ", ".join(unknown)},
            [Issue("field_not_editable", _("不能修改"), field=f) for f in unknown],
        )
    for name, value in fields.items():
        setattr(instance, name, value)
