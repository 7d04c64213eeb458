"""Volunteer registration and approval, needs, matching by skill, walking distance and
availability, and service hours confirmed by the recipient."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.engine.network import WalkNetwork
from quarterhour.engine.places import Origins
from quarterhour.engine.reach import distance_matrix
from quarterhour.platform.core.clock import now_or as _now
from quarterhour.platform.core.errors import (
    Invalid,
    Issue,
    PermissionRefused,
    Refusal,
    raise_if_any,
)
from quarterhour.platform.core.notify import tell
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.facilities.hours import is_open, validate_hours
from quarterhour.platform.geography.models import Community
from quarterhour.platform.volunteers import machines
from quarterhour.platform.volunteers import permissions as perm
from quarterhour.platform.volunteers.error_codes import VolunteerError as E
from quarterhour.platform.volunteers.models import (
    Need,
    Organisation,
    ServiceRecord,
    Skill,
    Volunteer,
)

#: how far a volunteer is asked to walk by default (metres): a quarter hour at 5 km/h
DEFAULT_MATCH_LIMIT_M = 1250.0

VS = Volunteer.Status


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权办理该志愿服务事项"))


def _require(machine: Any, row: Any, action: str) -> None:
    """Refuse an action its machine does not allow from the row's state, before the other
    checks (said as the machine says it)."""
    if not machine.can(row, action):
        raise Invalid(
            E.ILLEGAL_TRANSITION,
            _("当前状态为“%(s)s”，不能执行“%(a)s”")
            % {"s": machine.state_label(row.status), "a": machine.label(action)},
        )


@transaction.atomic
def register(
    *,
    actor: Any,
    community: Community,
    name: str,
    phone: str,
    lon: float,
    lat: float,
    skills: Sequence[str],
    availability: Any,
    organisation: str,
    now: dt.datetime | None = None,
) -> Volunteer:
    """注册登记: a person registers as a volunteer of ``community``; the community approves."""
    if not perm.can_register_volunteer(actor):
        raise _refuse()
    issues: list[Issue] = []
    if Volunteer.objects.filter(user=actor).exists():
        issues.append(Issue(E.ALREADY_REGISTERED, _("您已注册为志愿者")))
    if not skills:
        issues.append(Issue(E.NO_SKILLS, _("至少选择一项技能"), field="skills"))
    for s in skills:
        if s not in Skill.values:
            issues.append(Issue(E.UNKNOWN_SKILL, _("未知的技能 %(s)s") % {"s": s}, field="skills"))
    for problem in validate_hours(availability):
        issues.append(Issue(E.HOURS_INVALID, problem, field="availability"))
    if organisation not in Organisation.values:
        issues.append(Issue(E.FIELD_INVALID, _("请选择身份"), field="organisation"))
    if not name.strip() or not phone.strip():
        issues.append(Issue(E.FIELD_INVALID, _("必须填写姓名和电话"), field="name"))
    raise_if_any(issues)
    v = Volunteer(
        user=actor,
        community=community,
        name=name.strip(),
        phone=phone.strip(),
        lon=lon,
        lat=lat,
        skills=sorted(set(skills)),
        availability=list(availability),
        organisation=organisation,
        registered_at=_now(now),
    )
    save_audited(v, actor=actor, reason=str(_("志愿者注册")))
    return v


@transaction.atomic
def decide(
    *,
    actor: Any,
    volunteer: Volunteer,
    action: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Volunteer:
    """Community approval (``approve``/``reject``), or ``suspend``/``reinstate`` later."""
    v = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not perm.can_approve_volunteer(actor, v):
        raise _refuse()
    if action not in machines.VOLUNTEER.transitions:
        raise Invalid(E.FIELD_INVALID, _("未知的操作"))
    _require(machines.VOLUNTEER, v, action)
    if action in {"reject", "suspend"} and not note.strip():
        raise Invalid(
            E.FIELD_INVALID,
            _("必须填写理由"),
            [Issue(E.FIELD_INVALID, _("必须填写理由"), field="note")],
        )
    at = _now(now)
    v = machines.VOLUNTEER.move(
        v,
        action,
        actor=actor,
        now=at,
        reason=note,
        fields={"decided_by": actor, "decided_at": at, "decision_note": note},
        locked=True,
    )
    tell(
        recipients=[v.user],
        kind=f"volunteers.{action}",
        subject=_("您的志愿者登记：%(s)s") % {"s": v.get_status_display()},
        body=note,
        obj=v,
    )
    return v


@transaction.atomic
def post_need(
    *,
    actor: Any,
    community: Community,
    recipient: Any,
    skill: str,
    description: str,
    lon: float,
    lat: float,
    wanted_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Need:
    if not perm.can_post_need(actor, community, recipient):
        raise _refuse()
    at = _now(now)
    issues: list[Issue] = []
    if skill not in Skill.values:
        issues.append(Issue(E.UNKNOWN_SKILL, _("请选择需求类别"), field="skill"))
    if not description.strip():
        issues.append(Issue(E.FIELD_INVALID, _("请填写需求说明"), field="description"))
    if wanted_at <= at:
        issues.append(Issue(E.FIELD_INVALID, _("期望服务时间须晚于现在"), field="wanted_at"))
    raise_if_any(issues)
    need = Need(
        community=community,
        recipient=recipient,
        posted_by=actor,
        skill=skill,
        description=description.strip(),
        lon=lon,
        lat=lat,
        wanted_at=wanted_at,
        posted_at=at,
    )
    save_audited(need, actor=actor, reason=str(_("发布互助需求")))
    return need


@dataclass(frozen=True, slots=True)
class Candidate:
    volunteer: Volunteer
    walk_m: float


def candidates(
    need: Need,
    *,
    network: WalkNetwork,
    limit_m: float = DEFAULT_MATCH_LIMIT_M,
) -> list[Candidate]:
    """Approved volunteers of the need's street with the skill, available at the wanted time and
    within ``limit_m`` walking (engine, exact along the network), nearest first."""
    local = timezone.localtime(need.wanted_at)
    pool = [
        v
        for v in Volunteer.objects.filter(
            status=VS.APPROVED, community__street_id=need.community.street_id
        ).order_by("pk")
        if need.skill in v.skills and is_open(v.availability, local) is True
    ]
    if not pool:
        return []
    origins = Origins.from_points(["need"], [need.lon], [need.lat])
    found = distance_matrix(
        network,
        np.array([v.lon for v in pool]),
        np.array([v.lat for v in pool]),
        origins,
        limit_m=limit_m,
    ).tocoo()
    # stored entries only: an absent entry is beyond the limit or off the network
    out = [
        Candidate(pool[int(i)], float(d))
        for i, d in zip(found.row, found.data, strict=True)
        if d <= limit_m
    ]
    out.sort(key=lambda c: (c.walk_m, c.volunteer.pk))
    return out


@transaction.atomic
def assign(*, actor: Any, need: Need, volunteer: Volunteer, now: dt.datetime | None = None) -> Need:
    row = (
        Need.objects.select_for_update(of=("self",))
        .select_related("community__street")
        .get(pk=need.pk)
    )
    if not perm.can_match_need(actor, row):
        raise _refuse()
    _require(machines.NEED, row, "assign")
    # the volunteer as stored now (an approval may have come after the caller read it)
    volunteer = Volunteer.objects.select_related("community__street").get(pk=volunteer.pk)
    if volunteer.community.street.district_id != row.community.street.district_id:
        raise PermissionRefused(
            E.OTHER_DISTRICT, _("该志愿者登记在其他区县，不能指派到本区县的需求")
        )
    if volunteer.status != VS.APPROVED:
        raise Invalid(E.NOT_APPROVED, _("该志愿者尚未通过审核"))
    return _assign_locked(row, volunteer, actor=actor, now=now)


def _assign_locked(
    row: Need, volunteer: Volunteer, *, actor: Any, now: dt.datetime | None, reason: str = ""
) -> Need:
    """The ``assign`` move of a locked open need to an approved volunteer of its district (the
    community's matching and a volunteer's own offer alike): the skill, then the move with its
    event and history row, then the volunteer and the person helped are told."""
    if row.skill not in volunteer.skills:
        raise Invalid(E.SKILL_MISMATCH, _("该志愿者没有所需技能"))
    row = machines.NEED.move(
        row,
        "assign",
        actor=actor,
        now=now,
        reason=reason,
        fields={"volunteer": volunteer},
        locked=True,
    )
    if volunteer.user_id != getattr(actor, "pk", None):
        tell(
            recipients=[volunteer.user],
            kind="volunteers.assigned",
            subject=_("新的志愿服务：%(k)s") % {"k": row.get_skill_display()},
            body=row.description,
            obj=row,
        )
    tell(
        recipients=[row.recipient],
        kind="volunteers.matched",
        subject=_("您的需求已匹配志愿者 %(n)s") % {"n": volunteer.name},
        body=row.description,
        obj=row,
    )
    return row


@transaction.atomic
def take(*, actor: Any, need: Need, now: dt.datetime | None = None) -> Need:
    """我来帮忙: an approved volunteer takes an open need of their own street themselves. The
    same ``assign`` move as the community's matching (the event names the volunteer as actor),
    so the need shows as matched in the community's queue."""
    volunteer = (
        Volunteer.objects.select_related("community__street", "user").filter(user=actor).first()
    )
    if volunteer is None or volunteer.status != VS.APPROVED:
        raise PermissionRefused(E.NOT_A_VOLUNTEER, _("只有通过社区审核的志愿者才能认领互助需求"))
    row = (
        Need.objects.select_for_update(of=("self",))
        .select_related("community__street")
        .get(pk=need.pk)
    )
    if volunteer.community.street.district_id != row.community.street.district_id:
        raise PermissionRefused(E.OTHER_DISTRICT, _("该需求在其他区县，您不能认领"))
    if not perm.can_take_need(actor, row, volunteer):
        raise PermissionRefused(E.OTHER_STREET, _("只能认领您所在街道的互助需求"))
    if row.recipient_id == getattr(actor, "pk", None):
        raise Invalid(E.OWN_NEED, _("不能认领自己发布的需求"))
    if row.status != Need.Status.OPEN:
        raise Invalid(
            E.NEED_TAKEN,
            _("该需求已“%(s)s”，不能再认领") % {"s": row.get_status_display()},
        )
    return _assign_locked(row, volunteer, actor=actor, now=now, reason=str(_("志愿者自行认领")))


