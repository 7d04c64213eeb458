"""The standard's four service categories and 30 facility items, published as HSDS taxonomies.

Two taxonomies: the service categories (four terms, each with the services the standard lists
under it as child terms) and the facility items (the standard's groups 一校、二栏… as top terms,
each with its items). Ids are name-based UUIDs of the standard and code, stable across runs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from quarterhour.platform.core import standard
from quarterhour.platform.hsds.ids import named


@dataclass(frozen=True, slots=True)
class Taxonomy:
    id: str
    code: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    code: str
    name: str
    name_en: str
    kind: str  # category | service | group | item
    taxonomy_id: str
    parent_id: str | None
    item_codes: tuple[str, ...]  # facility/service codes a service must carry (not for categories)


@dataclass(frozen=True, slots=True)
class Taxonomies:
    taxonomies: tuple[Taxonomy, ...]
    terms: tuple[Term, ...]
    by_id: dict[str, Term]
    taxonomy_by_id: dict[str, Taxonomy]
    by_code: dict[str, Term]


@functools.cache
def build(std_code: str) -> Taxonomies:
    std = standard.engine_standard(std_code)
    cat_tax = Taxonomy(
        id=named("taxonomy", std.code, "categories"),
        code=f"{std.code}:categories",
        name="社区服务类别 / Community service categories",
        description=f"{std.name_zh}：社区公共服务、志愿互助服务、便民利民服务、特色服务 / "
        f"{std.name_en}: the four service categories and the services listed under them",
    )
    item_tax = Taxonomy(
        id=named("taxonomy", std.code, "items"),
        code=f"{std.code}:items",
        name="社区服务设施项目 / Community facility items",
        description=f"{std.name_zh}：设施配置项目 / {std.name_en}: facility items by group",
    )
    terms: list[Term] = []
    for cat in std.categories:
        cid = named("term", std.code, "category", cat.code)
        terms.append(
            Term(cid, cat.code, cat.name_zh, cat.name_en, "category", cat_tax.id, None, ())
        )
        for svc in cat.services:
            terms.append(
                Term(
                    named("term", std.code, "service", svc.code),
                    svc.code,
                    svc.name_zh,
                    svc.name_en,
                    "service",
                    cat_tax.id,
                    cid,
                    (svc.code,),
                )
            )
    for group in std.groups:
        gid = named("term", std.code, "group", group.code)
        codes = tuple(i.code for i in std.items if i.group == group.code)
        terms.append(
            Term(gid, group.code, group.name_zh, group.name_en, "group", item_tax.id, None, codes)
        )
        for it in std.items:
            if it.group == group.code:
                terms.append(
                    Term(
                        named("term", std.code, "item", it.code),
                        it.code,
                        it.name_zh,
                        it.name_en,
                        "item",
                        item_tax.id,
                        gid,
                        (it.code,),
                    )
                )
    taxes = (cat_tax, item_tax)
    return Taxonomies(
        taxonomies=taxes,
        terms=tuple(terms),
        by_id={t.id: t for t in terms},
        taxonomy_by_id={t.id: t for t in taxes},
        by_code={t.code: t for t in terms if t.kind in ("category", "service", "item")},
    )


def current() -> Taxonomies:
    return build(standard.standard_code())
