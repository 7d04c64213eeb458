"""The one door through which the apps tell people about what concerns them.

The notifications app plugs itself in when Django starts (``notifications/apps.py`` calls
:func:`deliver_through` with ``notifications.services.notify``: an inbox row now, e-mail and SMS
after commit); without it the message is only logged. Call :func:`tell` inside the service's
transaction, so nobody is told about a change that rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.functional import Promise

log = logging.getLogger("quarterhour.platform.mechanisms")

Sink = Callable[..., Any]
_sink: list[Sink] = []


def deliver_through(sink: Sink) -> None:
    """Send every later :func:`tell` through ``sink(recipients=, kind=, subject=, body=, obj=)``."""
    _sink[:] = [sink]


def tell(
    *,
    recipients: Iterable[Any],
    kind: str,
    subject: str | Promise,
    body: str | Promise,
    obj: Any = None,
) -> None:
    """Tell ``recipients`` (users) about ``obj``; ``kind`` is a stable code (e.g.
    ``certification.objection``)."""
    people = [r for r in recipients if r is not None]
    if not people:
        return
    if _sink:
        _sink[0](recipients=people, kind=kind, subject=str(subject), body=str(body), obj=obj)
        return
    log.info("notify %s to %d recipient(s): %s", kind, len(people), subject)
