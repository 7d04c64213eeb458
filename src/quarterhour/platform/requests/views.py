"""Request pages: residents submit, follow and rate; staff enter calls and handle requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quarterhour.platform.accounts.models import User
from quarterhour.platform.catalogue.models import Provider
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.text import whole_number
from quarterhour.platform.geography.models import Community, District, Street
from quarterhour.platform.geography.selectors import communities_visible
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests import selectors, services
from quarterhour.platform.requests.error_codes import RequestError as E
from quarterhour.platform.requests.models import Channel, Level, ServiceRequest, Status

PAGE_SIZE = 50


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    qs = selectors.request_list(request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "requests/list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "status": status or "",
            "can_enter_call": rperm.can_enter_call(request.user),
        },
    )


def _float(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Invalid(E.BAD_COORDINATES, _("经纬度须为数字")) from None


def _form_context(request: HttpRequest, *, staff: bool) -> dict[str, Any]:
    communities = (
        communities_visible(request.user) if staff else Community.objects.all()
    ).select_related("street")
    return {
        "categories": list(selectors.categories_open()),
        "communities": list(communities[:2000]),
        "staff": staff,
        "channels": [
            (Channel.HOTLINE, Channel.HOTLINE.label),
            (Channel.WALK_IN, Channel.WALK_IN.label),
        ],
        "data": request.POST,
    }


def _submit(request: HttpRequest, *, channel: str) -> ServiceRequest:
    post = request.POST
    category = (
        selectors.categories_open().filter(pk=whole_number(post.get("category", "")) or 0).first()
    )
    community = (
        Community.objects.select_related("street")
        .filter(pk=whole_number(post.get("community", "")) or 0)
        .first()
    )
    attributes = {
        k[len("attribute[") : -1]: v for k, v in post.items() if k.startswith("attribute[") and v
    }
    return services.submit(
        actor=request.user,
        category=category,
        channel=channel,
        description=post.get("description", ""),
        lon=_float(post.get("lon", "")),
        lat=_float(post.get("lat", "")),
        community=community,
        address=post.get("address", ""),
        attributes=attributes,
        contact_name=post.get("contact_name", ""),
        contact_phone=post.get("contact_phone", ""),
        contact_email=post.get("contact_email", "").strip(),
    )


def _new(request: HttpRequest, *, staff: bool) -> HttpResponse:
    errors: list[Any] = []
    if request.method == "POST":
        channel = request.POST.get("channel", Channel.HOTLINE) if staff else Channel.WEB
        if channel not in (Channel.HOTLINE, Channel.WALK_IN, Channel.WEB):
            channel = Channel.HOTLINE
        try:
            req = _submit(request, channel=channel)
        except Invalid as exc:
            errors = list(exc.issues)
        else:
            messages.success(request, _("诉求 #%(n)s 已提交，办结期限见详情页") % {"n": req.pk})
            return redirect("requests:detail", pk=req.pk)
    context = _form_context(request, staff=staff)
    context["errors"] = errors
    return render(request, "requests/new.html", context, status=400 if errors else 200)


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    return _new(request, staff=False)


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    if not rperm.can_enter_call(request.user):
        raise PermissionRefused(E.PERMISSION_DENIED, _("此页面仅供工作人员使用"))
    return _new(request, staff=True)


def _get(request: HttpRequest, pk: int) -> ServiceRequest:
    req = (
        ServiceRequest.objects.select_related(
            "category",
            "community__street__district",
            "owner_community",
            "owner_street",
            "owner_district",
            "owner_provider",
            "owner_user",
            "submitter",
        )
        .filter(pk=pk)
        .first()
    )
    if req is None or not rperm.can_view(request.user, req):
        raise Http404(_("没有这个诉求"))
    return req


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _get(request, pk)
    events, handovers = selectors.history(req)
    return render(
        request,
        "requests/detail.html",
        {
            "req": req,
            "contact": selectors.contact(request.user, req),
            "events": events,
            "handovers": handovers,
            "can_act": rperm.can_act(request.user, req),
            "can_rate": rperm.can_rate(request.user, req)
            and req.status == Status.CLOSED
            and req.rating is None,
            "can_reopen": rperm.can_reopen(request.user, req)
            and req.status == Status.CLOSED
            and req.rating is None,
            "levels": Level.choices,
            "is_open": req.is_open,
        },
    )


def _target(post: Any) -> services.Owner:
    level = post.get("to_level", "")
    if level not in Level.values:
        raise Invalid(E.BAD_TRANSFER_TARGET, _("请选择接收单位"))
    unit = (post.get("to_unit") or "").strip()

    def pick(model: Any) -> Any:
        row = model.objects.filter(code=unit).first() if hasattr(model, "code") else None
        number = whole_number(unit)
        if row is None and number is not None:
            row = model.objects.filter(pk=number).first()
        return row

    user = None
    if post.get("to_user"):
        user = User.objects.filter(username=post["to_user"][:150]).first()
        if user is None:  # answered as for a person outside the unit: no probing for names
            message = _("接收人不属于接收单位")
            raise Invalid(
                E.BAD_TRANSFER_TARGET,
                message,
                [Issue(E.BAD_TRANSFER_TARGET, message, field="to_user")],
            )
    if level == Level.COMMUNITY:
        return services.Owner(level, community=pick(Community), user=user)
    if level == Level.STREET:
        return services.Owner(level, street=pick(Street), user=user)
    if level == Level.DISTRICT:
        return services.Owner(level, district=pick(District), user=user)
    if level == Level.PROVIDER:
        return services.Owner(level, provider=pick(Provider), user=user)
    return services.Owner(level, user=user)


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = _get(request, pk)
    post = request.POST
    try:
        if action == "accept":
            services.accept(actor=request.user, request=req, note=post.get("note", ""))
        elif action == "transfer":
            if not rperm.can_act(request.user, req):  # refused before any name is looked up
                raise PermissionRefused(E.PERMISSION_DENIED, _("您无权办理该诉求"))
            services.transfer(
                actor=request.user, request=req, to=_target(post), reason=post.get("reason", "")
            )
        elif action == "close":
            services.close(
                actor=request.user,
                request=req,
                resolution=post.get("resolution", ""),
                public_reply=post.get("public_reply", ""),
            )
        elif action == "reject":
            services.reject(
                actor=request.user,
                request=req,
                reason=post.get("reason", ""),
                public_reply=post.get("public_reply", ""),
            )
        elif action == "reopen":
            services.reopen(actor=request.user, request=req, reason=post.get("reason", ""))
        elif action == "rate":
            raw = post.get("rating", "")
            services.rate(
                actor=request.user,
                request=req,
                rating=whole_number(raw, digits=1) or 0,
                comment=post.get("comment", ""),
            )
        else:
            raise Http404
    except Invalid as exc:
        for issue in exc.issues:
            messages.error(request, str(issue.message))
    else:
        messages.success(request, _("已保存"))
    if rperm.can_view(request.user, ServiceRequest.objects.get(pk=req.pk)):
        return redirect("requests:detail", pk=req.pk)
    return redirect("requests:list")
