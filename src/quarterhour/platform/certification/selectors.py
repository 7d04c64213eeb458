"""Reads of certifications: scoped lists, a provider's history, what is certified, open notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.certification.models import (
    Certification,
    CertificationEvent,
    State,
)
from quarterhour.platform.core.access import scope_q


def certifications_visible(user: Any) -> QuerySet[Certification]:
    return Certification.objects.filter(
        scope_q(
            user,
            district="provider__street__district_id",
            street="provider__street_id",
            community="community_id",
            provider="provider_id",
        )
    ).select_related("provider__street", "community")


def provider_history(provider: Provider) -> QuerySet[CertificationEvent]:
    """Every certification event of a provider, newest first (the provider's history page)."""
    return CertificationEvent.objects.filter(provider=provider).select_related(
        "actor", "certification"
    )


def is_certified(provider: Provider) -> bool:
    return Certification.objects.filter(provider=provider, state=State.CERTIFIED).exists()


def certified_providers() -> QuerySet[Provider]:
    """Providers holding a certification in force (public: the catalogue's certified list)."""
    return Provider.objects.filter(certifications__state=State.CERTIFIED).distinct()


def current_certification(provider: Provider) -> Certification | None:
    return (
        Certification.objects.filter(provider=provider, state=State.CERTIFIED)
        .order_by("-certified_at")
        .first()
    )


def open_notices(*, now: dt.datetime | None = None) -> QuerySet[Certification]:
    """Public notices residents can still object to (public page)."""
    at = now or timezone.now()
    return (
        Certification.objects.filter(Q(state=State.PUBLIC_NOTICE) & Q(notice_end__gt=at))
        .select_related("provider", "community")
        .order_by("notice_end")
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the way to certification, as the provider follows it."""

    label: Any
    who: Any
    status: str  # "done", "current", "todo" or "stopped"
    when: Any = None
    note: Any = ""


def steps(cert: Certification) -> list[Step]:
    """The five steps (apply, vote, agreement, notice, certified): which are done and when, which
    is under way and who has it, in words."""
    s = cert.state
    vote_note: Any = ""
    if cert.meeting_date is not None:
        vote_note = _("赞成 %(f)s，反对 %(a)s，弃权 %(b)s：%(d)s") % {
            "f": cert.votes_for,
            "a": cert.votes_against,
            "b": cert.votes_abstain,
            "d": cert.get_meeting_decision_display(),
        }
    notice_note: Any = ""
    if cert.notice_end is not None:
        notice_note = _("公示至 %(e)s，期间居民可以提出异议") % {
            "e": timezone.localtime(cert.notice_end).strftime("%Y-%m-%d %H:%M")
        }
    rows = [
        (_("提出申请"), _("服务商"), True, cert.applied_at, ""),
        (
            _("居民代表会议表决"),
            _("%(c)s 社区服务站") % {"c": cert.community.name},
            cert.meeting_date is not None,
            cert.meeting_date,
            vote_note,
        ),
        (
            _("签订协议"),
            _("街道办事处"),
            cert.agreement_signed_on is not None,
            cert.agreement_signed_on,
            "",
        ),
        (
            _("公示"),
            _("街道办事处"),
            cert.notice_start is not None and s != State.PUBLIC_NOTICE,
            cert.notice_start,
            notice_note,
        ),
        (
            _("认证，列入服务目录"),
            _("公示期满且无异议时自动认证"),
            cert.certified_at is not None,
            cert.certified_at,
            "",
        ),
    ]
    ended = s in (State.REJECTED, State.WITHDRAWN) or (
        s == State.DISQUALIFIED and cert.certified_at is None
    )
    out: list[Step] = []
    current_given = False
    for label, who, done, when, note in rows:
        if done:
            status = "done"
        elif ended:
            status = "stopped"
        elif not current_given:
            status, current_given = "current", True
        else:
            status = "todo"
        out.append(Step(label, who, status, when, note))
    return out


def ending(cert: Certification) -> CertificationEvent | None:
    """Why and when a certification stopped or was interrupted (rejected, withdrawn, suspended,
    disqualified, expired): the event that moved it there."""
    if cert.state not in (
        State.REJECTED,
        State.WITHDRAWN,
        State.SUSPENDED,
        State.DISQUALIFIED,
        State.EXPIRED,
    ):
        return None
    return (
        CertificationEvent.objects.filter(certification=cert, to_state=cert.state)
        .exclude(from_state=cert.state)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


def _latest_standing(provider: Provider) -> QuerySet[Certification]:
    """The provider's certifications that count for its standing (not withdrawn or rejected
    applications), newest first."""
    return (
        Certification.objects.filter(provider=provider)
        .exclude(state__in=[State.WITHDRAWN, State.REJECTED])
        .order_by("-applied_at", "-pk")
    )


def is_disqualified(provider: Provider) -> bool:
    """Has the provider lost its certification (取消资格) and not been certified since? Such a
    provider takes no new service-purchase contracts."""
    latest = _latest_standing(provider).values_list("state", flat=True).first()
    return latest == State.DISQUALIFIED


@dataclass(frozen=True, slots=True)
class Disqualification:
    """The public notice of a cancelled certification: when and why — the decision's reason,
    never who decided or any internal note."""

    on: dt.datetime | None
    reason: str


def disqualification(provider: Provider) -> Disqualification | None:
    """Why and when the provider lost its certification, if it has and was not certified since
    (the residents' provider page)."""
    latest = _latest_standing(provider).first()
    if latest is None or latest.state != State.DISQUALIFIED:
        return None
    event = ending(latest)
    if event is None:  # a row moved without its event (imported data): the state alone
        return Disqualification(on=None, reason="")
    return Disqualification(on=event.at, reason=event.reason)
