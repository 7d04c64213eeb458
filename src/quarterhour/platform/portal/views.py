"""Resident pages (no login): near me, the menu-style catalogue, provider pages, community pages
with their convenience card and handbook (HTML and PDF), and the JSON the map reads."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from quarterhour.platform.catalogue.models import Category
from quarterhour.platform.core import standard
from quarterhour.platform.facilities.hours import first_change, is_open
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Community
from quarterhour.platform.portal import cards, maps, walking
from quarterhour.platform.portal import selectors as sel
from quarterhour.platform.web.pagecache import (
    FRAGMENT_SECONDS,
    directory_version,
    fragment_key,
    page_cache,
    query_key,
)

PAGE_SIZE = 50


def _float(raw: str | None, lo: float, hi: float) -> float | None:
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if lo <= value <= hi else None


def _point(request: HttpRequest) -> tuple[float, float] | None:
    lon = _float(request.GET.get("lon"), -180.0, 180.0)
    lat = _float(request.GET.get("lat"), -90.0, 90.0)
    return None if lon is None or lat is None else (lon, lat)


def _elderly(request: HttpRequest) -> bool:
    return request.GET.get("elderly", "") in ("1", "on", "true")


def _text(request: HttpRequest, name: str) -> str:
    return str(request.GET.get(name, "")).replace("\x00", "").strip()[:100]


@require_GET
def near(request: HttpRequest) -> HttpResponse:
    """Near me: a point (map click, shared location) or a typed address/community name."""
    q = _text(request, "q")
    elderly = _elderly(request)
    point = _point(request)
    ctx: dict[str, Any] = {
        "q": q,
        "elderly": elderly,
        "map": maps.config(),
        "result": None,
        "places": [],
        "suggestions": [],
        "problem": "",
        "nearest": None,
        "status": 200,
    }
    version = directory_version()
    try:
        data = walking.walk_data(version=version)
    except walking.NoNetworkError:
        data = None
        ctx["problem"] = _("平台尚未导入步行路网，暂时无法计算步行范围。")
    if point is None and q:
        places = sel.find_places(q)
        if len(places) == 1:
            point = (places[0].lon, places[0].lat)
            ctx["chosen"] = places[0]
        elif places:
            ctx["places"] = places
        else:
            ctx["suggestions"] = sel.suggestions(q)
            ctx["status"] = 404
    if point is not None and data is not None:
        try:
            result, _reach = sel.near_me(data, point[0], point[1], elderly=elderly, version=version)
            ctx["result"] = result
            ctx["map_data"] = {
                "lon": point[0],
                "lat": point[1],
                "elderly": elderly,
                "limit_m": result.limit_m,
                "facilities": [
                    {
                        "id": h.facility.pk,
                        "name": h.facility.name,
                        "lon": h.facility.lon,
                        "lat": h.facility.lat,
                        "minutes": round(h.minutes, 1),
                    }
                    for h in result.hits
                ],
            }
        except walking.PointOffNetworkError:
            ctx["problem"] = _("该位置距步行道路超过 %(m)d 米，不在步行网络上。") % {
                "m": int(walking.MAX_SNAP_M)
            }
            ctx["nearest"] = walking.nearest_place(data, point[0], point[1])
            ctx["status"] = 422
    ctx["point"] = point
    ctx["walk"] = sel.walk_profile(elderly=elderly)
    response = render(request, "portal/near.html", ctx, status=ctx["status"])
    return response


@require_GET
def near_json(request: HttpRequest) -> JsonResponse:
    """The walking area (isochrone) for the map, with its area in square metres."""
    point = _point(request)
    if point is None:
        return JsonResponse({"error": _("需要经纬度 lon、lat")}, status=400)
    try:
        data = walking.walk_data()
    except walking.NoNetworkError:
        return JsonResponse({"error": _("尚未导入步行路网")}, status=503)
    limit_m, _speed, _minutes = sel.walk_profile(elderly=_elderly(request))
    try:
        reach = walking.reach_from(data, point[0], point[1], limit_m=limit_m)
    except walking.PointOffNetworkError:
        nearest = walking.nearest_place(data, point[0], point[1])
        return JsonResponse({"error": _("该位置不在步行网络上"), "nearest": nearest}, status=422)
    area = walking.walk_area(data, reach)
    local = walking.local_network(data, reach)
    lines = [
        [
            [round(float(local.node_lon[a]), 6), round(float(local.node_lat[a]), 6)],
            [round(float(local.node_lon[b]), 6), round(float(local.node_lat[b]), 6)],
        ]
        for a, b in zip(local.edge_u.tolist(), local.edge_v.tolist(), strict=True)
    ]
    return JsonResponse(
        {
            "limit_m": limit_m,
            "area_m2": round(_area_m2(area, point[1])),
            "isochrone": walking.geometry_geojson(area),
            "network": {"type": "MultiLineString", "coordinates": lines},
            "attribution": data.attribution,
        }
    )


def _area_m2(geom: Any, lat: float) -> float:
    import shapely

    k = 111_320.0
    scaled = shapely.transform(geom, lambda xy: xy * [k * math.cos(math.radians(lat)), 110_540.0])
    return float(scaled.area)


@require_GET
def route_json(request: HttpRequest) -> JsonResponse:
    point = _point(request)
    try:
        pk = int(request.GET.get("facility", ""))
    except ValueError:
        pk = 0
    facility = Facility.objects.filter(pk=pk, is_active=True).first()
    if point is None or facility is None:
        return JsonResponse({"error": _("需要起点和设施")}, status=400)
    try:
        data = walking.walk_data()
    except walking.NoNetworkError:
        return JsonResponse({"error": _("尚未导入步行路网")}, status=503)
    limit_m, _s, _m = sel.walk_profile(elderly=_elderly(request))
    try:
        reach = walking.reach_from(data, point[0], point[1], limit_m=limit_m)
    except walking.PointOffNetworkError:
        return JsonResponse({"error": _("该位置不在步行网络上")}, status=422)
    if facility.pk not in reach.facility_m:
        return JsonResponse({"error": _("该设施不在步行范围内")}, status=404)
    line = walking.route_to(data, reach, facility.lon, facility.lat)
    return JsonResponse(
        {
            "metres": round(reach.facility_m[facility.pk], 1),
            "route": {
                "type": "LineString",
                "coordinates": [[round(a, 6), round(b, 6)] for a, b in line],
            },
        }
    )


@require_GET
def network_json(request: HttpRequest) -> JsonResponse:
    """Walk network edges inside a box (the vector base map when no tiles are configured)."""
    parts = request.GET.get("bbox", "").split(",")
    box = [_float(p, -180.0, 180.0) for p in parts] if len(parts) == 4 else []
    if len(box) != 4 or any(b is None for b in box):
        return JsonResponse({"error": _("bbox 须为 西,南,东,北")}, status=400)
    w, s, e, n = (float(b) for b in box if b is not None)
    if (e - w) * (n - s) > 0.05**2 * 4:
        return JsonResponse({"type": "MultiLineString", "coordinates": [], "too_large": True})
    try:
        data = walking.walk_data()
    except walking.NoNetworkError:
        return JsonResponse({"error": _("尚未导入步行路网")}, status=503)
    lines, cut = walking.network_lines(data, (w, s, e, n))
    return JsonResponse({"type": "MultiLineString", "coordinates": lines, "too_large": cut})


# --- catalogue ---------------------------------------------------------------------------------


def _int(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in [*Category.values, sel.OTHER]:
        category = ""
    codes = set(sel.item_codes_for(category)) if category else None
    item = request.GET.get("item", "")
    if item and item not in standard.known_item_codes():
        item = ""
    flt = sel.CatalogueFilter(
        category=category,
        item=item,
        community=_int(request.GET.get("community")),
        street=_int(request.GET.get("street")),
        open_now=request.GET.get("open") == "1",
        method=request.GET.get("method", "") if request.GET.get("method") in sel.METHODS else "",
        q=_text(request, "q"),
    )
    now = timezone.localtime()
    cache = page_cache()
    if cache is None:
        body, _changes = _catalogue_body(request, flt, category=category, codes=codes, now=now)
        return render(request, "portal/catalogue.html", {"body": body})
    # The whole page is cached while the directory's data version holds and nothing listed has
    # opened or closed since ("open now" marks and filter). Nothing on it depends on who asks
    # except the CSRF token of the language switch: the page is kept with a hole there, filled
    # with the asker's own token on every answer.
    query = query_key(request.GET)
    key = fragment_key("catalogue", query, version=directory_version())
    hit = cache.get(key)
    if isinstance(hit, tuple) and (hit[0] is None or now.timestamp() < hit[0]):
        return _with_csrf_token(request, str(hit[1]))
    body, changes = _catalogue_body(request, flt, category=category, codes=codes, now=now)
    html = render_to_string(
        "portal/catalogue.html", {"body": body, "csrf_token": _CSRF_HOLE}, request=request
    )
    until = None if changes is None else changes.timestamp()
    seconds = FRAGMENT_SECONDS if until is None else min(FRAGMENT_SECONDS, until - now.timestamp())
    cache.set(key, (until, html), max(1, int(seconds)))
    return _with_csrf_token(request, html)


#: where a cached page's CSRF token goes (a token has only letters and digits)
_CSRF_HOLE = "__qh-csrf-token__"


def _with_csrf_token(request: HttpRequest, html: str) -> HttpResponse:
    return HttpResponse(html.replace(_CSRF_HOLE, get_token(request)))


def _catalogue_body(
    request: HttpRequest,
    flt: sel.CatalogueFilter,
    *,
    category: str,
    codes: set[str] | None,
    now: datetime,
) -> tuple[str, datetime | None]:
    """The catalogue's menu, filters and lists, and the first moment a listed place opens or
    closes (their "open now" marks and the open-now filter change then)."""
    services = sel.catalogue_services(flt)
    facilities = sel.catalogue_facilities(flt)
    if flt.open_now:
        services_all = list(services[:2000])
        facilities_all = list(facilities[:2000])
        # the filter's answer changes when any candidate opens or closes
        hours = [s.opening_hours for s in services_all] + [f.opening_hours for f in facilities_all]
        services_rows: Any = sel.open_filter(services_all)
        facility_rows: Any = sel.open_filter(facilities_all)
    else:
        services_rows, facility_rows = services, facilities
    page = Paginator(services_rows, PAGE_SIZE).get_page(request.GET.get("page"))
    fpage = Paginator(facility_rows, PAGE_SIZE).get_page(request.GET.get("fpage"))
    if not flt.open_now:  # the marks of the rows shown change when one opens or closes
        hours = [s.opening_hours for s in page.object_list]
        hours += [f.opening_hours for f in fpage.object_list]
    changes = first_change(hours, now)
    certified = sel.certified_ids({s.provider_id for s in page.object_list})
    std = standard.current()
    body = render_to_string(
        "portal/_catalogue_body.html",
        {
            "flt": flt,
            "cats": [(c, sel.category_label(c)) for c in [*Category.values, sel.OTHER]],
            "items": [
                (code, standard.item_label(code))
                for code in (
                    sel.item_codes_for(category) if category else [i.code for i in std.items]
                )
            ],
            "codes": codes,
            "page": page,
            "services": [
                (s, is_open(s.opening_hours, now), s.provider_id in certified)
                for s in page.object_list
            ],
            "fpage": fpage,
            "facilities": [(f, is_open(f.opening_hours, now)) for f in fpage.object_list],
            "streets": list(sel.streets().values_list("pk", "name")),
            # a city has thousands of communities: list them once a street is chosen
            "communities": (
                list(sel.communities().filter(street_id=flt.street).values_list("pk", "name"))
                if flt.street is not None
                else []
            ),
            "methods": [
                ("home_visit", _("上门")),
                ("appointment", _("预约")),
                ("off_peak", _("错时")),
            ],
        },
        request=request,
    )
    return mark_safe(body), changes  # safe: rendered by our template


@require_GET
def provider(request: HttpRequest, pk: int) -> HttpResponse:
    p = sel.provider_detail(pk)
    if p is None:
        raise Http404(_("找不到该服务商"))
    now = timezone.localtime()
    return render(
        request,
        "portal/provider.html",
        {
            "p": p,
            "rep": sel.reputation(p),
            "services": [(s, is_open(s.opening_hours, now)) for s in p.services.all()],
            "facilities": [(f, is_open(f.opening_hours, now)) for f in p.facilities.all()],
        },
    )


# --- community page, convenience card and handbook -------------------------------------------


def _card_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    community = get_object_or_404(Community.objects.select_related("street__district"), pk=pk)
    url = request.build_absolute_uri(reverse("portal:community", args=[community.pk]))
    try:
        data = walking.walk_data()
        rows, result, problem = sel.community_card(data, community)
    except walking.NoNetworkError:
        rows, result, problem = [], None, _("平台尚未导入步行路网")
    return {
        "community": community,
        "rows": rows,
        "result": result,
        "problem": problem,
        "url": url,
        "qr_svg": cards.qr_svg(url),
        "generated": timezone.localtime(),
        "supervision_phone": community.street.supervision_phone,
    }


@require_GET
def community(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/community.html", _card_context(request, pk))


@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/card.html", _card_context(request, pk))


@require_GET
def handbook(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/handbook.html", _card_context(request, pk))


@require_GET
def card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return cards.pdf_response(request, "portal/card.html", _card_context(request, pk), f"card-{pk}")


@require_GET
def handbook_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return cards.pdf_response(
        request, "portal/handbook.html", _card_context(request, pk), f"handbook-{pk}"
    )


@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    q = _text(request, "q")
    qs = sel.communities()
    if q:
        from quarterhour.platform.portal.search import text_q

        qs = qs.filter(text_q(q, "name", "street__name"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/communities.html", {"page": page, "q": q})
