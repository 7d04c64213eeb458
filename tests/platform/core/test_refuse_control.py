"""The control-character check before any view (core/middleware.offending): a plain query
string (no percent escape) is not parsed, and that never lets a refused character through."""

from __future__ import annotations

from urllib.parse import quote

from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from quarterhour.platform.core import text
from quarterhour.platform.core.middleware import offending

#: query text: the plain characters, escapes of refused and ordinary ones, raw refused ones and
#: raw UTF-8 (a WSGI server passes the bytes as ISO-8859-1 text)
PIECES = st.sampled_from(
    [*"az09._~=&+,:-", "%00", "%0B", "%7F", "%EF%BF%BE", "%41", "%E9%95%BF", "%", "%zz"]
) | st.sampled_from(["\x0b", "\x00", "\x7f", ";", " ", "长".encode().decode("iso-8859-1")])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_a_query_is_refused_exactly_when_a_field_holds_a_refused_character(query):
    request = RequestFactory().get("/near/")
    request.META["QUERY_STRING"] = query
    full = text.bad_fields({k: request.GET.getlist(k) for k in request.GET})
    assert offending(request) == full


def test_plain_and_escaped_queries():
    factory = RequestFactory()
    plain = factory.get("/near/?lon=116.3970000&lat=39.9170000&elderly=1&q=a+b")
    assert offending(plain) == []
    escaped = factory.get("/near/?q=" + quote("长安\x0b街"))
    assert offending(escaped) == ["q"]
    assert offending(factory.get("/near/\x0b/")) == ["path"]
