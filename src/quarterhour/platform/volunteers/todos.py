"""To-dos from volunteering: a person's registration, confirmed hours, needs they serve and
hours they are asked to confirm; the community's volunteers to approve and needs to match."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.todos import Todo, todo_source
from quarterhour.platform.volunteers import selectors
from quarterhour.platform.volunteers.models import Need, ServiceRecord, Volunteer

#: needs listed one by one
SHOWN = 8


def _own(user: Any, now: dt.datetime) -> list[Todo]:
    section = _("我的志愿服务")
    volunteer = Volunteer.objects.filter(user=user).select_related("community").first()
    out: list[Todo] = []
    if volunteer is None:
        if not can_use_staff_pages(user):
            out.append(
                Todo(
                    section=section,
                    title=_("还未登记为志愿者：注册登记"),
                    url=reverse("volunteers:register"),
                )
            )
    elif volunteer.status == Volunteer.Status.APPROVED:
        totals = selectors.totals(volunteer)
        out.append(
            Todo(
                section=section,
                title=_("已确认志愿服务 %(n)s 次，共 %(h)s 小时：查看服务证明")
                % {"n": totals.services, "h": totals.hours},
                url=reverse("volunteers:certificate", args=[volunteer.pk, now.year]),
            )
        )
    else:
        out.append(
            Todo(
                section=section,
                title=_("志愿者登记：%(s)s") % {"s": volunteer.get_status_display()},
                url=reverse("volunteers:register"),
            )
        )
    for need in selectors.needs_to_help(user, now=now)[:SHOWN]:
        out.append(
            Todo(
                section=_("可以帮忙的互助需求"),
                title=_("%(k)s · %(c)s：%(d)s")
                % {
                    "k": need.get_skill_display(),
                    "c": need.community.name,
                    "d": need.description[:40],
                },
                url=reverse("volunteers:need", args=[need.pk]),
                due=need.wanted_at,
                action=reverse("volunteers:take", args=[need.pk]),
                action_label=_("我来帮忙"),
            )
        )
    serving = Need.objects.filter(volunteer__user=user, status=Need.Status.MATCHED)
    for need in serving.order_by("wanted_at")[:SHOWN]:
        out.append(
            Todo(
                section=section,
                title=_("志愿服务：%(n)s") % {"n": need},
                url=reverse("volunteers:need", args=[need.pk]),
                due=need.wanted_at,
                overdue=need.wanted_at < now,
            )
        )
    to_confirm = ServiceRecord.objects.filter(
        need__recipient=user, status=ServiceRecord.Status.PENDING
    ).select_related("need", "volunteer")
    for record in to_confirm[:SHOWN]:
        out.append(
            Todo(
                section=section,
                title=_("请确认 %(v)s 为您服务的 %(m)s 分钟")
                % {"v": record.volunteer.name, "m": record.minutes},
                url=reverse("volunteers:need", args=[record.need_id]),
            )
        )
    return out


def _staff(user: Any) -> list[Todo]:
    section = _("志愿互助")
    out: list[Todo] = []
    pending = selectors.volunteers_visible(user).filter(status=Volunteer.Status.PENDING).count()
    if pending:
        out.append(
            Todo(
                section=section,
                title=_("待审核的志愿者"),
                url=reverse("volunteers:list"),
                count=pending,
            )
        )
    open_needs = (
        selectors.needs_visible(user)
        .filter(status=Need.Status.OPEN)
        .exclude(recipient=user)
        .count()
    )
    if open_needs:
        out.append(
            Todo(
                section=section,
                title=_("待匹配志愿者的互助需求"),
                url=reverse("volunteers:needs"),
                count=open_needs,
            )
        )
    return out


@todo_source("volunteers", order=40)
def volunteer_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    staff = _staff(user) if can_use_staff_pages(user) else []
    return _own(user, now) + staff
