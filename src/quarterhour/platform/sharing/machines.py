"""The shared facilities' state machines (``core/transitions.StateMachine``), each move written
with its history row and a :class:`SharingEvent`.

Offer::   withdraw  offered → withdrawn
Booking:: cancel    active → cancelled      withdraw  active → withdrawn (the unit withdrew)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from quarterhour.platform.core.events import recorder
from quarterhour.platform.core.transitions import StateMachine, Transition
from quarterhour.platform.sharing.error_codes import SharingError as E
from quarterhour.platform.sharing.models import Booking, SharedFacility, SharingEvent

OS, BS = SharedFacility.Status, Booking.Status


OFFER: StateMachine[SharedFacility] = StateMachine(
    model=SharedFacility,
    transitions={
        "withdraw": Transition(frozenset({OS.OFFERED}), OS.WITHDRAWN, _("退出共享")),
    },
    illegal_code=E.WITHDRAWN,
    state_field="status",
    state_label=lambda s: OS(s).label,
    record=recorder(SharingEvent, SharingEvent.Subject.OFFER),
)
BOOKING: StateMachine[Booking] = StateMachine(
    model=Booking,
    transitions={
        "cancel": Transition(frozenset({BS.ACTIVE}), BS.CANCELLED, _("取消预约")),
        "withdraw": Transition(frozenset({BS.ACTIVE}), BS.WITHDRAWN, _("单位退出取消")),
    },
    illegal_code=E.BOOKING_CLOSED,
    state_field="status",
    state_label=lambda s: BS(s).label,
    record=recorder(SharingEvent, SharingEvent.Subject.BOOKING),
)
