"""The one writer of the tables the product hands out: CSV and XLSX, engine and platform alike.

Every CSV and XLSX file quarterhour writes goes through this module, so that nothing it writes
can attack the spreadsheet that opens it (CSV / formula injection, OWASP): a text cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, and a
spreadsheet shows it as text instead of running it. Numbers stay numbers: an ``int``, ``float``
or ``Decimal`` is written as a number (a real -5 stays -5), and so is a text that is exactly a
plain decimal number ("-12.50", as callers that format their numbers themselves write them);
the text "-5 元" is not a number and is neutralised.

>>> neutralise('=HYPERLINK("http://x"&A1,"y")')
'\\'=HYPERLINK("http://x"&A1,"y")'
>>> neutralise("-5 元"), neutralise("-12.50"), neutralise("长安药房")
("'-5 元", '-12.50', '长安药房')
>>> csv_cell(-5), csv_cell(0.25), csv_cell(True), csv_cell(None)
('-5', '0.25', 'yes', '')

CSV files are UTF-8 with a byte-order mark (spreadsheet programs then read Chinese correctly),
``\\n`` line ends, rows in the caller's order: the same input gives the same bytes. XLSX files
are written in openpyxl's streaming (write-only) mode; characters that XLSX cannot hold (C0
controls other than tab and line ends) are dropped and text is cut at Excel's 32,767 characters.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

CSV_ENCODING = "utf-8-sig"

#: what a cell may hold
Cell = str | int | float | Decimal | bool | _dt.date | None

#: a text cell beginning with one of these is neutralised (OWASP, CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CHARS = "".join(FORMULA_TRIGGERS)
#: a plain decimal number, which a spreadsheet reads as that number and nothing else
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
#: characters an XLSX file cannot hold (XML 1.0): C0 controls but tab, line feed, return
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: longest text Excel keeps in one cell
XLSX_MAX_CELL_CHARS = 32_767
#: most decimals a float is written with in CSV (1 cm in degrees of latitude)
CSV_MAX_DECIMALS = 7


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet must show it: with a leading ``'`` when it begins like a
    formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) and is not a plain number."""
    if text and text[0] in _TRIGGER_CHARS and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _float_text(v: float) -> str:
    if not math.isfinite(v):
        return ""
    text = f"{v:.{CSV_MAX_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def csv_cell(v: Cell) -> str:
    """The CSV text of one value (None → empty, booleans yes/no, dates ISO)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return _float_text(v)
    if isinstance(v, int | Decimal):
        return str(v)
    if isinstance(v, _dt.date):
        return v.isoformat()
    return neutralise(str(v))


def xlsx_cell(v: Cell) -> Cell:
    """The XLSX value of one value: numbers and dates as such, booleans 是/否, text neutralised."""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is None or isinstance(v, int | float | Decimal | _dt.date):
        return v
    text = _XLSX_ILLEGAL.sub("", str(v))
    if len(text) > XLSX_MAX_CELL_CHARS:
        text = text[: XLSX_MAX_CELL_CHARS - 1] + "…"
    return neutralise(text)


# ---------------------------------------------------------------------------------------------
# CSV


class CsvRows:
    """Rows into an open text file, every cell through :func:`csv_cell`."""

    def __init__(self, fh: IO[str]) -> None:
        self._w = csv.writer(fh, lineterminator="\n")

    def row(self, cells: Iterable[Cell]) -> None:
        self._w.writerow([csv_cell(v) for v in cells])

    def rows(self, rows: Iterable[Iterable[Cell]]) -> None:
        self._w.writerows(map(_csv_row, rows))


def _csv_row(row: Iterable[Cell]) -> Sequence[Cell]:
    """The row as CSV text; a row of plain text cells (the bulk of a big table such as
    ``reach.csv``) is passed on as it is, after one quick look at each cell's first character."""
    cells = row if row.__class__ in (list, tuple) else list(row)
    for v in cells:
        if v.__class__ is not str or (v and v[0] in _TRIGGER_CHARS):
            return [csv_cell(x) for x in cells]
    return cells


