"""Writes to requests: submit (web, hotline, Open311), accept, transfer, close, reject,
reopen, rate. Each checks its permission and the state machine, writes in one transaction,
records an :class:`Event` (and a :class:`Handover` for changes of owner) and notifies."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts.models import Membership, Role
from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core import text
from quarterhour.platform.core.access import memberships
from quarterhour.platform.core.errors import Invalid, Issue, Refusal
from quarterhour.platform.core.transitions import Moved, StateMachine, Transition
from quarterhour.platform.geography.models import Community, District, Street
from quarterhour.platform.notifications.services import notify
from quarterhour.platform.requests import location
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests.deadlines import due_and_remind
from quarterhour.platform.requests.error_codes import RequestError as E
from quarterhour.platform.requests.models import (
    Attribute,
    Category,
    Channel,
    Event,
    Follower,
    Handover,
    Level,
    ServiceRequest,
    Status,
)

MAX_DESCRIPTION = 4000
#: the columns' lengths: longer text is refused, never cut or left to the database to refuse
LIMITS = {
    "address": 300,
    "media_url": 500,
    "contact_name": 64,
    "contact_phone": 32,
    "contact_email": 254,
}
MAX_NOTE = 1000

_OPEN = frozenset({Status.NEW, Status.ACCEPTED, Status.REPLIED})

#: the state machine: action → (statuses it may start from, the status it leads to).
TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({Status.NEW}), Status.ACCEPTED, _("受理")),
    "reply": Transition(frozenset({Status.ACCEPTED, Status.REPLIED}), Status.REPLIED, _("答复")),
    "transfer": Transition(_OPEN, Status.NEW, _("转办")),
    "escalate": Transition(_OPEN, Status.NEW, _("超期升级")),
    "close": Transition(_OPEN, Status.CLOSED, _("办结")),
    "reject": Transition(frozenset({Status.NEW}), Status.REJECTED, _("不予受理")),
    "reopen": Transition(frozenset({Status.CLOSED}), Status.ACCEPTED, _("重新办理")),
    "rate": Transition(frozenset({Status.CLOSED}), Status.CLOSED, _("评价")),
}
ACTIONS = tuple(TRANSITIONS)


def _record(moved: Moved[ServiceRequest]) -> None:
    Event.objects.create(
        request=moved.row,
        at=moved.at,
        actor=moved.actor,
        action=moved.action,
        from_status=moved.before,
        to_status=moved.after,
        note=moved.reason[:1000],
    )


MACHINE: StateMachine[ServiceRequest] = StateMachine(
    model=ServiceRequest,
    transitions=TRANSITIONS,
    illegal_code=E.ILLEGAL_TRANSITION,
    state_field="status",
    state_label=lambda s: Status(s).label,
    record=_record,
)


def next_status(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status`` (refused when it is not allowed)."""
    step = TRANSITIONS[action]
    if status not in step.sources:
        raise Invalid(
            E.ILLEGAL_TRANSITION,
            _("当前状态为“%(s)s”，不能执行“%(a)s”") % {"s": Status(status).label, "a": step.label},
        )
    return step.target


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权办理该诉求"))


# -- owners ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Owner:
    level: str
    community: Community | None = None
    street: Street | None = None
    district: District | None = None
    provider: Provider | None = None
    user: Any = None

    def fields(self) -> dict[str, Any]:
        return {
            "owner_level": self.level,
            "owner_community": self.community,
            "owner_street": self.street,
            "owner_district": self.district,
            "owner_provider": self.provider,
            "owner_user": self.user,
        }

    def name(self) -> str:
        unit = self.community or self.street or self.district or self.provider
        label = str(Level(self.level).label)
        text = f"{label} {unit}" if unit else label
        return f"{text} / {self.user}" if self.user else text


def owner_of(req: ServiceRequest) -> Owner:
    return Owner(
        req.owner_level,
        req.owner_community,
        req.owner_street,
        req.owner_district,
        req.owner_provider,
        req.owner_user,
    )


