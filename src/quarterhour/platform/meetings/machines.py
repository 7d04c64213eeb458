"""The joint meetings' state machines (``core/transitions.StateMachine``), each move written
with its history row and a :class:`MeetingEvent`.

Meeting:: record  planned → held        cancel  planned → cancelled
Action::  close   open → done
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.transitions import Moved, StateMachine, Transition
from quarterhour.platform.meetings.error_codes import MeetingError as E
from quarterhour.platform.meetings.models import Action, Meeting, MeetingEvent

MS, AS = Meeting.Status, Action.Status


def _recorder(subject: str) -> Any:
    def record(moved: Moved[Any]) -> None:
        MeetingEvent.objects.create(
            subject=subject,
            subject_id=moved.row.pk,
            action=moved.action,
            from_state=moved.before,
            to_state=moved.after,
            actor=moved.actor,
            reason=moved.reason,
            at=moved.at,
        )

    return record


MEETING: StateMachine[Meeting] = StateMachine(
    model=Meeting,
    transitions={
        "record": Transition(frozenset({MS.PLANNED}), MS.HELD, _("记录会议")),
        "cancel": Transition(frozenset({MS.PLANNED}), MS.CANCELLED, _("取消会议")),
    },
    illegal_code=E.ILLEGAL_TRANSITION,
    state_field="status",
    state_label=lambda s: MS(s).label,
    record=_recorder(MeetingEvent.Subject.MEETING),
)
ACTION: StateMachine[Action] = StateMachine(
    model=Action,
    transitions={"close": Transition(frozenset({AS.OPEN}), AS.DONE, _("完成落实事项"))},
    illegal_code=E.ILLEGAL_TRANSITION,
    state_field="status",
    state_label=lambda s: AS(s).label,
    record=_recorder(MeetingEvent.Subject.ACTION),
)
