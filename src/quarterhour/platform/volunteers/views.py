"""Pages for volunteers and mutual aid: registration, the community's approval list with
totals, needs and their matching, hours confirmation, certificates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from quarterhour.platform.core import forms as pages
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.core.picking import picked
from quarterhour.platform.volunteers import permissions as perm
from quarterhour.platform.volunteers import selectors, services
from quarterhour.platform.volunteers.error_codes import VolunteerError as E
from quarterhour.platform.volunteers.models import Need, Organisation, Skill, Volunteer


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    pages.staff_only(request)
    rows = list(
        selectors.totals_table(selectors.volunteers_visible(request.user)).order_by(
            "status", "name"
        )[:500]
    )
    for v in rows:
        v.hours = selectors.hours_of(getattr(v, "confirmed_minutes", 0))  # type: ignore[attr-defined]
    return render(
        request, "volunteers/list.html", {"rows": rows, "year": timezone.localdate().year}
    )


#: what the page says after each decision or step, so the clerk sees what happened
DECIDED: dict[str, Any] = {
    "approve": _l("已通过该志愿者的登记"),
    "reject": _l("该志愿者的登记未通过"),
    "suspend": _l("已暂停该志愿者"),
    "reinstate": _l("已恢复该志愿者"),
}
NEED_DONE: dict[str, Any] = {
    "assign": _l("已匹配志愿者，志愿者会收到通知"),
    "record": _l("已登记服务时长，待服务对象确认"),
    "confirm": _l("已确认服务时长"),
    "cancel": _l("已取消该互助需求"),
}


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    pages.staff_only(request)
    v = get_object_or_404(Volunteer, pk=pk)
    return pages.run(
        request,
        lambda: services.decide(
            actor=request.user,
            volunteer=v,
            action=pages.text(request.POST, "action"),
            note=pages.text(request.POST, "note"),
        ),
        success=str(DECIDED.get(pages.text(request.POST, "action"), _("已保存"))),
        to="volunteers:list",
    )


def _register_form(
    request: HttpRequest, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    # login_required: the user is authenticated and has a pk
    mine = (
        Volunteer.objects.filter(user_id=int(request.user.pk or 0))
        .select_related("community")
        .first()
    )
    return render(
        request,
        "volunteers/register.html",
        {
            "mine": mine,
            "totals": selectors.totals(mine) if mine is not None else None,
            "year": timezone.localdate().year,
            "skills": Skill.choices,
            "organisations": Organisation.choices,
            "days": [(i, n) for i, n in enumerate("一二三四五六日", start=1)],
            "errors": errors or {},
        },
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """社区志愿者注册登记: name, phone, community (chosen by name), skills, availability."""
    if request.method != "POST":
        return _register_form(request)
    d = request.POST

    def call() -> Volunteer:
        community = picked(d, "community", kind_name="community", user=request.user)
        return services.register(
            actor=request.user,
            community=community,
            name=pages.text(d, "name")[:64],
            phone=pages.text(d, "phone")[:32],
            lon=community.centre_lon or 0.0,
            lat=community.centre_lat or 0.0,
            skills=d.getlist("skills")[:20],
            availability=[
                {
                    "days": [int(x) for x in d.getlist("days")[:7] if x in "1234567" and x],
                    "opens": pages.text(d, "opens")[:5],
                    "closes": pages.text(d, "closes")[:5],
                }
            ],
            organisation=pages.text(d, "organisation"),
        )

    return pages.run(
        request,
        call,
        success=_("注册已提交，待社区审核"),
        to="volunteers:register",
        again=lambda errors: _register_form(request, errors),
    )


@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteers/needs.html",
        {
            "needs": selectors.needs_visible(request.user)[:300],
            # an approved volunteer also sees the open needs of their street they may take
            "to_help": selectors.needs_to_help(request.user)[:100],
            "skills": Skill.choices,
        },
    )


@login_required
@require_POST
def post_need(request: HttpRequest) -> HttpResponse:
    d = request.POST

    def call() -> Need:
        community = picked(d, "community", kind_name="community", user=request.user)
        return services.post_need(
            actor=request.user,
            community=community,
            recipient=request.user,
            skill=pages.text(d, "skill"),
            description=pages.text(d, "description"),
            lon=community.centre_lon or 0.0,
            lat=community.centre_lat or 0.0,
            wanted_at=pages.moment(d, "wanted_at"),
        )

    return pages.run(request, call, success=_("需求已发布"), to="volunteers:needs")


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # the needs of one's area, one's own, those one serves; and, for an approved volunteer, the
    # open needs of their street they may offer to help with
    need = (
        selectors.needs_visible(request.user).filter(pk=pk).first()
        or selectors.needs_to_help(request.user).filter(pk=pk).first()
    )
    if need is None:
        raise Http404(_("找不到该互助需求"))
    matcher = perm.can_match_need(request.user, need)
    candidates, no_network = [], False
    if matcher and need.status == Need.Status.OPEN:
        network = selectors.network_for(need.lon, need.lat)
        if network is None:
            no_network = True
        else:
            candidates = services.candidates(need, network=network)
    record = getattr(need, "record", None)
    return render(
        request,
        "volunteers/need.html",
        {
            "need": need,
            "matcher": matcher,
            "candidates": candidates,
            "no_network": no_network,
            "record": record,
            "can_record": need.status == Need.Status.MATCHED
            and perm.can_record_hours(request.user, need),
            "can_confirm": record is not None and perm.can_confirm_hours(request.user, record),
            "can_take": need.status == Need.Status.OPEN
            and selectors.needs_to_help(request.user).filter(pk=need.pk).exists(),
            "today": timezone.localdate(),
        },
    )


def _record_of(need: Need) -> Any:
    """The need's service record; confirming a need with none yet is refused in words."""
    try:
        return need.record
    except ObjectDoesNotExist:
        raise Invalid(E.NO_RECORD, _("还没有服务记录，无法确认时长")) from None


