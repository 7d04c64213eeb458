"""The one door through which the mechanisms apps (certification, sharing, volunteers,
evaluation, meetings, funding) tell people about what concerns them.

It forwards to the notifications app (``notifications.services.notify``: an inbox row now, e-mail
and SMS after commit) when that app is installed; otherwise the message is only logged. Call it
inside the service's transaction, so nothing is told about a change that rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.utils.functional import Promise

log = logging.getLogger("quarterhour.platform.mechanisms")

APP = "quarterhour.platform.notifications"


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
    if apps.is_installed(APP):
        from quarterhour.platform.notifications.services import notify

        notify(recipients=people, kind=kind, subject=str(subject), body=str(body), obj=obj)
        return
    log.info("notify %s to %d recipient(s): %s", kind, len(people), subject)
