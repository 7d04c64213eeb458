"""HSDS 3.0 endpoints: plain Django views returning JSON (or NDJSON streams).

Lists answer with the spec's page object; every filter given must hold (AND). Bad input is a
4xx JSON body ``{"error": {"code", "message"}}``, never a server error.

Answers are the same for every caller (public data only), so a JSON answer is kept in the page
cache under its path, its query parameters (in any order) and the public directory's data
version (:func:`~quarterhour.platform.web.pagecache.directory_version`): any write to a
provider, service, facility, item, certification, area or walk network gives new keys, so a
cached answer is never served after the data under it changed. NDJSON streams are not cached.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from quarterhour.platform.catalogue.models import Provider, Service
from quarterhour.platform.geography.models import Community
from quarterhour.platform.hsds import ids, params
from quarterhour.platform.hsds import selectors as sel
from quarterhour.platform.hsds import serialize as ser
from quarterhour.platform.hsds.error_codes import HsdsError
from quarterhour.platform.hsds.openapi import document
from quarterhour.platform.hsds.params import BadRequest
from quarterhour.platform.hsds.taxonomy import Taxonomies, Term, current
from quarterhour.platform.portal import walking
from quarterhour.platform.web.pagecache import (
    FRAGMENT_SECONDS,
    directory_version,
    fragment_key,
    page_cache,
    query_key,
)

HSDS_VERSION = "3.0"
PROFILE_URL = "https://docs.openreferral.org/en/3.0/"

View = Callable[..., HttpResponseBase]


def _error(code: HsdsError, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": str(code), "message": message}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def api(view: View) -> View:
    """GET only; BadRequest becomes its JSON answer."""

    @require_GET
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            return _error(exc.code, exc.message, exc.status)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def cached(view: View) -> View:
    """Serve a JSON answer from the page cache while the directory's data version holds."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        cache = page_cache()
        if cache is None or request.GET.get("format", "").lower() == "ndjson":
            return view(request, *args, **kwargs)
        key = fragment_key(
            "hsds",
            request.build_absolute_uri(request.path),  # answers name our own URLs
            query_key(request.GET),
            version=directory_version(),
        )
        hit = cache.get(key)
        if hit is not None:
            status, content_type, body = hit
            return HttpResponse(body, status=status, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 404) and not response.streaming:
            body = cast(HttpResponse, response).content
            cache.set(key, (response.status_code, response["Content-Type"], body), FRAGMENT_SECONDS)
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _json(data: Any) -> JsonResponse:
    return JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})


def _not_found(what: str) -> JsonResponse:
    return _error(HsdsError.NOT_FOUND, _("找不到该%(what)s") % {"what": what}, 404)


def _page(
    request: HttpRequest, qs: QuerySet[Any] | list[Any], render: Callable[[Any], dict[str, Any]]
) -> HttpResponseBase:
    paging = params.paging(request.GET)
    if paging.ndjson:

        def lines() -> Iterator[str]:
            rows = qs if isinstance(qs, list) else qs.iterator(chunk_size=500)
            for row in rows:
                yield json.dumps(render(row), ensure_ascii=False) + "\n"

        return StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")
    total = len(qs) if isinstance(qs, list) else qs.count()
    pages = math.ceil(total / paging.per_page)
    start = (paging.page - 1) * paging.per_page
    rows = qs[start : start + paging.per_page] if start < total else []
    contents = [render(r) for r in rows]
    return _json(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": paging.page,
            "size": len(contents),
            "first_page": paging.page == 1,
            "last_page": paging.page >= pages,
            "empty": total == 0,
            "contents": contents,
        }
    )


def _term(request: HttpRequest, tax: Taxonomies) -> Term | None:
    raw = params.text(request.GET, "taxonomy_term_id")
    if not raw:
        return None
    term = tax.by_id.get(raw.lower())
    if term is None:
        raise BadRequest(HsdsError.UNKNOWN_TAXONOMY_TERM, _("未知的 taxonomy_term_id"))
    return term


