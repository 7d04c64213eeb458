"""The staff pages' navigation: words, and only the links the person's roles use. The Django
admin is linked for superusers only (everyday work never needs it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.access import Role, memberships

_JURISDICTION = frozenset({Role.CITY, Role.DISTRICT, Role.STREET, Role.COMMUNITY})


@dataclass(frozen=True, slots=True)
class Link:
    label: str | Promise
    url: str


def nav_links(user: Any) -> list[Link]:
    """The header's links for ``user`` (none for someone not logged in)."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = {m.role for m in memberships(user)}
    links: list[Link] = []
    if roles & _JURISDICTION or Role.PROVIDER in roles:
        links.append(Link(_("工作台"), reverse("web:home")))
        links.append(Link(_("诉求"), reverse("requests:list")))
    if roles & {Role.COMMUNITY, Role.STREET}:
        links.append(Link(_("登记来电"), reverse("requests:call")))
    if roles & _JURISDICTION:
        links += [
            Link(_("社区"), reverse("web:communities")),
            Link(_("服务圈"), reverse("web:circles")),
            Link(_("评估"), reverse("web:assessments")),
            Link(_("导入"), reverse("web:imports")),
            Link(_("运行机制"), reverse("certification:mechanisms")),
        ]
    if Role.PROVIDER in roles:
        links.append(Link(_("监督评价"), reverse("evaluation:overview")))
    if Role.RESIDENT in roles or not roles:
        links += [
            Link(_("我的"), reverse("accounts:mine")),
            Link(_("我的周边"), reverse("portal:near")),
            Link(_("提交诉求"), reverse("requests:new")),
            Link(_("我的预约"), reverse("sharing:mine")),
        ]
    links.append(Link(_("通知"), reverse("notifications:inbox")))
    if user.is_superuser:
        links.append(Link(_("管理后台"), reverse("admin:index")))
    return links
