"""``/pick/<kind>.json?q=…``: suggestions for a picker field (see ``picking.py``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from quarterhour.platform.core import picking


@require_GET
def pick(request: HttpRequest, kind: str) -> JsonResponse:
    try:
        k = picking.kind(kind)
    except KeyError:
        raise Http404(kind) from None
    if not picking.allowed(k, request.user):
        return JsonResponse({"results": []}, status=403)
    text = request.GET.get("q", "")
    results = [
        {"id": c.pk, "label": c.label, "detail": c.detail}
        for c in picking.search(k, request.user, text)
    ]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
