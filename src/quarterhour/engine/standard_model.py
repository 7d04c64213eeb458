"""A facility standard as data: the dataclasses a standard file is read into (items, groups,
levels, host kinds, service categories, the demonstration rule, targets) and
:class:`Standard`, which answers questions about them and classifies places with the
matchers of :mod:`quarterhour.engine.standard_matchers`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from quarterhour.engine._errors import StandardError
from quarterhour.engine.config import minutes_to_metres
from quarterhour.engine.schema_reader import StandardProblem
from quarterhour.engine.standard_matchers import (
    AmapMatcher,
    OsmRule,
    PoiNameRule,
    _OsmIndex,
    _PoiIndex,
    normalise_text,
    poi_name_text,
    poi_parts,
)

#: How many distinct category texts a standard remembers (registers repeat a few texts).
_CATEGORY_MEMO_SIZE = 4096


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
