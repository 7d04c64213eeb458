"""Facility standards as data: one loader, one schema, and the matchers that classify places.

A standard is a TOML file (``standard_files/<name>.toml`` for the ones shipped, or any path):

* top level: ``schema = 1``, ``code``, ``name_zh``, ``name_en``, ``source_zh``/``source_en``,
  ``share_threshold`` (default share of residents that must reach an item, in (0, 1]);
* ``[walking]``: ``minutes``, ``speed_kmh``, ``elderly_speed_kmh``;
* ``[demonstration]`` (optional): which items count (``items = "walk" | "all"``) and how many
  must be met (``min_met_share`` or ``min_items``), ``must_meet``, ``min_population``;
* ``[targets]`` (optional): the city's targets (demonstration circles, share of communities);
* ``[[groups]]``: ``code``, ``name_zh``, ``name_en``, optional ``count`` (items it must hold);
* ``[[levels]]`` (optional): life-circle levels (minutes, distance range, population range);
* ``[[items]]``: the facility items (see :class:`FacilityItem`), with OSM tag rules, POI type
  matchers (``amap``: ``"090601 医疗保健服务;医药保健销售店;药房"`` — AMap typecode of 2, 4 or 6
  digits and/or the same levels in words; ``baidu``: ``"医疗;药店"``), name rules for coarse types
  (``poi_names``, see :class:`PoiNameRule`), veto words (``poi_not_names``), name keywords, and the
  host kinds that may take the item on (``hosts``);
* ``[[hosts]]`` (optional): kinds of existing facility (see :class:`HostKind`) for 一室多用;
* ``[[categories]]`` (optional): service categories with the services they list.

Unknown keys are errors (they are nearly always typos). Every problem in a file is collected and
raised once as :class:`StandardFileError` (a :class:`~quarterhour.engine._errors.StandardError`)
naming the file, the key path (``items[3].osm[0]``, indices from 0) and the reason.

OSM rule syntax, one string per rule; conditions joined by ``&`` must all hold, and an item
matches when any of its rules holds:

* ``key=v1|v2``  the value is one of (OSM ``a;b`` lists are split); ``key=*`` the key is present
* ``key!=v1|v2`` absent or none of; ``key!=*`` the key is absent
* ``key~s1|s2``  the value contains one of (ignoring case and full-/half-width); ``key!~...`` not

Every rule needs at least one ``=`` or ``~`` condition (a rule of negations alone would match
almost every object).

>>> std = load_standard("beijing-2011")
>>> std.classify_osm({"amenity": "pharmacy", "name": "同仁堂"})
('shop.pharmacy',)
>>> std.classify_category("医疗保健服务；医药保健销售店；药房")
('shop.pharmacy',)
>>> std.classify_category("不知道")
()
>>> std.classify_poi("医疗保健服务;诊所;诊所", typecode="090300", name="天坛南里社区卫生服务站")
('station.health',)
>>> std.walking.limit_m(), std.walking.limit_m(elderly=True)
(1000.0, 750.0)
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from quarterhour.engine._errors import StandardError
from quarterhour.engine.config import minutes_to_metres

#: The standard used when none is named: Beijing's 2011 policy attachment (30 items).
DEFAULT_STANDARD: str = "beijing-2011"
#: The schema version this loader reads.
SCHEMA_VERSION: int = 1

_PACKAGE = "quarterhour.engine.standard_files"
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)*$")
_STANDARD_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_OSM_KEY_RE = re.compile(r"^[A-Za-z0-9_:.\-]+$")
_COND_RE = re.compile(r"^\s*([^\s!=~]+)\s*(!=|!~|=|~)\s*(.*?)\s*$")

#: How many distinct category texts a standard remembers (registers repeat a few texts).
_CATEGORY_MEMO_SIZE = 4096

OsmOp = Literal["=", "!=", "~", "!~"]


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StandardProblem:
    """One problem in a standard file: the key path and the reason."""

    key: str
    reason_zh: str
    reason_en: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason_zh} / {self.reason_en}"


class StandardFileError(StandardError):
    """A standard file is malformed; ``problems`` lists every problem found."""

    def __init__(self, file: str, problems: Sequence[StandardProblem]) -> None:
        self.file = file
        self.problems: tuple[StandardProblem, ...] = tuple(problems)
        n = len(self.problems)
        super().__init__(f"标准文件 {file} 有 {n} 处问题", f"standard file {file}: {n} problem(s)")
        lines = "\n".join(f"  - {file}: {p}" for p in self.problems)
        self.args = (f"standard file {file}: {n} problem(s) / 标准文件有 {n} 处问题:\n{lines}",)

    def __str__(self) -> str:
        return str(self.args[0])


# ---------------------------------------------------------------------------------------------
# text normalisation (full-/half-width, case, whitespace)
# ---------------------------------------------------------------------------------------------

_SPACE_NEAR_WIDE_RE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
_QUOTES = str.maketrans("", "", "'‘’`´")


def normalise_text(text: str) -> str:
    """Fold ``text`` for matching: NFKC (full-width → half-width), case-folded, apostrophes
    dropped, runs of whitespace collapsed, and whitespace next to Chinese characters removed.

    >>> normalise_text("  ＡＴＭ　取款机 ")
    'atm取款机'
    >>> normalise_text("Citizens'  School")
    'citizens school'
    """
    t = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    words = t.split()
    if len(words) <= 1:
        return words[0] if words else ""
    return _SPACE_NEAR_WIDE_RE.sub("", " ".join(words))


# ---------------------------------------------------------------------------------------------
# matchers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OsmCondition:
    """One tag condition of an OSM rule (see the module docstring for the syntax)."""

    key: str
    op: OsmOp
    values: tuple[str, ...]  # ("*",) = any value; for ~ / !~ the normalised substrings

    @property
    def positive(self) -> bool:
        return self.op in ("=", "~")

    def test(self, tags: Mapping[str, str], folded: dict[str, str] | None = None) -> bool:
        """Whether the condition holds; ``folded`` caches normalised values across conditions."""
        raw = tags.get(self.key)
        if raw is None:
            found = False
        elif self.op in ("=", "!="):
            if self.values == ("*",):
                found = raw != ""
            else:
                found = any(v.strip() in self.values for v in raw.split(";"))
        else:
            if folded is None:
                folded = {}
            text = folded.get(self.key)
            if text is None:
                text = folded[self.key] = normalise_text(raw)
            found = any(s in text for s in self.values)
        return found if self.op in ("=", "~") else not found


@dataclass(frozen=True, slots=True)
class OsmRule:
    """Conditions that must all hold; ``text`` is the rule as written in the file."""

    text: str
    conditions: tuple[OsmCondition, ...]

    @property
    def anchor_key(self) -> str:
        """Key of the first positive condition: an object without it cannot match."""
        return next(c.key for c in self.conditions if c.positive)

    def matches(self, tags: Mapping[str, str], folded: dict[str, str] | None = None) -> bool:
        cache = {} if folded is None else folded
        return all(c.test(tags, cache) for c in self.conditions)


class _SyntaxProblem(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def parse_osm_rule(text: str) -> OsmRule:
    """Parse one OSM rule such as ``"amenity=social_facility & social_facility=day_care"``.

    Raises :class:`ValueError` with the reason when the rule is malformed.
    """
    try:
        return _parse_osm_rule(text)
    except _SyntaxProblem as exc:
        raise ValueError(f"{exc.zh} / {exc.en}") from None


def _parse_osm_rule(text: str) -> OsmRule:
    conditions: list[OsmCondition] = []
    for part in text.split("&"):
        m = _COND_RE.match(part)
        if m is None or not part.strip():
            raise _SyntaxProblem(
                f"条件 {part.strip()!r} 不是 key=值、key!=值、key~文字 或 key!~文字 的形式",
                f"condition {part.strip()!r} is not key=value, key!=value, key~text or key!~text",
            )
        key, op, raw = m.group(1), m.group(2), m.group(3)
        if not _OSM_KEY_RE.match(key):
            raise _SyntaxProblem(f"OSM 键名 {key!r} 不合法", f"OSM key {key!r} is not valid")
        values = tuple(v.strip() for v in raw.split("|"))
        if not raw or any(not v for v in values):
            raise _SyntaxProblem(
                f"条件 {part.strip()!r} 缺少取值(或有空的取值)",
                f"condition {part.strip()!r} has a missing or empty value",
            )
        if "*" in values and (op in ("~", "!~") or len(values) > 1):
            raise _SyntaxProblem(
                f"条件 {part.strip()!r}:“*”只能单独用于 = 或 !=",
                f"condition {part.strip()!r}: '*' stands alone and only with = or !=",
            )
        if op in ("~", "!~"):
            values = tuple(normalise_text(v) for v in values)
        conditions.append(OsmCondition(key, op, values))  # type: ignore[arg-type]
    if not any(c.positive for c in conditions):
        raise _SyntaxProblem(
            "规则至少要有一个 = 或 ~ 条件(只有否定条件会匹配几乎所有对象)",
            "a rule needs at least one = or ~ condition (negations alone match almost anything)",
        )
    return OsmRule(text.strip(), tuple(conditions))


def _split_amap(text: str) -> tuple[str, ...]:
    segs = [s.strip() for s in normalise_text(text).split(";")]
    while segs and not segs[-1]:
        segs.pop()
    return tuple(segs)


_CODE_PREFIX_RE = re.compile(r"^\s*(\d+)(?:\s+|$)(.*)$", re.DOTALL)
_PARENS_RE = re.compile(r"\([^()]*\)")


def normalise_typecode(text: str) -> tuple[str, ...]:
    """AMap typecodes of a cell (``|`` between several), as 6-digit strings; a code that lost its
    leading zero in a spreadsheet (``90102``) gets it back. Anything else is dropped.

    >>> normalise_typecode("090102|090300"), normalise_typecode(" 90601 "), normalise_typecode("x")
    (('090102', '090300'), ('090601',), ())
    """
    out: list[str] = []
    for part in text.split("|"):
        p = part.strip()
        if p.endswith(".0"):  # a spreadsheet number
            p = p[:-2]
        if p.isdigit() and len(p) in (5, 6):
            out.append(p.zfill(6))
    return tuple(out)


def poi_name_text(name: str) -> str:
    """A POI name folded for name rules: normalised, and the parenthesised hints that exports
    append (``停车场(XX社区卫生服务站西北)``, ``(望京店)``) removed — they name a neighbour or a
    branch, not what the place is.

    >>> poi_name_text("佳和饭店(横溪街道横云社区卫生服务站东)")
    '佳和饭店'
    """
    folded = normalise_text(name)
    while "(" in folded:
        cut = _PARENS_RE.sub("", folded)
        if cut == folded:
            break
        folded = cut
    return folded


@dataclass(frozen=True, slots=True)
class AmapMatcher:
    """A POI type: an AMap ``typecode`` and/or ``大类;中类;小类`` text (or a Baidu tag
    ``一级;二级``). Fewer levels (2 or 4 code digits, 1 or 2 text levels) match as a prefix.

    Written ``"090102 医疗保健服务;综合医院;卫生院"``, ``"0903 医疗保健服务;诊所"`` or text
    alone. A row with a typecode is matched by the code when the matcher has one; by the text
    otherwise. Baidu tags (``baidu``) match only rows of at most two levels and no typecode:
    AMap's three-level types never fall under a Baidu tag of the same first word (both have a
    生活服务).
    """

    text: str
    segments: tuple[str, ...]  # normalised; () when only a code is given
    code: str = ""  # 2, 4 or 6 digits; "" when only text is given
    baidu: bool = False  # a Baidu tag: matches only rows without a typecode and ≤ 2 levels

    def matches(self, segments: Sequence[str], code: str = "") -> bool:
        if self.baidu and (code or len(segments) > 2):
            return False
        if self.code and code:
            return code.startswith(self.code)
        n = len(self.segments)
        return n > 0 and len(segments) >= n and tuple(segments[:n]) == self.segments


@dataclass(frozen=True, slots=True)
class PoiNameRule:
    """Where a POI type is too coarse, the name decides: a row of one of the types ``within``
    (AMap) or ``within_baidu`` (Baidu tags) whose name (parenthesised hints removed) contains one
    of ``names`` and none of ``not_names``."""

    within: tuple[AmapMatcher, ...]
    names: tuple[str, ...]  # normalised
    not_names: tuple[str, ...] = ()

    def applies(self, parts: Sequence[tuple[str, tuple[str, ...]]]) -> bool:
        return any(m.matches(segs, code) for code, segs in parts for m in self.within)

    def name_matches(self, folded_name: str) -> bool:
        return any(n in folded_name for n in self.names) and not any(
            n in folded_name for n in self.not_names
        )


def poi_parts(category: str, typecode: str = "") -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The (typecode, normalised text levels) of each type of a row: several types are joined
    by ``|`` in AMap exports (typecodes likewise). Codes and texts pair up when their counts
    agree; otherwise the codes alone are used (the code wins over the text)."""
    codes = normalise_typecode(typecode) if typecode else ()
    texts = [segs for part in normalise_text(category).split("|") if (segs := _split_amap(part))]
    if codes and len(codes) == len(texts):
        return tuple(zip(codes, texts, strict=True))
    if codes:
        return tuple((c, ()) for c in codes)
    return tuple(("", segs) for segs in texts)