@contextmanager
def csv_file(path: Path) -> Iterator[CsvRows]:
    """A CSV file to write row by row (for tables too big to hold at once)."""
    with Path(path).open("w", encoding=CSV_ENCODING, newline="") as fh:
        yield CsvRows(fh)


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[Cell]]) -> bytes:
    """The same CSV as :func:`write_rows_csv`, as bytes (a download)."""
    buf = io.StringIO(newline="")
    out = CsvRows(buf)
    out.row(header)
    out.rows(rows)
    return buf.getvalue().encode(CSV_ENCODING)


def write_rows_csv(path: Path, header: Sequence[str], rows: Iterable[Iterable[Cell]]) -> None:
    """A CSV file: the header, then the rows."""
    with csv_file(path) as out:
        out.row(header)
        out.rows(rows)


# ---------------------------------------------------------------------------------------------
# XLSX


class XlsxSheet:
    """One worksheet of an :class:`XlsxBook`, written row by row."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws

    def widths(self, widths: Sequence[float]) -> None:
        """Column widths (characters), before the first row."""
        from openpyxl.utils import get_column_letter

        for i, w in enumerate(widths, start=1):
            self._ws.column_dimensions[get_column_letter(i)].width = w

    def freeze(self, cell: str) -> None:
        """Keep the rows above and the columns left of ``cell`` in view (before the first row)."""
        self._ws.freeze_panes = cell

    def row(self, cells: Iterable[Cell], *, style: str = "") -> None:
        """Append a row; ``style`` is "" (plain), "bold", "header" (bold on blue, wrapped) or
        "note" (grey italic)."""
        values = [xlsx_cell(v) for v in cells]
        if not style:
            self._ws.append(values)
            return
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        out = []
        for v in values:
            cell = WriteOnlyCell(self._ws, value=v)
            if style in ("bold", "header"):
                cell.font = Font(bold=True)
            if style == "header":
                cell.fill = PatternFill("solid", fgColor="DDEBF7")
                cell.alignment = Alignment(wrap_text=True)
            if style == "note":
                cell.font = Font(italic=True, color="666666")
            out.append(cell)
        self._ws.append(out)

    def rows(self, rows: Iterable[Iterable[Cell]]) -> None:
        for r in rows:
            self._ws.append([xlsx_cell(v) for v in r])


class XlsxBook:
    """A workbook written in openpyxl's streaming mode: add sheets, append rows, save once."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self._wb = Workbook(write_only=True)
        self._wb.properties.creator = "quarterhour"
        self._wb.properties.created = _dt.datetime(2000, 1, 1)  # reproducible files

    def sheet(self, title: str) -> XlsxSheet:
        # titles: at most 31 characters, none of []:*?/\ (Excel's rules)
        clean = re.sub(r"[\[\]:*?/\\]", " ", _XLSX_ILLEGAL.sub("", title)).strip()[:31]
        return XlsxSheet(self._wb.create_sheet(clean or "Sheet"))

    def save(self, target: Path | IO[bytes]) -> None:
        self._wb.save(target)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self._wb.save(buf)
        return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# sheets with bilingual headers (the planning exports)


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the CSV header (English snake case)
    zh: str  # the XLSX header a street office reads
    en: str  # the English row under it


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str  # file stem / layer key
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


def write_csv(path: Path, sheet: Sheet) -> None:
    """One sheet as CSV: the column keys, then the rows."""
    write_rows_csv(path, [c.key for c in sheet.columns], sheet.rows)


def write_xlsx(path: Path, sheets: Sequence[Sheet], *, notes: Sequence[str] = ()) -> None:
    """One worksheet per sheet (Chinese headers, an English row beneath, frozen panes), then a
    「说明」 sheet with ``notes``."""
    book = XlsxBook()
    for sh in sheets:
        ws = book.sheet(sh.title_zh)
        ws.freeze("A3")
        ws.widths([max(10, min(40, 2 * len(c.zh) + 4)) for c in sh.columns])
        ws.row([c.zh for c in sh.columns], style="header")
        ws.row([c.en for c in sh.columns], style="note")
        ws.rows(sh.rows)
    info = book.sheet("说明")
    info.widths([100])
    info.row(["说明 / notes"], style="bold")
    info.rows([line] for line in notes)
    book.save(path)
