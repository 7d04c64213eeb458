"""Near-me pages kept per process, answered before the session, authentication and the other
middleware for anonymous visitors.

A near-me page is the same for every anonymous visitor who asks the same address (the query
and all: the language switch sends them back to it) while the public directory's data version
holds, until a listed place opens or closes, or the day (the rooms' windows) ends. The view
keeps it here: in memory, per process, bounded in entries and bytes (:class:`KeptPages`). Its
only form for anonymous visitors is the language switch, which takes no CSRF token
(web/language.py), so the page is the same bytes for everyone and sets no cookie; should a form
needing a token ever be added, the page is kept with a hole where the asker's own token goes
and answered with it (and the CSRF cookie) as before. Not in the shared file cache: storing a
page there took about 0.4–0.7 ms of CPU (pickling, compressing, a temporary file and a rename),
paid by every first-time place — mostly map clicks never asked again — to save another worker
one rendering (about 4 ms) of a place asked again; keeping is on when the settings name a
``"pages"`` cache, as for the other kept pages.

:class:`KeptNearMeMiddleware` sits right after the security, CSP and static-file middleware.
For a ``GET`` of the near-me page without a session cookie (so not signed in) it reads the
directory's version (as this process read it at most ``QH_DIRECTORY_VERSION_MAX_AGE_MS`` ago:
web/pagecache.recent_directory_version), looks the page up here and answers it at once (a page
with a token hole gets the asker's token, its cookie set by Django's own CSRF middleware code):
the session, locale, common, CSRF, authentication, messages, control-character, history and
lock-out middleware, URL resolution and the view are skipped. The answer's headers are those
the whole stack gave the same page in this process (captured per language from an answer that
went through it; until one has, requests take the whole way), and the outer middleware add the
security headers and the Content-Security-Policy to both alike. Anything else — a session
cookie, another method, a page not kept, a host not allowed — takes the whole way.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation

from quarterhour.platform.core.middleware import offending
from quarterhour.platform.web.middleware import chosen_language
from quarterhour.platform.web.pagecache import (
    directory_version,
    fragment_key,
    page_cache,
    recent_directory_version,
)

#: where a kept page's CSRF token goes (a token has only letters and digits)
CSRF_HOLE = "__qh-csrf-token__"
_HOLE = CSRF_HOLE.encode()
#: bounds of the pages kept per process (``QH_KEPT_PAGES``, ``QH_KEPT_PAGES_BYTES``; 0 keeps none)
ENTRIES = 2048
BYTES = 32 * 1024 * 1024
#: the request attribute holding the directory's version read by the middleware (the view
#: then uses the same one instead of reading it again)
VERSION_ATTR = "_qh_directory_version"


@dataclass(frozen=True, slots=True)
class Page:
    until: float  # when it stops being right (a listed place opens or closes; midnight)
    parts: tuple[bytes, ...]  # the page in UTF-8, cut where the CSRF token goes
    size: int

    @property
    def needs_token(self) -> bool:
        """Whether the page has a form needing the asker's CSRF token."""
        return len(self.parts) > 1

    def body(self, token: str) -> bytes:
        return token.encode().join(self.parts)


def page(until: float, html: str) -> Page:
    parts = tuple(html.encode().split(_HOLE))
    return Page(until, parts, sum(len(p) for p in parts))


class KeptPages:
    """A least-recently-used store of pages, bounded in entries and bytes (thread-safe)."""

    def __init__(self, *, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: str, now: float) -> Page | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if now >= found.until:
                del self._pages[key]
                self.bytes -= found.size
                return None
            self._pages.move_to_end(key)
            return found

    def put(self, key: str, kept: Page) -> None:
        if kept.size > self.max_bytes or self.entries <= 0:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._pages[key] = kept
            self.bytes += kept.size
            while len(self._pages) > self.entries or self.bytes > self.max_bytes:
                _key, gone = self._pages.popitem(last=False)
                self.bytes -= gone.size

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.bytes = 0


_pages: list[tuple[Any, KeptPages]] = []  # (the "pages" cache's settings, the pages)
_made = threading.Lock()


