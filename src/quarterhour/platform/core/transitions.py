"""One way to move a record through its state machine: lock → check → move → record.

Every mechanism of the policy is a small state machine (a certification, a request, a booking, a
volunteer, a meeting action …). Each declares its table once as a :class:`StateMachine`; its
services call :meth:`StateMachine.move`, which, inside one transaction:

1. locks the row (``SELECT … FOR UPDATE``), so two people acting at once are served in turn;
2. asks the caller's permission check about the *locked* row (jurisdiction and owner), and
   refuses with the caller's :class:`~quarterhour.platform.core.errors.PermissionRefused` before
   anything is written;
3. checks that the action is legal from the current state, refusing with
   :class:`~quarterhour.platform.core.errors.Invalid` (the machine's code, the state and the
   action named in words);
4. sets the new state and any other fields, saves through ``core.recording.save_audited`` (the
   history row: who, when, what, why) and lets the machine write its own event row.

Nothing else writes a state field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.error_codes import CoreError
from quarterhour.platform.core.errors import Invalid, PermissionRefused, Refusal
from quarterhour.platform.core.recording import save_audited

M = TypeVar("M", bound=models.Model)

#: the refusal of a machine whose caller names none of its own
_REFUSE = Refusal(CoreError.PERMISSION_DENIED, _("您无权办理此事项"))


def now_or(now: dt.datetime | None) -> dt.datetime:
    """The caller's clock (jobs and tests pass one) or the wall clock."""
    return now if now is not None else timezone.now()


@dataclass(frozen=True, slots=True)
class Transition:
    """An action: the states it may start from, the state it leads to, its name in words."""

    sources: frozenset[str]
    target: str
    label: str | Promise


@dataclass(frozen=True, slots=True)
class Moved(Generic[M]):
    """What :meth:`StateMachine.move` did, handed to the machine's event writer."""

    row: M
    action: str
    before: str
    after: str
    actor: Any
    reason: str
    at: dt.datetime


class StateMachine(Generic[M]):
    """The transition table of one model and how its moves are recorded."""

    def __init__(
        self,
        *,
        model: type[M],
        transitions: Mapping[str, Transition],
        illegal_code: str,
        state_field: str = "state",
        state_label: Callable[[str], str | Promise] | None = None,
        record: Callable[[Moved[M]], None] | None = None,
    ) -> None:
        self.model = model
        self.transitions = dict(transitions)
        self.illegal_code = illegal_code
        self.state_field = state_field
        self._state_label = state_label
        self._record = record

    def label(self, action: str) -> str | Promise:
        return self.transitions[action].label

    def state_label(self, state: str) -> str | Promise:
        return self._state_label(state) if self._state_label is not None else state

    def can(self, row: M, action: str) -> bool:
        """Is ``action`` legal from ``row``'s current state (no permission asked)?"""
        step = self.transitions.get(action)
        return step is not None and getattr(row, self.state_field) in step.sources

    def lock(self, row: M) -> M:
        """The row again, locked for this transaction."""
        return self.model._default_manager.select_for_update().get(pk=row.pk)

    def move(
        self,
        row: M,
        action: str,
        *,
        actor: Any,
        now: dt.datetime | None = None,
        reason: str = "",
        fields: Mapping[str, Any] | None = None,
        allowed: Callable[[M], bool] | None = None,
        refuse: Callable[[], PermissionRefused] | None = None,
        locked: bool = False,
    ) -> M:
        """Move ``row`` by ``action`` (see the module's docstring for the steps).

        ``allowed`` is the permission check, asked of the locked row; ``refuse`` builds the
        refusal it raises. ``locked=True`` when the caller already holds the row's lock (it read
        other rows first); the row is then used as given. Returns the saved row."""
        step = self.transitions[action]
        with transaction.atomic():
            current = row if locked else self.lock(row)
            if allowed is not None and not allowed(current):
                raise (refuse or _REFUSE)()
            before = str(getattr(current, self.state_field))
            if before not in step.sources:
                raise Invalid(
                    self.illegal_code,
                    _("当前状态为“%(s)s”，不能执行“%(a)s”")
                    % {"s": self.state_label(before), "a": step.label},
                )
            for name, value in (fields or {}).items():
                setattr(current, name, value)
            setattr(current, self.state_field, step.target)
            # the history says the action in words, then the reason given (the event row keeps
            # the action's code)
            why = f"{step.label}：{reason}" if reason else str(step.label)
            save_audited(current, actor=actor, reason=why)
            if self._record is not None:
                self._record(
                    Moved(
                        row=current,
                        action=action,
                        before=before,
                        after=step.target,
                        actor=actor,
                        reason=reason,
                        at=now_or(now),
                    )
                )
        return current
