"""The matchers that classify places by a standard: OSM tag rules, POI type matchers (AMap
typecodes and type texts, Baidu tags), POI name rules, the text folding they share, and the
indexes that look a place up instead of testing every rule."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

_OSM_KEY_RE = re.compile(r"^[A-Za-z0-9_:.\-]+$")
_COND_RE = re.compile(r"^\s*([^\s!=~]+)\s*(!=|!~|=|~)\s*(.*?)\s*$")

OsmOp = Literal["=", "!=", "~", "!~"]


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
