"""The language switch (中文 / English) in every page's header, taking no CSRF token.

The switch is Django's own ``set_language`` view under its own address and name: it sets the
language cookie and sends the visitor back to ``next`` only when that is an address on this
site (``url_has_allowed_host_and_scheme``; otherwise the referring page on this site, else
``/``), so it is no open redirect. It is exempt from the CSRF check so that a page whose only
form is the switch — the residents' pages for anonymous visitors — carries no token and sets no
cookie, and a page kept in memory is the same bytes for everyone (portal/kept.py). What another
site can do with it is post to it from its own page and change the language a visitor sees here
(the visitor switches back the same way); it reaches no account, no data and no other setting.
Every other form (log-out, sign-up, log-in, staff forms) keeps Django's CSRF check.
"""

from __future__ import annotations

from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

language_switch = csrf_exempt(set_language)
