"""Test helpers: street A1 convenes a joint meeting of circle cA1 on a fixed clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from quarterhour.platform.meetings import services
from quarterhour.platform.meetings.models import Meeting

TZ = timezone.get_fixed_timezone(8 * 60)
T0 = dt.datetime(2026, 5, 12, 14, 30, tzinfo=TZ)
TODAY = T0.date()


def convene(w: Any, *, circle: Any = None, actor: Any = None) -> Meeting:
    return services.convene(
        actor=actor or w.users["street"],
        circle=circle or w.cA1,
        title="长安服务圈第二季度联席会议",
        held_at=T0,
        agenda="1. 驻区单位场地开放\n2. 便民服务网点补缺",
        place="街道办事处三楼会议室",
        invitees=[w.users["provider"], w.users["community"]],
    )
