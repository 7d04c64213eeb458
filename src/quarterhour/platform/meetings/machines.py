"""The joint meetings' state machines (``core/transitions.StateMachine``), each move written
with its history row and a :class:`MeetingEvent`.

Meeting:: record  planned → held        cancel  planned → cancelled
Action::  close   open → done
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.events import recorder
from quarterhour.platform.core.transitions import StateMachine, Transition
from quarterhour.platform.meetings.error_codes import MeetingError as E
from quarterhour.platform.meetings.models import Action, Meeting, MeetingEvent

MS, AS = Meeting.Status, Action.Status


MEETING: StateMachine[Meeting] = StateMachine(
    model=Meeting,
    transitions={
        "record": Transition(frozenset({MS.PLANNED}), MS.HELD, _("记录会议")),
        "cancel": Transition(frozenset({MS.PLANNED}), MS.CANCELLED, _("取消会议")),
    },
    illegal_code=E.ILLEGAL_TRANSITION,
    state_field="status",
    state_label=lambda s: MS(s).label,
    record=recorder(MeetingEvent, MeetingEvent.Subject.MEETING),
)
ACTION: StateMachine[Action] = StateMachine(
    model=Action,
    transitions={"close": Transition(frozenset({AS.OPEN}), AS.DONE, _("完成落实事项"))},
    illegal_code=E.ILLEGAL_TRANSITION,
    state_field="status",
    state_label=lambda s: AS(s).label,
    record=recorder(MeetingEvent, MeetingEvent.Subject.ACTION),
)
