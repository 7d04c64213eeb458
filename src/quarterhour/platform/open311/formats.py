"""Open311 output: JSON (the Spark convention: a list of objects) and schemaless XML with the
UTF-8 declaration, element names as in the specification."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse

from quarterhour.platform.core.text import printable

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

#: plural container → element name of its items, for XML
ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return escape(printable(str(value)))


def _xml(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append(f"<{name}>")
        for k, v in value.items():
            _xml(k, v, out)
        out.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        out.append(f"<{name}>")
        for item in value:
            _xml(ITEM[name], item, out)
        out.append(f"</{name}>")
    else:
        text = _xml_value(value)
        out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def _scrubbed(value: Any) -> Any:
    """Text without the characters refused on input (an old row may hold one; a lone surrogate
    cannot even be encoded)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(v) for v in value]
    return value


def render(fmt: str, root: str, payload: Any, *, status: int = 200) -> HttpResponse:
    """``payload`` is a list (rendered under ``root``) or a mapping (``root`` is its element)."""
    if fmt == "json":
        body = json.dumps(_scrubbed(payload), ensure_ascii=False, separators=(",", ":"))
        return HttpResponse(body.encode("utf-8"), status=status, content_type=JSON_TYPE)
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    _xml(root, payload, out)
    return HttpResponse("".join(out).encode("utf-8"), status=status, content_type=XML_TYPE)


def errors(fmt: str, status: int, items: Sequence[tuple[int, str]]) -> HttpResponse:
    """The specification's error document: ``[{code, description}, ...]``."""
    payload = [{"code": code, "description": text} for code, text in items]
    return render(fmt, "errors", payload, status=status)