def pages() -> KeptPages:
    """This process's kept pages. They go with the "pages" cache settings they were kept under:
    when the settings name another one (tests do), they and the headers learnt are dropped."""
    owner = settings.CACHES.get("pages")
    if not _pages or _pages[0][0] is not owner:
        with _made:
            if not _pages or _pages[0][0] is not owner:
                _headers.clear()
                _pages[:] = [
                    (
                        owner,
                        KeptPages(
                            entries=int(getattr(settings, "QH_KEPT_PAGES", ENTRIES)),
                            max_bytes=int(getattr(settings, "QH_KEPT_PAGES_BYTES", BYTES)),
                        ),
                    )
                ]
    return _pages[0][1]


def near_key(request: HttpRequest, version: str) -> str:
    """The key of the near-me page this request asks for (the whole address, the directory's
    version, the language and time zone)."""
    return fragment_key("near", request.get_full_path(), version=version)


def find(key: str) -> Page | None:
    """The page kept under ``key`` in this process, if it is still right."""
    return pages().get(key, timezone.now().timestamp())


def keep(key: str, until: float, html: str) -> Page:
    """Keep a page in this process until ``until``."""
    kept = page(until, html)
    if until - timezone.now().timestamp() >= 1:
        pages().put(key, kept)
    return kept


def answer(request: HttpRequest, kept: Page) -> HttpResponse:
    """The kept page (with the asker's own CSRF token if it has a form needing one: the CSRF
    middleware then sets its cookie)."""
    response = HttpResponse(kept.body(get_token(request)) if kept.needs_token else kept.parts[0])
    response.qh_kept = translation.get_language()  # type: ignore[attr-defined]
    return response


#: the headers the whole middleware stack gave a kept near-me page, per language (all but
#: Content-Length and the cookies): learnt from answers that went the whole way
_headers: dict[str, tuple[tuple[str, str], ...]] = {}


def _may_answer_early(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not settings.DISALLOWED_USER_AGENTS
        and page_cache() is not None
    )


class KeptNearMeMiddleware:
    """Answers an anonymous visitor's kept near-me page before the rest of the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # Django's own CSRF cookie handling (reading the asker's cookie, setting it on answer)
        self.csrf = CsrfViewMiddleware(get_response)
        self._path: str | None = None

    def _near_path(self) -> str:
        if self._path is None:
            self._path = "/" + reverse("portal:near")[len(get_script_prefix()) :]
        return self._path

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        early = request.path_info == self._near_path() and _may_answer_early(request)
        if early:
            found = self._early(request)
            if found is not None:
                return found
        response = self.get_response(request)
        language = getattr(response, "qh_kept", None)
        if (
            early
            and language
            and response.status_code == 200
            and not response.cookies.get(settings.SESSION_COOKIE_NAME)
        ):
            _headers[str(language)] = tuple(
                (k, v) for k, v in response.headers.items() if k.lower() != "content-length"
            )
        return response

    def _early(self, request: HttpRequest) -> HttpResponse | None:
        try:
            request.get_host()
        except DisallowedHost:  # the whole way answers it (CommonMiddleware: 400)
            return None
        translation.activate(chosen_language(request))
        language = translation.get_language()
        pages()  # (drops what was learnt under another "pages" cache setting: tests)
        headers = _headers.get(language)
        if headers is None or offending(request):  # the whole way (it answers the 400)
            return None
        request.LANGUAGE_CODE = language
        version = recent_directory_version()  # (production: read at most every 250 ms)
        setattr(request, VERSION_ATTR, version)
        found = find(near_key(request, version))
        if found is None:
            return None
        if not found.needs_token:  # the same bytes for everyone, no cookie
            response = HttpResponse(found.parts[0], headers=dict(headers))
            response.headers["Content-Length"] = str(found.size)
            return response
        self.csrf.process_request(request)
        response = HttpResponse(found.body(get_token(request)), headers=dict(headers))
        response.headers["Content-Length"] = str(len(response.content))
        self.csrf.process_response(request, response)
        return response


def version_of(request: HttpRequest) -> str:
    """The directory's version for this request (read once: by the middleware, or now)."""
    got: Any = getattr(request, VERSION_ATTR, None)
    return str(got) if got is not None else directory_version()
