"""Outside delivery channels: e-mail (Django's mail backend) and SMS (a gateway interface).

The in-app inbox is not a channel here: every notification *is* an inbox row. The outside
channels used are named by the setting ``QH_NOTIFICATION_CHANNELS`` (default ``("email",
"sms")``); a deployment can add its own by putting ``"module.path:ClassName"`` in that list — a
class with a ``name``, ``address(user) -> str`` ("" when the person cannot be reached this way)
and ``send(address, subject, body)`` that raises on failure.

SMS: this project ships **no real SMS gateway**. :class:`LoggingSmsGateway` only writes the
message to the ``quarterhour.sms`` log (phone number masked) and keeps the last messages in
memory for inspection; it is the stand-in, not a delivery. An operator plugs in their carrier's
or cloud provider's SMS API by writing a class with ``send_sms(phone, text)`` and naming it in
the setting ``QH_SMS_GATEWAY = "module.path:ClassName"``.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections import deque
from functools import cache
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core.mail import send_mail

log = logging.getLogger("quarterhour.sms")

#: SMS bodies are cut to this many characters (long messages split in the carrier's units)
SMS_MAX_CHARS = 300


class Channel(Protocol):
    name: str

    def address(self, user: Any) -> str: ...

    def send(self, address: str, subject: str, body: str) -> None: ...


class SmsGateway(Protocol):
    """Where an operator's SMS provider plugs in: deliver ``text`` to ``phone`` or raise."""

    def send_sms(self, phone: str, text: str) -> None: ...


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678 (logs never carry a resident's full number)."""
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class LoggingSmsGateway:
    """A FAKE gateway: logs the message (number masked) and remembers the last 1000 in memory.
    Nothing leaves the machine. Replace it through ``QH_SMS_GATEWAY`` in production."""

    sent: ClassVar[deque[tuple[str, str]]] = deque(maxlen=1000)
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def send_sms(self, phone: str, text: str) -> None:
        with self._lock:
            self.sent.append((phone, text))
        log.info("sms (not sent: logging gateway)", extra={"to": mask_phone(phone), "text": text})


class EmailChannel:
    name = "email"

    def address(self, user: Any) -> str:
        return str(user.email or "")

    def send(self, address: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [address], fail_silently=False)


class SmsChannel:
    name = "sms"

    def __init__(self, gateway: SmsGateway | None = None) -> None:
        self.gateway = gateway or sms_gateway()

    def address(self, user: Any) -> str:
        return str(getattr(user, "phone", "") or "")

    def send(self, address: str, subject: str, body: str) -> None:
        text = f"{subject}：{body}" if body else subject
        self.gateway.send_sms(address, text[:SMS_MAX_CHARS])


def _load(path: str) -> Any:
    module, _sep, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


@cache
def sms_gateway() -> SmsGateway:
    path = getattr(settings, "QH_SMS_GATEWAY", "")
    gateway: SmsGateway = _load(path)() if path else LoggingSmsGateway()
    return gateway


BUILT_IN: dict[str, type] = {"email": EmailChannel, "sms": SmsChannel}


def configured_channels() -> dict[str, Channel]:
    """The outside channels in use, by name (from ``QH_NOTIFICATION_CHANNELS``)."""
    out: dict[str, Channel] = {}
    for entry in getattr(settings, "QH_NOTIFICATION_CHANNELS", ("email", "sms")):
        cls = BUILT_IN[entry] if entry in BUILT_IN else _load(entry)
        channel: Channel = cls()
        out[channel.name] = channel
    return out
