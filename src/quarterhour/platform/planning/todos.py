"""To-dos from planning, for district and city staff: the policy's targets (demonstration circles,
urban communities covered) against the latest assessment, and the circles with gaps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from quarterhour.engine.coverage import (
    DEMONSTRATION_CIRCLES_TARGET,
    URBAN_COMMUNITY_SHARE_TARGET,
)
from quarterhour.platform.core.access import Role, memberships
from quarterhour.platform.core.todos import Todo, todo_source
from quarterhour.platform.geography import selectors as geo
from quarterhour.platform.geography.models import Community
from quarterhour.platform.planning.models import CircleResult, CommunityResult


@todo_source("planning", order=70)
def planning_todos(user: Any, now: dt.datetime) -> list[Todo]:
    roles = {m.role for m in memberships(user)}
    if not roles & {Role.CITY, Role.DISTRICT}:
        return []
    section = _("工作目标与缺项")
    circles_url = reverse("web:circles")
    circles = geo.circles_visible(user)
    latest = CircleResult.objects.filter(circle__in=circles, is_latest=True)
    demonstration = latest.filter(demonstration=True).count()
    with_gaps = latest.filter(items_met__lt=F("items_required")).count()
    urban = geo.communities_visible(user).filter(urban_rural=Community.UrbanRural.URBAN)
    n_urban = urban.count()
    covered = CommunityResult.objects.filter(
        community__in=urban, is_latest=True, items_met__gte=F("items_required")
    ).count()
    share = covered / n_urban if n_urban else 0.0
    out = [
        Todo(
            section=section,
            title=_("达到示范点条件的服务圈（全市目标 %(t)s 个）")
            % {"t": DEMONSTRATION_CIRCLES_TARGET},
            url=circles_url,
            count=demonstration,
        ),
        Todo(
            section=section,
            title=_("城市社区覆盖率 %(s)s%%（目标 %(t)s%%）")
            % {
                "s": round(share * 100, 1),
                "t": round(URBAN_COMMUNITY_SHARE_TARGET * 100),
            },
            url=reverse("web:communities"),
            note=_("%(c)s / %(n)s 个城市社区各项均达标") % {"c": covered, "n": n_urban},
        ),
    ]
    if with_gaps:
        out.append(
            Todo(
                section=section,
                title=_("尚有缺项的服务圈（缺什么，补什么）"),
                url=circles_url,
                count=with_gaps,
            )
        )
    if not latest.exists():
        out.append(
            Todo(
                section=section,
                title=_("还没有评估结果：运行评估"),
                url=reverse("web:assessments"),
            )
        )
    return out
