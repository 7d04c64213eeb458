"""The certification's actions in words (the event list, the buttons, the notifications)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Any] = {
    "apply": _("提出申请"),
    "meeting_approve": _("记录居民代表会议（同意）"),
    "meeting_reject": _("记录居民代表会议（不同意）"),
    "sign_agreement": _("签订协议"),
    "start_notice": _("开始公示"),
    "uphold_objection": _("异议成立"),
    "certify": _("认证"),
    "suspend": _("暂停"),
    "reinstate": _("恢复"),
    "disqualify": _("取消资格"),
    "expire": _("到期"),
    "withdraw": _("撤回申请"),
    "supersede": _("续期替代"),
    # events that do not change the state
    "objection": _("居民提出异议"),
    "dismiss_objection": _("异议不成立"),
}


def action_label(action: str) -> Any:
    return ACTION_LABELS.get(action, action)
