"""Refuse, before any view runs, a request whose address, query or form holds a character no
person types (:mod:`core.text`): the page says so (400) and nothing is read or written.

Open311 answers such requests itself, in its own error format; other machine APIs under
``/api/`` get a JSON error; pages get the 400 page with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from quarterhour.platform.core import text
from quarterhour.platform.core.errors import BadInput

#: these answer in their own error format (they check with :mod:`core.text` themselves)
OWN_FORMAT = ("/api/open311/",)


#: a query string of these characters alone (no percent escape) decodes to letters, digits, these
#: marks and spaces: no refused character, so it need not be parsed to be checked
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9._~=&+,:-]*")


def offending(request: HttpRequest) -> list[str]:
    """The fields (and ``path``) of the request holding a character no person types."""
    bad = ["path"] if text.has_control(request.path) else []
    if not _PLAIN_QUERY.fullmatch(request.META.get("QUERY_STRING", "")):
        bad += text.bad_fields({k: request.GET.getlist(k) for k in request.GET})
    # an upload (multipart) is left to its view: the import page caps its size before reading
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        bad += text.bad_fields({k: request.POST.getlist(k) for k in request.POST})
    return bad


class RefuseControlCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OWN_FORMAT):
            bad = offending(request)
            if bad:
                message = _("请求中含有不可见的控制字符（%(f)s），未作处理") % {
                    "f": ", ".join(bad[:5])
                }
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"error": {"code": text.CODE, "message": message}},
                        status=400,
                        json_dumps_params={"ensure_ascii": False},
                    )
                raise BadInput(text.CODE, message)
        return self.get_response(request)
