"""Staff pages for certification: list, detail with the actions the user may take, a provider's
history; the public notices page where residents object."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from quarterhour.platform.catalogue.forms import WEEKDAYS, chosen_days, hours_from_form
from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.catalogue.selectors import providers_visible
from quarterhour.platform.certification import permissions as perm
from quarterhour.platform.certification import selectors, services
from quarterhour.platform.certification.error_codes import CertificationError as E
from quarterhour.platform.certification.labels import ACTION_LABELS
from quarterhour.platform.certification.models import Certification, Decision, Objection
from quarterhour.platform.core import forms as pages
from quarterhour.platform.core import standard
from quarterhour.platform.core.access import can_use_staff_pages
from quarterhour.platform.core.errors import PermissionRefused
from quarterhour.platform.core.picking import picked


def _visible(request: HttpRequest, pk: int) -> Certification:
    cert = get_object_or_404(
        Certification.objects.select_related("provider__street", "community"), pk=pk
    )
    if not perm.can_view_certification(request.user, cert):
        raise PermissionRefused(E.CERTIFICATION_OUT_OF_JURISDICTION, _("该认证不在您的辖区内"))
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
        "steps": selectors.steps(cert),
        "ending": selectors.ending(cert),
        "objections": cert.objections.select_related("resident", "resolved_by"),
        "can_meeting": perm.can_record_meeting(user, cert),
        "can_decide": perm.can_decide_certification(user, cert),
        "can_withdraw": perm.can_withdraw_certification(user, cert),
        "decisions": Decision.choices,
        "labels": ACTION_LABELS,
    }
    return render(request, "certification/detail.html", context)


#: what the page says after each action
DONE: dict[str, Any] = {
    "record_meeting": _l("已记录居民代表会议表决结果；会议同意的，已转街道办事处签订协议"),
    "sign_agreement": _l("已签订协议，下一步：发布公示"),
    "start_notice": _l(
        "公示已发布，居民可在首页“公示”中查看并提出异议；公示期满且无异议即自动认证"
    ),
    "certify": _l("已认证，服务已列入服务目录"),
    "suspend": _l("已暂停认证，服务暂不在服务目录中显示"),
    "reinstate": _l("已恢复认证"),
    "disqualify": _l("已取消资格，服务已从服务目录撤下"),
    "withdraw": _l("已撤回申请"),
    "renew": _l("续期申请已提交"),
    "resolve_objection": _l("异议已处理，已告知提出人"),
}


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
        raise PermissionRefused(E.UNKNOWN_ACTION, _("未知的操作"))
    return pages.run(
        request,
        calls[action],
        success=str(DONE.get(action, _("已保存"))),
        to="certification:detail",
        pk=cert.pk,
    )


@login_required
def provider_history(request: HttpRequest, pk: int) -> HttpResponse:
    pages.staff_only(request)
    provider = get_object_or_404(Provider, pk=pk)
    # the provider's own staff and its street, or whoever may see one of its applications
    # (the community that voted on it)
    if not (
        providers_visible(request.user).filter(pk=pk).exists()
        or selectors.certifications_visible(request.user).filter(provider=provider).exists()
    ):
        raise PermissionRefused(E.CERTIFICATION_OUT_OF_JURISDICTION, _("该服务商不在您的辖区内"))
    latest = (
        provider.certifications.select_related("community").order_by("-applied_at", "-pk").first()
    )
    return render(
        request,
        "certification/history.html",
        {
            "provider": provider,
            "events": selectors.provider_history(provider).order_by("-at", "-pk"),
            "current": selectors.current_certification(provider),
            "latest": latest,
            "steps": selectors.steps(latest) if latest is not None else [],
            "ending": selectors.ending(latest) if latest is not None else None,
            "can_apply": perm.can_apply_certification(request.user, provider)
            and not provider.certifications.filter(state__in=services.OPEN_STATES).exists(),
        },
    )


def notices(request: HttpRequest) -> HttpResponse:
    """Public notices (公示), open to everyone; residents who log in may object."""
    rows = list(selectors.open_notices()[:200])
    for c in rows:
        c.item_labels = [standard.item_label(code) for code in c.item_codes]  # type: ignore[attr-defined]
    return render(
        request,
        "certification/notices.html",
        {"notices": rows, "can_object": perm.is_resident(request.user)},
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


def _apply_page(
    request: HttpRequest, provider: Provider, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    from quarterhour.platform.catalogue.models import Category

    d = request.POST
    return render(
        request,
        "certification/apply.html",
        {
            "provider": provider,
            "categories": Category.choices,
            "items": [(c, standard.item_label(c)) for c in sorted(standard.known_item_codes())],
            "weekdays": WEEKDAYS,
            "chosen_items": d.getlist("item_codes"),
            "chosen_days": chosen_days(d),
            "errors": errors or {},
        },
    )


@login_required
def apply_form(request: HttpRequest, provider_pk: int) -> HttpResponse:
    pages.staff_only(request)
    provider = get_object_or_404(Provider.objects.select_related("street"), pk=provider_pk)
    if not perm.can_apply_certification(request.user, provider):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权办理该服务商的认证事项"))
    if request.method == "POST":
        d = request.POST
        return pages.run(
            request,
            lambda: services.apply(
                actor=request.user,
                provider=provider,
                community=picked(d, "community", kind_name="community", user=request.user),
                category=pages.text(d, "category"),
                item_codes=d.getlist("item_codes"),
                hotline=pages.text(d, "hotline"),
                opening_hours=hours_from_form(d),
                home_visit=pages.flag(d, "home_visit"),
                by_appointment=pages.flag(d, "by_appointment"),
                off_peak=pages.flag(d, "off_peak"),
                documents=pages.text(d, "documents"),
            ),
            success=_("认证申请已提交，下一步：社区服务站召开居民代表会议表决"),
            to="certification:history",
            again=lambda errors: _apply_page(request, provider, errors),
            pk=provider.pk,
        )
    return _apply_page(request, provider)


@login_required
def mechanisms(request: HttpRequest) -> HttpResponse:
    """One page linking the operating mechanisms (认证、共享、志愿、监督评价、联席会议、经费)."""
    from quarterhour.platform.meetings.selectors import task_list

    return render(
        request,
        "certification/mechanisms.html",
        {"n_tasks": task_list(request.user).count(), "staff": can_use_staff_pages(request.user)},
    )
