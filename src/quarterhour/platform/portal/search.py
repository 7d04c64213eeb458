"""Search text for residents: full-/half-width, traditional/simplified Chinese, English case.

Stored names are matched as they are (a database ``icontains``), so a query is expanded into the
few forms a stored name may take: NFKC-folded (full-width Latin letters and digits become
half-width), its full-width twin, and the simplified form of traditional characters.
"""

from __future__ import annotations

import unicodedata

from django.db.models import Q

from quarterhour.platform.core.searchtext import fold as fold
from quarterhour.platform.core.searchtext import simplified as simplified

#: longest query we accept (anything longer is cut, never an error)
MAX_QUERY = 100


def full_width(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text
    )


def variants(query: str) -> list[str]:
    """The distinct forms of a query to look for (empty for a blank query)."""
    q = " ".join(query.strip().split())[:MAX_QUERY]
    if not q:
        return []
    folded = fold(q)
    out: list[str] = []
    for form in (q, folded, simplified(q), full_width(folded), unicodedata.normalize("NFKC", q)):
        if form and form not in out:
            out.append(form)
    return out


def text_q(query: str, *fields: str) -> Q:
    """A filter matching any form of ``query`` in any of ``fields`` (case-insensitive)."""
    cond = Q()
    for form in variants(query):
        for f in fields:
            cond |= Q(**{f"{f}__icontains": form})
    return cond


def matching_item_codes(query: str) -> list[str]:
    """Standard items and services whose Chinese or English names contain the query
    (so "pharmacy" or "藥店" finds services filed under 药店 whatever their own names)."""
    from quarterhour.platform.core import standard

    needle = fold(query)
    if len(needle) < 2:
        return []
    std = standard.engine_standard()
    out = [i.code for i in std.items if any(needle in fold(n) for n in i.names())]
    for cat in std.categories:
        out += [s.code for s in cat.services if needle in fold(f"{s.name_zh} {s.name_en}")]
    return out


def folded_q(query: str, *fields: str) -> Q:
    """A filter matching the folded query in any of the folded ``search_text`` fields (empty
    for a blank query): one ``LIKE`` per field whatever the spelling of the query."""
    needle = fold(query[:MAX_QUERY])
    cond = Q()
    if needle:
        for f in fields:
            cond |= Q(**{f"{f}__contains": needle})
    return cond
