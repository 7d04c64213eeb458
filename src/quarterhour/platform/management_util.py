"""Shared bits of our management commands: progress lines and the acting user."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError


def printer(stream: Any) -> Any:
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done != total:
            return
        last[0] = now
        stream.write(f"[{stage}] {done}/{total}" if total else f"[{stage}] {done}")

    return progress


def actor_from(username: str | None) -> Any:
    if not username:
        return None
    from quarterhour.platform.accounts.models import User

    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no such user / 没有该用户: {username}") from None