class _OsmIndex:
    """OSM rules indexed by their first positive condition, so that an object is tested only
    against rules that can match it: ``key=value`` anchors by (key, value); ``key=*`` and
    ``key~text`` anchors by key, with one combined regex per key that rejects values containing
    none of the texts before any rule is tried."""

    __slots__ = ("by_key", "by_value", "prefilter")

    def __init__(self) -> None:
        self.by_value: dict[str, dict[str, list[tuple[int, OsmRule]]]] = {}
        self.by_key: dict[str, list[tuple[int, OsmRule]]] = {}
        self.prefilter: dict[str, re.Pattern[str] | None] = {}

    def add(self, item: int, rule: OsmRule) -> None:
        anchor = next(c for c in rule.conditions if c.positive)
        if anchor.op == "=" and anchor.values != ("*",):
            per_value = self.by_value.setdefault(anchor.key, {})
            for v in anchor.values:
                per_value.setdefault(v, []).append((item, rule))
        else:
            self.by_key.setdefault(anchor.key, []).append((item, rule))

    def freeze(self) -> None:
        for key, rules in self.by_key.items():
            texts: list[str] = []
            for _, rule in rules:
                anchor = next(c for c in rule.conditions if c.positive)
                if anchor.op != "~":  # key=* : no text to look for
                    texts = []
                    break
                texts += anchor.values
            self.prefilter[key] = (
                re.compile("|".join(re.escape(t) for t in sorted(set(texts), key=len)))
                if texts
                else None
            )

    def match(self, tags: Mapping[str, str]) -> set[int]:
        hits: set[int] = set()
        folded: dict[str, str] = {}  # each tag value normalised at most once
        for key, raw in tags.items():
            per_value = self.by_value.get(key)
            if per_value is not None:
                for part in raw.split(";"):
                    for i, rule in per_value.get(part.strip(), ()):
                        if i not in hits and rule.matches(tags, folded):
                            hits.add(i)
            rules = self.by_key.get(key)
            if rules is None:
                continue
            pre = self.prefilter[key]
            if pre is not None:
                text = folded.get(key)
                if text is None:
                    text = folded[key] = normalise_text(raw)
                if pre.search(text) is None:
                    continue
            for i, rule in rules:
                if i not in hits and rule.matches(tags, folded):
                    hits.add(i)
        return hits


