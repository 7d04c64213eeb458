"""Facility registers (设施台账) and POI exports (AMap/高德, Baidu/百度) as they come: CSV or XLSX.

Headers may be Chinese or English (case, spaces, ``_`` and a trailing "(…)" are ignored):

* lon / lat (required): 经度 lon lng longitude x / 纬度 lat latitude y; or ``<crs>_lng`` /
  ``<crs>_lat`` for the declared ``crs`` (``gcj02_lng``, ``bd09_lat`` …); or one ``location``
  column ``"lng,lat"`` as the AMap API writes it;
* category: 类别 类型 分类 设施类别 设施类型 type category kind tag 标签; or 大类 + 中类
  (+ 小类) columns, joined as ``大类;中类;小类``;
* typecode: typecode 类型编码 类型代码 分类编码 分类代码 (AMap's 6-digit code);
* items: 服务项目 项目 items services — a category or an items column is required;
* name: 名称 设施名称 机构名称 单位名称 name, else any header ending in 名称 or name;
* address: 地址 详细地址 address addr; id: 编号 设施编号 编码 id code.

When several columns could be the category (an AMap export has ``type`` and ``tag``, a Baidu one
``tag`` and ``type``), the first whose cells mostly hold ``;``-separated levels is taken.

A row's standard items come from its category — through ``standard.classify_poi`` (the AMap
``typecode`` when present, else the ``大类;中类;小类`` text or the Baidu tag, and the name where
the type is too coarse) or, for a plain ``classify`` function, the category text alone — plus each
entry of its items cell (一室多用: several items separated by 、，,；;|).

Rows of a type outside the standard are **set aside** (:attr:`RegisterResult.set_aside`, written
by :func:`write_not_in_standard` to ``not_in_standard.csv``) and counted per type
(:attr:`RegisterResult.tally`, printed by :func:`tally_lines`), not refused; ``strict=True``
refuses them as before, with close matches from the standard's vocabulary. Real errors always
refuse: coordinates (missing, not numbers, out of range, swapped), encoding, missing columns,
duplicate ids with different content, unknown entries in the items cell, rows without any
category or items. Lines repeating the header (crawlers append files) and rows repeating an
earlier row's id with the same content (a POI returned by two queries) are skipped and counted.

Ids are ``<file stem>:<id cell>`` when an id column exists, else ``<file stem>:<row>`` with the
row number a spreadsheet shows — stable, and unique across several registers. Coordinates are
converted from ``crs`` to WGS-84 (AMap exports are GCJ-02, Baidu ones BD-09). Every problem
(file, row, column, text, and close matches for an unknown category) is collected and raised
once as :class:`~quarterhour.engine._errors.InputErrors`.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from quarterhour.engine._errors import Problem, ProblemCollector
from quarterhour.engine.coords import Crs, to_wgs84
from quarterhour.engine.places import Facility
from quarterhour.engine.standards import Standard, normalise_typecode
from quarterhour.engine.table_writer import write_rows_csv
from quarterhour.engine.tables import (
    COORD_HEADERS,
    DEFAULT_LIMITS,
    Table,
    TableLimits,
    match_columns,
    normalise_header,
    read_points,
    read_table,
    text_of,
    unique_ids,
)

Classifier = Callable[[str], tuple[str, ...]]

REGISTER_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "设施名称", "机构名称", "单位名称", "name"),
    "category": (
        "类别", "类型", "分类", "设施类别", "设施类型", "type", "category", "kind", "tag", "标签",
        "baidu_tag",
    ),
    "typecode": ("typecode", "类型编码", "类型代码", "分类编码", "分类代码"),
    "address": ("地址", "详细地址", "address", "addr"),
    "id": ("编号", "设施编号", "编码", "id", "code"),
    "items": ("服务项目", "项目", "items", "services"),
}  # fmt: skip

#: Column pairs an export may give its type in, joined as ``大类;中类;小类``.
LEVEL_HEADERS: tuple[tuple[str, ...], ...] = (("大类",), ("中类", "次类"), ("小类",))

#: One column holding ``"lng,lat"`` (the AMap API's ``location``).
LOCATION_HEADERS: Mapping[str, tuple[str, ...]] = {
    "location": ("location", "坐标", "经纬度", "lnglat", "lonlat"),
}

#: How each coordinate system's name appears in qualified headers (``gcj02_lng``, ``bd09_lat``).
CRS_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "wgs84": ("wgs84", "wgs"),
    "gcj02": ("gcj02", "gcj", "火星"),
    "bd09": ("bd09", "bd", "百度"),
}

#: Separators between several items in one cell (一室多用).
ITEM_SEPARATORS = re.compile(r"[、，,；;|｜]")

#: The header of ``not_in_standard.csv`` (Chinese, then English in brackets).
NOT_IN_STANDARD_HEADER: tuple[str, ...] = (
    "文件 (file)",
    "行号 (row)",
    "编号 (id)",
    "名称 (name)",
    "类别 (category)",
    "类型编码 (typecode)",
    "地址 (address)",
    "经度 WGS-84 (lon)",
    "纬度 WGS-84 (lat)",
)


@dataclass(frozen=True, slots=True)
class SetAsideRow:
    """A row of a type outside the standard: kept aside, not analysed (coordinates WGS-84)."""

    source: str
    row: int
    facility_id: str
    name: str
    category: str
    typecode: str
    address: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class TypeTally:
    """How many rows of one type (category text and typecode as in the file) went to which
    items; ``items == ()``: outside the standard."""

    category: str
    typecode: str
    items: tuple[str, ...]
    rows: int


@dataclass(frozen=True, slots=True)
class RegisterResult:
    """The facilities of one register and how the file was read.

    ``rows`` is the spreadsheet row of each facility. ``hosts`` are set-aside rows that are
    places of a host kind of the standard (a school, a library …): they serve no item, but may
    take one on (一室多用). ``skipped`` counts lines left out: ``repeated_header`` and
    ``repeated_row``.
    """

    facilities: tuple[Facility, ...]
    source: str
    crs: Crs
    encoding: str | None
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # role -> header text as in the file
    rows: tuple[int, ...] = ()
    set_aside: tuple[SetAsideRow, ...] = ()
    tally: tuple[TypeTally, ...] = ()
    hosts: tuple[Facility, ...] = ()
    skipped: tuple[tuple[str, int], ...] = ()


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


# ---------------------------------------------------------------------------------------------
# finding the columns of an export as it comes


def _coord_headers(crs: Crs) -> dict[str, tuple[str, ...]]:
    """Plain lon/lat headers plus the ones qualified by the declared coordinate system."""
    lon = list(COORD_HEADERS["lon"])
    lat = list(COORD_HEADERS["lat"])
    for prefix in CRS_PREFIXES[crs]:
        lon += [f"{prefix}_lng", f"{prefix}_lon", f"{prefix}_longitude", f"{prefix}经度"]
        lat += [f"{prefix}_lat", f"{prefix}_latitude", f"{prefix}纬度"]
    return {"lon": tuple(lon), "lat": tuple(lat)}


def _read(path: Path, *, encoding: str | None, crs: Crs, limits: TableLimits) -> Table:
    """The table with a lon and a lat column: as found, or split from a ``location`` column."""
    coords = _coord_headers(crs)
    table = read_table(
        path, encoding=encoding, required=coords, alternatives=(LOCATION_HEADERS,), limits=limits
    )
    if len(match_columns(table.headers, coords)) == len(coords):
        return table
    col = match_columns(table.headers, LOCATION_HEADERS)["location"]
    head = table.headers[col]
    added = (f"经度({head})", f"纬度({head})")
    rows = []
    for row, cells in table.rows:
        if cells == table.headers:  # a repeated header line stays one (skipped later)
            rows.append((row, (*cells, *added)))
            continue
        lng, _, lat = cells[col].partition(",")
        rows.append((row, (*cells, lng.strip(), lat.strip())))
    return dataclasses.replace(table, headers=(*table.headers, *added), rows=tuple(rows))


def _category_column(table: Table) -> int | None:
    """The category column: among the headers that may hold it, the first whose filled cells
    are mostly ``;``-separated levels, else the first of them."""
    wanted = {normalise_header(h) for h in REGISTER_HEADERS["category"]}
    found = [i for i, h in enumerate(table.headers) if normalise_header(h) in wanted]
    if len(found) <= 1:
        return found[0] if found else None
    sample = table.rows[:200]
    for i in found:
        cells = [c for _, cells in sample if i < len(cells) and (c := cells[i].strip())]
        if cells and sum(";" in c or "；" in c for c in cells) * 2 >= len(cells):
            return i
    return found[0]


def _level_columns(table: Table) -> tuple[int, ...]:
    """大类 / 中类 / 小类 columns (also ``医院大类`` …), when the type comes split."""
    norm = [normalise_header(h) for h in table.headers]
    out: list[int] = []
    for names in LEVEL_HEADERS:
        hit = next((i for i, h in enumerate(norm) if any(h.endswith(n) for n in names)), None)
        if hit is None:
            break
        out.append(hit)
    return tuple(out) if len(out) >= 2 else ()


def _name_column(table: Table, cols: Mapping[str, int]) -> int | None:
    if "name" in cols:
        return cols["name"]
    taken = set(cols.values())
    for i, h in enumerate(table.headers):
        n = normalise_header(h)
        if i not in taken and (n.endswith("名称") or n.endswith("name")):
            return i
    return None


def _skip_repeats(
    table: Table, id_col: int | None, key_cols: Sequence[int]
) -> tuple[Table, int, int]:
    """Leave out lines that repeat the header, and rows that repeat an earlier row's id with
    the same content (``key_cols``); a repeated id with other content stays (an error later)."""
    header = tuple(table.headers)  # cells and headers are read stripped
    first = header[0] if header else ""
    seen: dict[str, tuple[str, ...]] = {}
    kept: list[tuple[int, tuple[str, ...]]] = []
    headers = rows = 0
    for row, cells in table.rows:
        if cells and cells[0] == first and cells == header:
            headers += 1
            continue
        if id_col is not None and id_col < len(cells) and (ident := cells[id_col]):
            before = seen.setdefault(ident, cells)
            if before is not cells and all(
                text_of(before, c) == text_of(cells, c) for c in key_cols
            ):
                rows += 1
                continue
        kept.append((row, cells))
    if not headers and not rows:
        return table, 0, 0
    return dataclasses.replace(table, rows=tuple(kept)), headers, rows


def _with_items(
    codes: tuple[str, ...],
    items_text: str,
    by_text: Classifier,
    problems: ProblemCollector,
    vocabulary: Sequence[str],
    src: str,
    row: int,
    column: str,
) -> tuple[str, ...]:
    """The row's codes plus those of each entry of its items cell (一室多用); an unknown entry is
    always a problem (the planner wrote it)."""
    out = list(codes)
    for token in (t.strip() for t in ITEM_SEPARATORS.split(items_text)):
        if not token:
            continue
        item_codes = tuple(by_text(token))
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
                    column=column,
                )
            )
        out.extend(item_codes)
    return tuple(dict.fromkeys(out))


def _tags(
    headers: Sequence[str],
    cells: Sequence[str],
    known_roles: set[int],
    category: str,
    typecode: str,
    items_text: str,
) -> tuple[tuple[str, str], ...]:
    """The row's other columns, with its category, typecode and items under fixed keys."""
    tags = tuple(
        (headers[i], cells[i])
        for i in range(len(headers))
        if i not in known_roles and headers[i] and i < len(cells) and cells[i]
    )
    if typecode:
        tags = (("typecode", typecode), *tags)
    if category:
        tags = (("category", category), *tags)
    if items_text:
        tags = (*tags, ("items", items_text))
    return tags


