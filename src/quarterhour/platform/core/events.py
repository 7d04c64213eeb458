"""The event row a state machine writes for each move (who, when, from what to what, why).

Apps whose machines move several kinds of record into one event table (sharing, meetings,
volunteers) subclass :class:`TransitionEvent`, adding their ``subject`` field (which kind of record)
and their Meta (names, index), and pass :func:`recorder` as the machine's ``record``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.transitions import Moved


class TransitionEvent(models.Model):
    """One move; subclasses add ``subject`` (which kind of record ``subject_id`` names)."""

    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    action = models.CharField(_("操作"), max_length=16)
    from_state = models.CharField(_("原状态"), max_length=10, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        abstract = True
        ordering = ["at", "id"]  # noqa: RUF012 (Django reads Meta as given, as in models.py)

    def __str__(self) -> str:
        return f"{getattr(self, 'subject', '')} {self.subject_id} {self.action}"


def recorder(model: type[TransitionEvent], subject: str) -> Callable[[Moved[Any]], None]:
    """A machine's ``record``: one ``model`` row for each move of a ``subject`` record."""

    def record(moved: Moved[Any]) -> None:
        fields: dict[str, Any] = {
            "subject": subject,  # the subclass's own field
            "subject_id": moved.row.pk,
            "action": moved.action,
            "from_state": moved.before,
            "to_state": moved.after,
            "actor": moved.actor,
            "reason": moved.reason,
            "at": moved.at,
        }
        model._default_manager.create(**fields)

    return record
