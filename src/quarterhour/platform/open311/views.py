"""GeoReport v2 endpoints. Views parse, call one function, render; errors leave in the
specification's format (403 key, 404 not found, 400 anything else) in the user's language
(Accept-Language: zh-hans by default, en), and nothing is stored when a POST is refused."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from quarterhour.platform.core import text
from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.geography.models import Community
from quarterhour.platform.open311 import formats
from quarterhour.platform.open311.keys import KeyRefused, check_key, record_use
from quarterhour.platform.open311.models import ApiClient
from quarterhour.platform.requests import services as rs
from quarterhour.platform.requests.deadlines import limit_for
from quarterhour.platform.requests.models import (
    OPEN_STATUSES,
    Category,
    Channel,
    DeadlineUnit,
    Level,
    ServiceRequest,
)

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
#: dates outside these years are refused (a span added to 9999-12-31 would overflow)
FIRST_YEAR, LAST_YEAR = 2000, 2200
#: published coordinates are rounded to this many decimals (≈ 100 m): a request's exact point
#: can be a resident's home
PUBLIC_DECIMALS = 3
_ATTR = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


class ApiError(Exception):
    def __init__(self, status: int, *messages: str) -> None:
        self.status, self.messages = status, messages
        super().__init__("; ".join(messages))


def _english() -> bool:
    return translation.get_language() == "en"


def _w3(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return timezone.localtime(dt).isoformat(timespec="seconds")


def _check_jurisdiction(params: QueryDict) -> None:
    ours = getattr(settings, "QH_OPEN311_JURISDICTION", "")
    given = params.get("jurisdiction_id", "")
    if ours and given and given != ours:
        raise ApiError(404, _("未找到 jurisdiction_id：%(j)s") % {"j": given})


def _check_characters(request: HttpRequest, kw: dict[str, Any]) -> None:
    """Nothing with a control character is read (``services/%00.json`` included)."""
    bad = text.bad_fields(kw)
    bad += text.bad_fields({k: request.GET.getlist(k) for k in request.GET})
    if request.method == "POST":
        bad += text.bad_fields({k: request.POST.getlist(k) for k in request.POST})
    if bad:
        raise ApiError(
            400, *[_("%(f)s 含有不可见的控制字符") % {"f": f} for f in dict.fromkeys(bad)]
        )


def _endpoint(view: Any) -> Any:
    """Common frame: no control characters, jurisdiction check, errors in the Open311 format."""

    def wrapped(request: HttpRequest, fmt: str, **kw: Any) -> HttpResponse:
        try:
            _check_characters(request, kw)
            _check_jurisdiction(request.GET if request.method == "GET" else request.POST)
            response: HttpResponse = view(request, fmt, **kw)
        except ApiError as exc:
            return formats.errors(fmt, exc.status, [(exc.status, m) for m in exc.messages])
        except SuspiciousOperation:  # too many fields, too large a body: still our format
            return formats.errors(fmt, 400, [(400, _("请求过大或字段过多，未作处理"))])
        response["Content-Language"] = translation.get_language() or settings.LANGUAGE_CODE
        return response

    wrapped.__name__ = view.__name__
    return csrf_exempt(wrapped)


def _category_name(c: Category) -> str:
    return c.name_en if _english() and c.name_en else c.name


def _service(c: Category) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": _category_name(c),
        "description": c.description,
        "metadata": bool(getattr(c, "n_attributes", 0)),
        "type": "realtime",
        "keywords": c.keywords,
        "group": c.group,
    }


def _categories() -> Any:
    from django.db.models import Count

    return (
        Category.objects.filter(is_active=True)
        .annotate(n_attributes=Count("attributes"))
        .order_by("code")
    )


@_endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        raise ApiError(400, _("此资源只支持 GET"))
    return formats.render(fmt, "services", [_service(c) for c in _categories()])


@_endpoint
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise ApiError(404, _("未找到服务代码：%(c)s") % {"c": code})
    attributes = [
        {
            "variable": a.variable,
            "code": a.code,
            "datatype": a.datatype,
            "required": a.required,
            "datatype_description": a.datatype_description or None,
            "order": a.order,
            "description": a.description,
            "values": [{"key": v["key"], "name": v["name"]} for v in a.values],
        }
        for a in category.attributes.order_by("order")
    ]
    payload = {"service_code": category.code, "attributes": attributes}
    return formats.render(fmt, "service_definition", payload)


def _notice(req: ServiceRequest) -> str:
    amount, unit = limit_for(req.category, req.district_id)
    due = timezone.localtime(req.due_at).strftime("%Y-%m-%d %H:%M")
    if unit == DeadlineUnit.DAYS:
        return _("将在 %(n)d 个工作日内办结（期限 %(d)s）") % {"n": amount, "d": due}
    return _("将在 %(n)d 个工作小时内办结（期限 %(d)s）") % {"n": amount, "d": due}


def _agency(req: ServiceRequest) -> str:
    unit = req.owner_community or req.owner_street or req.owner_district or req.owner_provider
    label = str(Level(req.owner_level).label)
    return f"{label} {unit}" if unit else label


def _public(req: ServiceRequest) -> dict[str, Any]:
    """A request as published: no contact details, coordinates rounded, free text only when
    it was itself posted through this public API."""
    c = req.community
    closed = req.status not in OPEN_STATUSES
    return {
        "service_request_id": req.pk,
        "status": "closed" if closed else "open",
        "status_notes": req.status_notes or None,
        "service_name": _category_name(req.category),
        "service_code": req.category.code,
        "description": (req.description or None) if req.channel == Channel.OPEN311 else None,
        "agency_responsible": _agency(req),
        "service_notice": _notice(req),
        "requested_datetime": _w3(req.received_at),
        "updated_datetime": _w3(req.closed_at if closed and req.closed_at else req.updated_at),
        "expected_datetime": _w3(req.due_at),
        "address": f"{c.name}, {c.street.name}, {c.street.district.name}",
        "address_id": c.code,
        "zipcode": None,
        "lat": None if req.lat is None else round(req.lat, PUBLIC_DECIMALS),
        "long": None if req.lon is None else round(req.lon, PUBLIC_DECIMALS),
        "media_url": req.media_url or None,
    }


def _published() -> Any:
    return ServiceRequest.objects.select_related(
        "category",
        "community__street__district",
        "owner_community",
        "owner_street",
        "owner_district",
        "owner_provider",
    )


def _parse_date(params: QueryDict, name: str) -> datetime | None:
    raw = params.get(name, "")
    if not raw:
        return None
    try:  # "+" in a query string arrives as a space
        value = parse_datetime(raw.replace(" ", "+")[:40])
    except ValueError:  # well-formed but no such day or hour (2026-02-30)
        value = None
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ApiError(
            400,
            _("%(f)s 须在 %(a)d 年到 %(b)d 年之间") % {"f": name, "a": FIRST_YEAR, "b": LAST_YEAR},
        )
    if value is None or value.tzinfo is None:
        raise ApiError(
            400, _("%(f)s 须为带时区的 W3C 日期时间，例如 2010-01-01T00:00:00Z") % {"f": name}
        )
    return value


def _search(params: QueryDict) -> list[ServiceRequest]:
    qs = _published()
    ids = [x for x in params.get("service_request_id", "").split(",") if x.strip()]
    if ids:
        if len(ids) > MAX_RESULTS:
            raise ApiError(400, _("service_request_id 至多 1000 个"))
        numbers = [text.whole_number(x) for x in ids]
        if any(n is None for n in numbers):
            raise ApiError(400, _("service_request_id 须为以逗号分隔的数字"))
        return list(qs.filter(pk__in=numbers).order_by("-received_at", "-id"))
    codes = [x.strip() for x in params.get("service_code", "").split(",") if x.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = [x.strip() for x in params.get("status", "").split(",") if x.strip()]
    bad = [s for s in statuses if s not in ("open", "closed")]
    if bad:
        raise ApiError(400, _("status 只能是 open 或 closed，收到：%(s)s") % {"s": ", ".join(bad)})
    if set(statuses) == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif set(statuses) == {"closed"}:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    start, end = _parse_date(params, "start_date"), _parse_date(params, "end_date")
    if start and end and end < start:
        raise ApiError(400, _("end_date 早于 start_date"))
    if start and end and end - start > MAX_SPAN:
        raise ApiError(400, _("start_date 与 end_date 相隔不能超过 90 天"))
    if end is None:
        end = start + MAX_SPAN if start else timezone.now()
    if start is None:
        start = end - MAX_SPAN
    qs = qs.filter(received_at__gte=start, received_at__lte=end)
    return list(qs.order_by("-received_at", "-id")[:MAX_RESULTS])


@_endpoint
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post(request, fmt)
    if request.method != "GET":
        raise ApiError(400, _("此资源只支持 GET 和 POST"))
    rows = _search(request.GET)
    return formats.render(fmt, "service_requests", [_public(r) for r in rows])


@_endpoint
def request_one(request: HttpRequest, fmt: str, pk: str) -> HttpResponse:
    number = text.whole_number(pk)
    req = _published().filter(pk=number).first() if number is not None else None
    if req is None:
        raise ApiError(404, _("未找到诉求：%(n)s") % {"n": pk})
    return formats.render(fmt, "service_requests", [_public(req)])


@_endpoint
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    try:
        value = uuid.UUID(token)
    except ValueError:
        value = None
    pk = (
        ServiceRequest.objects.filter(token=value).values_list("pk", flat=True).first()
        if value is not None
        else None
    )
    if value is None or pk is None:
        raise ApiError(404, _("未找到 token：%(t)s") % {"t": token})
    return formats.render(
        fmt, "service_requests", [{"service_request_id": pk, "token": str(value)}]
    )


@_endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/api/open311/v2")
    changeset = "2026-01-01T00:00:00+08:00"
    payload = {
        "changeset": changeset,
        "contact": getattr(settings, "QH_OPEN311_CONTACT", ""),
        "key_service": getattr(settings, "QH_OPEN311_KEY_SERVICE", ""),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.render(fmt, "discovery", payload)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return formats.errors(fmt, 404, [(404, _("没有这个 Open311 资源：%(p)s") % {"p": rest})])


# -- POST ------------------------------------------------------------------------------------


def _attributes(post: QueryDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in post:
        m = _ATTR.match(key)
        if m is None:
            continue
        values = post.getlist(key)
        if m.group(2) or len(values) > 1:
            out.setdefault(m.group(1), [])
            if isinstance(out[m.group(1)], list):
                out[m.group(1)].extend(values)
        else:
            out[m.group(1)] = values[0]
    return out


def _float(post: QueryDict, name: str, problems: list[str]) -> float | None:
    raw = post.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        problems.append(_("%(f)s 不是数字：%(v)s") % {"f": name, "v": raw[:40]})
        return None


def _fingerprint(post: QueryDict) -> str:
    items = sorted((k, v) for k in post for v in post.getlist(k) if k != "api_key")
    return hashlib.sha256(repr(items).encode("utf-8")).hexdigest()


def _post_response(fmt: str, req: ServiceRequest, *, status: int, replay: bool) -> HttpResponse:
    payload = [
        {
            "service_request_id": req.pk,
            "service_notice": _notice(req),
            "account_id": None,
        }
    ]
    response = formats.render(fmt, "service_requests", payload, status=status)
    if replay:
        response["Idempotent-Replayed"] = "true"
    return response


def _replay(client: ApiClient, key: str, fingerprint: str, fmt: str) -> HttpResponse | None:
    done = (
        ServiceRequest.objects.select_related("category")
        .filter(api_client=client, idempotency_key=key)
        .first()
    )
    if done is None:
        return None
    if done.fingerprint != fingerprint:
        raise ApiError(400, _("此 Idempotency-Key 已用于另一个不同的请求"))
    return _post_response(fmt, done, status=200, replay=True)


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    post = request.POST
    try:
        client = check_key(post.get("api_key") or request.GET.get("api_key"))
    except KeyRefused as exc:
        raise ApiError(403, str(exc.message)) from None
    record_use(client)
    key = (request.headers.get("Idempotency-Key") or post.get("idempotency_key") or "").strip()
    if len(key) > 128:
        raise ApiError(400, _("Idempotency-Key 不能超过 128 个字符"))
    fingerprint = _fingerprint(post)
    if key:
        replay = _replay(client, key, fingerprint, fmt)
        if replay is not None:
            return replay
    problems: list[str] = []
    code = post.get("service_code", "").strip()
    if not code:
        raise ApiError(400, _("缺少 service_code"))
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise ApiError(404, _("未找到服务代码：%(c)s") % {"c": code})
    lat, lon = _float(post, "lat", problems), _float(post, "long", problems)
    community = None
    address_id = post.get("address_id", "").strip()
    if address_id and lat is None and lon is None:
        community = Community.objects.select_related("street").filter(code=address_id).first()
        if community is None:
            problems.append(_("address_id 不是本平台的社区代码：%(a)s") % {"a": address_id[:40]})
    if (
        not problems
        and lat is None
        and lon is None
        and not address_id
        and post.get("address_string", "").strip()
    ):
        problems.append(
            _("仅有 address_string 无法确定责任社区，请同时提供 lat/long 或社区代码 address_id")
        )
    email = post.get("email", "").strip()
    if len(email) > rs.LIMITS["contact_email"]:
        problems.append(_("email 不能超过 %(n)d 个字符") % {"n": rs.LIMITS["contact_email"]})
    elif email:
        try:
            EmailValidator()(email)
        except ValidationError:
            problems.append(_("email 格式无效"))
    media = post.get("media_url", "").strip()
    if len(media) > rs.LIMITS["media_url"]:
        problems.append(_("media_url 不能超过 %(n)d 个字符") % {"n": rs.LIMITS["media_url"]})
    elif media:
        try:
            URLValidator(schemes=["http", "https"])(media)
        except ValidationError:
            problems.append(_("media_url 不是有效的网址"))
    if problems:
        raise ApiError(400, *problems)
    name = " ".join(x for x in (post.get("last_name", ""), post.get("first_name", "")) if x)
    try:
        with transaction.atomic():
            req = rs.submit(
                actor=None,
                category=category,
                channel=Channel.OPEN311,
                description=post.get("description", ""),
                lon=lon,
                lat=lat,
                community=community,
                address=post.get("address_string", ""),
                attributes=_attributes(post),
                media_url=media,
                contact_name=name,
                contact_phone=post.get("phone", ""),
                contact_email=email,
                api_client=client,
                idempotency_key=key or None,
                fingerprint=fingerprint,
            )
    except Invalid as exc:
        raise ApiError(400, *[_issue_text(i) for i in exc.issues]) from None
    except IntegrityError:
        # a concurrent retry with the same key stored it first: answer as that one did (its
        # transaction may still be committing: look again for a moment)
        if not key:
            raise
        for _attempt in range(20):
            replay = _replay(client, key, fingerprint, fmt)
            if replay is not None:
                return replay
            time.sleep(0.05)
        raise ApiError(400, _("同一 Idempotency-Key 的请求正在处理，请稍后重试")) from None
    return _post_response(fmt, req, status=201, replay=False)


#: the service's field names as Open311 calls them
OPEN311_FIELD = {
    "address": "address_string",
    "contact_name": "first_name/last_name",
    "contact_phone": "phone",
    "contact_email": "email",
    "attributes": "attribute[]",
}


def _issue_text(issue: Any) -> str:
    if not issue.field:
        return str(issue.message)
    return f"{issue.message} ({OPEN311_FIELD.get(issue.field, issue.field)})"
