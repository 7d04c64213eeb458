"""Staff pages: home, community list, circles (met / missing items and a map), assessments.

Views read through selectors and write through services; permission refusals become 403 pages
that say why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from quarterhour.platform.accounts.homes import home_url
from quarterhour.platform.accounts.permissions import can_administer_accounts
from quarterhour.platform.core import access, labels, standard, todos
from quarterhour.platform.core.error_codes import CoreError
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.core.forms import staff_only
from quarterhour.platform.core.text import whole_number
from quarterhour.platform.facilities.selectors import facilities_near_communities
from quarterhour.platform.geography import permissions as geo_perm
from quarterhour.platform.geography import selectors as geo
from quarterhour.platform.geography.models import Circle, Community, District, Street
from quarterhour.platform.planning import permissions as planning_perm
from quarterhour.platform.planning import selectors as plan
from quarterhour.platform.planning.models import AssessmentRun, WalkNetworkFile
from quarterhour.platform.planning.networks import load_network
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.planning.targets import targets_overview
from quarterhour.platform.web.error_codes import WebError as E
from quarterhour.platform.web.pagecache import (
    FRAGMENT_SECONDS,
    data_version,
    fragment_key,
    page_cache,
)
from quarterhour.platform.web.svgmap import SvgMap

PAGE_SIZE = 50


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception:  # the check reports, it does not crash
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


#: roles with a jurisdiction (their home shows its communities, circles and assessments)
_JURISDICTION = frozenset({access.Role.CITY, access.Role.DISTRICT, access.Role.STREET})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: the staff member's to-dos from every app (overdue first within each), and for
    jurisdiction staff the register at a glance. Residents go to their own home (我的)."""
    if not access.can_use_staff_pages(request.user):
        return redirect(home_url(request.user))
    user = request.user
    found = todos.todos_for(user)
    roles = {m.role for m in access.memberships(user)}
    context: dict[str, Any] = {
        "memberships": access.memberships(user),
        "sections": todos.by_section(found),
        "n_overdue": sum(1 for t in found if t.overdue),
        "jurisdiction": bool(roles & (_JURISDICTION | {access.Role.COMMUNITY})),
        "can_administer_accounts": can_administer_accounts(user),
    }
    if context["jurisdiction"]:
        context.update(
            n_communities=geo.communities_visible(user).count(),
            n_circles=geo.circles_visible(user).count(),
            runs=list(plan.runs_visible(user)[:5]) if roles & _JURISDICTION else [],
            can_see_targets=bool(roles & _JURISDICTION),
            whatif_districts=_whatif_districts(user, roles),
        )
    return render(request, "web/home.html", context)


def _whatif_districts(user: Any, roles: set[Any]) -> list[District]:
    """The districts whose district-wide what-if the user may open (their officers, the city)."""
    if not roles & {access.Role.CITY, access.Role.DISTRICT}:
        return []
    return [
        d
        for d in geo.districts_visible(user).only("pk", "code", "name").order_by("code")
        if planning_perm.can_plan_district(user, d)
    ]


_COMMUNITY_FIELDS = (
    "pk",
    "code",
    "name",
    "derived_for_demo",
    "urban_rural",
    "population",
    "street__name",
    "street__district__name",
    "n_circles",
    "items_met",
    "items_required",
    "elderly_items",
    "elderly_items_met",
)
#: longest search text taken from the query string
SEARCH_MAX_CHARS = 50


def _community_rows(rows: list[dict[str, Any]]) -> str:
    """The table rows, formatted directly (50 rows × 9 cells through the template engine cost
    more than the queries); every value is escaped by ``format_html``."""
    labels = dict(Community.UrbanRural.choices)
    demo = format_html(' <span class="tag demo">{}</span>', _("演示推导"))
    out = []
    for r in rows:
        out.append(
            format_html(
                "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                "<td>{}</td><td>{}</td><td>{}</td></tr>",
                r["code"],
                r["name"],
                demo if r["derived_for_demo"] else "",
                r["street__name"],
                r["street__district__name"],
                labels.get(r["urban_rural"], r["urban_rural"]),
                "—" if r["population"] is None else r["population"],
                r["n_circles"],
                "—" if r["items_met"] is None else f"{r['items_met']} / {r['items_required']}",
                "—"
                if r["elderly_items"] is None
                else f"{r['elderly_items_met']} / {r['elderly_items']}",
            )
        )
    return mark_safe("\n".join(out))  # safe: each row is built by format_html


