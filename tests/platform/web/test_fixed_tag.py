"""``{% fixed %}`` keeps its block's output per language and per value of the variables named,
and gives what the block renders."""

from __future__ import annotations

from django.template import Context, Engine
from django.utils import translation

ENGINE = Engine(libraries={"fixed": "quarterhour.platform.web.templatetags.fixed"})


def test_fixed_keeps_one_output_per_language_and_named_value():
    calls: list[str] = []

    class Counted:
        def __str__(self) -> str:
            calls.append(translation.get_language() or "")
            return f"[{translation.get_language()}]"

    t = ENGINE.from_string("{% load fixed %}<p>{% fixed v %}{{ c }}:{{ v }}{% endfixed %}</p>")
    with translation.override("zh-hans"):
        assert t.render(Context({"c": Counted(), "v": 1})) == "<p>[zh-hans]:1</p>"
        assert t.render(Context({"c": Counted(), "v": 1})) == "<p>[zh-hans]:1</p>"
        assert t.render(Context({"c": Counted(), "v": 2})) == "<p>[zh-hans]:2</p>"
    with translation.override("en"):
        assert t.render(Context({"c": Counted(), "v": 1})) == "<p>[en]:1</p>"
    assert calls == ["zh-hans", "zh-hans", "en"]  # rendered once per language and value


def test_fixed_output_is_escaped_once_and_kept_as_first_rendered():
    t = ENGINE.from_string(
        '{% load fixed %}{% fixed %}<a href="/x?a=1&amp;b=2">{{ s }}</a>{% endfixed %}'
    )
    assert t.render(Context({"s": "<b>"})) == '<a href="/x?a=1&amp;b=2">&lt;b&gt;</a>'
    assert t.render(Context({"s": "other"})) == '<a href="/x?a=1&amp;b=2">&lt;b&gt;</a>'
