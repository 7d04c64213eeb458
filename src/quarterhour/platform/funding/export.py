"""The district roll-up as an XLSX workbook (openpyxl): sheets by street × source, by use, and
the contracts. Headers Chinese first with English alongside; amounts in yuan."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from quarterhour.platform.funding.models import Source, Use
from quarterhour.platform.funding.selectors import Rollup

BOLD = Font(bold=True)


def _header(ws, values: list[str]) -> None:  # type: ignore[no-untyped-def]
    ws.append(values)
    for cell in ws[ws.max_row]:
        cell.font = BOLD


def rollup_xlsx(r: Rollup) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "来源 Sources"
    ws.append([f"{r.district.name} {r.year} 年经费汇总 / Funding roll-up (元 / CNY)"])
    _header(ws, ["街道 Street", *[f"{s.label} {s.value}" for s in Source], "合计 Total"])
    streets = list(r.by_street)
    for street in streets:
        row = [
            float(sum(v for (st, so, _u), v in r.cells.items() if st == street and so == s.value))
            for s in Source
        ]
        ws.append([street, *row, float(r.by_street[street])])
    ws.append(["合计 Total", *[float(r.by_source.get(s.value, 0)) for s in Source], float(r.total)])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    uses = wb.create_sheet("用途 Uses")
    _header(uses, ["街道 Street", *[f"{u.label} {u.value}" for u in Use], "合计 Total"])
    for street in streets:
        row = [
            float(sum(v for (st, _s, us), v in r.cells.items() if st == street and us == u.value))
            for u in Use
        ]
        uses.append([street, *row, float(r.by_street[street])])
    uses.append(["合计 Total", *[float(r.by_use.get(u.value, 0)) for u in Use], float(r.total)])
    for cell in uses[uses.max_row]:
        cell.font = BOLD
    cs = wb.create_sheet("合同 Contracts")
    _header(
        cs,
        [
            "合同编号 Number",
            "街道 Street",
            "承接服务商 Provider",
            "内容 Title",
            "金额 Amount",
            "签订 Signed",
            "开始 Starts",
            "结束 Ends",
        ],
    )
    for c in r.contracts:
        cs.append(
            [
                c.number,
                c.street.name,
                c.provider.name,
                c.title,
                float(c.amount),
                c.signed_on,
                c.starts_on,
                c.ends_on,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