class _PoiIndex:
    """POI type matchers indexed by typecode prefix and by text prefix: a row's types are looked
    up, not tested against every matcher."""

    __slots__ = ("by_code", "by_text")

    def __init__(self) -> None:
        self.by_code: dict[str, list[int]] = {}
        self.by_text: dict[tuple[str, ...], list[tuple[int, AmapMatcher]]] = {}

    def add(self, key: int, m: AmapMatcher) -> None:
        if m.code:
            self.by_code.setdefault(m.code, []).append(key)
        if m.segments:
            self.by_text.setdefault(m.segments, []).append((key, m))

    def match(self, parts: Sequence[tuple[str, tuple[str, ...]]]) -> set[int]:
        hits: set[int] = set()
        for code, segs in parts:
            if code:
                for n in (2, 4, 6):
                    hits.update(self.by_code.get(code[:n], ()))
            for n in range(1, len(segs) + 1):
                for key, m in self.by_text.get(segs[:n], ()):
                    if key not in hits and m.matches(segs, code):
                        hits.add(key)
        return hits


# ---------------------------------------------------------------------------------------------
# the schema's dataclasses
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Name:
    """A name in Chinese and English (alternates, included sub-parts, beneficiaries)."""

    name_zh: str
    name_en: str

    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


@dataclass(frozen=True, slots=True)
class WalkProfile:
    """The walk the standard measures: minutes and paces (km/h). Convert via :meth:`limit_m`."""

    minutes: float
    speed_kmh: float
    elderly_speed_kmh: float

    def limit_m(
        self,
        *,
        elderly: bool = False,
        minutes: float | None = None,
        speed_kmh: float | None = None,
    ) -> float:
        """Walking distance limit in metres: ``minutes × speed``.

        ``speed_kmh`` overrides the pace; otherwise the elderly pace when ``elderly``.

        >>> WalkProfile(15, 4.0, 3.0).limit_m(minutes=10)
        666.6666666666666
        """
        m = self.minutes if minutes is None else minutes
        if speed_kmh is None:
            speed_kmh = self.elderly_speed_kmh if elderly else self.speed_kmh
        return minutes_to_metres(m, speed_kmh=speed_kmh)


@dataclass(frozen=True, slots=True)
class ItemGroup:
    """A group of items (一校, 二栏 …); ``count`` = how many items it must hold, if fixed."""

    code: str
    name_zh: str
    name_en: str
    count: int | None = None

    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


@dataclass(frozen=True, slots=True)
class LifeCircleLevel:
    """A life-circle level (e.g. GB 50180-2018's 5/10/15-minute levels)."""

    code: str
    name_zh: str
    name_en: str
    minutes: float | None = None
    distance_m_min: float | None = None
    distance_m_max: float | None = None
    population_min: int | None = None
    population_max: int | None = None
    dwellings_min: int | None = None
    dwellings_max: int | None = None
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True, slots=True)
class FacilityItem:
    """One facility item of a standard.

    ``walk_applies`` says whether the item is judged by walking reach (False: it belongs to
    each community and is judged by presence; ``scope_reason_*`` says why). ``share_threshold``
    is the share of residents that must reach it; ``required`` whether the demonstration rule
    counts it. ``osm``/``amap``/``baidu``/``poi_names``/``keywords_*`` classify places into the
    item (a POI row whose name holds one of ``poi_not_names`` never is); ``hosts`` lists the
    kinds of existing facility (:class:`HostKind` codes) that may take it on (一室多用) — none:
    it needs premises of its own.
    """

    code: str
    group: str
    name_zh: str
    name_en: str
    walk_applies: bool
    scope_reason_zh: str
    scope_reason_en: str
    share_threshold: float
    required: bool = True
    level: str | None = None
    alternates: tuple[Name, ...] = ()
    includes: tuple[Name, ...] = ()
    osm: tuple[OsmRule, ...] = ()
    osm_note_zh: str = ""
    osm_note_en: str = ""
    amap: tuple[AmapMatcher, ...] = ()
    amap_note_zh: str = ""
    amap_note_en: str = ""
    baidu: tuple[AmapMatcher, ...] = ()
    poi_names: tuple[PoiNameRule, ...] = ()
    poi_not_names: tuple[str, ...] = ()  # normalised
    keywords_zh: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    hosts_note_zh: str = ""
    hosts_note_en: str = ""
    note_zh: str = ""
    note_en: str = ""

    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}"

    def names(self) -> tuple[str, ...]:
        """The item's own name, its alternates and included sub-parts, Chinese and English."""
        out = [self.name_zh, self.name_en]
        for n in (*self.alternates, *self.includes):
            out += [n.name_zh, n.name_en]
        return tuple(out)


@dataclass(frozen=True, slots=True)
class HostKind:
    """A kind of existing facility that may take on items (一室多用): a community service
    station, a school, a restaurant …

    A place is of the first kind (in the file's order) it fits: it serves one of ``items``, its
    OSM tags fit an ``osm`` rule, its AMap/Baidu type fits ``amap``/``baidu``, or its name
    contains one of ``names`` — and its name (brackets included) contains none of ``not_names``.
    ``commercial``
    marks eating, drinking, lodging and retail places. ``reason_*`` says why such a place can
    house an item (shown with every proposed site).
    """

    code: str
    name_zh: str
    name_en: str
    commercial: bool
    reason_zh: str
    reason_en: str
    items: tuple[str, ...] = ()
    osm: tuple[OsmRule, ...] = ()
    amap: tuple[AmapMatcher, ...] = ()
    baidu: tuple[AmapMatcher, ...] = ()
    names: tuple[str, ...] = ()  # normalised
    not_names: tuple[str, ...] = ()  # normalised

    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


@dataclass(frozen=True, slots=True)
class Service:
    """One service a category lists (e.g. 劳动就业 under 社区公共服务)."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ServiceCategory:
    """A service category (社区公共服务, 志愿互助服务, 便民利民服务, 特色服务)."""

    code: str
    name_zh: str
    name_en: str
    services: tuple[Service, ...]
    facility_items: tuple[str, ...] = ()
    aim_zh: str = ""
    aim_en: str = ""
    provider_zh: str = ""
    provider_en: str = ""
    beneficiaries: tuple[Name, ...] = ()
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True, slots=True)
class DemonstrationRule:
    """When a circle qualifies as a demonstration circle (示范点).

    Counted items: the required items, only those where the walk applies when
    ``items == "walk"``. Qualifies when at least ``min_items`` of them are met (or, without
    ``min_items``, a share ≥ ``min_met_share``), every ``must_meet`` item is met, and the circle
    has at least ``min_population`` residents.
    """

    items: Literal["walk", "all"] = "all"
    min_met_share: float = 1.0
    min_items: int | None = None
    must_meet: tuple[str, ...] = ()
    min_population: float = 0.0
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True, slots=True)
class Targets:
    """The city's targets for the policy (None where the standard sets none)."""

    demonstration_circles: int | None = None
    demonstration_year: int | None = None
    urban_community_share: float | None = None
    urban_community_year: int | None = None
    circle_population: int | None = None


