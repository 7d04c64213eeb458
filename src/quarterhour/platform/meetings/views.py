"""Pages for joint meetings: list, convene, detail with the minutes form, my task list."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.core.picking import picked
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


#: follow-up action rows on the minutes form
ACTION_ROWS = 4


def _actions(request: HttpRequest) -> list[dict[str, Any]]:
    """The filled action rows: what, who (a staff member chosen by name), by when, which
    decision."""
    d = request.POST
    out: list[dict[str, Any]] = []
    for k in range(1, ACTION_ROWS + 1):
        description = pages.text(d, f"action_{k}")[:2000]
        if not description:
            continue
        owner = picked(d, f"owner_{k}", kind_name="staff", user=request.user)
        due = pages.date(d, f"due_{k}")
        raw = pages.text(d, f"decision_{k}")
        decision = pages.integer(d, f"decision_{k}", low=1, high=99) if raw else None
        out.append(
            {"description": description, "owner": owner, "due_on": due, "decision": decision}
        )
    return out


def _rows(request: HttpRequest) -> list[dict[str, str]]:
    """The action rows' field names, with what was typed when the form comes back refused."""
    d = request.POST
    out = []
    for k in range(1, ACTION_ROWS + 1):
        names = {f: f"{f}_{k}" for f in ("action", "owner", "due", "decision")}
        out.append({**names, **{f"{f}_value": pages.text(d, n)[:2000] for f, n in names.items()}})
    return out


def _detail(
    request: HttpRequest, meeting: Meeting, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.all(),
            "decisions": meeting.decisions.all(),
            "actions": meeting.actions.select_related("owner", "decision"),
            "can_record": perm.can_record_meeting(request.user, meeting),
            "rows": _rows(request),
            "errors": errors or {},
        },
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pages.staff_only(request)
    meeting = get_object_or_404(selectors.meetings_visible(request.user), pk=pk)
    if request.method != "POST":
        return _detail(request, meeting)
    d = request.POST
    if not perm.can_record_meeting(request.user, meeting):  # before any name is looked up
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权召集或记录该服务圈的联席会议"))

    def call() -> Meeting:
        attendees = []
        for line in _lines(d.get("attendees", ""))[:200]:
            name, _sep, org = line.replace("｜", "|").partition("|")
            attendees.append({"name": name.strip()[:64], "organisation": org.strip()[:200]})
        return services.record(
            actor=request.user,
            meeting=meeting,
            attendees=attendees,
            decisions=_lines(d.get("decisions", ""))[:50],
            actions=_actions(request),
            minutes=pages.text(d, "minutes"),
        )

    return pages.run(
        request,
        call,
        success=_("会议记录已保存，落实事项已交给责任人"),
        to="meetings:detail",
        pk=pk,
        again=lambda errors: _detail(request, meeting, errors),
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
