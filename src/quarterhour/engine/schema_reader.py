"""A reader of TOML tables against a schema: every problem is collected with its key path
(``items[3].osm[0]``, indices from 0) and the reason in Chinese and English — missing keys,
unknown keys (nearly always typos), wrong types and values out of range alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StandardProblem:
    """One problem in a file read against a schema (a standard, a batch job): the key path, the
    reason, and its kind — ``missing``, ``unknown`` (key), ``type`` or ``value``."""

    key: str
    reason_zh: str
    reason_en: str
    kind: str = "value"

    def __str__(self) -> str:
        return f"{self.key}: {self.reason_zh} / {self.reason_en}"


_MISSING: Any = object()


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _type_zh(kind: str) -> str:
    return {
        "string": "字符串",
        "boolean": "布尔值(true/false)",
        "number": "数值",
        "integer": "整数",
        "table": "表",
        "list": "列表",
        "list of strings": "字符串列表",
        "list of tables": "表的列表",
    }[kind]


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


@dataclass(slots=True)
class TableReader:
    problems: list[StandardProblem] = field(default_factory=list)

    def add(self, key: str, zh: str, en: str, kind: str = "value") -> None:
        self.problems.append(StandardProblem(key, zh, en, kind))

    # -- primitives ----------------------------------------------------------------------------

    def _get(self, tbl: Mapping[str, Any], key: str, path: str, required: bool) -> Any:
        if key in tbl:
            return tbl[key]
        if required:
            self.add(_join(path, key), "缺少必填项", "required key is missing", "missing")
        return _MISSING

    def _wrong(self, path: str, kind: str, value: object) -> None:
        got = _toml_type(value)
        self.add(
            path, f"应为{_type_zh(kind)},实为 {got}", f"expected a {kind}, got a {got}", "type"
        )

    def unknown(self, tbl: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in tbl:
            if key not in allowed:
                self.add(
                    _join(path, key),
                    "未知的键(拼写错误?)",
                    f"unknown key (a typo?); allowed: {', '.join(sorted(allowed))}",
                    "unknown",
                )

    def string(self, tbl: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        v = self._get(tbl, key, path, required)
        if v is _MISSING:
            return ""
        if not isinstance(v, str):
            self._wrong(_join(path, key), "string", v)
            return ""
        if required and not v.strip():
            self.add(_join(path, key), "不能为空", "must not be empty")
        return v

    def boolean(
        self, tbl: Mapping[str, Any], key: str, path: str, *, default: bool | None = None
    ) -> bool:
        v = self._get(tbl, key, path, default is None)
        if v is _MISSING:
            return bool(default)
        if not isinstance(v, bool):
            self._wrong(_join(path, key), "boolean", v)
            return bool(default)
        return v

    def number(
        self,
        tbl: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        positive: bool = False,
        share: bool = False,
    ) -> float | None:
        v = self._get(tbl, key, path, required)
        if v is _MISSING:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            self._wrong(_join(path, key), "number", v)
            return None
        x = float(v)
        if share and not 0.0 < x <= 1.0:
            self.add(_join(path, key), f"{x} 应在 (0, 1] 之内", f"{x} must be in (0, 1]")
            return None
        if positive and not x > 0.0:
            self.add(_join(path, key), f"{x} 应为正数", f"{x} must be positive")
            return None
        if not share and not positive and x < 0.0:
            self.add(_join(path, key), f"{x} 不能为负数", f"{x} must not be negative")
            return None
        return x

    def integer(
        self, tbl: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> int | None:
        v = self._get(tbl, key, path, required)
        if v is _MISSING:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self._wrong(_join(path, key), "integer", v)
            return None
        if v < 0:
            self.add(_join(path, key), f"{v} 不能为负数", f"{v} must not be negative")
            return None
        return v

    def table(
        self, tbl: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> dict[str, Any] | None:
        v = self._get(tbl, key, path, required)
        if v is _MISSING:
            return None
        if not isinstance(v, dict):
            self._wrong(_join(path, key), "table", v)
            return None
        return v

    def list_of(
        self, tbl: Mapping[str, Any], key: str, path: str, kind: str, *, required: bool = True
    ) -> list[tuple[int, Any]]:
        """(index, element) of a list whose elements are ``kind`` ("string" or "table");
        a missing list (when required), a non-list and wrong elements are reported."""
        v = self._get(tbl, key, path, required)
        if v is _MISSING:
            return []
        if not isinstance(v, list):
            self._wrong(_join(path, key), f"list of {kind}s", v)
            return []
        want: type = dict if kind == "table" else str
        ok: list[tuple[int, Any]] = []
        for i, e in enumerate(v):
            if isinstance(e, want):
                ok.append((i, e))
            else:
                self._wrong(f"{_join(path, key)}[{i}]", kind, e)
        return ok

    def strings(
        self, tbl: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> tuple[str, ...]:
        out: list[str] = []
        for i, s in self.list_of(tbl, key, path, "string", required=required):
            if s.strip():
                out.append(s)
            else:
                self.add(f"{_join(path, key)}[{i}]", "不能为空", "must not be empty")
        return tuple(out)
