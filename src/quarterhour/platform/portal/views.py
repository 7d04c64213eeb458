"""Resident pages (no login): near me, the menu-style catalogue, provider pages, community pages
with their convenience card and handbook (HTML and PDF), and the JSON the map reads."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from quarterhour.platform.catalogue.models import Category
from quarterhour.platform.core import standard
from quarterhour.platform.facilities.hours import first_change, hours_words, is_open
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.geography.models import Community
from quarterhour.platform.portal import (
    areas,
    cards,
    directory,
    fragments,
    kept,
    maps,
    rooms,
    walking,
)
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


def _bad_point(request: HttpRequest) -> bool:
    """A position was given but is not one (``lon=abc``, ``lat=200``, one without the other)."""
    given = bool(request.GET.get("lon", "").strip() or request.GET.get("lat", "").strip())
    return given and _point(request) is None


def _elderly(request: HttpRequest) -> bool:
    return request.GET.get("elderly", "") in ("1", "on", "true")


def _text(request: HttpRequest, name: str) -> str:
    return str(request.GET.get(name, "")).replace("\x00", "").strip()[:100]


def hotlines(street_phone: str = "") -> dict[str, str]:
    """The service hotline and the supervision phone (a street's own when it has one)."""
    return {
        "hotline": str(getattr(settings, "QH_HOTLINE", "96156")),
        "supervision_phone": street_phone or str(getattr(settings, "QH_SUPERVISION_PHONE", "")),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front door: find a place, the catalogue, cards, notices, results, asking for help."""
    return render(
        request,
        "portal/home.html",
        {"example": sel.example_place(), "cats": _categories(), **hotlines()},
    )


def _categories() -> list[tuple[str, str]]:
    return [(c, sel.category_label(c)) for c in sel.category_codes()[:-1]]


def _bad_point_message() -> str:
    return _(
        "位置格式不正确：经度须在 -180 到 180 之间，纬度须在 -90 到 90 之间。"
        "请在地图上点选或输入地址。"
    )


@require_GET
def near(request: HttpRequest) -> HttpResponse:
    """Near me: a point (map click, shared location) or a typed address/community name."""
    q = _text(request, "q")
    elderly = _elderly(request)
    point = _point(request)
    expand = _text(request, "more")
    version = kept.version_of(request)
    # A near-me page is the same for every anonymous visitor who asks the same address (query
    # and all: the language switch sends them back to it) while the directory's data version
    # holds, until a listed place opens or closes, or the day (the rooms' windows) ends. It is
    # kept (portal/kept.py: per process), the same bytes for everyone (the language switch
    # takes no CSRF token: web/language.py); the middleware answers most repeats before this
    # view runs.
    cache = page_cache() if not request.user.is_authenticated else None
    key = ""
    if cache is not None:
        key = kept.near_key(request, version)
        page = kept.find(key)
        if page is not None:
            return kept.answer(request, page)
    ctx: dict[str, Any] = {
        "q": q,
        "elderly": elderly,
        "result": None,
        "places": [],
        "suggestions": [],
        "problem": "",
        "moved_m": None,
        "rooms": [],
        "example": sel.example_place(version=version),
        "status": 200,
    }
    try:
        data = walking.walk_data(version=version)
    except walking.NoNetworkError:
        data = None
        ctx["problem"] = _("平台尚未导入步行路网，暂时无法计算步行范围。")
    ctx["map"] = maps.config(bounds=None if data is None else walking.bounds(data))
    if _bad_point(request):
        ctx["problem"] = _bad_point_message()
        ctx["status"] = 400
    if point is None and q:
        places = sel.find_places(q)
        if len(places) == 1:
            point = (places[0].lon, places[0].lat)
            ctx["chosen"] = places[0]
        elif places:
            ctx["places"] = places
        else:
            alike = sel.suggestions(q)
            ctx["suggestions"] = alike or sel.example_places()
            ctx["suggested_examples"] = not alike
    if point is not None and data is not None:
        found = sel.near_or_nearest(
            data, point[0], point[1], elderly=elderly, version=version, expand=expand
        )
        if found is None:
            ctx["problem"] = _("附近没有可步行的道路。请在地图上的道路附近点选，或输入地址。")
        else:
            result, reach, ctx["moved_m"] = found
            point = (result.lon, result.lat)
            ctx["result"] = result
            ctx["rooms"] = rooms.rooms_near(
                data, reach, speed_kmh=result.speed_kmh, version=version
            )
            ctx["map_data"] = {
                "lon": point[0],
                "lat": point[1],
                "elderly": elderly,
                "limit_m": result.limit_m,
                "facilities": [
                    {
                        "id": h.facility.pk,
                        "name": h.facility.title(),
                        "lon": h.facility.lon,
                        "lat": h.facility.lat,
                        "minutes": round(h.minutes, 1),
                    }
                    for h in result.listed
                ],
            }
    ctx["point"] = point
    if point is not None:
        here = {"lon": f"{point[0]:.6f}", "lat": f"{point[1]:.6f}"}
        ctx["here"] = urlencode({**here, **({"elderly": "1"} if elderly else {})})
        if ctx["result"] is not None:
            ctx["blocks_html"] = fragments.blocks_html(ctx["result"], here=ctx["here"])
    ctx["walk"] = sel.walk_profile(elderly=elderly)
    ctx["map_json"] = json.dumps(ctx["map"], ensure_ascii=False)
    if "map_data" in ctx:
        ctx["near_json"] = json.dumps(ctx["map_data"], ensure_ascii=False)
    if cache is not None and ctx["status"] == 200 and ctx["result"] is not None:
        html = render_to_string(
            "portal/near.html", {**ctx, "csrf_token": kept.CSRF_HOLE}, request=request
        )
        return kept.answer(request, kept.keep(key, _near_until(ctx["result"]), html))
    return render(request, "portal/near.html", ctx, status=ctx["status"])


def _near_until(result: sel.NearMe) -> float:
    """When a near-me page stops being right by the clock alone: the first moment a listed
    place opens or closes (its "open now" mark), at the latest the end of the day (the rooms'
    open windows are the day's)."""
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    # places mostly share a few weekly patterns: each distinct one looked at once
    distinct = {repr(h.facility.opening_hours): h.facility.opening_hours for h in result.listed}
    changes = first_change(distinct.values(), now)
    return min(midnight, changes).timestamp() if changes is not None else midnight.timestamp()


@require_GET
def near_json(request: HttpRequest) -> HttpResponse:
    """The walking area (isochrone) for the map, with its area in square metres."""
    point = _point(request)
    if point is None:
        return JsonResponse({"error": _bad_point_message()}, status=400)
    try:
        data = walking.walk_data()
    except walking.NoNetworkError:
        return JsonResponse({"error": _("尚未导入步行路网")}, status=503)
    limit_m, _speed, _minutes = sel.walk_profile(elderly=_elderly(request))
    moved: float | None = None
    try:
        got, _kept = areas.walk_area_at(data, point[0], point[1], limit_m=limit_m)
    except walking.PointOffNetworkError:
        nearest = walking.nearest_place(data, point[0], point[1])
        if nearest is None:
            return JsonResponse({"error": _("附近没有可步行的道路")}, status=404)
        point, moved = (nearest[0], nearest[1]), nearest[2]
        got, _kept = areas.walk_area_at(data, point[0], point[1], limit_m=limit_m)
    head = json.dumps(
        {
            "limit_m": limit_m,
            "area_m2": got.area_m2,
            "from": [round(point[0], 6), round(point[1], 6)],
            "moved_m": None if moved is None else round(moved),
            "attribution": data.attribution,
        },
        ensure_ascii=False,
    )
    # the walking area and streets come serialised already (kept per snapped place)
    return HttpResponse(f"{head[:-1]},{got.body}}}", content_type="application/json")


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
        return JsonResponse({"error": _("该位置距步行道路太远，请先在道路附近点选")}, status=404)
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
    # except the CSRF token of the language switch (the page is kept with a hole there, filled
    # with the asker's own token on every answer) and the header's link: 我的 for the signed
    # in, the login links for everyone else — kept apart.
    query = query_key(request.GET)
    who = "signed-in" if request.user.is_authenticated else "anonymous"
    key = fragment_key("catalogue", who, query, version=directory_version())
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


_CSRF_HOLE = kept.CSRF_HOLE


def _with_csrf_token(request: HttpRequest, html: str) -> HttpResponse:
    """The page with the asker's own CSRF token where it has a form needing one (no token, no
    cookie otherwise: the language switch takes none)."""
    if _CSRF_HOLE not in html:
        return HttpResponse(html)
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
            "cats": [(c, sel.category_label(c)) for c in sel.category_codes()],
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
            "facilities": [
                (
                    f,
                    is_open(f.opening_hours, now),
                    [standard.item_label(i.item_code) for i in f.items.all()],
                    directory.place_title(
                        name=f.name,
                        key=f.key,
                        item_codes=[i.item_code for i in f.items.all()],
                        where=f.address or f.community.street.name,
                    ),
                    hours_words(f.opening_hours) if f.opening_hours else f.hours_note,
                )
                for f in fpage.object_list
            ],
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

#: card sizes: the page size and how many pages it may take (A6: a front and a back)
CARD_SIZES = {"a4": 1, "a6": 2}


def _size(request: HttpRequest) -> str:
    size = request.GET.get("size", "a4")
    return size if size in CARD_SIZES else "a4"


def _community_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    community = get_object_or_404(Community.objects.select_related("street__district"), pk=pk)
    url = request.build_absolute_uri(reverse("portal:community", args=[community.pk]))
    try:
        card = sel.community_card(walking.walk_data(), community)
    except walking.NoNetworkError:
        card = sel.Card([], [], None, _("平台尚未导入步行路网"))
    return {
        "community": community,
        "title": community.name,
        "where": f"{community.street.district.name} · {community.street.name}",
        "card": card,
        "result": card.result,
        "url": url,
        "qr_svg": cards.qr_svg(url),
        "generated": timezone.localtime(),
        "size": _size(request),
        "pdf_url": reverse("portal:card_pdf", args=[community.pk]),
        "html_url": reverse("portal:card", args=[community.pk]),
        "query": "",
        **hotlines(community.street.supervision_phone),
    }


def _place_context(request: HttpRequest) -> dict[str, Any]:
    """The card of any place (from near me): ``lon``, ``lat``, ``elderly``, ``size``."""
    point = _point(request)
    elderly = _elderly(request)
    base: dict[str, Any] = {
        "generated": timezone.localtime(),
        "size": _size(request),
        "community": None,
        "pdf_url": reverse("portal:place_card_pdf"),
        "html_url": reverse("portal:place_card"),
        **hotlines(),
    }
    if point is None:
        return {
            **base,
            "title": _("便民服务卡"),
            "where": "",
            "card": sel.Card([], [], None, _bad_point_message()),
            "status": 400,
            "url": request.build_absolute_uri(reverse("portal:near")),
            "qr_svg": "",
            "query": "",
        }
    try:
        card = sel.place_card(walking.walk_data(), point[0], point[1], elderly=elderly)
    except walking.NoNetworkError:
        card = sel.Card([], [], None, _("平台尚未导入步行路网"))
    lon, lat = (card.lon, card.lat) if card.lon is not None and card.lat is not None else point
    params = {"lon": f"{lon:.6f}", "lat": f"{lat:.6f}", **({"elderly": "1"} if elderly else {})}
    url = request.build_absolute_uri(reverse("portal:near") + "?" + urlencode(params))
    community = sel.community_at(lon, lat)
    where = ""
    if community is not None:
        where = _("%(c)s附近 · %(s)s") % {"c": community.name, "s": community.street.name}
    return {
        **base,
        **hotlines(community.street.supervision_phone if community else ""),
        "title": _("我家周边"),
        "where": where,
        "card": card,
        "url": url,
        "qr_svg": cards.qr_svg(url),
        "query": urlencode(params),
    }


def _card_page(request: HttpRequest, ctx: dict[str, Any]) -> HttpResponse:
    return render(request, "portal/card.html", ctx, status=int(ctx.get("status", 200)))


def _card_pdf(request: HttpRequest, ctx: dict[str, Any], name: str) -> HttpResponse:
    if ctx.get("status", 200) != 200:
        return _card_page(request, ctx)
    size = str(ctx["size"])
    return cards.pdf_response(
        request, "portal/card.html", ctx, f"{name}-{size}", max_pages=CARD_SIZES[size]
    )


@require_GET
def place_card(request: HttpRequest) -> HttpResponse:
    return _card_page(request, _place_context(request))


@require_GET
def place_card_pdf(request: HttpRequest) -> HttpResponse:
    return _card_pdf(request, _place_context(request), "card")


@require_GET
def community(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/community.html", _community_context(request, pk))


@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_page(request, _community_context(request, pk))


@require_GET
def card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_pdf(request, _community_context(request, pk), f"card-{pk}")


@require_GET
def handbook(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/handbook.html", _community_context(request, pk))


@require_GET
def handbook_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return cards.pdf_response(
        request, "portal/handbook.html", _community_context(request, pk), f"handbook-{pk}"
    )


#: the resident pages' old addresses under /portal/ (before they became the front door)
_MOVED = (("communities/", "community/"), ("", ""))


@require_GET
def moved(request: HttpRequest, rest: str) -> HttpResponse:
    """``/portal/…`` → the same page at its address now (permanently): near me was
    ``/portal/``, the community pages ``/portal/communities/…``."""
    rest = rest.lstrip("/\\")  # never "//host": a redirect stays on this site
    path = "near/" if rest == "" else rest
    for old, new in _MOVED:
        if path.startswith(old):
            path = new + path[len(old) :]
            break
    query = request.META.get("QUERY_STRING", "")
    return redirect("/" + path + (f"?{query}" if query else ""), permanent=True)


@require_GET
def communities(request: HttpRequest) -> HttpResponse:
    q = _text(request, "q")
    qs = sel.communities()
    if q:
        from quarterhour.platform.portal.search import text_q

        qs = qs.filter(text_q(q, "name", "street__name"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/communities.html", {"page": page, "q": q})
