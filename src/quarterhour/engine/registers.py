"""Facility registers (设施台账): CSV or XLSX tables kept by streets and communities.

Headers may be Chinese or English:

=============  ======================================================  ========
role           recognised headers (case, spaces, a trailing "(…)" ignored)  required
=============  ======================================================  ========
name           名称 设施名称 机构名称 name                                 no
category       类别 类型 分类 设施类别 设施类型 type category kind          see below
address        地址 详细地址 address addr                                  no
lon / lat      经度 lon lng longitude x / 纬度 lat latitude y               yes
id             编号 设施编号 编码 id code                                  no
items          服务项目 项目 items services                                no
=============  ======================================================  ========

A row's standard items are what ``classify`` makes of its category (an AMap ``大类;中类;小类``
string is passed whole; a ``|``-separated list of such strings is tried part by part) plus each
entry of its items cell (一室多用: several items separated by 、，,；;|). A row needs at least one.
Other columns are kept as the facility's ``tags``.

Ids are ``<file stem>:<id cell>`` when an id column exists, else ``<file stem>:<row>`` with the
row number a spreadsheet shows — stable, and unique across several registers. Coordinates are
converted from ``crs`` to WGS-84. Every problem (file, row, column, text, and close matches for an
unknown category) is collected and raised once as :class:`~quarterhour.engine._errors.InputErrors`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from quarterhour.engine._errors import Problem, ProblemCollector
from quarterhour.engine.coords import Crs, to_wgs84
from quarterhour.engine.places import Facility
from quarterhour.engine.standards import Standard
from quarterhour.engine.tables import (
    COORD_HEADERS,
    DEFAULT_LIMITS,
    TableLimits,
    match_columns,
    read_points,
    read_table,
    text_of,
    unique_ids,
)

Classifier = Callable[[str], tuple[str, ...]]

REGISTER_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "设施名称", "机构名称", "单位名称", "name"),
    "category": ("类别", "类型", "分类", "设施类别", "设施类型", "type", "category", "kind"),
    "address": ("地址", "详细地址", "address", "addr"),
    "id": ("编号", "设施编号", "编码", "id", "code"),
    "items": ("服务项目", "项目", "items", "services"),
}

#: Separators between several items in one cell (一室多用).
ITEM_SEPARATORS = re.compile(r"[、，,；;|｜]")


@dataclass(frozen=True, slots=True)
class RegisterResult:
    """The facilities of one register and how the file was read."""

    facilities: tuple[Facility, ...]
    source: str
    crs: Crs
    encoding: str | None
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # role -> header text as in the file


def standard_vocabulary(standard: Standard) -> tuple[str, ...]:
    """Texts ``standard.classify_category`` knows, for suggesting close matches to unknown ones:
    every item's code, names, alternates and included parts (Chinese and English) and its Chinese
    keywords.

    >>> from quarterhour.engine.standards import load_standard
    >>> vocab = standard_vocabulary(load_standard("beijing-2011"))
    >>> "社区服务站" in vocab and "shop.pharmacy" in vocab
    True
    """
    out: list[str] = []
    for item in standard.items:
        out += [item.code, *item.names(), *item.keywords_zh]
    return tuple(dict.fromkeys(n for n in out if n))


def _suggest(text: str, vocabulary: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(text, list(vocabulary), n=3, cutoff=0.5)


def _unknown(
    code: str,
    what_zh: str,
    what_en: str,
    text: str,
    vocabulary: Iterable[str],
    *,
    file: str,
    row: int,
    column: str,
) -> Problem:
    close = _suggest(text, vocabulary)
    hint_zh = f"；是否指：{'、'.join(close)}？" if close else ""
    hint_en = f"; did you mean: {', '.join(close)}?" if close else ""
    return Problem(
        code,
        f"未知的{what_zh} {text!r}{hint_zh}",
        f"unknown {what_en} {text!r}{hint_en}",
        file=file,
        row=row,
        column=column,
    )


def _classify_category(text: str, classify: Classifier) -> tuple[str, ...]:
    codes = tuple(classify(text))
    if codes or "|" not in text:
        return codes
    out: list[str] = []
    for part in text.split("|"):
        if part.strip():
            out.extend(c for c in classify(part.strip()) if c not in out)
    return tuple(out)


def read_facility_register(
    path: str | Path,
    *,
    crs: Crs = "wgs84",
    classify: Classifier,
    encoding: str | None = None,
    known_categories: Iterable[str] = (),
    limits: TableLimits = DEFAULT_LIMITS,
) -> RegisterResult:
    """Read a facility register (CSV, TSV or XLSX) into WGS-84 facilities.

    ``classify`` maps a category or item text to standard item codes (empty = unknown);
    ``known_categories`` (optional) are the texts it knows, used to suggest close matches;
    ``limits`` bound the file (:class:`~quarterhour.engine.tables.TableLimits`).
    """
    p = Path(path)
    table = read_table(p, encoding=encoding, required=COORD_HEADERS, limits=limits)
    cols = match_columns(table.headers, {**COORD_HEADERS, **REGISTER_HEADERS})
    src = table.source
    problems = ProblemCollector()
    vocabulary = tuple(known_categories)
    cat_col, items_col = cols.get("category"), cols.get("items")
    cat_header = "" if cat_col is None else table.headers[cat_col]
    items_header = "" if items_col is None else table.headers[items_col]
    if cat_col is None and items_col is None:
        found = "、".join(h for h in table.headers if h)
        problems.add(
            Problem(
                "missing_columns",
                f"缺少类别列（类别/类型/type/category）或服务项目列。文件中的表头为：{found}",
                "no category column (类别/类型/type/category) and no items column. "
                f"Headers found: {', '.join(h for h in table.headers if h)}",
                file=src,
                row=table.header_row,
            )
        )
        problems.raise_if_any()

    points = read_points(table, cols["lon"], cols["lat"], problems)
    ids = unique_ids(table, cols.get("id"), problems, prefix=p.stem)
    known_roles = set(cols.values())
    rows: list[tuple[int, str, str, tuple[str, ...], str, tuple[tuple[str, str], ...]]] = []
    for k, (row, cells) in enumerate(table.rows):
        category = text_of(cells, cat_col)
        codes: list[str] = []
        if category:
            found_codes = _classify_category(category, classify)
            if not found_codes:
                problems.add(
                    _unknown(
                        "unknown_category",
                        "类别",
                        "category",
                        category,
                        vocabulary,
                        file=src,
                        row=row,
                        column=cat_header,
                    )
                )
            codes.extend(found_codes)
        items_text = text_of(cells, items_col)
        for token in (t.strip() for t in ITEM_SEPARATORS.split(items_text)):
            if not token:
                continue
            item_codes = tuple(classify(token))
            if not item_codes:
                problems.add(
                    _unknown(
                        "unknown_item",
                        "服务项目",
                        "service item",
                        token,
                        vocabulary,
                        file=src,
                        row=row,
                        column=items_header,
                    )
                )
            codes.extend(item_codes)
        if not category and not items_text:
            problems.add(
                Problem(
                    "category_missing",
                    "缺少类别（无法判断该设施服务哪些项目）",
                    "category is missing (cannot tell which items this facility serves)",
                    file=src,
                    row=row,
                    column=cat_header or items_header,
                )
            )
        unique_codes = tuple(dict.fromkeys(codes))
        tags = tuple(
            (table.headers[i], cells[i])
            for i in range(len(table.headers))
            if i not in known_roles and table.headers[i] and i < len(cells) and cells[i]
        )
        if category:
            tags = (("category", category), *tags)
        if items_text:
            tags = (*tags, ("items", items_text))
        rows.append(
            (
                k,
                ids[k],
                text_of(cells, cols.get("name")),
                unique_codes,
                text_of(cells, cols.get("address")),
                tags,
            )
        )
    problems.raise_if_any()

    lon, lat = to_wgs84(points.lon, points.lat, crs=crs)
    facilities = tuple(
        Facility(
            facility_id=fid,
            name=name,
            lon=float(lon[k]),
            lat=float(lat[k]),
            item_codes=codes,
            address=address,
            source=p.name,
            tags=tags,
            row=table.rows[k][0],
        )
        for k, fid, name, codes, address, tags in rows
    )
    return RegisterResult(
        facilities=facilities,
        source=src,
        crs=crs,
        encoding=table.encoding,
        sheet=table.sheet,
        header_row=table.header_row,
        columns={role: table.headers[i] for role, i in cols.items()},
    )
