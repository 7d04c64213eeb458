"""The engine's one exception module.

Every error carries a stable ``code`` (for programs and translations), a human message in
Chinese and English, and — for input problems — where it happened (file, row, column).
Validation collects every problem it finds and raises once (:class:`InputErrors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input: what, and exactly where."""

    code: str
    message_zh: str
    message_en: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        parts = [p for p in (self.file, None if self.row is None else f"row {self.row}") if p]
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.where()
        prefix = f"{loc}: " if loc else ""
        return f"{prefix}[{self.code}] {self.message_zh} / {self.message_en}"


class QuarterhourError(Exception):
    """Base class of every error the engine raises on purpose."""

    code: str = "error"

    def __init__(self, message_zh: str, message_en: str, *, code: str | None = None) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        if code is not None:
            self.code = code
        super().__init__(f"[{self.code}] {message_zh} / {message_en}")


class InputError(QuarterhourError):
    """One input problem, located by file / row / column."""

    code = "input_invalid"

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.message_zh, problem.message_en, code=problem.code)
        self.args = (str(problem),)

    def __str__(self) -> str:
        return str(self.problem)


class InputErrors(QuarterhourError):
    """Several input problems collected during validation, raised once."""

    code = "input_invalid"

    def __init__(self, problems: Sequence[Problem], *, limit: int = 50) -> None:
        if not problems:
            raise ValueError("InputErrors needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:limit])
        more = len(self.problems) - limit
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"输入有 {len(self.problems)} 处问题", f"{len(self.problems)} problem(s) in the input"
        )
        self.args = (f"{len(self.problems)} problem(s) in the input:\n{shown}{tail}",)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(slots=True)
class ProblemCollector:
    """Collect problems while validating; raise them all at once at the end."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def raise_if_any(self) -> None:
        if len(self.problems) == 1:
            raise InputError(self.problems[0])
        if self.problems:
            raise InputErrors(self.problems)


class StandardError(QuarterhourError):
    """A standard file is malformed (file, key, reason)."""

    code = "standard_invalid"


class NetworkError(QuarterhourError):
    """A walk network cannot be built or is unusable."""

    code = "network_invalid"
