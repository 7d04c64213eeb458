"""Text as residents type it, folded to one form for matching.

Names are stored once more in a ``search_text`` column, folded: NFKC (full-width Latin letters
and digits become half-width), traditional characters made simplified (OpenCC ``t2s``), lower
case, single spaces. A query folded the same way then needs one ``LIKE`` on one column instead
of one per spelling and field.
"""

from __future__ import annotations

import functools
import unicodedata


@functools.cache
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return str(_t2s().convert(text))  # type: ignore[attr-defined]


def fold(text: str) -> str:
    """NFKC (full-width → half-width), simplified Chinese, lower case, single spaces."""
    return " ".join(simplified(unicodedata.normalize("NFKC", text)).lower().split())


def search_text(*parts: str) -> str:
    """The folded text stored for matching: the parts, folded, one per line."""
    return "\n".join(f for f in (fold(p) for p in parts if p) if f)


def with_search_text(update_fields: object) -> object:
    """``save(update_fields=…)`` plus ``search_text`` (None stays None: every field is saved)."""
    if update_fields is None:
        return None
    return {*update_fields, "search_text"}  # type: ignore[misc]
