"""The Content-Security-Policy header, built once per process.

django-csp's middleware builds the policy from the settings twice for every answer (the policy
and the report-only one: copying the directives, sorting, joining), about a seventh of the CPU of
a near-me page answered from memory. The platform's policy has no per-request part: no view
sets its own (``csp_update``, ``csp_replace``, ``csp_exempt`` …) and no template asks for a
nonce. :class:`FixedPolicyCSPMiddleware` therefore builds the two headers once per process with
django-csp's own :func:`csp.utils.build_policy` (the same call its middleware makes, so the
same text) and sets them as it would. An answer or request that does have its own part (a view
decorated with django-csp's decorators, a template reading ``request.csp_nonce``) goes through
django-csp's own code, so those keep working. Changed settings (tests) are seen: the headers are
kept with the settings objects they were built from.
"""

from __future__ import annotations

import http.client
import threading
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

#: the response attributes django-csp's decorators set for a policy of the answer's own
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
#: the answers django-csp leaves without a policy under DEBUG (its debug pages)
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


class _Built:
    """The two headers and the settings objects they were built from."""

    def __init__(self, enforced: Any, report_only: Any) -> None:
        self.enforced_setting = enforced
        self.report_only_setting = report_only
        self.enforced = build_policy()
        self.report_only = build_policy(report_only=True)


_built: list[_Built] = []
_lock = threading.Lock()


def policies() -> _Built:
    """This process's two policy headers under the current settings (built once)."""
    enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    if (
        not _built
        or _built[0].enforced_setting is not enforced
        or _built[0].report_only_setting is not report_only
    ):
        with _lock:
            _built[:] = [_Built(enforced, report_only)]
    return _built[0]


def _excluded(request: HttpRequest, policy: Any) -> bool:
    prefixes = (policy or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
    return request.path_info.startswith(tuple(prefixes))


class FixedPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy built once per process when nothing varies."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if isinstance(getattr(request, "_csp_nonce", None), str) or any(
            getattr(response, name, None) is not None for name in _OWN_POLICY
        ):
            return super().process_response(request, response)  # a policy of its own
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        built = policies()
        for header, value, exempt, setting in (
            (HEADER, built.enforced, "_csp_exempt", built.enforced_setting),
            (HEADER_REPORT_ONLY, built.report_only, "_csp_exempt_ro", built.report_only_setting),
        ):
            if (
                value
                and header not in response
                and getattr(response, exempt, False) is False
                and not _excluded(request, setting)
            ):
                response[header] = value
        # as django-csp does: a nonce asked for after the header is written is an error
        request.csp_nonce = CheckableLazyObject(  # type: ignore[attr-defined]
            self._csp_nonce_post_response
        )
        return response
