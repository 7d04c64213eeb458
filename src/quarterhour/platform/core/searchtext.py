"""Text as residents type it, folded to one form for matching.

Names are stored once more in a ``search_text`` column, folded: NFKC (full-width Latin letters
and digits become half-width), traditional characters made simplified (OpenCC ``t2s``), lower
case, single spaces. A query folded the same way then needs one ``LIKE`` on one column instead
of one per spelling and field.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any, ClassVar

from django.db import models


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


class FoldedSearchText(models.Model):
    """A model with a ``search_text`` column kept folded from ``search_text_from`` on every save.

    Bulk writes skip ``save()``: call :meth:`refresh_search_text` on each row before them."""

    #: the fields folded into ``search_text``, in order
    search_text_from: ClassVar[tuple[str, ...]] = ()
    search_text = models.TextField(default="", blank=True, editable=False)

    class Meta:
        abstract = True

    def refresh_search_text(self) -> None:
        self.search_text = search_text(*(str(getattr(self, f)) for f in self.search_text_from))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        if kwargs.get("update_fields") is not None:  # saving some fields refreshes it too
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)
