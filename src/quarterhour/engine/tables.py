"""Reading the tables people keep: CSV (UTF-8 or GBK/GB18030) and XLSX, Chinese or English headers.

Shared by the facility-register and origin readers. Row numbers are the ones a spreadsheet
shows: the header is usually row 1 and the first record row 2 (a title row above the header,
common in Chinese 台账, shifts both, and the numbers still match what the user sees).

Encoding: an explicit ``encoding`` wins; otherwise a UTF-8 byte-order mark means UTF-8, then strict
UTF-8 is tried, then GB18030 (a superset of GBK and GB2312, what Excel on Chinese Windows writes).
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from quarterhour.engine._errors import InputError, Problem, ProblemCollector
from quarterhour.engine.coords import in_china

FloatArray = npt.NDArray[np.float64]

#: How many rows at the top of a file may precede the header (title rows, notes).
HEADER_SEARCH_ROWS = 10

#: Recognised header names per role, compared after :func:`normalise_header`.
COORD_HEADERS: Mapping[str, tuple[str, ...]] = {
    "lon": ("经度", "lon", "lng", "long", "longitude", "x", "经度坐标", "经度值"),
    "lat": ("纬度", "lat", "latitude", "y", "纬度坐标", "纬度值"),
}


@dataclass(frozen=True, slots=True)
class Table:
    """The cells of a table as text, with spreadsheet row numbers."""

    source: str
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str | None = None
    sheet: str | None = None


def normalise_header(text: str) -> str:
    """Header text for matching: NFKC, lower case, no spaces/BOM, no trailing unit ``(…)``.

    >>> normalise_header(" 经度（GCJ-02） ")
    '经度'
    >>> normalise_header("Longitude")
    'longitude'
    """
    h = unicodedata.normalize("NFKC", text).replace("\ufeff", "").strip().lower()
    for opening in ("(", "["):
        cut = h.find(opening)
        if cut > 0:
            h = h[:cut]
    return "".join(h.split()).replace("_", "").replace("-", "")


def match_columns(headers: Sequence[str], synonyms: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Column index per role, the first header matching one of the role's synonyms."""
    norm = [normalise_header(h) for h in headers]
    found: dict[str, int] = {}
    for role, names in synonyms.items():
        wanted = {normalise_header(n) for n in names}
        for i, h in enumerate(norm):
            if h in wanted:
                found[role] = i
                break
    return found


