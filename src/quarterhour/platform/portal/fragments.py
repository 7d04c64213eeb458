"""The near-me result's category sections as HTML, built in Python.

A near-me page lists a few lines under each item of each of the standard's categories; through
the template engine those few dozen small nodes were a good part of a request's time, so the
sections are joined here from the lines :mod:`.directory` keeps. Every value is escaped as
``format_html`` would (:func:`.directory._h`), joined with f-strings: the same characters without
its per-argument overhead.
"""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quarterhour.platform.portal.directory import _h
from quarterhour.platform.portal.selectors import CategoryBlock, NearMe


def _more(here: str, key: str, anchor: str, text: str) -> str:
    return (
        f'<p class="more"><a href="?{_h(here)}&amp;more={_h(key)}#{_h(anchor)}">{_h(text)}</a></p>'
    )


def block_html(block: CategoryBlock, *, here: str) -> SafeString:
    """One category: its items with their nearest places, its services, "more" links."""
    parts: list[str] = [f"<h3>{_h(block.label)}</h3>"]
    for row in block.items:
        code = _h(row.code)
        parts.append(f'<h4 id="item-{code}">{_h(row.label)}</h4>')
        parts.append(f'<ul class="hits">{"".join(h.html for h in row.listed)}</ul>')
        if row.more:
            text = ngettext("更多（还有 %(n)s 处）", "更多（还有 %(n)s 处）", row.more) % {
                "n": row.more
            }
            parts.append(_more(here, row.code, f"item-{row.code}", text))
    if block.services:
        parts.append(f'<h4 id="services-{_h(block.code)}">{_h(_("服务"))}</h4>')
        parts.append(f'<ul class="services">{"".join(line.html for line in block.services)}</ul>')
        if block.services_more:
            n = block.services_more
            text = ngettext("更多服务（还有 %(n)s 项）", "更多服务（还有 %(n)s 项）", n) % {"n": n}
            parts.append(_more(here, block.more_key, f"services-{block.code}", text))
    if not block.items and not block.services:
        parts.append(f'<p class="none">{_h(_("步行范围内暂无这一类的服务点。"))}</p>')
    body = "\n".join(parts)
    return SafeString(f'<section class="category" id="cat-{_h(block.code)}">\n{body}\n</section>')


def blocks_html(result: NearMe, *, here: str) -> SafeString:
    """Every category section of a near-me result, in the standard's order."""
    return SafeString("\n".join(block_html(b, here=here) for b in result.blocks))
