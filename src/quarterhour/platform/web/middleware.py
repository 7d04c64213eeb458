"""Chinese first: the language is zh-hans unless the user chose another with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an English
browser would get English pages; the platform's users expect Chinese by default and switch
deliberately (the choice is kept in the language cookie set by ``set_language``).
Machine APIs under ``/api/`` keep content negotiation by Accept-Language (Open311, HSDS).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(request: HttpRequest) -> str:
    """The language of a page: the one chosen with the switch (its cookie), else zh-hans."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else str(settings.LANGUAGE_CODE)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
