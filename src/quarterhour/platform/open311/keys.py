"""API keys: issued once (the plain key is shown only then), stored as SHA-256, checked on
every POST. Wrong, revoked and expired keys are told apart in the error message."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts import permissions as account_perm
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.open311.error_codes import Open311Error as E
from quarterhour.platform.open311.models import ApiClient


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_key(
    *,
    actor: Any,
    name: str,
    contact: str = "",
    expires_at: datetime | None = None,
    reason: str = "",
) -> tuple[ApiClient, str]:
    """A new client and its key (returned once, never stored in plain). City staff only."""
    if not account_perm.can_manage_users(actor):
        raise PermissionRefused("open311_permission_denied", _("只有市级工作人员可以发放接口密钥"))
    if not name.strip():
        raise Invalid(E.BAD_PARAMETER, _("请填写客户端名称"))
    raw = "qh_" + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        contact=contact,
        key_prefix=raw[:8],
        key_sha256=_digest(raw),
        expires_at=expires_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(client, actor=actor, reason=reason or str(_("发放接口密钥")))
    return client, raw


def revoke_key(*, actor: Any, client: ApiClient, reason: str) -> ApiClient:
    """The key stops working at once; who revoked it and why stay in its history."""
    if not account_perm.can_manage_users(actor):
        raise PermissionRefused("open311_permission_denied", _("只有市级工作人员可以吊销接口密钥"))
    if not reason.strip():
        raise Invalid(E.BAD_PARAMETER, _("请填写吊销原因"))
    client.is_active = False
    save_audited(client, actor=actor, reason=reason)
    return client


class KeyRefused(Exception):
    def __init__(self, code: E, message: Any) -> None:
        self.code, self.message = code, message
        super().__init__(str(message))


def check_key(raw: str | None, *, now: datetime | None = None) -> ApiClient:
    if not raw:
        raise KeyRefused(E.API_KEY_MISSING, _("缺少 api_key，无法提交诉求"))
    client = ApiClient.objects.filter(key_sha256=_digest(raw)).first()
    if client is None or not client.is_active:
        raise KeyRefused(E.API_KEY_INVALID, _("api_key 无效，无法提交诉求"))
    if client.expires_at is not None and client.expires_at <= (now or timezone.now()):
        raise KeyRefused(E.API_KEY_EXPIRED, _("api_key 已过期，无法提交诉求"))
    return client
