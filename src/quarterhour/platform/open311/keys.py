"""API keys: issued once (the plain key is shown only then), stored as SHA-256, checked on
every POST. Wrong, revoked and expired keys are told apart in the error message."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts import permissions as account_perm
from quarterhour.platform.core.errors import Invalid, Issue, Refusal
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.open311.error_codes import Open311Error as E
from quarterhour.platform.open311.models import ApiClient


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def may_manage_keys(actor: Any) -> bool:
    return bool(account_perm.can_manage_users(actor))


#: the refusal of the keys page and of every key service (city staff only)
refuse_keys = Refusal(E.PERMISSION_DENIED, _("只有市级工作人员可以管理接口密钥"))


@transaction.atomic
def issue_key(
    *,
    actor: Any,
    name: str,
    contact: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiClient, str]:
    """A new client and its key (returned once, never stored in plain). City staff only."""
    if not may_manage_keys(actor):
        raise refuse_keys()
    issues = []
    if not name.strip():
        issues.append(Issue(E.BAD_PARAMETER, _("请填写合作方名称"), field="name"))
    if expires_at is not None and expires_at <= (now or timezone.now()):
        issues.append(Issue(E.BAD_PARAMETER, _("到期时间须晚于现在"), field="expires_at"))
    if issues:
        raise Invalid(issues[0].code, issues[0].message, issues)
    raw = "qh_" + secrets.token_hex(32)  # 256 bits; hex reads and copies without surprises
    client = ApiClient(
        name=name.strip()[:100],
        contact=contact.strip()[:200],
        key_prefix=raw[:8],
        key_sha256=_digest(raw),
        expires_at=expires_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    save_audited(client, actor=actor, reason=str(_("发放接口密钥")))
    return client, raw


@transaction.atomic
def revoke_key(
    *, actor: Any, client: ApiClient, reason: str = "", now: datetime | None = None
) -> ApiClient:
    """The key stops working at once (the client's requests stay)."""
    if not may_manage_keys(actor):
        raise refuse_keys()
    row = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not row.is_active:
        raise Invalid(E.API_KEY_INVALID, _("该密钥已吊销"))
    row.is_active, row.revoked_at = False, now or timezone.now()
    save_audited(row, actor=actor, reason=reason.strip()[:100] or str(_("吊销接口密钥")))
    return row


@transaction.atomic
def expire_key(
    *, actor: Any, client: ApiClient, expires_at: datetime | None, now: datetime | None = None
) -> ApiClient:
    """Set (or clear, with None) the moment the key stops working."""
    if not may_manage_keys(actor):
        raise refuse_keys()
    row = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not row.is_active:
        raise Invalid(E.API_KEY_INVALID, _("该密钥已吊销"))
    if expires_at is not None and expires_at <= (now or timezone.now()):
        message = _("到期时间须晚于现在")
        raise Invalid(
            E.BAD_PARAMETER, message, [Issue(E.BAD_PARAMETER, message, field="expires_at")]
        )
    row.expires_at = expires_at
    save_audited(row, actor=actor, reason=str(_("设置接口密钥到期时间")))
    return row


def record_use(client: ApiClient, *, now: datetime | None = None) -> None:
    """Count one accepted call of the client (shown on the keys page: 最近使用, 次数)."""
    ApiClient.objects.filter(pk=client.pk).update(
        uses=F("uses") + 1, last_used_at=now or timezone.now()
    )


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
