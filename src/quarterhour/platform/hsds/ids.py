"""HSDS identifiers (UUID-formatted, as the spec asks) derived from our primary keys.

Row-backed objects get a custom (version 8, RFC 9562) UUID that carries the kind and the key, so
an id can be read back without a lookup table; parts with no row of their own (schedules,
attributes, phones) get name-based (version 5) UUIDs.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f0e8a52-3c1b-5d7e-9a41-2b8c7d6e5f10")
_PREFIX = "51a7e000-0000-8000-8"
KINDS = {
    "service": 0x001,
    "organization": 0x002,
    "location": 0x003,
    "service_at_location": 0x004,
}
_MAX_PK = 16**12 - 1


def make(kind: str, pk: int) -> str:
    return f"{_PREFIX}{KINDS[kind]:03x}-{pk:012x}"


def parse(kind: str, text: str) -> int | None:
    """The primary key in an id of this kind, or None when it is not one of ours."""
    if len(text) != 36 or not text.lower().startswith(f"{_PREFIX}{KINDS[kind]:03x}-"):
        return None
    tail = text[24:]
    try:
        pk = int(tail, 16)
    except ValueError:
        return None
    return pk if 0 < pk <= _MAX_PK and all(c in "0123456789abcdefABCDEF" for c in tail) else None


def named(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))
