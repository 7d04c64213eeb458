"""The facility standard as the platform sees it: item codes, names, groups, thresholds.

The standard is a data file read by the engine's loader (``quarterhour.engine.standards``);
the platform keeps a small view of its items here and uses the loader's classifiers on import.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language

from quarterhour.engine.standards import DEFAULT_STANDARD, Standard, load_standard


@dataclass(frozen=True, slots=True)
class ItemInfo:
    code: str
    group: str
    name_zh: str
    name_en: str
    walk_applies: bool
    share_threshold: float

    def label(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") else self.name_zh


@dataclass(frozen=True, slots=True)
class StandardInfo:
    code: str
    name_zh: str
    name_en: str
    items: tuple[ItemInfo, ...]
    service_codes: dict[str, tuple[str, str, str]]  # code -> (category, name_zh, name_en)
    walk_minutes: float
    speed_kmh: float

    def item(self, code: str) -> ItemInfo | None:
        return _by_code(self.code).get(code)


def standard_code() -> str:
    return str(getattr(settings, "QH_STANDARD", DEFAULT_STANDARD))


@functools.cache
def engine_standard(code: str | None = None) -> Standard:
    """The engine's standard object (classifiers for OSM and registers)."""
    return load_standard(code or standard_code())


@functools.cache
def _load(code: str) -> StandardInfo:
    std = engine_standard(code)
    items = tuple(
        ItemInfo(
            code=i.code,
            group=i.group,
            name_zh=i.name_zh,
            name_en=i.name_en,
            walk_applies=i.walk_applies,
            share_threshold=i.share_threshold,
        )
        for i in std.items
    )
    services: dict[str, tuple[str, str, str]] = {}
    for cat in std.categories:
        for svc in cat.services:
            services[svc.code] = (cat.code, svc.name_zh, svc.name_en)
    return StandardInfo(
        code=std.code,
        name_zh=std.name_zh,
        name_en=std.name_en,
        items=items,
        service_codes=services,
        walk_minutes=float(std.walking.minutes),
        speed_kmh=float(std.walking.speed_kmh),
    )


@functools.cache
def _by_code(code: str) -> dict[str, ItemInfo]:
    return {i.code: i for i in _load(code).items}


def current() -> StandardInfo:
    return _load(standard_code())


def items() -> tuple[ItemInfo, ...]:
    return current().items


def walk_items() -> tuple[ItemInfo, ...]:
    """Items the 15-minute walk applies to (the ones an assessment measures)."""
    return tuple(i for i in current().items if i.walk_applies)


def known_item_codes() -> frozenset[str]:
    """Facility item codes and service codes of the current standard."""
    std = current()
    return frozenset(i.code for i in std.items) | frozenset(std.service_codes)


def item_label(code: str) -> str:
    info = _by_code(standard_code()).get(code)
    if info is not None:
        return info.label()
    svc = current().service_codes.get(code)
    if svc is not None:
        lang = get_language() or "zh-hans"
        return svc[2] if lang.startswith("en") else svc[1]
    return code