def _owner_from_membership(m: Membership, user: Any) -> Owner:
    if m.role == Role.COMMUNITY:
        return Owner(Level.COMMUNITY, community=m.community, user=user)
    if m.role == Role.STREET:
        return Owner(Level.STREET, street=m.street, user=user)
    if m.role == Role.DISTRICT:
        return Owner(Level.DISTRICT, district=m.district, user=user)
    if m.role == Role.PROVIDER:
        return Owner(Level.PROVIDER, provider=m.provider, user=user)
    return Owner(Level.CITY, user=user)


_PREFER = {Role.COMMUNITY: 0, Role.PROVIDER: 1, Role.STREET: 2, Role.DISTRICT: 3, Role.CITY: 4}


def first_responder(user: Any, community: Community) -> Owner:
    """The staff member taking a call owns it, for their own unit (the one covering the place
    first, the most local one otherwise)."""
    staff = [m for m in memberships(user) if m.role in _PREFER]

    def rank(m: Membership) -> tuple[int, int]:
        covers = (
            (m.role == Role.COMMUNITY and m.community_id == community.pk)
            or (m.role == Role.STREET and m.street_id == community.street_id)
            or (m.role == Role.DISTRICT and m.district_id == community.street.district_id)
            or m.role == Role.CITY
        )
        return (0 if covers else 1, _PREFER[Role(m.role)])

    return _owner_from_membership(min(staff, key=rank), user)


def owner_people(req: ServiceRequest) -> list[Any]:
    """Everyone to tell about the request's work: the owner person, else the unit's staff."""
    if req.owner_user_id is not None:
        return [req.owner_user]
    q = Membership.objects.select_related("user")
    # the ignores: django-stubs rejects None for nullable ``<fk>_id`` lookups (django-stubs#3472)
    if req.owner_level == Level.COMMUNITY:
        q = q.filter(role=Role.COMMUNITY, community_id=req.owner_community_id)  # type: ignore[misc]
    elif req.owner_level == Level.STREET:
        q = q.filter(role=Role.STREET, street_id=req.owner_street_id)  # type: ignore[misc]
    elif req.owner_level == Level.DISTRICT:
        q = q.filter(role=Role.DISTRICT, district_id=req.owner_district_id)  # type: ignore[misc]
    elif req.owner_level == Level.PROVIDER:
        q = q.filter(role=Role.PROVIDER, provider_id=req.owner_provider_id)  # type: ignore[misc]
    else:
        q = q.filter(role=Role.CITY)
    return [m.user for m in q]


# -- validation ----------------------------------------------------------------------------------


def validate_attributes(
    category: Category, given: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Issue]]:
    """Check answers against the category's attributes: unknown codes, missing required ones,
    datatypes and list keys. Returns the cleaned answers and every problem found."""
    issues: list[Issue] = []
    clean: dict[str, Any] = {}
    defs = {a.code: a for a in category.attributes.all()}
    for code in sorted(set(given) - set(defs)):
        issues.append(
            Issue(
                E.BAD_ATTRIBUTE, _("未知的附加项 %(c)s") % {"c": code}, field=f"attribute[{code}]"
            )
        )
    for code, a in defs.items():
        raw = given.get(code)
        empty = raw is None or raw == "" or raw == []
        field = f"attribute[{code}]"
        if empty:
            if a.required and a.variable:
                issues.append(
                    Issue(
                        E.MISSING_ATTRIBUTE,
                        _("缺少必填附加项：%(d)s") % {"d": a.description},
                        field=field,
                    )
                )
            continue
        values = raw if isinstance(raw, list) else [raw]
        keys = {str(v["key"]) for v in a.values}
        if a.datatype == Attribute.Datatype.MULTI:
            bad = [v for v in values if str(v) not in keys]
            value: Any = [str(v) for v in values]
        elif len(values) > 1:
            issues.append(Issue(E.BAD_ATTRIBUTE, _("该附加项只能有一个值"), field=field))
            continue
        else:
            value = str(values[0])
            bad = []
            if a.datatype == Attribute.Datatype.SINGLE and value not in keys:
                bad = [value]
            if a.datatype == Attribute.Datatype.NUMBER:
                try:
                    number = float(value)
                except ValueError:
                    number = math.nan
                if not math.isfinite(number):
                    bad = [value]
            if a.datatype == Attribute.Datatype.DATETIME and parse_datetime(value) is None:
                bad = [value]
            if a.datatype == Attribute.Datatype.STRING and "\n" in value:
                bad = [value]
        if bad:
            issues.append(
                Issue(
                    E.BAD_ATTRIBUTE,
                    _("附加项“%(d)s”的值无效：%(v)s")
                    % {"d": a.description, "v": ", ".join(str(b) for b in bad)},
                    field=field,
                )
            )
            continue
        clean[code] = value
    return clean, issues