@transaction.atomic
def cancel_need(*, actor: Any, need: Need, reason: str) -> Need:
    row = Need.objects.select_for_update().get(pk=need.pk)
    if not (perm.can_match_need(actor, row) or row.recipient_id == getattr(actor, "pk", None)):
        raise _refuse()
    return machines.NEED.move(row, "cancel", actor=actor, reason=reason, locked=True)


@transaction.atomic
def record_hours(
    *,
    actor: Any,
    need: Need,
    minutes: int,
    served_on: dt.date,
    note: str = "",
    now: dt.datetime | None = None,
) -> ServiceRecord:
    """The volunteer (or community staff) records the time served; the recipient confirms."""
    row = (
        Need.objects.select_for_update(of=("self",))
        .select_related("volunteer", "community")
        .get(pk=need.pk)
    )
    if not perm.can_record_hours(actor, row):
        raise _refuse()
    _require(machines.NEED, row, "serve")
    if row.volunteer is None:  # a matched need has its volunteer (said again for the types)
        raise Invalid(E.ILLEGAL_TRANSITION, _("该需求还没有志愿者"))
    at = _now(now)
    issues: list[Issue] = []
    if not isinstance(minutes, int) or not 0 < minutes <= 24 * 60:
        issues.append(
            Issue(E.MINUTES_INVALID, _("服务时长须在 1 到 1440 分钟之间"), field="minutes")
        )
    if served_on > timezone.localdate(at):
        issues.append(Issue(E.FIELD_INVALID, _("服务日期不能晚于今天"), field="served_on"))
    raise_if_any(issues)
    record = ServiceRecord(
        need=row,
        volunteer=row.volunteer,
        minutes=minutes,
        served_on=served_on,
        note=note,
        recorded_at=at,
    )
    save_audited(record, actor=actor, reason=str(_("记录服务时长")))
    machines.NEED.move(row, "serve", actor=actor, now=at, reason=note, locked=True)
    tell(
        recipients=[row.recipient],
        kind="volunteers.confirm",
        subject=_("请确认 %(n)s 的志愿服务时长：%(m)d 分钟")
        % {"n": row.volunteer.name, "m": minutes},
        body=note,
        obj=record,
    )
    return record


@transaction.atomic
def confirm_hours(
    *,
    actor: Any,
    record: ServiceRecord,
    accept: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> ServiceRecord:
    row = ServiceRecord.objects.select_for_update().select_related("need").get(pk=record.pk)
    if not perm.can_confirm_hours(actor, row):
        raise PermissionRefused(E.NOT_RECIPIENT, _("只有服务对象本人可以确认服务时长"))
    return machines.RECORD.move(
        row,
        "confirm" if accept else "dispute",
        actor=actor,
        now=now,
        reason=note,
        fields={
            "confirmed_at": _now(now),
            "note": (row.note + " / " + note).strip(" /")[:200] if note else row.note,
        },
        locked=True,
    )