@login_required
@require_POST
def need_act(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need, pk=pk)
    d, user, action = request.POST, request.user, request.POST.get("action")
    calls = {
        "assign": lambda: services.assign(
            actor=user,
            need=need,
            volunteer=get_object_or_404(Volunteer, pk=pages.integer(d, "volunteer")),
        ),
        "record": lambda: services.record_hours(
            actor=user,
            need=need,
            minutes=pages.integer(d, "minutes"),
            served_on=pages.date(d, "served_on"),
            note=pages.text(d, "note"),
        ),
        "confirm": lambda: services.confirm_hours(
            actor=user,
            record=_record_of(need),
            accept=pages.flag(d, "accept"),
            note=pages.text(d, "note"),
        ),
        "cancel": lambda: services.cancel_need(actor=user, need=need, reason=pages.text(d, "note")),
    }
    if action not in calls:
        raise PermissionRefused(E.UNKNOWN_ACTION, _("未知的操作"))
    done = NEED_DONE[action]
    if action == "confirm" and not pages.flag(d, "accept"):
        done = _l("已退回服务时长")
    return pages.run(request, calls[action], success=str(done), to="volunteers:need", pk=need.pk)


@login_required
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    """我来帮忙: an approved volunteer takes an open need of their street (from their home page
    or the need's page); back on the home page, the need among the services they give."""
    need = get_object_or_404(Need, pk=pk)
    return pages.run(
        request,
        lambda: services.take(actor=request.user, need=need),
        success=_("谢谢您！需求已由您认领，请按期望时间联系并提供服务"),
        to="accounts:mine",
    )


@login_required
def certificate(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    v = get_object_or_404(Volunteer.objects.select_related("community__street"), pk=pk)
    if not (v.user_id == request.user.pk or perm.can_approve_volunteer(request.user, v)):
        raise PermissionRefused(E.PERMISSION_DENIED, _("您无权查看该证明"))
    return render(
        request,
        "volunteers/certificate.html",
        {
            "v": v,
            "year": year,
            "totals": selectors.totals(v, year=year),
            "number": selectors.certificate_number(v, year),
            "issued": timezone.localdate(),
            "years": range(timezone.localdate().year, timezone.localdate().year - 3, -1),
        },
    )