def _locate(
    *, lon: float | None, lat: float | None, community: Community | None, issues: list[Issue]
) -> Community | None:
    if (lon is not None or lat is not None) and not text.coordinates_ok(lon, lat):
        if lon is None or lat is None:
            issues.append(Issue(E.NO_LOCATION, _("经度和纬度须同时提供"), field="lat/long"))
        else:
            issues.append(Issue(E.BAD_COORDINATES, _("经纬度超出范围"), field="lat/long"))
        return None
    if community is not None:
        return community
    if lon is None and lat is None:
        issues.append(Issue(E.NO_LOCATION, _("请提供位置：经纬度或所在社区"), field="location"))
        return None
    if lon is None or lat is None:
        issues.append(Issue(E.NO_LOCATION, _("经度和纬度须同时提供"), field="lat/long"))
        return None
    if not text.coordinates_ok(lon, lat):
        issues.append(Issue(E.BAD_COORDINATES, _("经纬度超出范围"), field="lat/long"))
        return None
    pk = location.community_at(lon, lat)
    if pk is None:
        issues.append(
            Issue(E.LOCATION_OUTSIDE, _("该位置不在本平台管辖的任何社区内"), field="lat/long")
        )
        return None
    return Community.objects.select_related("street").get(pk=pk)


# -- submit ------------------------------------------------------------------------------------


@transaction.atomic
def submit(
    *,
    actor: Any,
    category: Category | None,
    channel: str,
    description: str = "",
    lon: float | None = None,
    lat: float | None = None,
    community: Community | None = None,
    address: str = "",
    attributes: Mapping[str, Any] | None = None,
    media_url: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    api_client: Any = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: datetime | None = None,
) -> ServiceRequest:
    """A new request, owned from this minute: by the staff member who took the call (hotline,
    walk-in) or by the community station of its place (web, Open311), with its deadline."""
    if channel == Channel.OPEN311:
        if api_client is None:
            raise _refuse()
    elif channel in (Channel.HOTLINE, Channel.WALK_IN):
        if not rperm.can_enter_call(actor):
            raise _refuse()
    elif not rperm.can_submit(actor):
        raise _refuse()
    issues: list[Issue] = []
    if category is None:
        issues.append(Issue(E.NO_CATEGORY, _("请选择诉求类别"), field="category"))
    elif not category.is_active:
        issues.append(Issue(E.UNKNOWN_CATEGORY, _("该诉求类别已停用"), field="category"))
    if len(description) > MAX_DESCRIPTION:
        issues.append(Issue(E.DESCRIPTION_TOO_LONG, _("内容不能超过 4000 字"), field="description"))
    given = {
        "description": description,
        "address": address,
        "media_url": media_url,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
    }
    issues.extend(text.control_issue(f) for f in text.bad_fields(given))
    if text.has_control_anywhere(dict(attributes or {})):
        issues.append(text.control_issue("attributes"))
    for field, most in LIMITS.items():
        if len(given[field]) > most:
            issues.append(Issue(E.TOO_LONG, _("不能超过 %(n)d 个字符") % {"n": most}, field=field))
    place = _locate(lon=lon, lat=lat, community=community, issues=issues)
    clean: dict[str, Any] = {}
    if category is not None:
        clean, more = validate_attributes(category, attributes or {})
        issues.extend(more)
    if issues or category is None or place is None:
        raise Invalid(issues[0].code, issues[0].message, issues)
    when = now or timezone.now()
    street = place.street
    if channel in (Channel.HOTLINE, Channel.WALK_IN):
        owner = first_responder(actor, place)
    else:
        owner = Owner(Level.COMMUNITY, community=place)
    due, remind = due_and_remind(category, street.district_id, when)
    req = ServiceRequest(
        category=category,
        status=Status.NEW,
        channel=channel,
        description=description,
        attributes=clean,
        media_url=media_url,
        lon=lon,
        lat=lat,
        address=address,
        community=place,
        street=street,
        district_id=street.district_id,
        submitter=actor if channel in (Channel.WEB,) else None,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        received_at=when,
        due_at=due,
        remind_at=remind,
        updated_at=when,
        api_client=api_client,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        **owner.fields(),
    )
    req.save()
    Event.objects.create(
        request=req,
        at=when,
        actor=actor if channel != Channel.OPEN311 else None,
        action=Event.Action.SUBMIT,
        to_status=Status.NEW,
        note=str(_("来源：%(c)s；责任：%(o)s") % {"c": Channel(channel).label, "o": owner.name()}),
    )
    notify(
        recipients=[p for p in owner_people(req) if p != actor],
        kind="request.new",
        subject=str(_("新诉求 #%(n)s：%(c)s") % {"n": req.pk, "c": category.name}),
        body=str(_("办结期限：%(d)s") % {"d": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}),
        obj=req,
        now=when,
    )
    return req