def _taxonomy_id(request: HttpRequest, tax: Taxonomies) -> str | None:
    raw = params.text(request.GET, "taxonomy_id").lower()
    if not raw:
        return None
    if raw not in tax.taxonomy_by_id:
        raise BadRequest(HsdsError.UNKNOWN_TAXONOMY, _("未知的 taxonomy_id"))
    return raw


def _organization(request: HttpRequest) -> int | None:
    raw = params.text(request.GET, "organization_id")
    if not raw:
        return None
    pk = ids.parse("organization", raw)
    if pk is None or not Provider.objects.filter(pk=pk).exists():
        raise BadRequest(HsdsError.UNKNOWN_ORGANIZATION, _("未知的 organization_id"))
    return pk


def _filtered_services(
    request: HttpRequest, tax: Taxonomies, *, full: bool = True
) -> QuerySet[Service]:
    q = request.GET
    return sel.filter_services(
        sel.services(full=full),
        search=params.text(q, "search"),
        term=_term(request, tax),
        taxonomy_id=_taxonomy_id(request, tax),
        provider_pk=_organization(request),
        modified_after=params.modified_after(q),
        tax=tax,
    )


@api
def root(request: HttpRequest) -> HttpResponse:
    """Version, profile and where our OpenAPI description is."""
    return _json(
        {
            "version": HSDS_VERSION,
            "profile": PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
        }
    )


@api
@cached
def openapi(request: HttpRequest) -> HttpResponse:
    return _json(document(server=request.build_absolute_uri(reverse("hsds:root"))))


@api
@cached
def service_list(request: HttpRequest) -> HttpResponseBase:
    tax = current()
    full = params.boolean(request.GET, "full")
    qs = _filtered_services(request, tax, full=full)
    if params.boolean(request.GET, "minimal"):
        return _page(
            request,
            qs.select_related(None)
            .prefetch_related(None)
            .only("pk", "name", "is_active", "updated_at"),
            lambda s: {
                "id": ids.make("service", s.pk),
                "name": s.name,
                "status": "active" if s.is_active else "inactive",
                "last_modified": ser._when(s.updated_at),
            },
        )
    if full:
        return _page(request, qs, lambda s: ser.service_full(s, tax=tax))
    return _page(request, qs, ser.service_basic)


@api
@cached
def service_detail(request: HttpRequest, id: str) -> HttpResponse:
    pk = ids.parse("service", id)
    service = None if pk is None else sel.services().filter(pk=pk).first()
    if service is None:
        return _not_found(_("服务"))
    return _json(ser.service_full(service, tax=current()))


@api
@cached
def organization_list(request: HttpRequest) -> HttpResponseBase:
    qs = sel.organizations(search=params.text(request.GET, "search"))
    full = params.boolean(request.GET, "full") or params.boolean(request.GET, "full_service")
    if full:
        qs = qs.prefetch_related("services__items", "services__facility")
        return _page(request, qs, lambda p: ser.organization_full(p, p.services.all(), full=False))
    return _page(request, qs, ser.organization_basic)


@api
@cached
def organization_detail(request: HttpRequest, id: str) -> HttpResponse:
    pk = ids.parse("organization", id)
    provider = None if pk is None else Provider.objects.filter(pk=pk).first()
    if provider is None:
        return _not_found(_("机构"))
    full = params.boolean(request.GET, "full_service")
    services = sel.services().filter(provider=provider)
    return _json(ser.organization_full(provider, services, full=full))


