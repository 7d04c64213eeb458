"""Request pages: residents submit, follow and rate; staff enter calls and handle requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.errors import Invalid, Issue, PermissionRefused
from quarterhour.platform.core.picking import picked
from quarterhour.platform.core.text import whole_number
from quarterhour.platform.geography.models import Community
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests import selectors, services, setup_views
from quarterhour.platform.requests.error_codes import RequestError as E
from quarterhour.platform.requests.models import (
    OPEN_STATUSES,
    Channel,
    Level,
    ServiceRequest,
    Status,
)

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
            "statuses": [*Status.choices, (selectors.OVERDUE, _("超期（含已升级）"))],
            "status": status or "",
            "can_enter_call": rperm.can_enter_call(request.user),
            "may_set_up": setup_views.may_set_up(request.user),
        },
    )


def _form_context(request: HttpRequest, *, staff: bool) -> dict[str, Any]:
    return {
        "categories": list(selectors.categories_open().order_by("group", "code")),
        "staff": staff,
        "channels": [
            (Channel.HOTLINE, Channel.HOTLINE.label),
            (Channel.WALK_IN, Channel.WALK_IN.label),
        ],
        "data": request.POST,
        "errors": {},
        "duplicates": [],
    }


@dataclass(frozen=True, slots=True)
class _Place:
    community: Community | None
    lon: float | None
    lat: float | None
    address: str


def _place(request: HttpRequest) -> _Place:
    """The place chosen on the form: an address found by search (its point and community), else
    a community chosen by name."""
    post, user = request.POST, request.user
    found = picked(post, "place", kind_name="address", user=user, required=False)
    if found is not None:
        community = Community.objects.select_related("street").get(pk=found.community_id)
        return _Place(community, float(found.lon), float(found.lat), found.address[:300])
    community = picked(post, "community", kind_name="community", user=user, required=False)
    if community is None:
        message = _("请选择所在社区，或搜索并选择地址")
        raise Invalid(E.NO_LOCATION, message, [Issue(E.NO_LOCATION, message, field="community")])
    return _Place(community, None, None, pages.text(post, "address")[:300])


def _category(request: HttpRequest) -> Any:
    raw = pages.text(request.POST, "category")
    number = whole_number(raw)
    return selectors.categories_open().filter(pk=number).first() if number is not None else None


def _submit(request: HttpRequest, *, channel: str, place: _Place) -> ServiceRequest:
    post = request.POST
    attributes = {
        k[len("attribute[") : -1]: v for k, v in post.items() if k.startswith("attribute[") and v
    }
    user = request.user
    staff = channel != Channel.WEB
    return services.submit(
        actor=user,
        category=_category(request),
        channel=channel,
        description=post.get("description", "")[: services.MAX_DESCRIPTION + 1],
        lon=place.lon,
        lat=place.lat,
        community=place.community,
        address=place.address,
        attributes=attributes,
        contact_name=post.get("contact_name", "")[:64]
        if staff
        else getattr(user, "display_name", "")[:64],
        contact_phone=post.get("contact_phone", "")[:32]
        if staff
        else getattr(user, "phone", "")[:32],
    )


def _new(request: HttpRequest, *, staff: bool) -> HttpResponse:
    context = _form_context(request, staff=staff)
    if request.method != "POST":
        return render(request, "requests/new.html", context)
    channel = request.POST.get("channel", Channel.HOTLINE) if staff else Channel.WEB
    if channel not in (Channel.HOTLINE, Channel.WALK_IN, Channel.WEB):
        channel = Channel.HOTLINE
    try:
        category = _category(request)
        problems: list[Issue] = []
        if category is None:
            problems.append(Issue(E.NO_CATEGORY, _("请选择诉求类别"), field="category"))
        try:
            place = _place(request)
        except Invalid as exc:
            problems.extend(exc.issues)
        if problems:
            raise Invalid(problems[0].code, problems[0].message, problems)
        if not staff and category is not None and not pages.flag(request.POST, "file_anyway"):
            context["duplicates"] = selectors.likely_duplicates(
                category=category, community=place.community, lon=place.lon, lat=place.lat
            )
            if context["duplicates"]:
                context["radius_m"] = int(selectors.duplicate_radius_m())
                return render(request, "requests/new.html", context)
        req = _submit(request, channel=channel, place=place)
    except Invalid as exc:
        context["errors"] = pages.errors_of(exc)
        return render(request, "requests/new.html", context, status=422)
    owner = services.owner_of(req).name()
    due = timezone.localtime(req.due_at).strftime("%Y-%m-%d %H:%M")
    messages.success(
        request,
        _("诉求 #%(n)s 已登记，由 %(o)s 负责，%(d)s 前办结") % {"n": req.pk, "o": owner, "d": due},
    )
    return redirect("requests:detail", pk=req.pk)


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
            "is_open": req.is_open,
            "owner_name": services.owner_of(req).name(),
            "overdue": req.is_open and req.due_at < timezone.now(),
            "show_description": rperm.can_read_content(request.user, req),
            "n_followers": req.followers.count(),
            "targets": [
                (Level.PROVIDER, "provider", _("派给服务商")),
                (Level.COMMUNITY, "community", _("转给社区")),
                (Level.STREET, "street", _("转给街道")),
                (Level.DISTRICT, "district", _("转给区县")),
            ],
        },
    )


def _target(request: HttpRequest) -> services.Owner:
    """The unit (and optionally the person) a request is transferred to, chosen by name."""
    post, user = request.POST, request.user
    level = post.get("to_level", "")
    if level not in Level.values:
        raise Invalid(E.BAD_TRANSFER_TARGET, _("请选择接收单位"))
    person = picked(post, "to_user", kind_name="staff", user=user, required=False)
    if level == Level.CITY:
        return services.Owner(level, user=person)
    kind = {"community": "community", "street": "street", "district": "district"}.get(
        level, "provider"
    )
    unit = picked(post, "to_unit", kind_name=kind, user=user)
    return services.Owner(level, **{level: unit}, user=person)


def _join(request: HttpRequest, pk: int) -> HttpResponse:
    """Join an open request offered as the same problem nearby, instead of filing it again."""
    req = ServiceRequest.objects.filter(pk=pk, status__in=OPEN_STATUSES).first()
    if req is None:
        raise Http404(_("没有这个诉求"))
    try:
        services.join(actor=request.user, request=req)
    except Invalid as exc:
        messages.error(request, str(exc.message))
        return redirect("requests:new")
    messages.success(
        request,
        _("您已关注诉求 #%(n)s，不必重复提交；办理进展会通知您") % {"n": req.pk},
    )
    return redirect("requests:detail", pk=req.pk)


#: what the page says after each action, so the person sees what happened (not just "saved")
DONE: dict[str, Any] = {
    "accept": _l("已受理，请在办结期限前办理"),
    "reply": _l("已答复，居民可在诉求页面查看"),
    "transfer": _l("已转办，现由 %(owner)s 负责"),
    "close": _l("已办结"),
    "reject": _l("已标记为不予受理"),
    "reopen": _l("已重新办理，办结期限已重新计算"),
    "rate": _l("感谢您的评价，已记录"),
}


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action == "join":
        return _join(request, pk)
    req = _get(request, pk)
    post = request.POST
    try:
        if action == "accept":
            services.accept(actor=request.user, request=req, note=post.get("note", ""))
        elif action == "reply":
            services.reply(actor=request.user, request=req, answer=post.get("answer", ""))
        elif action == "transfer":
            if not rperm.can_act(request.user, req):  # refused before any name is looked up
                raise PermissionRefused(E.PERMISSION_DENIED, _("您无权办理该诉求"))
            services.transfer(
                actor=request.user, request=req, to=_target(request), reason=post.get("reason", "")
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
        req.refresh_from_db()
        done = str(DONE[action])
        if action == "transfer":
            done = done % {"owner": services.owner_of(req).name()}
        messages.success(request, done)
    if rperm.can_view(request.user, ServiceRequest.objects.get(pk=req.pk)):
        return redirect("requests:detail", pk=req.pk)
    return redirect("requests:list")