# -- actions by the owner ------------------------------------------------------------------------


def _tell_submitter(req: ServiceRequest, subject: str, body: str, when: datetime) -> None:
    """Tell the requester and everyone who joined the request (关注) about its progress."""
    people = [req.submitter] if req.submitter_id is not None else []
    people += [
        f.user for f in req.followers.select_related("user") if f.user_id != req.submitter_id
    ]
    if people:
        notify(
            recipients=people,
            kind="request.status",
            subject=subject,
            body=body,
            obj=req,
            now=when,
        )


def _need_reason(note: str, field: str) -> None:
    if not note.strip():
        raise Invalid(
            E.NO_REASON, _("请填写原因或说明"), [Issue(E.NO_REASON, _("必填"), field=field)]
        )
    _clean_note(note, field)


def _clean_note(note: str, field: str) -> None:
    """A clerk's or resident's text: no control characters, at most :data:`MAX_NOTE`."""
    text.check_texts({field: note})
    if len(note) > MAX_NOTE:
        message = _("不能超过 %(n)d 个字符") % {"n": MAX_NOTE}
        raise Invalid(E.TOO_LONG, message, [Issue(E.TOO_LONG, message, field=field)])


def _public_reply(reply: str) -> str:
    _clean_note(reply, "public_reply")
    return reply.strip()


def _acting(actor: Any) -> Any:
    return lambda req: rperm.can_act(actor, req)


@transaction.atomic
def accept(
    *, actor: Any, request: ServiceRequest, note: str = "", now: datetime | None = None
) -> ServiceRequest:
    """The owner takes the request on (响应); the person who accepts it owns it from now."""
    when = now or timezone.now()
    current = MACHINE.lock(request)
    fields: dict[str, Any] = {"updated_at": when}
    if current.owner_user_id is None:
        fields["owner_user"] = actor
    if current.responded_at is None:
        fields["responded_at"] = when
    req = MACHINE.move(
        current,
        "accept",
        actor=actor,
        now=when,
        reason=note[:1000],
        fields=fields,
        allowed=_acting(actor),
        refuse=_refuse,
        locked=True,
    )
    _tell_submitter(req, str(_("您的诉求 #%(n)s 已受理") % {"n": req.pk}), note, when)
    return req