# ---------------------------------------------------------------------------------------------
# reading


def read_facility_register(
    path: str | Path,
    *,
    crs: Crs = "wgs84",
    classify: Classifier | None = None,
    standard: Standard | None = None,
    encoding: str | None = None,
    known_categories: Iterable[str] = (),
    strict: bool = False,
    limits: TableLimits = DEFAULT_LIMITS,
) -> RegisterResult:
    """Read a facility register or POI export (CSV, TSV or XLSX) into WGS-84 facilities.

    Give the ``standard`` (its POI matchers and name rules classify each row, its vocabulary
    suggests close matches, its host kinds find :attr:`RegisterResult.hosts`) or a plain
    ``classify`` function of the category text (empty = unknown; ``known_categories`` then
    suggests close matches). Rows of types outside the standard are set aside; ``strict``
    refuses them instead. ``limits`` bound the file
    (:class:`~quarterhour.engine.tables.TableLimits`).
    """
    if (classify is None) == (standard is None):
        raise TypeError("give exactly one of classify= or standard=")
    p = Path(path)
    table = _read(p, encoding=encoding, crs=crs, limits=limits)
    cols = match_columns(table.headers, {**_coord_headers(crs), **REGISTER_HEADERS})
    cols.pop("category", None)
    cat_col = _category_column(table)
    if cat_col is not None:
        cols["category"] = cat_col
    levels = _level_columns(table) if cat_col is None else ()
    name_col = _name_column(table, cols)
    if name_col is not None:
        cols["name"] = name_col
    src = table.source
    problems = ProblemCollector()
    if standard is not None:
        vocabulary: tuple[str, ...] = tuple(known_categories) or standard_vocabulary(standard)
        by_text: Classifier = standard.classify_category
    else:
        assert classify is not None
        vocabulary, by_text = tuple(known_categories), classify
    items_col, code_col = cols.get("items"), cols.get("typecode")
    if cat_col is not None:
        cat_header = table.headers[cat_col]
    elif levels:
        cat_header = "/".join(table.headers[i] for i in levels)
    else:
        cat_header = ""
    items_header = "" if items_col is None else table.headers[items_col]
    if cat_col is None and not levels and items_col is None:
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

    key_cols = [
        c for c in (name_col, cols["lon"], cols["lat"], cat_col, *levels, code_col) if c is not None
    ]
    table, repeated_headers, repeated_rows = _skip_repeats(table, cols.get("id"), key_cols)
    points = read_points(table, cols["lon"], cols["lat"], problems)
    ids = unique_ids(table, cols.get("id"), problems, prefix=p.stem)
    known_roles = set(cols.values()) | set(levels)
    kept: list[tuple[int, int, str, str, tuple[str, ...], str, tuple[tuple[str, str], ...]]] = []
    aside: list[tuple[int, int, str, str, str, str, str, tuple[str, ...]]] = []
    tally: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    addr_col = cols.get("address")
    classify_row = standard.classify_poi if standard is not None else None
    for k, (row, cells) in enumerate(table.rows):
        if levels:
            category = ";".join(t for i in levels if (t := text_of(cells, i)))
        else:
            category = text_of(cells, cat_col)
        typecode = text_of(cells, code_col)
        name = text_of(cells, name_col)
        items_text = text_of(cells, items_col)
        codes: tuple[str, ...] = ()
        if category or typecode:
            if classify_row is not None:
                codes = classify_row(category, typecode=typecode, name=name)
            else:
                codes = _classify_category(category, by_text)
            tally[(category, typecode, codes)] += 1
            if strict and not codes:
                problems.add(
                    _unknown(
                        "unknown_category",
                        "类别",
                        "category",
                        category or typecode,
                        vocabulary,
                        file=src,
                        row=row,
                        column=cat_header,
                    )
                )
        elif not items_text:
            tally[("", "", ())] += 1
        if items_text:
            codes = _with_items(
                codes, items_text, by_text, problems, vocabulary, src, row, items_header
            )
        if codes:
            tags = _tags(table.headers, cells, known_roles, category, typecode, items_text)
            kept.append((k, row, ids[k], name, codes, text_of(cells, addr_col), tags))
        elif strict:
            if not category and not typecode and not items_text:
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
        elif not items_text:
            aside.append(
                (k, row, ids[k], name, category, typecode, text_of(cells, addr_col), cells)
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
            row=row,
        )
        for k, row, fid, name, codes, address, tags in kept
    )
    set_aside = tuple(
        SetAsideRow(src, row, fid, name, cat, code, address, float(lon[k]), float(lat[k]))
        for k, row, fid, name, cat, code, address, _cells in aside
    )
    hosts: tuple[Facility, ...] = ()
    if standard is not None and standard.hosts:
        hosts = tuple(
            Facility(
                fid,
                name,
                float(lon[k]),
                float(lat[k]),
                (),
                address,
                p.name,
                _tags(table.headers, cells, known_roles, cat, code, ""),
                row=row,
            )
            for k, row, fid, name, cat, code, address, cells in aside
            if standard.host_kind_of(name=name, category=cat, typecode=code) is not None
        )
    skipped = tuple(
        (what, n)
        for what, n in (("repeated_header", repeated_headers), ("repeated_row", repeated_rows))
        if n
    )
    return RegisterResult(
        facilities=facilities,
        source=src,
        crs=crs,
        encoding=table.encoding,
        sheet=table.sheet,
        header_row=table.header_row,
        columns={role: table.headers[i] for role, i in cols.items()}
        | ({"category": cat_header} if levels else {}),
        rows=tuple(row for _k, row, *_rest in kept),
        set_aside=set_aside,
        tally=tuple(
            TypeTally(cat, code, items, n)
            for (cat, code, items), n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        hosts=hosts,
        skipped=skipped,
    )


# ---------------------------------------------------------------------------------------------
# reporting


def _type_label(category: str, typecode: str) -> str:
    codes = "|".join(normalise_typecode(typecode)) or typecode
    if category and codes:
        return f"{category} [{codes}]"
    return category or codes


def tally_lines(
    tally: Sequence[TypeTally], standard: Standard | None = None, *, limit: int = 30
) -> list[str]:
    """Which type went to which item, and how many rows of each type were set aside (the
    ``limit`` most common; the rest summed), as lines to print."""

    def label(code: str) -> str:
        if standard is None:
            return code
        try:
            return f"{code} {standard.item(code).name_zh}"
        except KeyError:
            return code

    to_items: dict[str, Counter[str]] = {}
    outside: Counter[str] = Counter()
    for t in tally:
        key = _type_label(t.category, t.typecode)
        if t.items:
            to_items.setdefault(key, Counter())[" + ".join(label(c) for c in t.items)] += t.rows
        else:
            outside[key] += t.rows
    lines: list[str] = []
    if to_items:
        lines.append("类型 → 项目 / type → item:")
        ordered = sorted(to_items.items(), key=lambda kv: -sum(kv[1].values()))
        for key, counts in ordered:
            parts = "; ".join(f"{items} ({n:,})" for items, n in counts.most_common())
            lines.append(f"  {key} → {parts}")
    if outside:
        total = sum(outside.values())
        lines.append(
            f"不在标准内，已略过 {total:,} 行（{len(outside)} 类，见 not_in_standard.csv）/ "
            f"{total:,} rows of {len(outside)} types outside the standard set aside "
            "(listed in not_in_standard.csv):"
        )
        for key, n in outside.most_common(limit):
            lines.append(f"  {key}: {n:,}")
        rest = outside.most_common()[limit:]
        if rest:
            lines.append(
                f"  … 另 {len(rest)} 类 {sum(n for _, n in rest):,} 行 / "
                f"{len(rest)} more types, {sum(n for _, n in rest):,} rows"
            )
    return lines


def skipped_lines(result: RegisterResult) -> list[str]:
    """Lines saying which repeated lines were left out of a register."""
    out = []
    for what, n in result.skipped:
        if what == "repeated_header":
            out.append(
                f"{result.source}: {n} 行重复的表头已略过 / {n} repeated header lines skipped"
            )
        else:
            out.append(
                f"{result.source}: {n} 行与前面编号相同、内容相同的重复行已略过 / "
                f"{n} rows repeating an earlier row (same id and content) skipped"
            )
    return out


def write_not_in_standard(path: Path, rows: Sequence[SetAsideRow]) -> None:
    """``not_in_standard.csv``: every set-aside row, through the one table writer (UTF-8 with
    BOM, as Excel opens it; texts neutralised against formulas)."""
    write_rows_csv(
        path,
        NOT_IN_STANDARD_HEADER,
        (
            (
                r.source,
                r.row,
                r.facility_id,
                r.name,
                r.category,
                r.typecode,
                r.address,
                f"{r.lon:.7f}",
                f"{r.lat:.7f}",
            )
            for r in rows
        ),
    )
