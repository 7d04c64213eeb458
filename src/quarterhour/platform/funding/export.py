"""The district roll-up as an XLSX workbook: sheets by street × source, by use, and the
contracts. Headers Chinese first with English alongside; amounts in yuan, as numbers.

Written through the engine's one table writer, which neutralises text (a contract title or a
provider's name) that a spreadsheet would run as a formula.
"""

from __future__ import annotations

from quarterhour.engine.table_writer import XlsxBook
from quarterhour.platform.funding.models import Source, Use
from quarterhour.platform.funding.selectors import Rollup


def rollup_xlsx(r: Rollup) -> bytes:
    book = XlsxBook()
    streets = list(r.by_street)

    ws = book.sheet("来源 Sources")
    ws.row([f"{r.district.name} {r.year} 年经费汇总 / Funding roll-up (元 / CNY)"])
    ws.row(["街道 Street", *[f"{s.label} {s.value}" for s in Source], "合计 Total"], style="bold")
    for street in streets:
        by_source = [
            sum(v for (st, so, _u), v in r.cells.items() if st == street and so == s.value)
            for s in Source
        ]
        ws.row([street, *by_source, r.by_street[street]])
    ws.row(["合计 Total", *[r.by_source.get(s.value, 0) for s in Source], r.total], style="bold")

    uses = book.sheet("用途 Uses")
    uses.row(["街道 Street", *[f"{u.label} {u.value}" for u in Use], "合计 Total"], style="bold")
    for street in streets:
        by_use = [
            sum(v for (st, _s, us), v in r.cells.items() if st == street and us == u.value)
            for u in Use
        ]
        uses.row([street, *by_use, r.by_street[street]])
    uses.row(["合计 Total", *[r.by_use.get(u.value, 0) for u in Use], r.total], style="bold")

    cs = book.sheet("合同 Contracts")
    cs.row(
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
        style="bold",
    )
    cs.rows(
        [
            c.number,
            c.street.name,
            c.provider.name,
            c.title,
            c.amount,
            c.signed_on,
            c.starts_on,
            c.ends_on,
        ]
        for c in r.contracts
    )
    return book.to_bytes()
