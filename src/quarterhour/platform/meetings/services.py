"""Convene a joint meeting, record it (attendees, decisions, actions), close actions.

States (``meetings/machines.py``): planned → held (``record``) | cancelled (``cancel``);
actions: open → done (``close``). Each move is a history row and a ``MeetingEvent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.clock import now_or as _now
from quarterhour.platform.core.errors import Invalid, Issue, Refusal, raise_if_any
from quarterhour.platform.core.notify import tell
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.geography.models import Circle
from quarterhour.platform.meetings import machines
from quarterhour.platform.meetings import permissions as perm
from quarterhour.platform.meetings.error_codes import MeetingError as E
from quarterhour.platform.meetings.models import Action, Attendee, Meeting, MeetingDecision

_refuse = Refusal(E.PERMISSION_DENIED, _("您无权召集或记录该服务圈的联席会议"))


@transaction.atomic
def convene(
    *,
    actor: Any,
    circle: Circle,
    title: str,
    held_at: dt.datetime,
    agenda: str,
    place: str = "",
    invitees: Sequence[Any] = (),
) -> Meeting:
    """The street calls a joint meeting of the circle's units, with its agenda."""
    if not perm.can_convene_meeting(actor, circle):
        raise _refuse()
    issues: list[Issue] = []
    if not title.strip():
        issues.append(Issue(E.TEXT_REQUIRED, _("请填写会议名称"), field="title"))
    if not agenda.strip():
        issues.append(Issue(E.TEXT_REQUIRED, _("请填写议程"), field="agenda"))
    raise_if_any(issues)
    meeting = Meeting(
        circle=circle,
        title=title.strip(),
        held_at=held_at,
        agenda=agenda.strip(),
        place=place,
        convened_by=actor,
    )
    save_audited(meeting, actor=actor, reason=str(_("召集联席会议")))
    tell(
        recipients=invitees,
        kind="meetings.invitation",
        subject=_("联席会议通知：%(t)s，%(d)s")
        % {"t": meeting.title, "d": timezone.localtime(held_at).strftime("%Y-%m-%d %H:%M")},
        body=meeting.agenda,
        obj=meeting,
    )
    return meeting


@transaction.atomic
def record(
    *,
    actor: Any,
    meeting: Meeting,
    attendees: Sequence[dict[str, Any]],
    decisions: Sequence[str],
    actions: Sequence[dict[str, Any]],
    minutes: str = "",
    now: dt.datetime | None = None,
) -> Meeting:
    """Record a held meeting. ``attendees``: dicts with name, organisation (unit, user optional);
    ``actions``: dicts with description, owner (a staff user), due_on, decision (1-based number,
    optional). Every action appears in its owner's task list."""
    row = Meeting.objects.select_for_update().select_related("circle__street").get(pk=meeting.pk)
    if not perm.can_record_meeting(actor, row):
        raise _refuse()
    if not machines.MEETING.can(row, "record"):
        raise Invalid(E.ILLEGAL_TRANSITION, _("只能记录筹备中的会议"))
    today = timezone.localdate(_now(now))
    issues: list[Issue] = []
    if not attendees:
        issues.append(Issue(E.NO_ATTENDEES, _("请登记参会人"), field="attendees"))
    for i, a in enumerate(attendees, start=1):
        if not str(a.get("name", "")).strip() or not str(a.get("organisation", "")).strip():
            issues.append(
                Issue(E.TEXT_REQUIRED, _("参会人须有姓名和单位"), row=i, field="attendees")
            )
    for i, text in enumerate(decisions, start=1):
        if not text.strip():
            issues.append(Issue(E.TEXT_REQUIRED, _("决定事项不能为空"), row=i, field="decisions"))
    for i, a in enumerate(actions, start=1):
        if not str(a.get("description", "")).strip():
            issues.append(Issue(E.TEXT_REQUIRED, _("落实事项不能为空"), row=i, field="actions"))
        due = a.get("due_on")
        if not isinstance(due, dt.date) or due < today:
            issues.append(Issue(E.DUE_IN_PAST, _("完成期限不能早于今天"), row=i, field="actions"))
        if not perm.can_own_action(a.get("owner"), row):
            issues.append(
                Issue(
                    E.OWNER_NOT_STAFF,
                    _("第 %(i)d 项的责任人须为本区县的工作人员") % {"i": i},
                    row=i,
                    field=f"owner_{i}",
                )
            )
        number = a.get("decision")
        if number is not None and not (isinstance(number, int) and 1 <= number <= len(decisions)):
            issues.append(Issue(E.FIELD_INVALID, _("对应决定的序号不存在"), row=i, field="actions"))
    raise_if_any(issues)
    for a in attendees:
        save_audited(
            Attendee(
                meeting=row,
                name=a["name"].strip(),
                organisation=a["organisation"].strip(),
                unit=a.get("unit"),
                user=a.get("user"),
                present=a.get("present", True),
            ),
            actor=actor,
        )
    rows = []
    for n, text in enumerate(decisions, start=1):
        d = MeetingDecision(meeting=row, number=n, text=text.strip())
        save_audited(d, actor=actor)
        rows.append(d)
    for a in actions:
        act = Action(
            meeting=row,
            decision=rows[a["decision"] - 1] if a.get("decision") else None,
            description=a["description"].strip(),
            owner=a["owner"],
            due_on=a["due_on"],
        )
        save_audited(act, actor=actor)
        tell(
            recipients=[act.owner],
            kind="meetings.action",
            subject=_("联席会议交办事项，期限 %(d)s") % {"d": act.due_on},
            body=act.description,
            obj=act,
        )
    return machines.MEETING.move(
        row, "record", actor=actor, now=now, fields={"minutes": minutes}, locked=True
    )