def _proximity(request: HttpRequest) -> dict[int, float] | None:
    """Facility pk -> walking metres when a proximity filter is asked, else None."""
    q = request.GET
    proximity = params.number(q, "proximity", lo=1.0, hi=params.MAX_PROXIMITY_M)
    lon = params.number(q, "lon", lo=-180.0, hi=180.0)
    lat = params.number(q, "lat", lo=-90.0, hi=90.0)
    postcode = params.text(q, "postcode")
    if postcode:
        community = Community.objects.filter(code=postcode).first()
        if community is None or community.centre_lon is None or community.centre_lat is None:
            raise BadRequest(HsdsError.UNKNOWN_POSTCODE, _("未知的 postcode（社区区划代码）"))
        lon, lat = community.centre_lon, community.centre_lat
    if proximity is None:
        if lon is not None or lat is not None:
            raise BadRequest(HsdsError.BAD_PARAMETER, _("lon/lat 须与 proximity 一起使用"))
        return None
    if lon is None or lat is None:
        raise BadRequest(HsdsError.BAD_PARAMETER, _("proximity 须与 postcode 或 lon、lat 一起使用"))
    try:
        data = walking.walk_data()
    except walking.NoNetworkError:
        raise BadRequest(
            HsdsError.NO_WALK_NETWORK, _("尚未导入步行路网，无法按步行距离筛选"), status=503
        ) from None
    try:
        reach = walking.reach_from(data, lon, lat, limit_m=proximity)
    except walking.PointOffNetworkError:
        raise BadRequest(
            HsdsError.POINT_OFF_NETWORK,
            _("该点距步行网络超过 %(m)d 米") % {"m": int(walking.MAX_SNAP_M)},
            status=422,
        ) from None
    return reach.facility_m


@api
@cached
def sal_list(request: HttpRequest) -> HttpResponseBase:
    tax = current()
    near = _proximity(request)
    qs = _filtered_services(request, tax).filter(facility__isnull=False)
    full = params.boolean(request.GET, "full")
    render = (lambda s: ser.sal_full(s, tax=tax)) if full else ser.sal_basic
    if near is None:
        return _page(request, qs, render)
    # facility__isnull=False above: every row has a facility_id
    rows = sorted(
        qs.filter(facility_id__in=list(near)), key=lambda s: near[cast(int, s.facility_id)]
    )
    return _page(request, rows, render)


@api
@cached
def sal_detail(request: HttpRequest, id: str) -> HttpResponse:
    pk = ids.parse("service_at_location", id)
    service = None if pk is None else sel.services().filter(pk=pk, facility__isnull=False).first()
    if service is None:
        return _not_found(_("服务地点"))
    return _json(ser.sal_full(service, tax=current()))


@api
@cached
def taxonomy_list(request: HttpRequest) -> HttpResponseBase:
    tax = current()
    search = params.text(request.GET, "search").lower()
    rows = [t for t in tax.taxonomies if search in t.name.lower()]
    return _page(request, rows, ser.taxonomy)


@api
@cached
def taxonomy_detail(request: HttpRequest, id: str) -> HttpResponse:
    t = current().taxonomy_by_id.get(id.lower())
    if t is None:
        return _not_found(_("分类体系"))
    return _json(ser.taxonomy(t))


@api
@cached
def term_list(request: HttpRequest) -> HttpResponseBase:
    tax = current()
    q = request.GET
    search = params.text(q, "search")
    taxonomy_id = _taxonomy_id(request, tax)
    top_only = params.boolean(q, "top_only")
    parent = params.text(q, "parent_id").lower()
    if parent and parent not in tax.by_id:
        raise BadRequest(HsdsError.UNKNOWN_TAXONOMY_TERM, _("未知的 parent_id"))
    from quarterhour.platform.portal.search import fold

    needle = fold(search)
    rows = [
        t
        for t in tax.terms
        if (not needle or needle in fold(f"{t.name} {t.name_en} {t.code}"))
        and (taxonomy_id is None or t.taxonomy_id == taxonomy_id)
        and (not top_only or t.parent_id is None)
        and (not parent or t.parent_id == parent)
    ]
    return _page(request, rows, ser.term)


@api
@cached
def term_detail(request: HttpRequest, id: str) -> HttpResponse:
    tax = current()
    t = tax.by_id.get(id.lower())
    if t is None:
        return _not_found(_("分类词条"))
    return _json(ser.term(t, tax.taxonomy_by_id[t.taxonomy_id]))
