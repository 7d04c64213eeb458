"""``{% fixed %}…{% endfixed %}``: a part of a template rendered once per process and language.

For the parts of a page that are the same for every request — words, links made with
``{% url %}``, ``{% static %}`` paths — rendering them node by node on every request was a good
part of a busy page's time. The block's output is kept on the compiled template node (the
production settings keep compiled templates for the life of the worker) per active language and
per value of the variables named after the tag, e.g. ``{% fixed elderly %}`` keeps one output
for each value of ``elderly``. **What is inside must depend on nothing else**: no other
variable, no user, no CSRF token. Without the cached template loader each request compiles the
template afresh, and the block is rendered every time (the same output).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

#: outputs kept per block (a block varying on a variable keeps one per value, up to this many)
MOST = 64


class FixedNode(template.Node):
    def __init__(self, nodelist: NodeList, vary_on: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.kept: dict[tuple[Any, ...], SafeString] = {}

    def render(self, context: Context) -> SafeString:
        key = (
            translation.get_language(),
            *(str(v.resolve(context)) for v in self.vary_on),
        )
        out = self.kept.get(key)
        if out is None:
            out = mark_safe(self.nodelist.render(context))  # safe: rendered by the template
            if len(self.kept) < MOST:
                self.kept[key] = out
        return out


@register.tag("fixed")
def do_fixed(parser: Parser, token: Token) -> FixedNode:
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    return FixedNode(nodelist, vary_on)
