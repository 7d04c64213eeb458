"""Writes and reads of saved what-if scenarios: save, promote into the plan (纳入规划), withdraw.

A scenario is hypothetical: saving or promoting it never changes the register. It is a circle's
(:func:`scenario_save`) or a district's (全区方案, :func:`district_scenario_save`). A promoted
scenario's added and moved sites are proposed sites (:func:`proposed_sites`): a circle's own, and
a district scenario's within reach of the circle's communities. Every write checks that the
actor plans the scenario's circle (its street, district or the city) or district (the district
or the city) and goes through the audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from quarterhour.engine.config import DEFAULT_MAX_SNAP_M
from quarterhour.platform.core.errors import Invalid, Issue, Refusal
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.core.transitions import StateMachine, Transition
from quarterhour.platform.geography.models import Circle, District
from quarterhour.platform.planning.error_codes import PlanningError as E
from quarterhour.platform.planning.models import WhatIfScenario
from quarterhour.platform.planning.permissions import can_plan_circle, can_plan_district
from quarterhour.platform.planning.whatif import (
    ADD,
    MOVE,
    NEAR_MARGIN_M,
    HypoChange,
    basis_run,
    circle_base,
    community_extent,
    district_facilities,
    engine_changes,
    metres_to_box,
    parse_changes,
)

State = WhatIfScenario.State
NAME_MAX = 100

MACHINE = StateMachine(
    model=WhatIfScenario,
    transitions={
        "promote": Transition(
            frozenset({State.DRAFT, State.WITHDRAWN}), State.PROPOSED, _("纳入规划")
        ),
        "withdraw": Transition(frozenset({State.PROPOSED}), State.WITHDRAWN, _("撤回")),
    },
    illegal_code=E.WHATIF_ILLEGAL,
    state_label=lambda s: State(s).label,
)


_refuse = Refusal(E.WHATIF_PERMISSION_DENIED, _("您无权为该服务圈做规划方案"))
_refuse_district = Refusal(
    E.WHATIF_PERMISSION_DENIED, _("您无权为该区县做假设分析：仅限本区和市级工作人员")
)


def check_planner(actor: Any, circle: Circle) -> None:
    if not can_plan_circle(actor, circle):
        raise _refuse()


def check_district_planner(actor: Any, district: District) -> None:
    """The district-wide what-if is for the district's officers and city staff."""
    if not can_plan_district(actor, district):
        raise _refuse_district()


def _check_name_and_changes(name: str, changes: Sequence[HypoChange]) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        msg = _("请填写方案名称（不超过 %(n)d 字）") % {"n": NAME_MAX}
        raise Invalid(E.WHATIF_INVALID, msg, [Issue(E.WHATIF_INVALID, msg, field="name")])
    if not changes:
        empty = _("方案中还没有任何变更")
        raise Invalid(E.WHATIF_INVALID, empty, [Issue(E.WHATIF_INVALID, empty, field="change")])
    return name


@transaction.atomic
def scenario_save(
    *, actor: Any, circle: Circle, name: str, changes: Sequence[HypoChange], is_demo: bool = False
) -> WhatIfScenario:
    """Keep ``changes`` as a named scenario of ``circle`` (the register is not touched)."""
    check_planner(actor, circle)
    name = _check_name_and_changes(name, changes)
    engine_changes(circle_base(circle), changes)  # every facility named is one of the circle's
    row = WhatIfScenario(
        circle=circle,
        name=name,
        changes=[c.as_json() for c in changes],
        created_by=actor,
        is_demo=is_demo,
    )
    save_audited(row, actor=actor, reason=str(_("保存假设方案")))
    return row


@transaction.atomic
def district_scenario_save(
    *,
    actor: Any,
    district: District,
    name: str,
    changes: Sequence[HypoChange],
    is_demo: bool = False,
) -> WhatIfScenario:
    """Keep ``changes`` as a named scenario of ``district`` (全区方案; the register is not
    touched). Every facility moved or closed must be in the register."""
    check_district_planner(actor, district)
    name = _check_name_and_changes(name, changes)
    district_facilities(changes)
    row = WhatIfScenario(
        district=district,
        name=name,
        changes=[c.as_json() for c in changes],
        created_by=actor,
        is_demo=is_demo,
    )
    save_audited(row, actor=actor, reason=str(_("保存全区假设方案")))
    return row


def _may_plan(actor: Any, scenario: WhatIfScenario) -> bool:
    if scenario.district is not None:
        return can_plan_district(actor, scenario.district)
    return can_plan_circle(actor, scenario.circle)


def scenario_move(*, actor: Any, scenario: WhatIfScenario, action: str) -> WhatIfScenario:
    """Promote a scenario (a circle's or a district's) into the plan, or withdraw it."""
    return MACHINE.move(
        scenario,
        action,
        actor=actor,
        allowed=lambda s: _may_plan(actor, s),
        refuse=_refuse_district if scenario.district_id is not None else _refuse,
    )


# -- reads -------------------------------------------------------------------------------------


def scenarios_of(circle: Circle) -> QuerySet[WhatIfScenario]:
    return WhatIfScenario.objects.filter(circle=circle).select_related("created_by")


def district_scenarios_of(district: District) -> QuerySet[WhatIfScenario]:
    return WhatIfScenario.objects.filter(district=district).select_related("created_by")


def changes_of(scenario: WhatIfScenario) -> list[HypoChange]:
    return parse_changes(scenario.changes)


@dataclass(frozen=True, slots=True)
class ProposedSite:
    scenario: WhatIfScenario
    name: str
    items: str
    lon: float
    lat: float


def _sites(rows: Iterable[WhatIfScenario]) -> list[ProposedSite]:
    from quarterhour.platform.core import standard

    out = []
    for s in rows:
        for c in changes_of(s):
            if c.action in (ADD, MOVE):
                items = "、".join(standard.item_label(i) for i in c.items)
                out.append(ProposedSite(s, c.name, items, c.lon, c.lat))
    return out


def district_proposed_sites(district: District) -> list[ProposedSite]:
    """Sites added or moved to by the district's scenarios in the plan."""
    return _sites(district_scenarios_of(district).filter(state=State.PROPOSED))


def proposed_sites(circle: Circle) -> list[ProposedSite]:
    """Sites added or moved to by the circle's scenarios in the plan, and by its district's
    scenarios in the plan where the site is within reach of one of the circle's communities
    (the circle's walking limit, the snap limit and a margin, in straight-line metres: as the
    district's what-if chooses the circles a change may touch)."""
    out = _sites(scenarios_of(circle).filter(state=State.PROPOSED))
    if not circle.street_id:
        return out
    rows = WhatIfScenario.objects.filter(
        district_id=circle.street.district_id, state=State.PROPOSED
    )
    if not rows.exists():
        return out
    run = basis_run(circle)
    if run is None:
        return out
    reach = run.limit_m + DEFAULT_MAX_SNAP_M + NEAR_MARGIN_M
    boxes = [
        b for m in circle.memberships.all() if (b := community_extent(m.community)) is not None
    ]
    for site in _sites(rows.select_related("created_by")):
        if any(metres_to_box(b, site.lon, site.lat) <= reach for b in boxes):
            out.append(site)
    return out