@transaction.atomic
def reply(
    *, actor: Any, request: ServiceRequest, answer: str, now: datetime | None = None
) -> ServiceRequest:
    """The owner answers the requester (答复: what will be done, when) while still working on it."""
    _need_reason(answer, "answer")
    when = now or timezone.now()
    current = MACHINE.lock(request)
    fields: dict[str, Any] = {"updated_at": when, "status_notes": answer[:1000]}
    if current.responded_at is None:
        fields["responded_at"] = when
    req = MACHINE.move(
        current,
        "reply",
        actor=actor,
        now=when,
        reason=answer[:1000],
        fields=fields,
        allowed=_acting(actor),
        refuse=_refuse,
        locked=True,
    )
    _tell_submitter(req, str(_("您的诉求 #%(n)s 有了答复") % {"n": req.pk}), answer, when)
    return req


@transaction.atomic
def transfer(
    *,
    actor: Any,
    request: ServiceRequest,
    to: Owner,
    reason: str,
    now: datetime | None = None,
) -> ServiceRequest:
    """Formal transfer to another unit (or person): who → whom → why. The deadline keeps
    running from the first receipt."""
    current = MACHINE.lock(request)
    if not rperm.can_act(actor, current):
        raise _refuse()
    _need_reason(reason, "reason")
    next_status(current.status, "transfer")
    _check_target(to)
    before = owner_of(current)
    if before.fields() == to.fields():
        raise Invalid(E.BAD_TRANSFER_TARGET, _("不能转办给当前责任单位本身"))
    when = now or timezone.now()
    note = str(_("%(a)s → %(b)s：%(r)s") % {"a": before.name(), "b": to.name(), "r": reason})
    req = MACHINE.move(
        current,
        "transfer",
        actor=actor,
        now=when,
        reason=note,
        fields={**to.fields(), "reminded_at": None, "updated_at": when},
        allowed=_acting(actor),
        refuse=_refuse,
        locked=True,
    )
    Handover.objects.create(
        request=req,
        kind=Handover.Kind.TRANSFER,
        at=when,
        by=actor,
        from_level=before.level,
        from_unit=before.name()[:200],
        from_user=before.user,
        from_provider=before.provider,
        to_level=to.level,
        to_unit=to.name()[:200],
        to_user=to.user,
        reason=reason,
    )
    notify(
        recipients=owner_people(req),
        kind="request.transfer",
        subject=str(_("诉求 #%(n)s 已转办给您") % {"n": req.pk}),
        body=str(_("转办原因：%(r)s") % {"r": reason}),
        obj=req,
        now=when,
    )
    _tell_submitter(
        req,
        str(_("您的诉求 #%(n)s 已转交 %(o)s 办理") % {"n": req.pk, "o": to.name()}),
        reason,
        when,
    )
    return req


def _check_target(to: Owner) -> None:
    unit = {
        Level.COMMUNITY: to.community,
        Level.STREET: to.street,
        Level.DISTRICT: to.district,
        Level.PROVIDER: to.provider,
        Level.CITY: True,
    }.get(Level(to.level))
    if not unit:
        raise Invalid(
            E.BAD_TRANSFER_TARGET,
            _("请选择接收单位"),
            [Issue(E.BAD_TRANSFER_TARGET, _("必填"), field="to")],
        )
    if to.user is None:
        return
    probe = ServiceRequest(
        owner_level=to.level,
        **{k: v for k, v in to.fields().items() if k not in ("owner_level", "owner_user")},
    )
    if not any(rperm._member_of_owner(m, probe) for m in memberships(to.user)):
        raise Invalid(
            E.BAD_TRANSFER_TARGET,
            _("%(u)s 不是 %(o)s 的工作人员") % {"u": to.user, "o": to.name()},
            [Issue(E.BAD_TRANSFER_TARGET, _("接收人不属于接收单位"), field="to_user")],
        )


@transaction.atomic
def close(
    *,
    actor: Any,
    request: ServiceRequest,
    resolution: str,
    public_reply: str = "",
    now: datetime | None = None,
) -> ServiceRequest:
    """``resolution`` is the clerk's record (the request's history, the submitter's notice);
    ``public_reply`` is the only text published (``status_notes``, Open311): empty unless the
    clerk wrote one for everyone to read."""
    _need_reason(resolution, "resolution")
    reply = _public_reply(public_reply)
    when = now or timezone.now()
    req = MACHINE.move(
        request,
        "close",
        actor=actor,
        now=when,
        reason=resolution[:1000],
        fields={"closed_at": when, "updated_at": when, "status_notes": reply},
        allowed=_acting(actor),
        refuse=_refuse,
    )
    _tell_submitter(req, str(_("您的诉求 #%(n)s 已办结，请评价") % {"n": req.pk}), resolution, when)
    return req


