"""Loading a standard: by name from the files shipped with quarterhour or from a TOML path,
read against the schema (every problem collected and raised once as
:class:`~quarterhour.engine.standard_model.StandardFileError`)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from quarterhour.engine._errors import StandardError
from quarterhour.engine.schema_reader import StandardProblem, TableReader, _join
from quarterhour.engine.standard_matchers import (
    _CODE_PREFIX_RE,
    AmapMatcher,
    OsmRule,
    PoiNameRule,
    _parse_osm_rule,
    _split_amap,
    _SyntaxProblem,
    normalise_text,
)
from quarterhour.engine.standard_model import (
    DemonstrationRule,
    FacilityItem,
    HostKind,
    ItemGroup,
    LifeCircleLevel,
    Name,
    Service,
    ServiceCategory,
    Standard,
    StandardFileError,
    Targets,
    WalkProfile,
)

#: The standard used when none is named: Beijing's 2011 policy attachment (30 items).
DEFAULT_STANDARD: str = "beijing-2011"
#: The schema version this loader reads.
SCHEMA_VERSION: int = 1

_PACKAGE = "quarterhour.engine.standard_files"
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)*$")
_STANDARD_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


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
class _Reader(TableReader):
    """The standard's sections, read with the schema reader's primitives."""

    def code(self, tbl: Mapping[str, Any], key: str, path: str) -> str:
        v = self.string(tbl, key, path)
        if v and not _CODE_RE.match(v):
            self.add(
                _join(path, key),
                f"代码 {v!r} 应为小写 ASCII,用点分段(如 shop.pharmacy)",
                f"code {v!r} must be lower-case ASCII in dot-separated parts (e.g. shop.pharmacy)",
            )
        return v

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