def _list_filters(request: HttpRequest) -> tuple[int | None, str, int]:
    """(street id, search text, page number) from the query string; junk becomes no filter."""
    raw_street = request.GET.get("street", "")
    street_id = whole_number(raw_street, digits=11)
    search = request.GET.get("q", "").strip()[:SEARCH_MAX_CHARS]
    raw_page = request.GET.get("page", "")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 8 else 1
    return street_id, search, page


def _scope_signature(user: Any) -> tuple[tuple[Any, ...], ...]:
    """What the user's rows depend on: its memberships' roles and jurisdictions."""
    return tuple(
        sorted(
            (m.role, m.district_id, m.street_id, m.community_id, m.provider_id)
            for m in access.memberships(user)
        )
    )


def _community_list_body(
    request: HttpRequest, street_id: int | None, search: str, page_number: int
) -> str:
    communities = geo.community_list(request.user, street_id=street_id, search=search)
    qs = plan.with_latest_community_result(communities).values(*_COMMUNITY_FIELDS)
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    kept = {k: v for k, v in (("street", street_id), ("q", search)) if v}
    html: str = render_to_string(
        "web/_communities_body.html",
        {
            "page": page,
            "rows_html": _community_rows(rows),
            "n_rows": len(rows),
            "streets": geo.street_choices(request.user),
            "street_id": street_id,
            "search": search,
            "pager_query": urlencode(kept) + "&" if kept else "",
        },
    )
    return html


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    """Communities in the user's jurisdiction, 50 a page, by street and by name or code. The
    rendered table is cached under the data version (see ``pagecache``)."""
    staff_only(request)
    street_id, search, page_number = _list_filters(request)
    cache = page_cache()
    if cache is None:
        body = _community_list_body(request, street_id, search, page_number)
    else:
        key = fragment_key(
            "communities",
            _scope_signature(request.user),
            street_id,
            search,
            page_number,
            version=data_version(),
        )
        body = cache.get(key)
        if body is None:
            body = _community_list_body(request, street_id, search, page_number)
            cache.set(key, body, FRAGMENT_SECONDS)
    return render(request, "web/communities.html", {"body": mark_safe(body)})


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """工作目标: demonstration circles and urban communities covered against the policy's
    targets, per district of the viewer's jurisdiction, with the gap list (缺什么)."""
    roles = {m.role for m in access.memberships(request.user)}
    if not roles & _JURISDICTION:
        raise PermissionRefused(CoreError.STAFF_ONLY, _("此页面仅供区县、街道和市级工作人员使用"))
    return render(
        request,
        "web/targets.html",
        {
            "t": targets_overview(request.user),
            "whatif_districts": _whatif_districts(request.user, roles),
        },
    )


