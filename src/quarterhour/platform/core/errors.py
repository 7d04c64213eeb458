"""Errors the platform raises on purpose: a stable code and a translatable message.

A refused action raises :class:`PermissionRefused` (a Django ``PermissionDenied``, so views answer
403) *before* anything is written. Invalid input raises :class:`Invalid` with every problem found,
each naming its row/field or rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import BadRequest, PermissionDenied
from django.utils.functional import Promise


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: what (code, message) and where (file, row, field)."""

    code: str
    message: str | Promise
    row: int | None = None
    field: str | None = None
    file: str | None = None

    def where(self) -> str:
        parts = [p for p in (self.file, None if self.row is None else f"row {self.row}") if p]
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.where()
        return f"{loc + ': ' if loc else ''}[{self.code}] {self.message}"


class PlatformError(Exception):
    """Base: ``code`` for programs and tests, ``message`` for people (lazy, translated)."""

    def __init__(self, code: StrEnum | str, message: str | Promise) -> None:
        self.code = str(code)
        self.message = message
        super().__init__(f"[{self.code}] {message}")


class PermissionRefused(PlatformError, PermissionDenied):
    """The actor may not do this here. Nothing was changed."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """An app's usual refusal, named once: ``_refuse = Refusal(E.PERMISSION_DENIED, _("…"))``.
    Calling it builds a fresh :class:`PermissionRefused` (``raise _refuse()``), so it also serves
    as the ``refuse`` of :meth:`~quarterhour.platform.core.transitions.StateMachine.move`."""

    code: StrEnum | str
    message: str | Promise

    def __call__(self) -> PermissionRefused:
        return PermissionRefused(self.code, self.message)


class BadInput(PlatformError, BadRequest):
    """The request itself cannot be taken (answered 400 with the message). Nothing was read."""


class Invalid(PlatformError):
    """The input breaks a rule; ``issues`` lists every problem found. Nothing was changed."""

    def __init__(
        self, code: StrEnum | str, message: str | Promise, issues: Sequence[Issue] = ()
    ) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues) or (Issue(str(code), message),)
        super().__init__(code, message)

    def __str__(self) -> str:
        head = super().__str__()
        if len(self.issues) <= 1 and self.issues[0].message == self.message:
            return head
        body = "\n".join(f"  - {i}" for i in self.issues[:50])
        more = len(self.issues) - 50
        return f"{head}\n{body}" + (f"\n  … and {more} more" if more > 0 else "")


def raise_if_any(issues: Sequence[Issue]) -> None:
    """Raise :class:`Invalid` listing every issue (headed by the first) when there are any."""
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