@transaction.atomic
def reject(
    *,
    actor: Any,
    request: ServiceRequest,
    reason: str,
    public_reply: str = "",
    now: datetime | None = None,
) -> ServiceRequest:
    """As :func:`close`: the reason stays in the record, only ``public_reply`` is published."""
    _need_reason(reason, "reason")
    reply = _public_reply(public_reply)
    when = now or timezone.now()
    req = MACHINE.move(
        request,
        "reject",
        actor=actor,
        now=when,
        reason=reason[:1000],
        fields={"closed_at": when, "updated_at": when, "status_notes": reply},
        allowed=_acting(actor),
        refuse=_refuse,
    )
    _tell_submitter(req, str(_("您的诉求 #%(n)s 不予受理") % {"n": req.pk}), reason, when)
    return req


@transaction.atomic
def reopen(
    *, actor: Any, request: ServiceRequest, reason: str, now: datetime | None = None
) -> ServiceRequest:
    """Back to work (the resident is not satisfied, before rating): a fresh deadline."""
    current = MACHINE.lock(request)
    if not rperm.can_reopen(actor, current):
        raise _refuse()
    _need_reason(reason, "reason")
    next_status(current.status, "reopen")
    if current.rating is not None:
        raise Invalid(E.ALREADY_RATED, _("已评价的诉求不能重新办理"))
    when = now or timezone.now()
    due, remind = due_and_remind(current.category, current.district_id, when)
    req = MACHINE.move(
        current,
        "reopen",
        actor=actor,
        now=when,
        reason=reason[:1000],
        fields={
            "closed_at": None,
            "updated_at": when,
            "status_notes": "",  # the reply published with the closing no longer holds
            "due_at": due,
            "remind_at": remind,
            "reminded_at": None,
        },
        locked=True,
    )
    notify(
        recipients=owner_people(req),
        kind="request.reopen",
        subject=str(_("诉求 #%(n)s 需重新办理") % {"n": req.pk}),
        body=reason,
        obj=req,
        now=when,
    )
    return req


@transaction.atomic
def rate(
    *,
    actor: Any,
    request: ServiceRequest,
    rating: int,
    comment: str = "",
    now: datetime | None = None,
) -> ServiceRequest:
    current = MACHINE.lock(request)
    if not rperm.can_rate(actor, current):
        raise _refuse()
    next_status(current.status, "rate")
    if current.rating is not None:
        raise Invalid(E.ALREADY_RATED, _("该诉求已评价"))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(
            E.BAD_RATING,
            _("评分须为 1 到 5 的整数"),
            [Issue(E.BAD_RATING, _("1–5"), field="rating")],
        )
    when = now or timezone.now()
    return MACHINE.move(
        current,
        "rate",
        actor=actor,
        now=when,
        reason=f"{rating}/5 {comment}"[:1000],
        fields={"rating": rating, "rating_comment": comment[:1000], "rated_at": when},
        locked=True,
    )


# -- joining a request instead of filing it again ------------------------------------------------


@transaction.atomic
def join(*, actor: Any, request: ServiceRequest, now: datetime | None = None) -> Follower:
    """A resident follows an open request (the same problem, nearby) instead of filing it again."""
    current = MACHINE.lock(request)
    if not rperm.can_submit(actor) or not current.is_open:
        raise Invalid(E.ILLEGAL_TRANSITION, _("只能关注尚未办结的诉求"))
    when = now or timezone.now()
    follower, made = Follower.objects.get_or_create(
        request=current, user=actor, defaults={"at": when}
    )
    if made:
        Event.objects.create(
            request=current,
            at=when,
            actor=actor,
            action=Event.Action.JOIN,
            from_status=current.status,
            to_status=current.status,
            note=str(_("又一位居民反映了同一问题")),
        )
    return follower
