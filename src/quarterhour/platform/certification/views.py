"""Staff pages for certification: list, detail with the actions the user may take, a provider's
history; the public notices page where residents object."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.catalogue.selectors import providers_visible
from quarterhour.platform.certification import permissions as perm
from quarterhour.platform.certification import selectors, services
from quarterhour.platform.certification.models import Certification, Decision, Objection
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core import standard
from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.errors import PermissionRefused


def _visible(request: HttpRequest, pk: int) -> Certification:
    cert = get_object_or_404(
        Certification.objects.select_related("provider__street", "community"), pk=pk
    )
    if not perm.can_view_certification(request.user, cert):
        raise PermissionRefused("certification_out_of_jurisdiction", _("该认证不在您的辖区内"))
    return cert


@login_required
def cert_list(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    qs = selectors.certifications_visible(request.user)
    state = request.GET.get("state")
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "certification/list.html", {"page": page, "state": state})


@login_required
def cert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pages.staff_only(request)
    cert = _visible(request, pk)
    user = request.user
    context: dict[str, Any] = {
        "cert": cert,
        "items": [(c, standard.item_label(c)) for c in cert.item_codes],
        "events": cert.events.select_related("actor").order_by("at", "pk"),
        "objections": cert.objections.select_related("resident", "resolved_by"),
        "can_meeting": perm.can_record_meeting(user, cert),
        "can_history": providers_visible(user).filter(pk=cert.provider_id).exists(),
        "can_decide": perm.can_decide_certification(user, cert),
        "can_withdraw": perm.can_withdraw_certification(user, cert),
        "decisions": Decision.choices,
        "labels": services.ACTION_LABELS,
    }
    return render(request, "certification/detail.html", context)


@login_required
@require_POST
def cert_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One transition, chosen by ``action``; the service checks permission and state."""
    pages.staff_only(request)
    cert = _visible(request, pk)
    d, user, action = request.POST, request.user, request.POST.get("action", "")
    calls = {
        "record_meeting": lambda: services.record_meeting(
            actor=user,
            certification=cert,
            meeting_date=pages.date(d, "meeting_date"),
            attendees=pages.integer(d, "attendees"),
            votes_for=pages.integer(d, "votes_for"),
            votes_against=pages.integer(d, "votes_against"),
            votes_abstain=pages.integer(d, "votes_abstain"),
            decision=pages.text(d, "decision"),
        ),
        "sign_agreement": lambda: services.sign_agreement(
            actor=user,
            certification=cert,
            signed_on=pages.date(d, "signed_on"),
            term_start=pages.date(d, "term_start"),
            term_end=pages.date(d, "term_end"),
            unified_sign=pages.flag(d, "unified_sign"),
            unified_standard=pages.flag(d, "unified_standard"),
            unified_management=pages.flag(d, "unified_management"),
        ),
        "start_notice": lambda: services.start_notice(
            actor=user, certification=cert, notice_end=pages.moment(d, "notice_end")
        ),
        "certify": lambda: services.certify(actor=user, certification=cert),
        "suspend": lambda: services.suspend(
            actor=user, certification=cert, reason=pages.text(d, "reason")
        ),
        "reinstate": lambda: services.reinstate(
            actor=user, certification=cert, reason=pages.text(d, "reason")
        ),
        "disqualify": lambda: services.disqualify(
            actor=user, certification=cert, reason=pages.text(d, "reason")
        ),
        "withdraw": lambda: services.withdraw(
            actor=user, certification=cert, reason=pages.text(d, "reason")
        ),
        "renew": lambda: services.renew(actor=user, certification=cert),
        "resolve_objection": lambda: services.resolve_objection(
            actor=user,
            objection=get_object_or_404(
                Objection, pk=pages.integer(d, "objection"), certification=cert
            ),
            upheld=pages.flag(d, "upheld"),
            resolution=pages.text(d, "resolution"),
        ),
    }
    if action not in calls:
        raise PermissionRefused("unknown_action", _("未知的操作"))
    return pages.run(
        request, calls[action], success=_("已保存"), to="certification:detail", pk=cert.pk
    )


@login_required
def provider_history(request: HttpRequest, pk: int) -> HttpResponse:
    pages.staff_only(request)
    provider = get_object_or_404(providers_visible(request.user), pk=pk)
    return render(
        request,
        "certification/history.html",
        {
            "provider": provider,
            "events": selectors.provider_history(provider).order_by("-at", "-pk"),
            "current": selectors.current_certification(provider),
        },
    )


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """Public notices (公示) residents may object to."""
    return render(
        request,
        "certification/notices.html",
        {"notices": selectors.open_notices(), "can_object": perm.is_resident(request.user)},
    )


@login_required
@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    cert = get_object_or_404(Certification, pk=pk)
    return pages.run(
        request,
        lambda: services.object_to(
            actor=request.user, certification=cert, text=pages.text(request.POST, "text")
        ),
        success=_("您的异议已提交，街道将予以处理"),
        to="certification:notices",
    )


@login_required
def apply_form(request: HttpRequest, provider_pk: int) -> HttpResponse:
    pages.staff_only(request)
    provider = get_object_or_404(Provider.objects.select_related("street"), pk=provider_pk)
    if not perm.can_apply_certification(request.user, provider):
        raise PermissionRefused(
            "certification_permission_denied", _("您无权办理该服务商的认证事项")
        )
    if request.method == "POST":
        d = request.POST
        return pages.run(
            request,
            lambda: services.apply(
                actor=request.user,
                provider=provider,
                community=get_object_or_404(
                    provider.street.communities, pk=pages.integer(d, "community")
                ),
                category=pages.text(d, "category"),
                item_codes=d.getlist("item_codes"),
                hotline=pages.text(d, "hotline"),
                home_visit=pages.flag(d, "home_visit"),
                by_appointment=pages.flag(d, "by_appointment"),
                off_peak=pages.flag(d, "off_peak"),
                documents=pages.text(d, "documents"),
            ),
            success=_("认证申请已提交"),
            to="certification:history",
            pk=provider.pk,
        )
    from quarterhour.platform.catalogue.models import Category

    return render(
        request,
        "certification/apply.html",
        {
            "provider": provider,
            "communities": provider.street.communities.all(),
            "categories": Category.choices,
            "items": [(c, standard.item_label(c)) for c in sorted(standard.known_item_codes())],
        },
    )


@login_required
def mechanisms(request: HttpRequest) -> HttpResponse:
    """One page linking the operating mechanisms (认证、共享、志愿、监督评价、联席会议、经费)."""
    from quarterhour.platform.meetings.selectors import task_list

    return render(
        request,
        "certification/mechanisms.html",
        {"n_tasks": task_list(request.user).count(), "staff": can_use_staff_pages(request.user)},
    )