@login_required
def circle_list(request: HttpRequest) -> HttpResponse:
    staff_only(request)
    qs = geo.circle_list(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    from quarterhour.platform.planning.models import CircleResult

    latest = {
        r.circle_id: r
        for r in CircleResult.objects.filter(circle_id__in=[c.pk for c in rows], is_latest=True)
    }
    return render(
        request,
        "web/circles.html",
        {"page": page, "rows": [(c, latest.get(c.pk)) for c in rows]},
    )


#: at most this many street segments drawn under a circle (keeps the page small)
MAP_MAX_SEGMENTS = 6000


def _network_under(svg: SvgMap, circle: Circle, network: WalkNetworkFile | None) -> None:
    """Draw the walk network's segments inside the circle's extent (the map's base layer)."""
    network_within(svg, [m.community for m in circle.memberships.all()], network)


def network_within(
    svg: SvgMap, communities: Iterable[Community], network: WalkNetworkFile | None
) -> None:
    """Draw the walk network's segments inside the communities' extent (a map's base layer)."""
    if network is None:
        return
    xs: list[float] = []
    ys: list[float] = []
    for c in communities:
        for ring in geo.boundary_coordinates(c.boundary_geojson):
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
        if c.centre_lon is not None and c.centre_lat is not None:
            xs.append(c.centre_lon)
            ys.append(c.centre_lat)
    if not xs:
        return
    try:
        net = load_network(network)
    except OSError:  # the file is gone; the map still shows the register
        return
    pad = 0.002
    lon, lat = net.node_lon, net.node_lat
    inside = (
        (lon >= min(xs) - pad)
        & (lon <= max(xs) + pad)
        & (lat >= min(ys) - pad)
        & (lat <= max(ys) + pad)
    )
    keep = inside[net.edge_u] & inside[net.edge_v]
    u, v = net.edge_u[keep][:MAP_MAX_SEGMENTS], net.edge_v[keep][:MAP_MAX_SEGMENTS]
    svg.lines(lon[u], lat[u], lon[v], lat[v], css="street")


def _circle_map(circle: Circle, facilities: list[Any], network: WalkNetworkFile | None) -> Any:
    svg = SvgMap()
    for m in circle.memberships.all():
        c = m.community
        for ring in geo.boundary_coordinates(c.boundary_geojson):
            svg.polygon(ring, css="community", title=c.name)
        if c.centre_lon is not None and c.centre_lat is not None:
            svg.point(c.centre_lon, c.centre_lat, r=5, css="community-centre", title=c.name)
            svg.label(c.centre_lon, c.centre_lat, c.name)
    _network_under(svg, circle, network)
    for f in facilities:
        codes = [i.item_code for i in f.items.all()]
        title = f"{labels.place_name(f.name, codes)} — {labels.items_label(codes)}"
        svg.point(f.lon, f.lat, r=3.5, css="facility", title=title)
    if circle.centre_lon is not None and circle.centre_lat is not None:
        svg.point(
            circle.centre_lon,
            circle.centre_lat,
            r=7,
            css="service-centre",
            title=circle.service_centre_name or _("服务中心"),
        )
    return svg.render(aria_label=_("服务圈地图：%(name)s") % {"name": circle.name})


def _circle_body(circle: Circle) -> str:
    """The circle page's content: members, map, met and missing items, facilities."""
    result = plan.latest_circle_result(circle)
    items = plan.circle_item_results(result) if result else []
    member_ids = [m.community_id for m in circle.memberships.all()]
    facilities = list(facilities_near_communities(member_ids))
    context = {
        "circle": circle,
        "result": result,
        "items_met": [(standard.item_label(i.item_code), i) for i in items if i.met],
        "items_missing": [(standard.item_label(i.item_code), i) for i in items if not i.met],
        "elderly_rows": (
            [(standard.item_label(i.item_code), i) for i in items]
            if any(i.elderly_share is not None for i in items)
            else []
        ),
        "elderly_speed": (
            standard.engine_standard(result.run.standard).walking.elderly_speed_kmh
            if result
            else None
        ),
        "stale": result is not None and plan.is_stale(result.run, circle=circle),
        "facilities": facilities,
        "map_svg": _circle_map(circle, facilities, result.run.network if result else None),
    }
    html: str = render_to_string("web/_circle_body.html", context)
    return html


def _load_circle(pk: int) -> Circle:
    try:
        return geo.circle_detail(pk)
    except Circle.DoesNotExist:
        raise Http404(_("没有这个服务圈")) from None


@login_required
def circle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One circle. With the page cache, a hit costs the version query only: the circle (with its
    members, for the permission check) and the rendered content are cached together under the
    data version, so an edit of any of them is seen on the next request."""
    staff_only(request)
    cache = page_cache()
    key = fragment_key("circle", pk, version=data_version()) if cache is not None else ""
    hit = cache.get(key) if cache is not None else None
    circle = _load_circle(pk) if hit is None else hit[0]
    if not geo_perm.can_view_circle(request.user, circle):
        raise PermissionRefused(E.CIRCLE_OUT_OF_JURISDICTION, _("该服务圈不在您的辖区内"))
    if hit is None:
        body = _circle_body(circle)
        if cache is not None:
            cache.set(key, (circle, body), FRAGMENT_SECONDS)
    else:
        body = hit[1]
    return render(
        request,
        "web/circle.html",
        {
            "circle": circle,
            "body": mark_safe(body),
            "can_plan": planning_perm.can_plan_circle(request.user, circle),
        },
    )


def _assessable(user: Any) -> tuple[list[District], list[Street]]:
    districts = [
        d for d in geo.districts_visible(user) if planning_perm.can_run_assessment(user, district=d)
    ]
    streets = [
        s
        for s in geo.streets_visible(user).select_related("district")
        if planning_perm.can_run_assessment(user, street=s)
    ]
    return districts, streets


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    staff_only(request)
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        kind, _sep, raw = scope.partition(":")
        district = street = None
        try:
            if kind == "street":
                street = Street.objects.select_related("district").get(pk=int(raw))
            elif kind == "district":
                district = District.objects.get(pk=int(raw))
            elif kind != "city":
                raise ValueError(scope)
        except (ValueError, Street.DoesNotExist, District.DoesNotExist):
            messages.error(request, _("请选择要评估的辖区"))
            return redirect("web:assessments")
        try:
            run = assessment_request(actor=request.user, district=district, street=street)
        except Invalid as exc:
            messages.error(request, str(exc.message))
            return redirect("web:assessments")
        messages.success(request, _("评估已提交，正在后台计算"))
        return redirect("web:assessment", pk=run.pk)
    districts, streets = _assessable(request.user)
    return render(
        request,
        "web/assessments.html",
        {
            "runs": list(plan.runs_visible(request.user)[:50]),
            "districts": districts,
            "streets": streets,
            "city": planning_perm.can_run_assessment(request.user),
        },
    )


#: an assessment's stages (planning/assessment.py, engine/tiling.py) in words
STAGES = {
    "start": _lazy("开始"),
    "prepare": _lazy("准备数据"),
    "tiles": _lazy("分块计算步行可达"),
    "coverage": _lazy("计算达标情况"),
    "store": _lazy("保存结果"),
    "done": _lazy("完成"),
}


def stage_label(stage: str) -> str:
    return str(STAGES.get(stage, stage))


def _visible_run(request: HttpRequest, pk: int) -> AssessmentRun:
    staff_only(request)
    run = plan.runs_visible(request.user).filter(pk=pk).first()
    if run is None:
        raise PermissionRefused(E.RUN_OUT_OF_JURISDICTION, _("该评估不在您的辖区内或不存在"))
    return run


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    done = run.status == AssessmentRun.Status.DONE
    circles = run.circle_results.select_related("circle").order_by("circle__code") if done else []
    changes = plan.circle_changes(run) if done else []
    changed = [
        {
            "change": c,
            "gained": "、".join(standard.item_label(code) for code in c.gained),
            "lost": "、".join(standard.item_label(code) for code in c.lost),
        }
        for c in changes
        if c.gained or c.lost
    ]
    return render(
        request,
        "web/assessment.html",
        {
            "run": run,
            "circle_results": circles,
            "changed": changed,
            "n_unchanged": sum(1 for c in changes if c.before_met is not None) - len(changed),
            "compared": any(c.before_met is not None for c in changes),
            "stage": stage_label(run.stage),
        },
    )


@login_required
@never_cache
def assessment_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _visible_run(request, pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "stage": stage_label(run.stage),
            "stage_code": run.stage,
            "done": run.done,
            "total": run.total,
            "percent": run.percent,
            "tiles_total": run.tiles_total,
            "tiles_computed": run.tiles_computed,
            "error": run.error_message,
        }
    )
