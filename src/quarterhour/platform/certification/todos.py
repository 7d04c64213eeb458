"""To-dos from certification: the community's vote, the street's agreement, notice, objections
and notice ends; the provider's own application; the public notices residents may object to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.certification import permissions as perm
from quarterhour.platform.certification import selectors
from quarterhour.platform.certification.models import Objection, State
from quarterhour.platform.core.access import Role, memberships
from quarterhour.platform.core.todos import Todo, todo_source

#: the states in which someone other than the provider has to act, and the question asked
_WAITING = (State.APPLIED, State.MEETING_APPROVED, State.AGREEMENT_SIGNED, State.PUBLIC_NOTICE)
#: at most this many certifications looked at for one person's home
LIMIT = 50


def _staff_todos(user: Any, now: dt.datetime) -> list[Todo]:
    section = _("服务站点认证")
    is_clerk = any(m.role == Role.COMMUNITY for m in memberships(user))
    out: list[Todo] = []
    certs = selectors.certifications_visible(user).filter(state__in=_WAITING).order_by("applied_at")
    for c in certs[:LIMIT]:
        url = reverse("certification:detail", args=[c.pk])
        name = c.provider.name
        if c.state == State.APPLIED and is_clerk and perm.can_record_meeting(user, c):
            title = _("%(p)s 申请认证：请召开居民代表会议并记录表决") % {"p": name}
            out.append(Todo(section=section, title=title, url=url, note=c.community.name))
        elif not perm.can_decide_certification(user, c):
            continue
        elif c.state == State.MEETING_APPROVED:
            title = _("%(p)s 已获居民代表会议通过：请签订协议") % {"p": name}
            out.append(Todo(section=section, title=title, url=url))
        elif c.state == State.AGREEMENT_SIGNED:
            title = _("%(p)s 已签协议：请发布公示") % {"p": name}
            out.append(Todo(section=section, title=title, url=url))
        elif c.state == State.PUBLIC_NOTICE and c.notice_end is not None:
            ended = c.notice_end <= now
            title = (_("%(p)s 公示期已满，待认证") if ended else _("%(p)s 公示中")) % {"p": name}
            out.append(Todo(section=section, title=title, url=url, due=c.notice_end, overdue=ended))
    objections = Objection.objects.filter(
        status=Objection.Status.OPEN, certification__in=selectors.certifications_visible(user)
    ).select_related("certification__provider__street")
    for o in objections[:LIMIT]:
        if perm.can_decide_certification(user, o.certification):
            out.append(
                Todo(
                    section=section,
                    title=_("对 %(p)s 的公示异议待处理") % {"p": o.certification.provider.name},
                    url=reverse("certification:detail", args=[o.certification_id]),
                )
            )
    return out


def _provider_todos(user: Any) -> list[Todo]:
    section = _("本单位的认证")
    out: list[Todo] = []
    ids = [m.provider_id for m in memberships(user) if m.role == Role.PROVIDER]
    for provider in Provider.objects.filter(pk__in=ids).order_by("name"):
        latest = provider.certifications.order_by("-applied_at", "-pk").first()
        if latest is None:
            out.append(
                Todo(
                    section=section,
                    title=_("%(p)s 尚未认证：申请服务站点认证") % {"p": provider.name},
                    url=reverse("certification:apply", args=[provider.pk]),
                )
            )
            continue
        out.append(
            Todo(
                section=section,
                title=_("%(p)s：%(s)s") % {"p": provider.name, "s": latest.get_state_display()},
                url=reverse("certification:history", args=[provider.pk]),
                due=latest.notice_end if latest.state == State.PUBLIC_NOTICE else None,
            )
        )
    return out


@todo_source("certification", order=20)
def certification_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = _staff_todos(user, now) + _provider_todos(user)
    if perm.is_resident(user):
        n = selectors.open_notices(now=now).count()
        if n:
            out.append(
                Todo(
                    section=_("认证公示"),
                    title=_("正在公示的服务站点，可提出异议"),
                    url=reverse("certification:notices"),
                    count=n,
                )
            )
    return out
