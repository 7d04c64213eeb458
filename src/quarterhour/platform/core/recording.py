"""Write one register row with its audit record (django-simple-history: who, when, what, and the
previous value, as a full snapshot per change). Services call these, never ``save()`` directly."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core import text
from quarterhour.platform.core.error_codes import CoreError
from quarterhour.platform.core.errors import Invalid, Issue

#: float fields holding WGS-84 degrees: finite and on the globe whatever the model says
LONGITUDES = frozenset({"lon", "centre_lon", "min_lon", "max_lon"})
LATITUDES = frozenset({"lat", "centre_lat", "min_lat", "max_lat"})


def _text_and_place_issues(instance: models.Model) -> list[Issue]:
    """Control characters in any text field, coordinates not finite or off the globe."""
    issues: list[Issue] = []
    for f in instance._meta.concrete_fields:
        value = getattr(instance, f.attname, None)
        if (isinstance(f, models.CharField | models.TextField) and text.has_control(value)) or (
            isinstance(f, models.JSONField) and text.has_control_anywhere(value)
        ):
            issues.append(text.control_issue(f.name))
        elif isinstance(value, float) and f.name in LONGITUDES | LATITUDES:
            limit = 180 if f.name in LONGITUDES else 90
            if not (math.isfinite(value) and -limit <= value <= limit):
                issues.append(text.coordinate_issue(f.name))
    return issues


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation as :class:`Invalid` naming each field; text without control characters
    and coordinates on the globe (:mod:`core.text`) in every model."""
    issues = _text_and_place_issues(instance)
    if issues:
        raise Invalid(issues[0].code, _("输入有误"), issues)
    try:
        instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        issues = [
            Issue(CoreError.FIELD_INVALID, "; ".join(str(m) for m in msgs), field=field)
            for field, msgs in exc.message_dict.items()
        ]
        raise Invalid(CoreError.FIELD_INVALID, _("输入有误"), issues) from None


#: the history tables' ``history_change_reason`` column (django-simple-history's default length)
REASON_MAX_CHARS = 100


def _reason(reason: str) -> str:
    """The reason as stored: at most :data:`REASON_MAX_CHARS` (PostgreSQL refuses longer)."""
    return str(reason)[:REASON_MAX_CHARS]


def save_audited(
    instance: models.Model, *, actor: Any, reason: str = "", exclude: list[str] | None = None
) -> None:
    validate(instance, exclude=exclude)
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = _reason(reason)  # type: ignore[attr-defined]
    instance.save()


def delete_audited(instance: models.Model, *, actor: Any, reason: str = "") -> None:
    instance._history_user = actor  # type: ignore[attr-defined]
    instance._change_reason = _reason(reason)  # type: ignore[attr-defined]
    instance.delete()


def set_fields(instance: models.Model, fields: dict[str, Any], *, allowed: frozenset[str]) -> None:
    """Assign ``fields`` after checking every name is one the service lets callers change."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise Invalid(
            CoreError.FIELD_NOT_EDITABLE,
            _("这些字段不能在此修改：%(f)s") % {"f": ", ".join(unknown)},
            [Issue(CoreError.FIELD_NOT_EDITABLE, _("不能修改"), field=f) for f in unknown],
        )
    for name, value in fields.items():
        setattr(instance, name, value)
