"""The near-me result's category sections as HTML, built in Python.

A near-me page lists a few lines under each item of each of the standard's categories; through
the template engine those few dozen small nodes were a good part of a request's time, so the
sections are joined here from the lines :mod:`.directory` keeps (escaped by ``format_html``).
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quarterhour.platform.portal.selectors import CategoryBlock, NearMe


def _more(here: str, key: str, anchor: str, text: str) -> SafeString:
    return format_html(
        '<p class="more"><a href="?{}&amp;more={}#{}">{}</a></p>', here, key, anchor, text
    )


def block_html(block: CategoryBlock, *, here: str) -> SafeString:
    """One category: its items with their nearest places, its services, "more" links."""
    parts: list[SafeString] = [format_html("<h3>{}</h3>", block.label)]
    for row in block.items:
        parts.append(format_html('<h4 id="item-{}">{}</h4>', row.code, row.label))
        parts.append(
            format_html(
                '<ul class="hits">{}</ul>',
                SafeString("".join(h.html for h in row.listed)),
            )
        )
        if row.more:
            text = ngettext("更多（还有 %(n)s 处）", "更多（还有 %(n)s 处）", row.more) % {
                "n": row.more
            }
            parts.append(_more(here, row.code, f"item-{row.code}", text))
    if block.services:
        parts.append(format_html('<h4 id="services-{}">{}</h4>', block.code, _("服务")))
        parts.append(
            format_html(
                '<ul class="services">{}</ul>',
                SafeString("".join(line.html for line in block.services)),
            )
        )
        if block.services_more:
            n = block.services_more
            text = ngettext("更多服务（还有 %(n)s 项）", "更多服务（还有 %(n)s 项）", n) % {"n": n}
            parts.append(_more(here, block.more_key, f"services-{block.code}", text))
    if not block.items and not block.services:
        parts.append(format_html('<p class="none">{}</p>', _("步行范围内暂无这一类的服务点。")))
    return format_html(
        '<section class="category" id="cat-{}">\n{}\n</section>',
        block.code,
        SafeString("\n".join(parts)),
    )


def blocks_html(result: NearMe, *, here: str) -> SafeString:
    """Every category section of a near-me result, in the standard's order."""
    return format_html_join("\n", "{}", ((block_html(b, here=here),) for b in result.blocks))
