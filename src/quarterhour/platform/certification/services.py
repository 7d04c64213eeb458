"""The certification state machine and its writes: permission, validation, locked transition,
event + history, catalogue listing, notifications.

Legal transitions (action: from → to)::

    apply            (new)                                        → applied
    meeting_approve  applied                                      → meeting_approved
    meeting_reject   applied                                      → rejected
    sign_agreement   meeting_approved                             → agreement_signed
    start_notice     agreement_signed                             → public_notice
    uphold_objection public_notice                                → rejected
    certify          public_notice (notice over, no open objection) → certified
    suspend          certified                                    → suspended
    reinstate        suspended                                    → certified
    disqualify       certified, suspended                         → disqualified
    expire           certified, suspended (term over)             → expired
    withdraw         applied, meeting_approved, agreement_signed  → withdrawn
    supersede        certified, expired (its renewal certified)   → superseded

Anything else raises :class:`Invalid` with code ``certification_illegal_transition`` and changes
nothing. ``now`` is a keyword on the time-dependent functions so jobs and tests control the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.accounts.models import Membership, Role
from quarterhour.platform.catalogue.models import Category, Provider, Service, ServiceItem
from quarterhour.platform.certification import permissions as perm
from quarterhour.platform.certification.error_codes import CertificationError as E
from quarterhour.platform.certification.labels import ACTION_LABELS
from quarterhour.platform.certification.models import (
    Certification,
    CertificationEvent,
    Decision,
    Objection,
    State,
)
from quarterhour.platform.core.errors import Invalid, Issue, Refusal, raise_if_any
from quarterhour.platform.core.notify import tell
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.core.standard import known_item_codes
from quarterhour.platform.core.transitions import Moved, StateMachine, Transition, now_or
from quarterhour.platform.facilities.hours import validate_hours
from quarterhour.platform.geography.models import Community

S = State


def _step(sources: set[State], target: str, action: str) -> Transition:
    return Transition(frozenset(sources), target, ACTION_LABELS[action])


TRANSITIONS: dict[str, Transition] = {
    a: _step(src, to, a)
    for a, src, to in (
        ("meeting_approve", {S.APPLIED}, S.MEETING_APPROVED),
        ("meeting_reject", {S.APPLIED}, S.REJECTED),
        ("sign_agreement", {S.MEETING_APPROVED}, S.AGREEMENT_SIGNED),
        ("start_notice", {S.AGREEMENT_SIGNED}, S.PUBLIC_NOTICE),
        ("uphold_objection", {S.PUBLIC_NOTICE}, S.REJECTED),
        ("certify", {S.PUBLIC_NOTICE}, S.CERTIFIED),
        ("suspend", {S.CERTIFIED}, S.SUSPENDED),
        ("reinstate", {S.SUSPENDED}, S.CERTIFIED),
        ("disqualify", {S.CERTIFIED, S.SUSPENDED}, S.DISQUALIFIED),
        ("expire", {S.CERTIFIED, S.SUSPENDED}, S.EXPIRED),
        ("withdraw", {S.APPLIED, S.MEETING_APPROVED, S.AGREEMENT_SIGNED}, S.WITHDRAWN),
        ("supersede", {S.CERTIFIED, S.EXPIRED}, S.SUPERSEDED),
    )
}
#: states of an application still under way (one at a time per provider)
OPEN_STATES = frozenset({S.APPLIED, S.MEETING_APPROVED, S.AGREEMENT_SIGNED, S.PUBLIC_NOTICE})
#: states in which a renewal may be applied for
RENEWABLE = frozenset({S.CERTIFIED, S.EXPIRED})


def _record(moved: Moved[Certification]) -> None:
    CertificationEvent.objects.create(
        certification=moved.row,
        provider_id=moved.row.provider_id,
        action=moved.action,
        from_state=moved.before,
        to_state=moved.after,
        actor=moved.actor,
        reason=moved.reason,
        at=moved.at,
    )


MACHINE = StateMachine(
    model=Certification,
    transitions=TRANSITIONS,
    illegal_code=E.ILLEGAL_TRANSITION,
    state_label=lambda s: State(s).label,
    record=_record,
)


OS = Objection.Status
#: an objection during the notice: open until the street decides it (upheld or dismissed)
OBJECTIONS = StateMachine(
    model=Objection,
    transitions={
        "uphold": Transition(frozenset({OS.OPEN}), OS.UPHELD, _("异议成立")),
        "dismiss": Transition(frozenset({OS.OPEN}), OS.DISMISSED, _("异议不成立")),
    },
    illegal_code=E.OBJECTION_CLOSED,
    state_field="status",
    state_label=lambda s: Objection.Status(s).label,
)


def notice_days() -> int:
    """Default length of the public notice (settings ``QH_CERTIFICATION_NOTICE_DAYS``)."""
    return int(getattr(settings, "QH_CERTIFICATION_NOTICE_DAYS", 7))


_refuse = Refusal(E.PERMISSION_DENIED, _("您无权办理该服务商的认证事项"))


def _locked(cert: Certification) -> Certification:
    return (
        Certification.objects.select_for_update()
        .select_related("provider__street", "community")
        .get(pk=cert.pk)
    )


def _move(
    cert: Certification,
    action: str,
    *,
    actor: Any,
    reason: str = "",
    now: dt.datetime,
    fields: dict[str, Any] | None = None,
) -> Certification:
    """Apply one transition of the table to a row the caller has locked (and checked)."""
    return MACHINE.move(
        cert, action, actor=actor, reason=reason, now=now, fields=fields, locked=True
    )


def _provider_staff(provider_id: int) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(role=Role.PROVIDER, provider_id=provider_id)
        .select_related("user")
        .order_by("pk")
    ]


def _street_staff(street_id: int) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(role=Role.STREET, street_id=street_id)
        .select_related("user")
        .order_by("pk")
    ]


def _tell_provider(cert: Certification, kind: str, subject: Any, body: Any = "") -> None:
    recipients = _provider_staff(cert.provider_id)
    tell(
        recipients=recipients,
        kind=f"certification.{kind}",
        subject=subject,
        body=body or subject,
        obj=cert,
    )


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise Invalid(
            E.REASON_REQUIRED,
            _("必须填写理由"),
            [Issue(E.REASON_REQUIRED, _("必须填写理由"), field="reason")],
        )


def _check_application(
    item_codes: Sequence[str], opening_hours: Any, hotline: str, category: str
) -> None:
    issues: list[Issue] = []
    if category not in Category.values:
        issues.append(Issue(E.FIELD_INVALID, _("请选择服务类别"), field="category"))
    if not item_codes:
        issues.append(Issue(E.NO_ITEMS, _("至少申请一个服务项目"), field="item_codes"))
    known = known_item_codes()
    for code in item_codes:
        if code not in known:
            issues.append(
                Issue(E.UNKNOWN_ITEM, _("未知的服务项目 %(c)s") % {"c": code}, field="item_codes")
            )
    for problem in validate_hours(opening_hours):
        issues.append(Issue(E.HOURS_INVALID, problem, field="opening_hours"))
    if not hotline.strip():
        issues.append(Issue(E.FIELD_INVALID, _("必须填写服务专线"), field="hotline"))
    raise_if_any(issues)


# -- the application ------------------------------


@transaction.atomic
def apply(
    *,
    actor: Any,
    provider: Provider,
    community: Community,
    category: str,
    item_codes: Sequence[str],
    hotline: str,
    opening_hours: Any = (),
    home_visit: bool = False,
    by_appointment: bool = False,
    off_peak: bool = False,
    documents: str = "",
    renewal_of: Certification | None = None,
    now: dt.datetime | None = None,
) -> Certification:
    """A provider applies for certification (or its renewal) with its items, methods, hotline,
    hours and documents."""
    if not perm.can_apply_certification(actor, provider):
        raise _refuse()
    hours = list(opening_hours)
    _check_application(item_codes, hours, hotline, category)
    if community.street_id != provider.street_id:
        raise Invalid(
            E.CERTIFICATION_COMMUNITY_NOT_IN_STREET,
            _("社区不在服务商所属街道内"),
            [
                Issue(
                    E.CERTIFICATION_COMMUNITY_NOT_IN_STREET,
                    _("社区不在所属街道内"),
                    field="community",
                )
            ],
        )
    Provider.objects.select_for_update().get(pk=provider.pk)  # one application at a time
    if Certification.objects.filter(provider=provider, state__in=OPEN_STATES).exists():
        raise Invalid(E.ALREADY_OPEN, _("该服务商已有办理中的认证申请"))
    if renewal_of is not None and (
        renewal_of.provider_id != provider.pk or renewal_of.state not in RENEWABLE
    ):
        raise Invalid(E.ILLEGAL_TRANSITION, _("只有已认证或已到期的认证可以续期"))
    at = now_or(now)
    cert = Certification(
        provider=provider,
        community=community,
        category=category,
        item_codes=sorted(set(item_codes)),
        hotline=hotline,
        opening_hours=hours,
        home_visit=home_visit,
        by_appointment=by_appointment,
        off_peak=off_peak,
        documents=documents,
        renewal_of=renewal_of,
        applied_at=at,
    )
    save_audited(cert, actor=actor, reason=str(_("申请认证")))
    CertificationEvent.objects.create(
        certification=cert,
        provider=provider,
        action="apply",
        from_state="",
        to_state=S.APPLIED,
        actor=actor,
        reason=str(_("续期申请")) if renewal_of else "",
        at=at,
    )
    return cert


def renew(*, actor: Any, certification: Certification, **changes: Any) -> Certification:
    """Apply again for a certified (or expired) provider; the application goes through the same
    meeting, agreement and notice. When it is certified the old one becomes ``superseded``."""
    old = certification
    fields = {
        "category": old.category,
        "item_codes": old.item_codes,
        "hotline": old.hotline,
        "opening_hours": old.opening_hours,
        "home_visit": old.home_visit,
        "by_appointment": old.by_appointment,
        "off_peak": old.off_peak,
        "documents": old.documents,
        "community": old.community,
    }
    fields.update(changes)
    return apply(actor=actor, provider=old.provider, renewal_of=old, **fields)


@transaction.atomic
def withdraw(
    *, actor: Any, certification: Certification, reason: str = "", now: dt.datetime | None = None
) -> Certification:
    cert = _locked(certification)
    if not perm.can_withdraw_certification(actor, cert):
        raise _refuse()
    return _move(cert, "withdraw", actor=actor, reason=reason, now=now_or(now))


# -- the residents' representative meeting ------------------------------


@transaction.atomic
def record_meeting(
    *,
    actor: Any,
    certification: Certification,
    meeting_date: dt.date,
    attendees: int,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    decision: str,
    now: dt.datetime | None = None,
) -> Certification:
    """Record the residents' representative meeting (居民代表会议). The votes must add up to the
    attendees; approval needs more than half of those present in favour."""
    cert = _locked(certification)
    if not perm.can_record_meeting(actor, cert):
        raise _refuse()
    at = now_or(now)
    issues: list[Issue] = []
    counts = {
        "attendees": attendees,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "votes_abstain": votes_abstain,
    }
    for name, value in counts.items():
        if not isinstance(value, int) or value < 0:
            issues.append(Issue(E.VOTES_NEGATIVE, _("票数须为非负整数"), field=name))
    if not issues and votes_for + votes_against + votes_abstain != attendees:
        issues.append(
            Issue(
                E.VOTES_DO_NOT_ADD_UP,
                _("赞成 %(f)d + 反对 %(a)d + 弃权 %(b)d = %(s)d，与出席人数 %(n)d 不符")
                % {
                    "f": votes_for,
                    "a": votes_against,
                    "b": votes_abstain,
                    "s": votes_for + votes_against + votes_abstain,
                    "n": attendees,
                },
                field="attendees",
            )
        )
    if not issues and attendees == 0:
        issues.append(Issue(E.VOTES_DO_NOT_ADD_UP, _("出席人数不能为零"), field="attendees"))
    if decision not in Decision.values:
        issues.append(Issue(E.FIELD_INVALID, _("请选择会议决定"), field="decision"))
    elif not issues:
        majority = votes_for * 2 > attendees
        if majority != (decision == Decision.APPROVE):
            issues.append(
                Issue(
                    E.DECISION_AGAINST_VOTES,
                    _("会议决定与表决结果不符：同意须有过半数出席代表赞成"),
                    field="decision",
                )
            )
    if meeting_date > timezone.localdate(at):
        issues.append(Issue(E.MEETING_IN_FUTURE, _("会议日期不能晚于今天"), field="meeting_date"))
    if meeting_date < timezone.localdate(cert.applied_at):
        issues.append(
            Issue(E.MEETING_IN_FUTURE, _("会议日期不能早于申请日期"), field="meeting_date")
        )
    raise_if_any(issues)
    action = "meeting_approve" if decision == Decision.APPROVE else "meeting_reject"
    cert = _move(
        cert,
        action,
        actor=actor,
        reason=_("赞成 %(f)d，反对 %(a)d，弃权 %(b)d")
        % {"f": votes_for, "a": votes_against, "b": votes_abstain},
        now=at,
        fields={
            "meeting_date": meeting_date,
            "meeting_attendees": attendees,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "votes_abstain": votes_abstain,
            "meeting_decision": decision,
        },
    )
    _tell_provider(cert, "meeting", _("居民代表会议结果：%(d)s") % {"d": Decision(decision).label})
    return cert


# -- the street: agreement, notice, objections, certification ------------------------------


@transaction.atomic
def sign_agreement(
    *,
    actor: Any,
    certification: Certification,
    signed_on: dt.date,
    term_start: dt.date,
    term_end: dt.date,
    unified_sign: bool,
    unified_standard: bool,
    unified_management: bool,
    now: dt.datetime | None = None,
) -> Certification:
    cert = _locked(certification)
    if not perm.can_decide_certification(actor, cert):
        raise _refuse()
    issues: list[Issue] = []
    if term_end <= term_start:
        issues.append(Issue(E.TERM_INVALID, _("认证期止须晚于认证期起"), field="term_end"))
    if cert.meeting_date is not None and signed_on < cert.meeting_date:
        issues.append(
            Issue(E.TERM_INVALID, _("协议签订日期不能早于居民代表会议"), field="signed_on")
        )
    raise_if_any(issues)
    return _move(
        cert,
        "sign_agreement",
        actor=actor,
        now=now_or(now),
        fields={
            "agreement_signed_on": signed_on,
            "term_start": term_start,
            "term_end": term_end,
            "unified_sign": unified_sign,
            "unified_standard": unified_standard,
            "unified_management": unified_management,
        },
    )


@transaction.atomic
def start_notice(
    *,
    actor: Any,
    certification: Certification,
    notice_end: dt.datetime | None = None,
    days: int | None = None,
    now: dt.datetime | None = None,
) -> Certification:
    """Open the public notice (公示) until ``notice_end`` (default: ``days`` or the configured
    number of days from now). A notice ending in the past is refused."""
    cert = _locked(certification)
    if not perm.can_decide_certification(actor, cert):
        raise _refuse()
    at = now_or(now)
    end = notice_end if notice_end is not None else at + dt.timedelta(days=days or notice_days())
    if end <= at:
        raise Invalid(
            E.NOTICE_IN_PAST,
            _("公示结束时间必须晚于现在"),
            [Issue(E.NOTICE_IN_PAST, _("公示结束时间必须晚于现在"), field="notice_end")],
        )
    cert = _move(
        cert, "start_notice", actor=actor, now=at, fields={"notice_start": at, "notice_end": end}
    )
    _tell_provider(cert, "notice", _("认证公示已开始，至 %(e)s 结束") % {"e": end})
    return cert


@transaction.atomic
def object_to(
    *, actor: Any, certification: Certification, text: str, now: dt.datetime | None = None
) -> Objection:
    """A resident objects during the public notice."""
    cert = _locked(certification)
    if not perm.can_object_certification(actor, cert):
        raise _refuse()
    at = now_or(now)
    if cert.state != S.PUBLIC_NOTICE or cert.notice_end is None or at >= cert.notice_end:
        raise Invalid(E.NOT_IN_NOTICE, _("只能在公示期内提出异议"))
    if not text.strip():
        raise Invalid(
            E.FIELD_INVALID,
            _("请填写异议内容"),
            [Issue(E.FIELD_INVALID, _("请填写异议内容"), field="text")],
        )
    objection = Objection(certification=cert, resident=actor, text=text.strip(), created_at=at)
    save_audited(objection, actor=actor)
    CertificationEvent.objects.create(
        certification=cert,
        provider_id=cert.provider_id,
        action="objection",
        from_state=cert.state,
        to_state=cert.state,
        actor=actor,
        reason=objection.text,
        at=at,
    )
    street_staff = _street_staff(cert.provider.street_id)
    tell(
        recipients=street_staff,
        kind="certification.objection",
        subject=_("%(p)s 的认证公示收到异议") % {"p": cert.provider.name},
        body=objection.text,
        obj=cert,
    )
    _tell_provider(cert, "objection", _("认证公示收到居民异议"))
    return objection


@transaction.atomic
def resolve_objection(
    *,
    actor: Any,
    objection: Objection,
    upheld: bool,
    resolution: str,
    now: dt.datetime | None = None,
) -> Objection:
    """Decide an objection; an upheld objection ends the application (rejected)."""
    cert = _locked(objection.certification)
    if not perm.can_decide_certification(actor, cert):
        raise _refuse()
    row = OBJECTIONS.lock(objection)
    if row.certification_id != cert.pk or not OBJECTIONS.can(row, "uphold"):
        raise Invalid(E.OBJECTION_CLOSED, _("该异议已处理"))
    _require_reason(resolution)
    at = now_or(now)
    row = OBJECTIONS.move(
        row,
        "uphold" if upheld else "dismiss",
        actor=actor,
        now=at,
        reason=resolution,
        fields={"resolution": resolution, "resolved_by": actor, "resolved_at": at},
        locked=True,
    )
    if upheld:
        _move(cert, "uphold_objection", actor=actor, reason=resolution, now=at)
        _tell_provider(cert, "rejected", _("公示异议成立，认证未通过"), resolution)
    else:
        CertificationEvent.objects.create(
            certification=cert,
            provider_id=cert.provider_id,
            action="dismiss_objection",
            from_state=cert.state,
            to_state=cert.state,
            actor=actor,
            reason=resolution,
            at=at,
        )
    if row.resident is not None:
        tell(
            recipients=[row.resident],
            kind="certification.objection_resolved",
            subject=_("您对 %(p)s 认证的异议已处理") % {"p": cert.provider.name},
            body=resolution,
            obj=cert,
        )
    return row


def _list_in_catalogue(cert: Certification, *, actor: Any) -> None:
    """Certified items appear in the catalogue: one service row carrying the certified items."""
    service = Service(
        provider_id=cert.provider_id,
        name=str(_("认证服务：%(p)s") % {"p": cert.provider.name}),
        category=cert.category,
        home_visit=cert.home_visit,
        by_appointment=cert.by_appointment,
        off_peak=cert.off_peak,
        hotline=cert.hotline,
        opening_hours=cert.opening_hours,
    )
    listed = str(_("认证通过，列入服务目录"))
    save_audited(service, actor=actor, reason=listed)
    for code in cert.item_codes:
        save_audited(ServiceItem(service=service, item_code=code), actor=actor, reason=listed)
    cert.catalogue_service = service


def _set_listing(cert: Certification, *, active: bool, actor: Any, reason: str) -> None:
    if cert.catalogue_service_id is None:
        return
    service = Service.objects.get(pk=cert.catalogue_service_id)
    if service.is_active != active:
        service.is_active = active
        save_audited(service, actor=actor, reason=reason)


@transaction.atomic
def certify(
    *, actor: Any, certification: Certification, now: dt.datetime | None = None
) -> Certification:
    """End of a clean public notice: the provider is certified and its items are listed."""
    cert = _locked(certification)
    if not perm.can_decide_certification(actor, cert):
        raise _refuse()
    return _certify_locked(cert, actor=actor, now=now_or(now))


def _certify_locked(cert: Certification, *, actor: Any, now: dt.datetime) -> Certification:
    if cert.state == S.PUBLIC_NOTICE:
        if cert.meeting_decision != Decision.APPROVE:
            raise Invalid(E.ILLEGAL_TRANSITION, _("没有居民代表会议同意的决定，不能认证"))
        if cert.notice_end is not None and now < cert.notice_end:
            raise Invalid(
                E.NOTICE_RUNNING,
                _("公示期至 %(e)s 才结束") % {"e": timezone.localtime(cert.notice_end)},
            )
        if cert.objections.filter(status=Objection.Status.OPEN).exists():
            raise Invalid(E.OPEN_OBJECTIONS, _("公示期内有未处理的异议，不能认证"))
    cert = _move(cert, "certify", actor=actor, now=now, fields={"certified_at": now})
    _list_in_catalogue(cert, actor=actor)
    save_audited(cert, actor=actor, reason=str(_("列入服务目录")))
    if cert.renewal_of_id is not None:
        old = _locked(Certification(pk=cert.renewal_of_id))
        if old.state in TRANSITIONS["supersede"].sources:
            _move(old, "supersede", actor=actor, reason=str(_("续期已认证")), now=now)
            _set_listing(old, active=False, actor=actor, reason=str(_("续期已认证，旧认证下架")))
    _tell_provider(cert, "certified", _("您已通过服务站点认证"))
    return cert


def _sanction(
    certification: Certification,
    action: str,
    *,
    actor: Any,
    reason: str,
    now: dt.datetime | None,
    system: bool = False,
) -> Certification:
    cert = _locked(certification)
    if not system and not perm.can_decide_certification(actor, cert):
        raise _refuse()
    _require_reason(reason)
    cert = _move(cert, action, actor=actor, reason=reason, now=now_or(now))
    _set_listing(
        cert,
        active=cert.state == S.CERTIFIED,
        actor=actor,
        reason=f"{MACHINE.label(action)}：{reason}",
    )
    if action == "disqualify":  # the provider leaves the catalogue: every service it publishes
        for service in Service.objects.filter(provider_id=cert.provider_id, is_active=True):
            service.is_active = False
            save_audited(
                service, actor=actor, reason=str(_("取消资格：%(r)s") % {"r": reason})[:100]
            )
    _tell_provider(cert, action, ACTION_LABELS[action], reason)
    return cert


@transaction.atomic
def suspend(
    *, actor: Any, certification: Certification, reason: str, now: dt.datetime | None = None
) -> Certification:
    return _sanction(certification, "suspend", actor=actor, reason=reason, now=now)


@transaction.atomic
def reinstate(
    *, actor: Any, certification: Certification, reason: str, now: dt.datetime | None = None
) -> Certification:
    return _sanction(certification, "reinstate", actor=actor, reason=reason, now=now)


@transaction.atomic
def disqualify(
    *, actor: Any, certification: Certification, reason: str, now: dt.datetime | None = None
) -> Certification:
    """取消资格: the certification ends for a reason; the provider leaves the catalogue."""
    return _sanction(certification, "disqualify", actor=actor, reason=reason, now=now)


@transaction.atomic
def disqualify_by_rule(
    *, certification: Certification, reason: str, now: dt.datetime | None = None
) -> Certification:
    """Disqualification decided by a published rule (defects not corrected after notice), run by
    the scheduled job: no acting user, the reason names the rule and the notice."""
    return _sanction(certification, "disqualify", actor=None, reason=reason, now=now, system=True)


# -- the scheduled job ------------------------------


def tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Certify applications whose notice ended cleanly and expire certifications past their term.
    Notices with open objections wait for the street's decision. Returns counts per action."""
    at = now_or(now)
    done = {"certified": 0, "expired": 0, "waiting": 0}
    due = Certification.objects.filter(state=S.PUBLIC_NOTICE, notice_end__lte=at).order_by("pk")
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            cert = _locked(Certification(pk=pk))
            if cert.state != S.PUBLIC_NOTICE:
                continue
            if cert.objections.filter(status=Objection.Status.OPEN).exists():
                done["waiting"] += 1
                continue
            _certify_locked(cert, actor=None, now=at)
            done["certified"] += 1
    today = timezone.localdate(at)
    old = Certification.objects.filter(
        state__in=TRANSITIONS["expire"].sources, term_end__lt=today
    ).order_by("pk")
    for pk in old.values_list("pk", flat=True):
        with transaction.atomic():
            cert = _locked(Certification(pk=pk))
            if cert.state not in TRANSITIONS["expire"].sources:
                continue
            reason = str(_("认证期已于 %(d)s 届满") % {"d": cert.term_end})
            _move(cert, "expire", actor=None, reason=reason, now=at)
            _set_listing(cert, active=False, actor=None, reason=str(_("认证到期，下架")))
            _tell_provider(cert, "expire", _("认证已到期"), reason)
            done["expired"] += 1
    return done
