"""Pages for joint meetings: list, convene, detail with the minutes form, my task list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.accounts.models import User
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.errors import Issue, PermissionRefused, raise_if_any
from quarterhour.platform.geography.selectors import circles_visible
from quarterhour.platform.meetings import permissions as perm
from quarterhour.platform.meetings import selectors, services
from quarterhour.platform.meetings.error_codes import MeetingError as E
from quarterhour.platform.meetings.models import Action, Meeting


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    circles = [
        c
        for c in circles_visible(request.user).select_related("street")[:500]
        if perm.can_convene_meeting(request.user, c)
    ]
    return render(
        request,
        "meetings/list.html",
        {"meetings": selectors.meetings_visible(request.user)[:300], "circles": circles},
    )


@login_required
@require_POST
def convene(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    d = request.POST
    return pages.run(
        request,
        lambda: services.convene(
            actor=request.user,
            circle=get_object_or_404(circles_visible(request.user), pk=pages.integer(d, "circle")),
            title=pages.text(d, "title"),
            held_at=pages.moment(d, "held_at"),
            agenda=pages.text(d, "agenda"),
            place=pages.text(d, "place"),
        ),
        success=_("会议已创建"),
        to="meetings:list",
    )


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _actions(raw: str) -> list[dict[str, Any]]:
    """Lines ``事项 | 责任人用户名 | YYYY-MM-DD | 决定序号(可空)``."""
    out: list[dict[str, Any]] = []
    issues: list[Issue] = []
    for i, line in enumerate(_lines(raw), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 3:
            issues.append(
                Issue(E.FIELD_INVALID, _("每行须为：事项 | 责任人 | 期限"), row=i, field="actions")
            )
            continue
        owner = User.objects.filter(username=parts[1][:150]).first()
        if owner is None:  # answered as for a person who may not own it: no probing for names
            issues.append(Issue(E.OWNER_NOT_STAFF, _("责任人须为工作人员"), row=i, field="actions"))
            continue
        due = pages.date({"due": parts[2]}, "due")
        decision = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
        out.append({"description": parts[0], "owner": owner, "due_on": due, "decision": decision})
    raise_if_any(issues)
    return out


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pages.staff_only(request)
    meeting = get_object_or_404(selectors.meetings_visible(request.user), pk=pk)
    if request.method == "POST":
        d = request.POST
        if not perm.can_record_meeting(request.user, meeting):  # before any name is looked up
            raise PermissionRefused(E.PERMISSION_DENIED, _("您无权召集或记录该服务圈的联席会议"))

        def call() -> Meeting:
            attendees = []
            for line in _lines(d.get("attendees", "")):
                name, _sep, org = line.partition("|")
                attendees.append({"name": name.strip(), "organisation": org.strip()})
            return services.record(
                actor=request.user,
                meeting=meeting,
                attendees=attendees,
                decisions=_lines(d.get("decisions", "")),
                actions=_actions(d.get("actions", "")),
                minutes=pages.text(d, "minutes"),
            )

        return pages.run(request, call, success=_("会议记录已保存"), to="meetings:detail", pk=pk)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.all(),
            "decisions": meeting.decisions.all(),
            "actions": meeting.actions.select_related("owner", "decision"),
            "can_record": perm.can_record_meeting(request.user, meeting),
        },
    )


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "meetings/tasks.html",
        {"tasks": selectors.task_list(request.user, include_done=bool(request.GET.get("all")))},
    )


@login_required
@require_POST
def close_action(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=pk)
    return pages.run(
        request,
        lambda: services.close_action(
            actor=request.user, action=action, note=pages.text(request.POST, "note")
        ),
        success=_("已完成"),
        to="meetings:tasks",
    )