@dataclass(frozen=True, slots=True)
class Standard:
    """A facility standard read from a TOML file (see the module docstring)."""

    code: str
    name_zh: str
    name_en: str
    path: str = field(compare=False)  # where it was read from (not part of equality)
    share_threshold: float
    walking: WalkProfile
    groups: tuple[ItemGroup, ...]
    items: tuple[FacilityItem, ...]
    demonstration: DemonstrationRule = field(default_factory=DemonstrationRule)
    targets: Targets = field(default_factory=Targets)
    levels: tuple[LifeCircleLevel, ...] = ()
    categories: tuple[ServiceCategory, ...] = ()
    source_zh: str = ""
    source_en: str = ""
    note_zh: str = ""
    note_en: str = ""
    hosts: tuple[HostKind, ...] = ()
    _by_code: dict[str, FacilityItem] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _osm: _OsmIndex = field(init=False, repr=False, compare=False, default_factory=_OsmIndex)
    _exact: dict[str, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _keywords: tuple[tuple[str, re.Pattern[str] | None, int], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _category_memo: dict[str, tuple[str, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _types: _PoiIndex = field(init=False, repr=False, compare=False, default_factory=_PoiIndex)
    _name_rules: tuple[tuple[int, PoiNameRule], ...] = field(
        init=False, repr=False, compare=False, default=()
    )
    _rule_types: _PoiIndex = field(init=False, repr=False, compare=False, default_factory=_PoiIndex)
    _poi_memo: dict[
        tuple[str, str], tuple[tuple[str, ...], frozenset[int], tuple[int, ...], bool]
    ] = field(init=False, repr=False, compare=False, default_factory=dict)
    _host_osm: _OsmIndex = field(init=False, repr=False, compare=False, default_factory=_OsmIndex)
    _host_types: _PoiIndex = field(init=False, repr=False, compare=False, default_factory=_PoiIndex)
    _host_by_item: dict[str, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _item_index: dict[str, int] = field(init=False, repr=False, compare=False, default_factory=dict)
    _vetoed: frozenset[int] = field(init=False, repr=False, compare=False, default=frozenset())
    _host_memo: dict[tuple[str, str], frozenset[int]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._by_code.update((it.code, it) for it in self.items)
        self._item_index.update((it.code, i) for i, it in enumerate(self.items))
        exact: dict[str, list[int]] = {}
        keywords: list[tuple[str, re.Pattern[str] | None, int]] = []
        for i, it in enumerate(self.items):
            for rule in it.osm:
                self._osm.add(i, rule)
            for text in (it.code, *it.names()):
                hits = exact.setdefault(normalise_text(text), [])
                if i not in hits:
                    hits.append(i)
            for kw in (*it.keywords_zh, *it.keywords_en):
                k = normalise_text(kw)
                # ASCII keywords match whole words; Chinese ones anywhere in the text
                word = (
                    re.compile(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])") if k.isascii() else None
                )
                keywords.append((k, word, i))
        self._osm.freeze()
        self._exact.update((k, tuple(v)) for k, v in exact.items())
        object.__setattr__(self, "_keywords", tuple(keywords))
        rules: list[tuple[int, PoiNameRule]] = []
        for i, it in enumerate(self.items):
            for m in (*it.amap, *it.baidu):
                self._types.add(i, m)
            for name_rule in it.poi_names:
                for m in name_rule.within:
                    self._rule_types.add(len(rules), m)
                rules.append((i, name_rule))
        object.__setattr__(self, "_name_rules", tuple(rules))
        vetoed = frozenset(i for i, it in enumerate(self.items) if it.poi_not_names)
        object.__setattr__(self, "_vetoed", vetoed)
        by_item: dict[str, list[int]] = {}
        for kind_no, h in enumerate(self.hosts):
            for osm_rule in h.osm:
                self._host_osm.add(kind_no, osm_rule)
            for m in (*h.amap, *h.baidu):
                self._host_types.add(kind_no, m)
            for item_code in h.items:
                by_item.setdefault(item_code, []).append(kind_no)
        self._host_osm.freeze()
        self._host_by_item.update((c, tuple(v)) for c, v in by_item.items())

    # -- look-ups ------------------------------------------------------------------------------

    @property
    def codes(self) -> tuple[str, ...]:
        """Item codes in the standard's order."""
        return tuple(it.code for it in self.items)

    def item(self, code: str) -> FacilityItem:
        """The item with this code (KeyError naming the code when there is none)."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"standard {self.code!r} has no item {code!r}") from None

    def walk_items(self) -> tuple[FacilityItem, ...]:
        """Items judged by walking reach (``walk_applies``), in the standard's order."""
        return tuple(it for it in self.items if it.walk_applies)

    def group(self, code: str) -> ItemGroup:
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(f"standard {self.code!r} has no group {code!r}")

    def items_in_group(self, code: str) -> tuple[FacilityItem, ...]:
        return tuple(it for it in self.items if it.group == code)

    def level(self, code: str) -> LifeCircleLevel:
        for lv in self.levels:
            if lv.code == code:
                return lv
        raise KeyError(f"standard {self.code!r} has no level {code!r}")

    def item_limit_m(self, code: str, *, elderly: bool = False) -> float:
        """Walking limit in metres for one item.

        An item at a life-circle level with a distance (GB 50180-2018's 300 / 500 / 1,000 m)
        uses that distance (scaled by elderly pace ÷ adult pace when ``elderly``); any other
        item uses :meth:`WalkProfile.limit_m`.
        """
        it = self.item(code)
        if it.level is not None:
            dist = self.level(it.level).distance_m_max
            if dist is not None:
                w = self.walking
                return dist * w.elderly_speed_kmh / w.speed_kmh if elderly else dist
        return self.walking.limit_m(elderly=elderly)

    def category(self, code: str) -> ServiceCategory:
        for c in self.categories:
            if c.code == code:
                return c
        raise KeyError(f"standard {self.code!r} has no service category {code!r}")

    # -- demonstration rule ----------------------------------------------------------------------

    def demonstration_items(self) -> tuple[FacilityItem, ...]:
        """The items the demonstration rule counts."""
        walk_only = self.demonstration.items == "walk"
        return tuple(it for it in self.items if it.required and (it.walk_applies or not walk_only))

    def is_demonstration(self, met: Iterable[str], *, population: float | None = None) -> bool:
        """Whether a circle whose met items are ``met`` qualifies as a demonstration circle.

        ``population`` is checked against ``min_population`` when given.
        """
        rule = self.demonstration
        met_set = set(met)
        counted = self.demonstration_items()
        n_met = sum(1 for it in counted if it.code in met_set)
        if rule.min_items is not None:
            enough = n_met >= rule.min_items
        else:
            enough = bool(counted) and n_met >= rule.min_met_share * len(counted) - 1e-9
        if population is not None and population < rule.min_population:
            return False
        return enough and all(c in met_set for c in rule.must_meet)

    # -- classification --------------------------------------------------------------------------

    def classify_osm(self, tags: Mapping[str, str]) -> tuple[str, ...]:
        """Item codes whose OSM rules match these tags, in the standard's order (may be empty).

        >>> load_standard().classify_osm({"shop": "hairdresser"})
        ('shop.barber',)
        """
        hits = self._osm.match(tags)
        return tuple(self.items[i].code for i in sorted(hits))

    def classify_category(self, text: str) -> tuple[str, ...]:
        """Item codes for a register's category text, in the standard's order.

        The text may be an AMap category (``大类;中类;小类``, several joined by ``|``), an item
        code, an item's name, alternate or included part (Chinese or English), or contain one
        of the item's keywords (the longest keyword found wins over those inside it). Several
        categories may be joined by ``|``, ``、``, ``,`` or ``/``. Unknown text gives ``()``:
        callers report it.

        >>> load_standard().classify_category("理发店、药店")
        ('shop.barber', 'shop.pharmacy')
        """
        memo = self._category_memo.get(text)
        if memo is not None:
            return memo
        codes = self._classify_category(text)
        if len(self._category_memo) < _CATEGORY_MEMO_SIZE:
            self._category_memo[text] = codes
        return codes

    def _classify_category(self, text: str) -> tuple[str, ...]:
        folded = normalise_text(text)
        if not folded:
            return ()
        hits: set[int] = set()
        if ";" in folded:
            hits.update(self._types.match(poi_parts(folded)))
        elif folded in self._exact:
            hits.update(self._exact[folded])
        else:
            for part in re.split(r"[|、,/]", folded):
                part = part.strip()
                if part in self._exact:
                    hits.update(self._exact[part])
                elif part:
                    hits.update(self._keyword_hits(part))
        return tuple(self.items[i].code for i in sorted(hits))

    def classify_poi(self, category: str, *, typecode: str = "", name: str = "") -> tuple[str, ...]:
        """Item codes for one row of a POI export (AMap, Baidu) or register, in the standard's
        order.

        The AMap ``typecode`` decides where a matcher has a code; otherwise the ``大类;中类;小类``
        text (or the Baidu tag ``一级;二级``). Where the type is too coarse, the item's
        ``poi_names`` rules look at the ``name`` (parenthesised hints removed). A category
        without levels (``药店``, ``社区服务站``) is also read as :meth:`classify_category` reads
        it. Unknown gives ``()``: callers set the row aside.

        >>> std = load_standard()
        >>> std.classify_poi("医疗保健服务;综合医院;卫生院", name="朝阳门社区卫生服务中心")
        ('station.health',)
        >>> std.classify_poi("医疗保健服务;综合医院;卫生院", typecode="090102", name="XX医院")
        ()
        """
        key = (category, typecode)
        memo = self._poi_memo.get(key)
        if memo is None:
            memo = self._poi_entry(category, typecode)
            if len(self._poi_memo) < _CATEGORY_MEMO_SIZE:
                self._poi_memo[key] = memo
        codes, hits, rules, vetoable = memo
        if not name or not (rules or vetoable):
            return codes
        folded = poi_name_text(name)
        found = set(hits)
        for r in rules:
            i, rule = self._name_rules[r]
            if i not in found and rule.name_matches(folded):
                found.add(i)
        return tuple(
            self.items[i].code
            for i in sorted(found)
            if not any(n in folded for n in self.items[i].poi_not_names)
        )

    def _poi_entry(
        self, category: str, typecode: str
    ) -> tuple[tuple[str, ...], frozenset[int], tuple[int, ...], bool]:
        """What a row's type alone gives: (codes, item indices, name rules that may apply,
        whether a veto word may remove an item). Vetoes and name rules concern POI types only;
        a register's own words (no levels, no typecode) are taken as written."""
        parts = poi_parts(category, typecode)
        hits = self._types.match(parts) if parts else set()
        rules = tuple(sorted(self._rule_types.match(parts))) if parts else ()
        vetoable = bool(rules) or any(i in self._vetoed for i in hits)
        if ";" not in category and not typecode and category.strip():
            hits.update(self._item_index[c] for c in self.classify_category(category))
        codes = tuple(self.items[i].code for i in sorted(hits))
        return codes, frozenset(hits), rules, vetoable

    # -- hosts (一室多用) ------------------------------------------------------------------------

    def host(self, code: str) -> HostKind:
        """The host kind with this code (KeyError naming it when there is none)."""
        for h in self.hosts:
            if h.code == code:
                return h
        raise KeyError(f"standard {self.code!r} has no host kind {code!r}")

    def host_kind_of(
        self,
        *,
        name: str = "",
        item_codes: Sequence[str] = (),
        osm_tags: Mapping[str, str] | None = None,
        category: str = "",
        typecode: str = "",
    ) -> HostKind | None:
        """The kind of an existing place: the first :class:`HostKind` (file order) it fits, or
        None. ``item_codes``: the items it serves; ``osm_tags`` for places read from
        OpenStreetMap; ``category``/``typecode`` for register and POI-export rows. A kind's
        ``names`` are looked for only in plain registers (a category without ``;`` levels and
        no typecode: in its text and the name) — a POI export's type says more than a word in a
        name."""
        found: set[int] = set()
        for code in item_codes:
            found.update(self._host_by_item.get(code, ()))
        if osm_tags is not None:
            found |= self._host_osm.match(osm_tags)
        folded = poi_name_text(name) if name else ""
        if category or typecode:
            key = (category, typecode)
            by_type = self._host_memo.get(key)
            if by_type is None:
                by_type = frozenset(self._host_types.match(poi_parts(category, typecode)))
                if len(self._host_memo) < _CATEGORY_MEMO_SIZE:
                    self._host_memo[key] = by_type
            found |= by_type
            if ";" not in category and not typecode:
                text = poi_name_text(category)
                for k, h in enumerate(self.hosts):
                    if k not in found and any(n in folded or n in text for n in h.names):
                        found.add(k)
        whole = normalise_text(name) if name else ""  # with its brackets: 图书馆(沙河校区)
        for k in sorted(found):
            h = self.hosts[k]
            if h.not_names and whole and any(n in whole for n in h.not_names):
                continue
            return h
        return None

    def _keyword_hits(self, part: str) -> set[int]:
        found: list[tuple[str, int]] = []
        for kw, word, i in self._keywords:
            if kw in part and (word is None or word.search(part)):
                found.append((kw, i))
        kws = {kw for kw, _ in found}
        return {i for kw, i in found if not any(kw != other and kw in other for other in kws)}


# ---------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------


def list_standards() -> tuple[str, ...]:
    """Names of the standards shipped with quarterhour, sorted."""
    root = resources.files(_PACKAGE)
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))
    )


def load_standard(name_or_path: str | Path = DEFAULT_STANDARD) -> Standard:
    """Load a standard by name (see :func:`list_standards`) or from a TOML file path.

    Raises :class:`StandardError` for an unknown name or unreadable file, and
    :class:`StandardFileError` listing every problem of a malformed file.
    """
    if isinstance(name_or_path, str) and name_or_path in list_standards():
        res = resources.files(_PACKAGE).joinpath(f"{name_or_path}.toml")
        return _parse(res.read_bytes(), f"{name_or_path}.toml")
    path = Path(name_or_path)
    looks_like_path = (
        isinstance(name_or_path, Path) or path.suffix == ".toml" or (len(path.parts) > 1)
    )
    if not looks_like_path and not path.exists():
        known = ", ".join(list_standards())
        raise StandardError(
            f"没有名为 {name_or_path!r} 的标准(可用:{known};或给出 TOML 文件路径)",
            f"no standard named {name_or_path!r} (known: {known}; or give a TOML file path)",
            code="standard_unknown",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StandardError(
            f"无法读取标准文件 {path}:{exc.strerror or exc}",
            f"cannot read standard file {path}: {exc.strerror or exc}",
            code="standard_unreadable",
        ) from exc
    return _parse(data, str(path))


def _parse(data: bytes, file: str) -> Standard:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StandardFileError(
            file,
            [StandardProblem("(file)", f"不是 UTF-8 编码:{exc}", f"not UTF-8 encoded: {exc}")],
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise StandardFileError(
            file, [StandardProblem("(file)", f"不是合法的 TOML:{exc}", f"not valid TOML: {exc}")]
        ) from None
    reader = _Reader()
    std = reader.standard(doc, file)
    if reader.problems or std is None:
        raise StandardFileError(file, reader.problems)
    return std


# ---------------------------------------------------------------------------------------------
# schema reader: collects every problem, keyed by path
# ---------------------------------------------------------------------------------------------

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


_TOP_KEYS = {
    "schema", "code", "name_zh", "name_en", "source_zh", "source_en", "note_zh", "note_en",
    "share_threshold", "walking", "demonstration", "targets", "groups", "levels", "items",
    "categories", "hosts",
}  # fmt: skip
_ITEM_KEYS = {
    "code", "group", "name_zh", "name_en", "walk_applies", "scope_reason_zh", "scope_reason_en",
    "share_threshold", "required", "level", "alternates", "includes", "osm", "osm_note_zh",
    "osm_note_en", "amap", "amap_note_zh", "amap_note_en", "baidu", "poi_names", "poi_not_names",
    "keywords_zh",
    "keywords_en", "hosts", "hosts_note_zh", "hosts_note_en", "note_zh", "note_en",
}  # fmt: skip
_HOST_KEYS = {
    "code", "name_zh", "name_en", "commercial", "reason_zh", "reason_en", "items", "osm", "amap",
    "baidu", "names", "not_names",
}  # fmt: skip


@dataclass(slots=True)
class _Reader:
    problems: list[StandardProblem] = field(default_factory=list)

    def add(self, key: str, zh: str, en: str) -> None:
        self.problems.append(StandardProblem(key, zh, en))

    # -- primitives ----------------------------------------------------------------------------

    def _get(self, tbl: Mapping[str, Any], key: str, path: str, required: bool) -> Any:
        if key in tbl:
            return tbl[key]
        if required:
            self.add(_join(path, key), "缺少必填项", "required key is missing")
        return _MISSING

    def _wrong(self, path: str, kind: str, value: object) -> None:
        got = _toml_type(value)
        self.add(path, f"应为{_type_zh(kind)},实为 {got}", f"expected a {kind}, got a {got}")

    def unknown(self, tbl: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in tbl:
            if key not in allowed:
                self.add(
                    _join(path, key),
                    "未知的键(拼写错误?)",
                    f"unknown key (a typo?); allowed: {', '.join(sorted(allowed))}",
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

    def code(self, tbl: Mapping[str, Any], key: str, path: str) -> str:
        v = self.string(tbl, key, path)
        if v and not _CODE_RE.match(v):
            self.add(
                _join(path, key),
                f"代码 {v!r} 应为小写 ASCII,用点分段(如 shop.pharmacy)",
                f"code {v!r} must be lower-case ASCII in dot-separated parts (e.g. shop.pharmacy)",
            )
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

    def names(self, tbl: Mapping[str, Any], key: str, path: str) -> tuple[Name, ...]:
        out: list[Name] = []
        for i, e in self.list_of(tbl, key, path, "table", required=False):
            p = f"{_join(path, key)}[{i}]"
            self.unknown(e, {"name_zh", "name_en"}, p)
            out.append(Name(self.string(e, "name_zh", p), self.string(e, "name_en", p)))
        return tuple(out)

    # -- sections ------------------------------------------------------------------------------

    def standard(self, doc: Mapping[str, Any], file: str) -> Standard | None:
        self.unknown(doc, _TOP_KEYS, "")
        schema = self.integer(doc, "schema", "", required=True)
        if schema is not None and schema != SCHEMA_VERSION:
            self.add(
                "schema",
                f"本程序只读取第 {SCHEMA_VERSION} 版格式,文件为第 {schema} 版",
                f"this loader reads schema {SCHEMA_VERSION}, the file declares {schema}",
            )
        code = self.string(doc, "code", "")
        if code and not _STANDARD_CODE_RE.match(code):
            self.add(
                "code",
                f"标准代码 {code!r} 应为小写 ASCII 字母、数字、“.”“_”“-”(如 beijing-2011)",
                f"standard code {code!r} must be lower-case ASCII letters, digits, . _ - "
                "(e.g. beijing-2011)",
            )
        name_zh = self.string(doc, "name_zh", "")
        name_en = self.string(doc, "name_en", "")
        threshold = self.number(doc, "share_threshold", "", share=True)
        walking = self.walking(doc)
        groups = self.groups(doc)
        levels = self.levels(doc)
        items = self.items(doc, threshold if threshold is not None else 1.0, groups, levels)
        self.group_counts(groups, items)
        hosts = self.hosts(doc, [it.code for it in items])
        self.item_hosts(items, hosts)
        codes = {it.code for it in items}
        categories = self.categories(doc, codes)
        demonstration = self.demonstration_rule(doc, items)
        targets = self.targets(doc)
        if self.problems or walking is None or threshold is None:
            return None
        return Standard(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            path=file,
            share_threshold=threshold,
            walking=walking,
            groups=groups,
            items=items,
            demonstration=demonstration,
            targets=targets,
            levels=levels,
            categories=categories,
            hosts=hosts,
            source_zh=self.string(doc, "source_zh", "", required=False),
            source_en=self.string(doc, "source_en", "", required=False),
            note_zh=self.string(doc, "note_zh", "", required=False),
            note_en=self.string(doc, "note_en", "", required=False),
        )

    def walking(self, doc: Mapping[str, Any]) -> WalkProfile | None:
        w = self.table(doc, "walking", "")
        if w is None:
            return None
        self.unknown(w, {"minutes", "speed_kmh", "elderly_speed_kmh"}, "walking")
        minutes = self.number(w, "minutes", "walking", positive=True)
        speed = self.number(w, "speed_kmh", "walking", positive=True)
        elderly = self.number(w, "elderly_speed_kmh", "walking", positive=True)
        if minutes is None or speed is None or elderly is None:
            return None
        return WalkProfile(minutes, speed, elderly)

    def groups(self, doc: Mapping[str, Any]) -> tuple[ItemGroup, ...]:
        out: list[ItemGroup] = []
        seen: set[str] = set()
        for i, g in self._indexed(doc, "groups", required=True):
            p = f"groups[{i}]"
            self.unknown(g, {"code", "name_zh", "name_en", "count"}, p)
            code = self.code(g, "code", p)
            if code in seen:
                self.add(f"{p}.code", f"分组代码 {code!r} 重复", f"duplicate group code {code!r}")
            seen.add(code)
            out.append(
                ItemGroup(
                    code,
                    self.string(g, "name_zh", p),
                    self.string(g, "name_en", p),
                    self.integer(g, "count", p),
                )
            )
        return tuple(out)

    def levels(self, doc: Mapping[str, Any]) -> tuple[LifeCircleLevel, ...]:
        out: list[LifeCircleLevel] = []
        seen: set[str] = set()
        allowed = {
            "code", "name_zh", "name_en", "minutes", "distance_m_min", "distance_m_max",
            "population_min", "population_max", "dwellings_min", "dwellings_max", "note_zh",
            "note_en",
        }  # fmt: skip
        for i, lv in self._indexed(doc, "levels", required=False):
            p = f"levels[{i}]"
            self.unknown(lv, allowed, p)
            code = self.code(lv, "code", p)
            if code in seen:
                self.add(f"{p}.code", f"层级代码 {code!r} 重复", f"duplicate level code {code!r}")
            seen.add(code)
            dmin = self.number(lv, "distance_m_min", p, required=False)
            dmax = self.number(lv, "distance_m_max", p, required=False)
            if dmin is not None and dmax is not None and dmin > dmax:
                self.add(
                    f"{p}.distance_m_min",
                    f"最小距离 {dmin} 大于最大距离 {dmax}",
                    f"minimum distance {dmin} exceeds maximum {dmax}",
                )
            out.append(
                LifeCircleLevel(
                    code=code,
                    name_zh=self.string(lv, "name_zh", p),
                    name_en=self.string(lv, "name_en", p),
                    minutes=self.number(lv, "minutes", p, required=False, positive=True),
                    distance_m_min=dmin,
                    distance_m_max=dmax,
                    population_min=self.integer(lv, "population_min", p),
                    population_max=self.integer(lv, "population_max", p),
                    dwellings_min=self.integer(lv, "dwellings_min", p),
                    dwellings_max=self.integer(lv, "dwellings_max", p),
                    note_zh=self.string(lv, "note_zh", p, required=False),
                    note_en=self.string(lv, "note_en", p, required=False),
                )
            )
        return tuple(out)

    def items(
        self,
        doc: Mapping[str, Any],
        default_threshold: float,
        groups: Sequence[ItemGroup],
        levels: Sequence[LifeCircleLevel],
    ) -> tuple[FacilityItem, ...]:
        out: list[FacilityItem] = []
        seen: dict[str, int] = {}
        group_codes = {g.code for g in groups}
        level_codes = {lv.code for lv in levels}
        for i, it in self._indexed(doc, "items", required=True):
            p = f"items[{i}]"
            self.unknown(it, _ITEM_KEYS, p)
            code = self.code(it, "code", p)
            if code and code in seen:
                self.add(
                    f"{p}.code",
                    f"项目代码 {code!r} 与 items[{seen[code]}] 重复",
                    f"duplicate item code {code!r} (also items[{seen[code]}])",
                )
            seen.setdefault(code, i)
            group = self.string(it, "group", p)
            if group and group_codes and group not in group_codes:
                self.add(
                    f"{p}.group",
                    f"未知分组 {group!r}(应为 {'、'.join(sorted(group_codes))} 之一)",
                    f"unknown group {group!r} (one of: {', '.join(sorted(group_codes))})",
                )
            level = self.string(it, "level", p, required=False) or None
            if level is not None and level not in level_codes:
                self.add(f"{p}.level", f"未知层级 {level!r}", f"unknown level {level!r}")
            threshold = self.number(it, "share_threshold", p, required=False, share=True)
            osm = self.osm_rules(it, p)
            osm_note_zh = self.string(it, "osm_note_zh", p, required=False)
            osm_note_en = self.string(it, "osm_note_en", p, required=False)
            if "osm" in it and not osm and not (osm_note_zh.strip() and osm_note_en.strip()):
                self.add(
                    f"{p}.osm_note_zh",
                    "osm 为空时须用 osm_note_zh / osm_note_en 说明原因",
                    "an empty osm list needs osm_note_zh / osm_note_en saying why",
                )
            out.append(
                FacilityItem(
                    code=code,
                    group=group,
                    name_zh=self.string(it, "name_zh", p),
                    name_en=self.string(it, "name_en", p),
                    walk_applies=self.boolean(it, "walk_applies", p),
                    scope_reason_zh=self.string(it, "scope_reason_zh", p),
                    scope_reason_en=self.string(it, "scope_reason_en", p),
                    share_threshold=default_threshold if threshold is None else threshold,
                    required=self.boolean(it, "required", p, default=True),
                    level=level,
                    alternates=self.names(it, "alternates", p),
                    includes=self.names(it, "includes", p),
                    osm=osm,
                    osm_note_zh=osm_note_zh,
                    osm_note_en=osm_note_en,
                    amap=self.type_matchers(it, "amap", p, required=True),
                    amap_note_zh=self.string(it, "amap_note_zh", p, required=False),
                    amap_note_en=self.string(it, "amap_note_en", p, required=False),
                    baidu=self.type_matchers(it, "baidu", p),
                    poi_names=self.name_rules(it, p),
                    poi_not_names=tuple(
                        normalise_text(n) for n in self.strings(it, "poi_not_names", p)
                    ),
                    keywords_zh=self.strings(it, "keywords_zh", p),
                    keywords_en=self.strings(it, "keywords_en", p),
                    hosts=self.strings(it, "hosts", p),
                    hosts_note_zh=self.string(it, "hosts_note_zh", p, required=False),
                    hosts_note_en=self.string(it, "hosts_note_en", p, required=False),
                    note_zh=self.string(it, "note_zh", p, required=False),
                    note_en=self.string(it, "note_en", p, required=False),
                )
            )
        return tuple(out)

    def osm_rules(
        self, it: Mapping[str, Any], p: str, *, required: bool = True
    ) -> tuple[OsmRule, ...]:
        rules: list[OsmRule] = []
        for j, text in self.list_of(it, "osm", p, "string", required=required):
            try:
                rules.append(_parse_osm_rule(text))
            except _SyntaxProblem as exc:
                self.add(f"{p}.osm[{j}]", exc.zh, exc.en)
        return tuple(rules)

    def type_matchers(
        self, tbl: Mapping[str, Any], key: str, p: str, *, required: bool = False
    ) -> tuple[AmapMatcher, ...]:
        """``amap``/``within``: "CODE 大类;中类;小类" (code of 2, 4 or 6 digits and/or the text,
        as many levels as the code has pairs of digits); ``baidu``/``within_baidu``: "一级;二级"
        text only."""
        out: list[AmapMatcher] = []
        for j, text in self.list_of(tbl, key, p, "string", required=required):
            m = self._type_matcher(
                text, f"{_join(p, key)}[{j}]", codes=key not in ("baidu", "within_baidu")
            )
            if m is not None:
                out.append(m)
        return tuple(out)

    def _type_matcher(self, text: str, path: str, *, codes: bool) -> AmapMatcher | None:
        code = ""
        rest = text
        found = _CODE_PREFIX_RE.match(text)
        if found is not None:
            code, rest = found.group(1), found.group(2)
            if not codes:
                self.add(
                    path,
                    f"{text!r}:百度分类没有数字编码,只写“一级;二级”",
                    f"{text!r}: Baidu tags have no numeric code; write 'level1;level2'",
                )
                return None
            if len(code) not in (2, 4, 6):
                self.add(
                    path,
                    f"{text!r}:高德类型编码应为 2、4 或 6 位数字,实为 {len(code)} 位",
                    f"{text!r}: an AMap typecode has 2, 4 or 6 digits, not {len(code)}",
                )
                return None
        segs = _split_amap(rest) if rest.strip() else ()
        if (not code and not segs) or len(segs) > 3 or any(not s for s in segs):
            self.add(
                path,
                f"{text!r} 不是“编码 大类;中类;小类”形式(1 至 3 级,不能有空级)",
                f"{text!r} is not 'CODE major;middle;minor' (1 to 3 non-empty levels)",
            )
            return None
        if code and segs and len(segs) != len(code) // 2:
            self.add(
                path,
                f"{text!r}:编码 {code} 有 {len(code) // 2} 级,文字有 {len(segs)} 级",
                f"{text!r}: code {code} has {len(code) // 2} level(s), the text {len(segs)}",
            )
            return None
        return AmapMatcher(text, segs, code, baidu=not codes)

    def name_rules(self, it: Mapping[str, Any], p: str) -> tuple[PoiNameRule, ...]:
        out: list[PoiNameRule] = []
        for j, rule in self.list_of(it, "poi_names", p, "table", required=False):
            rp = f"{p}.poi_names[{j}]"
            self.unknown(rule, {"within", "within_baidu", "names", "not_names"}, rp)
            within = self.type_matchers(rule, "within", rp)
            within += self.type_matchers(rule, "within_baidu", rp)
            names = self.strings(rule, "names", rp, required=True)
            if not within and not any(
                isinstance(rule.get(k), list) and rule[k] for k in ("within", "within_baidu")
            ):
                self.add(
                    f"{rp}.within",
                    "within 或 within_baidu 须列出类型:名称规则只用于这些类型"
                    "(任何类型都按名称判断会误判)",
                    "within or within_baidu must list types: a name rule applies to the types "
                    "listed (names alone misfile rows of any type)",
                )
            if "names" in rule and not names and isinstance(rule["names"], list):
                self.add(f"{rp}.names", "不能为空", "must not be empty")
            out.append(
                PoiNameRule(
                    within,
                    tuple(normalise_text(n) for n in names),
                    tuple(normalise_text(n) for n in self.strings(rule, "not_names", rp)),
                )
            )
        return tuple(out)

    def hosts(self, doc: Mapping[str, Any], item_codes: Sequence[str]) -> tuple[HostKind, ...]:
        out: list[HostKind] = []
        seen: set[str] = set()
        known = set(item_codes)
        for i, h in self._indexed(doc, "hosts", required=False):
            p = f"hosts[{i}]"
            self.unknown(h, _HOST_KEYS, p)
            code = self.code(h, "code", p)
            if code in seen:
                self.add(
                    f"{p}.code", f"场所类型代码 {code!r} 重复", f"duplicate host code {code!r}"
                )
            seen.add(code)
            items = self.strings(h, "items", p)
            for j, c in enumerate(items):
                if c not in known:
                    self.add(
                        f"{p}.items[{j}]", f"没有代码为 {c!r} 的设施项目", f"no item has code {c!r}"
                    )
            names = self.strings(h, "names", p)
            kind = HostKind(
                code=code,
                name_zh=self.string(h, "name_zh", p),
                name_en=self.string(h, "name_en", p),
                commercial=self.boolean(h, "commercial", p),
                reason_zh=self.string(h, "reason_zh", p),
                reason_en=self.string(h, "reason_en", p),
                items=items,
                osm=self.osm_rules(h, p, required=False),
                amap=self.type_matchers(h, "amap", p),
                baidu=self.type_matchers(h, "baidu", p),
                names=tuple(normalise_text(n) for n in names),
                not_names=tuple(normalise_text(n) for n in self.strings(h, "not_names", p)),
            )
            if not (kind.items or kind.osm or kind.amap or kind.baidu or kind.names):
                self.add(
                    p,
                    "场所类型至少要有一种识别方式(items、osm、amap、baidu 或 names)",
                    "a host kind needs a way to be recognised (items, osm, amap, baidu or names)",
                )
            out.append(kind)
        return tuple(out)

    def item_hosts(self, items: Sequence[FacilityItem], hosts: Sequence[HostKind]) -> None:
        codes = {h.code for h in hosts}
        for i, it in enumerate(items):
            for j, c in enumerate(it.hosts):
                if c not in codes:
                    known = "、".join(sorted(codes)) or "—"
                    self.add(
                        f"items[{i}].hosts[{j}]",
                        f"未知的场所类型 {c!r}(应为 [[hosts]] 中的代码:{known})",
                        f"unknown host kind {c!r} (one of the [[hosts]] codes: "
                        f"{', '.join(sorted(codes)) or '-'})",
                    )

    def group_counts(self, groups: Sequence[ItemGroup], items: Sequence[FacilityItem]) -> None:
        for i, g in enumerate(groups):
            if g.count is None:
                continue
            n = sum(1 for it in items if it.group == g.code)
            if n != g.count:
                self.add(
                    f"groups[{i}].count",
                    f"分组 {g.code!r} 应有 {g.count} 个项目,实有 {n} 个",
                    f"group {g.code!r} must hold {g.count} items, it holds {n}",
                )

    def categories(
        self, doc: Mapping[str, Any], item_codes: set[str]
    ) -> tuple[ServiceCategory, ...]:
        out: list[ServiceCategory] = []
        seen: set[str] = set()
        service_codes: set[str] = set()
        allowed = {
            "code", "name_zh", "name_en", "aim_zh", "aim_en", "provider_zh", "provider_en",
            "services", "facility_items", "beneficiaries", "note_zh", "note_en",
        }  # fmt: skip
        for i, c in self._indexed(doc, "categories", required=False):
            p = f"categories[{i}]"
            self.unknown(c, allowed, p)
            code = self.code(c, "code", p)
            if code in seen:
                self.add(
                    f"{p}.code", f"类别代码 {code!r} 重复", f"duplicate category code {code!r}"
                )
            seen.add(code)
            services: list[Service] = []
            for j, s in self.list_of(c, "services", p, "table"):
                sp = f"{p}.services[{j}]"
                self.unknown(s, {"code", "name_zh", "name_en"}, sp)
                scode = self.code(s, "code", sp)
                if scode in service_codes:
                    self.add(
                        f"{sp}.code",
                        f"服务代码 {scode!r} 重复",
                        f"duplicate service code {scode!r}",
                    )
                service_codes.add(scode)
                services.append(
                    Service(scode, self.string(s, "name_zh", sp), self.string(s, "name_en", sp))
                )
            facility_items = self.strings(c, "facility_items", p)
            for j, fc in enumerate(facility_items):
                if fc not in item_codes:
                    self.add(
                        f"{p}.facility_items[{j}]",
                        f"没有代码为 {fc!r} 的设施项目",
                        f"no facility item has code {fc!r}",
                    )
            out.append(
                ServiceCategory(
                    code=code,
                    name_zh=self.string(c, "name_zh", p),
                    name_en=self.string(c, "name_en", p),
                    services=tuple(services),
                    facility_items=facility_items,
                    aim_zh=self.string(c, "aim_zh", p, required=False),
                    aim_en=self.string(c, "aim_en", p, required=False),
                    provider_zh=self.string(c, "provider_zh", p, required=False),
                    provider_en=self.string(c, "provider_en", p, required=False),
                    beneficiaries=self.names(c, "beneficiaries", p),
                    note_zh=self.string(c, "note_zh", p, required=False),
                    note_en=self.string(c, "note_en", p, required=False),
                )
            )
        return tuple(out)

    def demonstration_rule(
        self, doc: Mapping[str, Any], items: Sequence[FacilityItem]
    ) -> DemonstrationRule:
        d = self.table(doc, "demonstration", "", required=False)
        if d is None:
            return DemonstrationRule()
        p = "demonstration"
        allowed = {
            "items", "min_met_share", "min_items", "must_meet", "min_population", "note_zh",
            "note_en",
        }  # fmt: skip
        self.unknown(d, allowed, p)
        which = self.string(d, "items", p, required=False) or "all"
        if which not in ("walk", "all"):
            self.add(
                f"{p}.items",
                f'{which!r} 应为 "walk"(适用步行的项目)或 "all"(全部项目)',
                f'{which!r} must be "walk" (items the walk applies to) or "all"',
            )
            which = "all"
        share = self.number(d, "min_met_share", p, required=False, share=True)
        min_items = self.integer(d, "min_items", p)
        counted = [it for it in items if it.required and (it.walk_applies or which == "all")]
        if min_items is not None and not 1 <= min_items <= len(counted):
            self.add(
                f"{p}.min_items",
                f"{min_items} 应在 1 到计入的项目数 {len(counted)} 之间",
                f"{min_items} must be between 1 and the {len(counted)} counted items",
            )
            min_items = None
        codes = {it.code for it in items}
        must = self.strings(d, "must_meet", p)
        for j, c in enumerate(must):
            if c not in codes:
                self.add(
                    f"{p}.must_meet[{j}]", f"没有代码为 {c!r} 的设施项目", f"no item has code {c!r}"
                )
        return DemonstrationRule(
            items="walk" if which == "walk" else "all",
            min_met_share=1.0 if share is None else share,
            min_items=min_items,
            must_meet=must,
            min_population=self.number(d, "min_population", p, required=False) or 0.0,
            note_zh=self.string(d, "note_zh", p, required=False),
            note_en=self.string(d, "note_en", p, required=False),
        )

    def targets(self, doc: Mapping[str, Any]) -> Targets:
        t = self.table(doc, "targets", "", required=False)
        if t is None:
            return Targets()
        p = "targets"
        allowed = {
            "demonstration_circles", "demonstration_year", "urban_community_share",
            "urban_community_year", "circle_population",
        }  # fmt: skip
        self.unknown(t, allowed, p)
        return Targets(
            demonstration_circles=self.integer(t, "demonstration_circles", p),
            demonstration_year=self.integer(t, "demonstration_year", p),
            urban_community_share=self.number(
                t, "urban_community_share", p, required=False, share=True
            ),
            urban_community_year=self.integer(t, "urban_community_year", p),
            circle_population=self.integer(t, "circle_population", p),
        )

    def _indexed(
        self, doc: Mapping[str, Any], key: str, *, required: bool
    ) -> list[tuple[int, dict[str, Any]]]:
        tables = self.list_of(doc, key, "", "table", required=required)
        raw = doc.get(key)
        if required and isinstance(raw, list) and not raw:
            self.add(key, "不能为空", "must not be empty")
        return tables