@transaction.atomic
def cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    row = Meeting.objects.select_for_update().select_related("circle__street").get(pk=meeting.pk)
    if not perm.can_record_meeting(actor, row):
        raise _refuse()
    if not machines.MEETING.can(row, "cancel"):
        raise Invalid(E.ILLEGAL_TRANSITION, _("只能取消筹备中的会议"))
    if not reason.strip():
        raise Invalid(
            E.TEXT_REQUIRED,
            _("必须填写理由"),
            [Issue(E.TEXT_REQUIRED, _("必须填写理由"), field="reason")],
        )
    return machines.MEETING.move(row, "cancel", actor=actor, reason=reason, locked=True)


@transaction.atomic
def close_action(
    *, actor: Any, action: Action, note: str, now: dt.datetime | None = None
) -> Action:
    row = (
        Action.objects.select_for_update()
        .select_related("meeting__circle__street")
        .get(pk=action.pk)
    )
    if not perm.can_close_action(actor, row):
        raise _refuse()
    if not machines.ACTION.can(row, "close"):
        raise Invalid(E.ILLEGAL_TRANSITION, _("该事项已完成"))
    if not note.strip():
        raise Invalid(
            E.TEXT_REQUIRED,
            _("请填写完成情况"),
            [Issue(E.TEXT_REQUIRED, _("请填写完成情况"), field="note")],
        )
    return machines.ACTION.move(
        row,
        "close",
        actor=actor,
        now=now,
        reason=note.strip(),
        fields={"done_at": _now(now), "done_note": note.strip()},
        locked=True,
    )


def remind_overdue(*, today: dt.date | None = None) -> int:
    """Scheduled job: tell each owner once about an open action past its due date (and the
    meeting's convener). Returns how many actions were reminded."""
    day = today or timezone.localdate()
    due = (
        Action.objects.select_for_update()
        .filter(status=Action.Status.OPEN, due_on__lt=day, reminded_on__isnull=True)
        .select_related("owner", "meeting__convened_by")
        .order_by("pk")
    )
    n = 0
    with transaction.atomic():
        for act in due:
            tell(
                recipients=[act.owner, act.meeting.convened_by],
                kind="meetings.overdue",
                subject=_("联席会议交办事项已逾期（期限 %(d)s）") % {"d": act.due_on},
                body=act.description,
                obj=act,
            )
            act.reminded_on = day
            save_audited(act, actor=None, reason=str(_("交办事项逾期提醒")))
            n += 1
    return n