def decode_text(data: bytes, *, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file: explicit encoding, else UTF-8 (BOM or strict), else GB18030."""
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                Problem(
                    "file_encoding",
                    f"无法按 {encoding} 解码：{exc}",
                    f"cannot decode as {encoding}: {exc}",
                    file=source,
                )
            ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            Problem(
                "file_encoding",
                f"第 {line} 行既不是 UTF-8 也不是 GBK/GB18030 编码，请另存为 UTF-8 CSV 或指定编码",
                f"line {line} is neither UTF-8 nor GBK/GB18030; "
                "save as UTF-8 CSV or give the encoding",
                file=source,
                row=line,
            )
        ) from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()


@dataclass(frozen=True, slots=True)
class TableLimits:
    """How big a table the readers accept. Checked before a file is loaded (its size, an XLSX
    file's unpacked size and declared extent) and while its rows stream (rows, columns), so that
    a small file claiming a huge sheet is refused in a moment, in little memory.

    The defaults suit the command line (a city's homes); the platform passes its own, smaller
    ones for uploads.
    """

    #: largest file, bytes
    max_bytes: int = 1 << 30
    #: most rows (after the header)
    max_rows: int = 2_000_000
    #: most columns (cells present in the file, formatted empty ones included)
    max_columns: int = 256
    #: XLSX: largest unpacked size of all parts together, bytes
    max_unpacked_bytes: int = 4 << 30
    #: XLSX: largest shared-strings part (read whole by the XLSX reader), bytes
    max_shared_strings_bytes: int = 256 << 20


DEFAULT_LIMITS = TableLimits()


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f}".rstrip("0").rstrip(".")


def _too_big(source: str, zh: str, en: str, *, row: int | None = None) -> InputError:
    return InputError(Problem("file_too_large", zh, en, file=source, row=row))


def _check_size(path: Path, source: str, limits: TableLimits) -> None:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _too_big(
            source,
            f"文件有 {_mib(size)} MB，超过上限 {_mib(limits.max_bytes)} MB：请拆分后分别导入",
            f"the file is {_mib(size)} MB, more than the {_mib(limits.max_bytes)} MB limit: "
            "split it and import the parts",
        )


def _row_limit(source: str, limits: TableLimits, row: int, sheet: str | None = None) -> InputError:
    where_zh = f"工作表「{sheet}」" if sheet else "表格"
    where_en = f"sheet {sheet!r}" if sheet else "the table"
    return _too_big(
        source,
        f"{where_zh}超过 {limits.max_rows} 行（上限）：请拆分后分别导入，或删除多余的空行",
        f"{where_en} has more than {limits.max_rows} rows (the limit): split it, or delete "
        "the extra empty rows",
        row=row,
    )


def _column_limit(
    source: str, limits: TableLimits, row: int, width: int, sheet: str | None = None
) -> InputError:
    from openpyxl.utils import get_column_letter

    last = get_column_letter(min(width, 16_384))
    where_zh = f"工作表「{sheet}」" if sheet else "表格"
    where_en = f"sheet {sheet!r}" if sheet else "the table"
    return _too_big(
        source,
        f"{where_zh}第 {row} 行有单元格（包括只设了格式的空单元格）一直到第 {last} 列"
        f"（第 {width} 列），超过上限 {limits.max_columns} 列：请删除多余的列后另存，再导入",
        f"row {row} of {where_en} has cells (formatted empty ones included) out to column "
        f"{last} ({width}), beyond the {limits.max_columns}-column limit: delete the extra "
        "columns, save, and import again",
        row=row,
    )


def _extent_limit(source: str, limits: TableLimits, sheet: str, rows: int, cols: int) -> InputError:
    from openpyxl.utils import get_column_letter

    extent = f"A1:{get_column_letter(min(cols, 16_384))}{rows}"
    return _too_big(
        source,
        f"工作表「{sheet}」的范围是 {extent}（{rows} 行、{cols} 列），超过上限 "
        f"{limits.max_rows} 行、{limits.max_columns} 列："
        "请删除多余的行和列（包括只设了格式的空行列）后另存，再导入",
        f"sheet {sheet!r} spans {extent} ({rows} rows, {cols} columns), beyond the limits of "
        f"{limits.max_rows} rows and {limits.max_columns} columns: delete the extra rows and "
        "columns (formatted empty ones too), save, and import again",
    )


def _csv_records(text: str, source: str, limits: TableLimits) -> Iterator[list[str]]:
    """The records of a CSV/TSV text (tab-separated when the first line has more tabs than
    commas), trailing empty cells dropped, checked against the limits as they come."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    n = 0
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(
                Problem(
                    "file_unreadable",
                    f"第 {n + 1} 行无法按 CSV 读取（{exc}）：请检查引号是否成对，或另存为 CSV",
                    f"row {n + 1} cannot be read as CSV ({exc}): check the quotes, or save "
                    "the file as CSV again",
                    file=source,
                    row=n + 1,
                )
            ) from exc
        n += 1
        if n > limits.max_rows + HEADER_SEARCH_ROWS:
            raise _row_limit(source, limits, n)
        cells = [c.strip() for c in rec]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > limits.max_columns:
            raise _column_limit(source, limits, n, len(cells))
        yield cells


def _unreadable_xlsx(source: str, detail: str) -> InputError:
    return InputError(
        Problem(
            "file_unreadable",
            "无法读取该 XLSX 文件（文件已损坏，或并非 XLSX）："
            "请用 Excel 或 WPS 另存为 .xlsx 或 CSV",
            f"cannot read the XLSX file{f' ({detail})' if detail else ''}: it is damaged or not "
            "an XLSX file; save it again as .xlsx or CSV",
            file=source,
        )
    )


def _check_xlsx_parts(path: Path, source: str, limits: TableLimits) -> None:
    """Refuse an XLSX file whose parts unpack beyond the limits, before any is read."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _unreadable_xlsx(source, "") from exc
    unpacked = sum(i.file_size for i in infos)
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if unpacked > limits.max_unpacked_bytes or strings > limits.max_shared_strings_bytes:
        raise _too_big(
            source,
            f"该 XLSX 文件解压后有 {_mib(unpacked)} MB（文字部分 {_mib(strings)} MB），超过上限 "
            f"{_mib(limits.max_unpacked_bytes)} MB / {_mib(limits.max_shared_strings_bytes)} MB："
            "请拆分后分别导入",
            f"the XLSX file unpacks to {_mib(unpacked)} MB (text {_mib(strings)} MB), beyond "
            f"the {_mib(limits.max_unpacked_bytes)} MB / "
            f"{_mib(limits.max_shared_strings_bytes)} MB limits: split it",
        )


def _xlsx_rows(ws: Any, source: str, limits: TableLimits) -> Iterator[list[str]]:
    """The rows of a read-only worksheet as text, row 1 first (missing rows come as empty
    ones, so that positions are the spreadsheet's row numbers), checked as they stream."""
    title = str(ws.title)
    rows, cols = int(ws.max_row or 0), int(ws.max_column or 0)
    if cols > limits.max_columns or rows > limits.max_rows + HEADER_SEARCH_ROWS:
        raise _extent_limit(source, limits, title, rows, cols)
    # the declared extent may be missing or wrong: read each row as far as its own cells go
    ws.reset_dimensions()
    for n, values in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
        if n > limits.max_rows + HEADER_SEARCH_ROWS:
            raise _row_limit(source, limits, n, title)
        if len(values) > limits.max_columns:
            raise _column_limit(source, limits, n, len(values), title)
        cells = [_cell_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        yield cells


@contextmanager
def _xlsx_sheets(
    path: Path, source: str, limits: TableLimits
) -> Iterator[Iterator[tuple[str | None, Iterator[list[str]]]]]:
    """The sheets of an XLSX file, each as (title, streamed rows), read in openpyxl's read-only
    (streaming) mode after the parts' sizes are checked."""
    from openpyxl import load_workbook

    _check_xlsx_parts(path, source, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise _unreadable_xlsx(source, type(exc).__name__) from exc
    try:
        yield ((str(ws.title), _xlsx_rows(ws, source, limits)) for ws in wb.worksheets)
    finally:
        wb.close()


@contextmanager
def _sheets(
    path: Path, source: str, encoding: str | None, limits: TableLimits
) -> Iterator[tuple[Iterator[tuple[str | None, Iterator[list[str]]]], str | None]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(Problem("file_missing", "文件不存在", "file not found", file=source))
    if suffix == ".xls":
        raise InputError(
            Problem(
                "file_format",
                "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV",
                "old .xls files are not supported; save as .xlsx or CSV",
                file=source,
            )
        )
    _check_size(path, source, limits)
    if suffix in (".xlsx", ".xlsm"):
        with _xlsx_sheets(path, source, limits) as sheets:
            yield sheets, None
        return
    text, used = decode_text(path.read_bytes(), source=source, encoding=encoding)
    yield iter([(None, _csv_records(text, source, limits))]), used


def read_table(
    path: str | Path,
    *,
    encoding: str | None = None,
    required: Mapping[str, Sequence[str]] = COORD_HEADERS,
    limits: TableLimits = DEFAULT_LIMITS,
    alternatives: Sequence[Mapping[str, Sequence[str]]] = (),
) -> Table:
    """Read a CSV/TSV/XLSX table whose header row holds every role in ``required`` (or, failing
    that, every role of one of the ``alternatives``).

    The header is the first row (of the first sheet that has one, within
    :data:`HEADER_SEARCH_ROWS` rows) where all required roles are found. Entirely empty rows are
    left out; row numbers stay the spreadsheet's. A missing header raises one error listing the
    headers that were found (and naming the ``required`` roles). ``limits`` bound the file (see
    :class:`TableLimits`); a file beyond them raises ``file_too_large`` before it is loaded, or as
    soon as a row passes them.
    """
    p = Path(path)
    source = str(path)
    first: list[str] = []
    wanted = (required, *alternatives)
    with _sheets(p, source, encoding, limits) as (sheets, used):
        for sheet, records in sheets:
            for i, rec in enumerate(records, start=1):
                if not first and any(rec):
                    first = rec
                if any(len(match_columns(rec, roles)) == len(roles) for roles in wanted):
                    width = len(rec)
                    rows = tuple(
                        (j, tuple(r + [""] * (width - len(r))) if len(r) < width else tuple(r))
                        for j, r in enumerate(records, start=i + 1)
                        if any(r)
                    )
                    return Table(
                        source=source,
                        headers=tuple(rec),
                        header_row=i,
                        rows=rows,
                        encoding=used,
                        sheet=sheet,
                    )
                if i >= HEADER_SEARCH_ROWS:
                    break
    if not first:
        raise InputError(Problem("file_empty", "文件为空", "the file is empty", file=source))
    found = "、".join(h for h in first if h) or "—"
    wanted_zh = "；".join("/".join(names[:4]) for names in required.values())
    wanted_en = "; ".join("/".join(names[:4]) for names in required.values())
    raise InputError(
        Problem(
            "missing_columns",
            f"找不到必需的列（{wanted_zh}）。文件中的表头为：{found}",
            f"required columns not found ({wanted_en}). "
            f"Headers found: {', '.join(h for h in first if h) or '—'}",
            file=source,
            row=1,
        )
    )


def parse_number(text: str) -> float | None:
    """A finite number from a cell (full-width digits accepted), else None.

    >>> parse_number("１１６．４０４"), parse_number(" 39.9 "), parse_number("abc")
    (116.404, 39.9, None)
    >>> parse_number("nan") is None
    True
    """
    t = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if not t:
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


@dataclass(frozen=True, slots=True)
class PointColumns:
    """Parsed lon/lat per row: ``ok`` rows have usable coordinates (still in the file's CRS)."""

    lon: FloatArray
    lat: FloatArray
    ok: npt.NDArray[np.bool_]


def read_points(
    table: Table,
    lon_col: int,
    lat_col: int,
    problems: ProblemCollector,
) -> PointColumns:
    """Parse and check the coordinate columns of every row; problems name file, row and column.

    Detected: empty or non-numeric cells, values out of range, a row whose latitude only makes
    sense as a longitude (lat/lon swapped), the placeholder (0, 0), and a whole file whose
    columns are swapped (most points fall outside China but inside it when swapped — Chinese
    registers are the common case, and no real place elsewhere swaps into China's rectangle).
    """
    n = len(table.rows)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    lon_h, lat_h = table.headers[lon_col], table.headers[lat_col]
    src = table.source
    for k, (row, cells) in enumerate(table.rows):
        x_txt, y_txt = cells[lon_col], cells[lat_col]
        x, y = parse_number(x_txt), parse_number(y_txt)
        bad = False
        for val, txt, col, what_zh, what_en in (
            (x, x_txt, lon_h, "经度", "longitude"),
            (y, y_txt, lat_h, "纬度", "latitude"),
        ):
            if val is None:
                bad = True
                if txt:
                    problems.add(
                        Problem(
                            "coordinate_not_a_number",
                            f"{what_zh}不是数字：{txt!r}",
                            f"{what_en} is not a number: {txt!r}",
                            file=src,
                            row=row,
                            column=col,
                        )
                    )
                else:
                    problems.add(
                        Problem(
                            "coordinate_missing",
                            f"缺少{what_zh}",
                            f"{what_en} is missing",
                            file=src,
                            row=row,
                            column=col,
                        )
                    )
        if bad or x is None or y is None:
            continue
        if not -90.0 <= y <= 90.0 and -90.0 <= x <= 90.0 and -180.0 <= y <= 180.0:
            problems.add(
                Problem(
                    "coordinate_swapped",
                    f"纬度 {y_txt} 超出 ±90，而经度 {x_txt} 像是纬度：经纬度可能填反了",
                    f"latitude {y_txt} is beyond ±90 while longitude {x_txt} looks like a "
                    "latitude: lon and lat appear to be swapped",
                    file=src,
                    row=row,
                    column=lat_h,
                )
            )
            continue
        if not -180.0 <= x <= 180.0 or not -90.0 <= y <= 90.0:
            col = lon_h if not -180.0 <= x <= 180.0 else lat_h
            problems.add(
                Problem(
                    "coordinate_out_of_range",
                    f"坐标超出范围（经度 {x_txt}，纬度 {y_txt}）",
                    f"coordinate out of range (lon {x_txt}, lat {y_txt})",
                    file=src,
                    row=row,
                    column=col,
                )
            )
            continue
        if x == 0.0 and y == 0.0:
            problems.add(
                Problem(
                    "coordinate_zero",
                    "坐标为 (0, 0)，多半是未填写的占位值",
                    "coordinate is (0, 0), most likely a placeholder for a missing value",
                    file=src,
                    row=row,
                    column=lon_h,
                )
            )
            continue
        lon[k], lat[k] = x, y
        ok[k] = True
    if ok.sum() >= 3:
        inside = in_china(lon[ok], lat[ok])
        swapped = in_china(lat[ok], lon[ok])
        if inside.mean() < 0.2 and swapped.mean() >= 0.8:
            problems.add(
                Problem(
                    "columns_swapped",
                    f"“{lon_h}”列与“{lat_h}”列似乎填反了："
                    f"{int(swapped.sum())} 个点对调后才落在中国境内",
                    f"columns {lon_h!r} and {lat_h!r} appear swapped: {int(swapped.sum())} points "
                    "fall inside China only when lon and lat are exchanged",
                    file=src,
                    column=f"{lon_h}/{lat_h}",
                )
            )
            ok[:] = False
    return PointColumns(lon=lon, lat=lat, ok=ok)


def text_of(cells: Sequence[str], col: int | None) -> str:
    """The stripped cell text, or "" when the column is absent."""
    return "" if col is None or col >= len(cells) else cells[col].strip()


def unique_ids(
    table: Table,
    id_col: int | None,
    problems: ProblemCollector,
    *,
    prefix: str,
    prefix_cells: bool = True,
) -> list[str]:
    """Stable ids per row: ``<prefix>:<id cell>`` (or the bare cell when ``prefix_cells`` is
    false) or ``<prefix>:<row>`` where there is no id; duplicates are problems."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for row, cells in table.rows:
        raw = text_of(cells, id_col)
        ident = (f"{prefix}:{raw}" if prefix_cells else raw) if raw else f"{prefix}:{row}"
        if ident in seen:
            problems.add(
                Problem(
                    "duplicate_id",
                    f"编号 {ident!r} 与第 {seen[ident]} 行重复",
                    f"id {ident!r} repeats row {seen[ident]}",
                    file=table.source,
                    row=row,
                    column=None if id_col is None else table.headers[id_col],
                )
            )
        seen.setdefault(ident, row)
        ids.append(ident)
    return ids
