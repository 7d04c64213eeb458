"""The volunteers' three state machines (``core/transitions.StateMachine``), each move written
with its history row and a :class:`VolunteeringEvent`.

Registration::   approve  pending → approved      reject    pending → rejected
                 suspend  approved → suspended    reinstate suspended → approved
Need::           assign   open → matched          serve     matched → done
                 cancel   open, matched → cancelled
Service record:: confirm  pending → confirmed     dispute   pending → disputed
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.events import recorder
from quarterhour.platform.core.transitions import StateMachine, Transition
from quarterhour.platform.volunteers.error_codes import VolunteerError as E
from quarterhour.platform.volunteers.models import Need, ServiceRecord, Volunteer, VolunteeringEvent

VS, NS, RS = Volunteer.Status, Need.Status, ServiceRecord.Status


def _step(sources: set[str], target: str, label: Any) -> Transition:
    return Transition(frozenset(sources), target, label)


def _machine(model: type[models.Model], subject: str, steps: dict[str, Transition]) -> Any:
    status = model.Status  # type: ignore[attr-defined]
    return StateMachine(
        model=model,
        transitions=steps,
        illegal_code=E.ILLEGAL_TRANSITION,
        state_field="status",
        state_label=lambda s: status(s).label,
        record=recorder(VolunteeringEvent, subject),
    )


VOLUNTEER: StateMachine[Volunteer] = _machine(
    Volunteer,
    VolunteeringEvent.Subject.VOLUNTEER,
    {
        "approve": _step({VS.PENDING}, VS.APPROVED, _("审核通过")),
        "reject": _step({VS.PENDING}, VS.REJECTED, _("审核不通过")),
        "suspend": _step({VS.APPROVED}, VS.SUSPENDED, _("暂停")),
        "reinstate": _step({VS.SUSPENDED}, VS.APPROVED, _("恢复")),
    },
)
NEED: StateMachine[Need] = _machine(
    Need,
    VolunteeringEvent.Subject.NEED,
    {
        "assign": _step({NS.OPEN}, NS.MATCHED, _("指派志愿者")),
        "serve": _step({NS.MATCHED}, NS.DONE, _("登记服务时长")),
        "cancel": _step({NS.OPEN, NS.MATCHED}, NS.CANCELLED, _("取消需求")),
    },
)
RECORD: StateMachine[ServiceRecord] = _machine(
    ServiceRecord,
    VolunteeringEvent.Subject.RECORD,
    {
        "confirm": _step({RS.PENDING}, RS.CONFIRMED, _("确认服务时长")),
        "dispute": _step({RS.PENDING}, RS.DISPUTED, _("对服务时长有异议")),
    },
)
