"""Open311 GeoReport v2 against the specification (../shared/conformance/open311-georeport-v2/
spec.md), field by field: services, service definitions, POST (api_key, idempotency key,
errors), GET requests with filters, single requests, tokens, discovery; JSON and XML; errors in
the user's language; nothing stored when a POST is refused."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from quarterhour.platform.open311 import keys
from quarterhour.platform.requests import services
from quarterhour.platform.requests.models import Event, ServiceRequest
from tests.platform.requests.helpers import (
    API_KEY,
    MONDAY_10,
    make_api_client,
    make_categories,
)

pytestmark = pytest.mark.django_db
V2 = "/api/open311/v2"


@pytest.fixture
def api(world: Any) -> dict[str, Any]:
    return {"cats": make_categories(), "client": make_api_client(), "world": world}


def post(
    client: Any, fmt: str = "json", *, lang: str = "zh-hans", headers: Any = None, **data: Any
) -> Any:
    return client.post(
        f"{V2}/requests.{fmt}", data, HTTP_ACCEPT_LANGUAGE=lang, headers=headers or {}
    )


def good(world: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "api_key": API_KEY,
        "service_code": "repair",
        "lat": str(world.a1y.centre_lat),
        "long": str(world.a1y.centre_lon),
        "address_string": "北长街 12 号",
        "email": "zhang@example.org",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800001234",
        "description": "健身器材松动",
        "attribute[what]": "gym",
        "attribute[floor]": "1",
    }
    data.update(extra)
    return data


def xml(response: Any) -> ET.Element:
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def as_json(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


# -- services and definitions ------------------------------------------------------------------


def test_service_list_json_and_xml(client: Any, api: Any) -> None:
    got = as_json(client.get(f"{V2}/services.json"))
    assert got == [
        {
            "service_code": "noise",
            "service_name": "噪声投诉",
            "description": "",
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": "环境",
        },
        {
            "service_code": "repair",
            "service_name": "公共设施报修",
            "description": "楼道灯、健身器材等公共设施损坏",
            "metadata": True,
            "type": "realtime",
            "keywords": "报修, 路灯, 健身器材",
            "group": "设施",
        },
    ]
    root = xml(client.get(f"{V2}/services.xml"))
    assert root.tag == "services"
    services_ = root.findall("service")
    assert [s.findtext("service_code") for s in services_] == ["noise", "repair"]
    assert [s.findtext("metadata") for s in services_] == ["false", "true"]
    assert [c.tag for c in services_[1]] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    english = as_json(client.get(f"{V2}/services.json", HTTP_ACCEPT_LANGUAGE="en"))
    assert [s["service_name"] for s in english] == ["Noise complaint", "Public facility repair"]


def test_service_definition(client: Any, api: Any) -> None:
    got = as_json(client.get(f"{V2}/services/repair.json"))
    assert got == {
        "service_code": "repair",
        "attributes": [
            {
                "variable": True,
                "code": "what",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": None,
                "order": 1,
                "description": "损坏的是什么？",
                "values": [{"key": "light", "name": "楼道灯"}, {"key": "gym", "name": "健身器材"}],
            },
            {
                "variable": True,
                "code": "floor",
                "datatype": "number",
                "required": False,
                "datatype_description": "整数",
                "order": 2,
                "description": "楼层",
                "values": [],
            },
        ],
    }
    root = xml(client.get(f"{V2}/services/repair.xml"))
    assert root.tag == "service_definition"
    first = root.find("attributes/attribute")
    assert first is not None
    assert [v.findtext("key") for v in first.findall("values/value")] == ["light", "gym"]
    assert first.findtext("required") == "true"
    missing = client.get(f"{V2}/services/nope.json")
    assert missing.status_code == 404
    assert as_json(missing) == [{"code": 404, "description": "未找到服务代码：nope"}]
    retired = client.get(f"{V2}/services/retired.xml")
    assert retired.status_code == 404
    err = xml(retired).find("error")
    assert err is not None
    assert (err.findtext("code"), err.findtext("description")) == ("404", "未找到服务代码：retired")


# -- POST --------------------------------------------------------------------------------------


def test_post_creates_one_request(client: Any, api: Any) -> None:
    world = api["world"]
    r = post(client, **good(world))
    assert r.status_code == 201
    (row,) = as_json(r)
    req = ServiceRequest.objects.get()
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    assert row["service_request_id"] == req.pk
    assert row["account_id"] is None
    assert row["service_notice"].startswith("将在 3 个工作日内办结（期限 ")
    assert (req.channel, req.community_id, req.owner_level, req.owner_community_id) == (
        "open311",
        world.a1y.pk,
        "community",
        world.a1y.pk,
    )
    assert (req.contact_name, req.contact_phone, req.contact_email, req.address) == (
        "张 三",
        "13800001234",
        "zhang@example.org",
        "北长街 12 号",
    )
    assert req.attributes == {"what": "gym", "floor": "1"}
    assert req.api_client == api["client"]
    assert list(Event.objects.filter(request=req).values_list("action", "actor")) == [
        ("submit", None)
    ]
    root = xml(post(client, "xml", **good(world, description="第二件")))
    assert root.tag == "service_requests"
    assert [c.tag for c in root.find("request")] == [
        "service_request_id",
        "service_notice",
        "account_id",
    ]
    assert root.findtext("request/account_id") == ""


def test_post_by_address_id_and_multivalue(client: Any, api: Any) -> None:
    world = api["world"]
    data = good(world, address_id=world.b1x.code)
    del data["lat"], data["long"]
    r = post(client, **data)
    assert r.status_code == 201
    assert ServiceRequest.objects.get().community_id == world.b1x.pk


BAD_POSTS = [
    # (change to a good POST, HTTP status, [descriptions]) — each checked field by field
    ({"api_key": None}, 403, ["缺少 api_key，无法提交诉求"]),
    ({"api_key": "wrong"}, 403, ["api_key 无效，无法提交诉求"]),
    ({"service_code": None}, 400, ["缺少 service_code"]),
    ({"service_code": "nope"}, 404, ["未找到服务代码：nope"]),
    (
        {"lat": None, "long": None, "address_string": None},
        400,
        ["请提供位置：经纬度或所在社区 (location)"],
    ),
    (
        {"lat": None, "long": None},
        400,
        ["仅有 address_string 无法确定责任社区，请同时提供 lat/long 或社区代码 address_id"],
    ),
    ({"lat": "north"}, 400, ["lat 不是数字：north"]),
    ({"long": None}, 400, ["经度和纬度须同时提供 (lat/long)"]),
    ({"lat": "0", "long": "0"}, 400, ["该位置不在本平台管辖的任何社区内 (lat/long)"]),
    (
        {"attribute[what]": "sofa", "attribute[size]": "big"},
        400,
        [
            "未知的附加项 size (attribute[size])",
            "附加项“损坏的是什么？”的值无效：sofa (attribute[what])",
        ],
    ),
    ({"attribute[what]": None}, 400, ["缺少必填附加项：损坏的是什么？ (attribute[what])"]),
    (
        {"email": "not-an-email", "media_url": "ftp://x"},
        400,
        ["email 格式无效", "media_url 不是有效的网址"],
    ),
    ({"description": "长" * 4001}, 400, ["内容不能超过 4000 字 (description)"]),
    (
        {"address_id": "999", "lat": None, "long": None},
        400,
        ["address_id 不是本平台的社区代码：999"],
    ),
]


@pytest.mark.parametrize(("change", "status", "descriptions"), BAD_POSTS)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_store_nothing(
    client: Any, api: Any, change: dict[str, Any], status: int, descriptions: list[str], fmt: str
) -> None:
    data = good(api["world"])
    for k, v in change.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    r = post(client, fmt, **data)
    assert r.status_code == status
    if fmt == "json":
        assert as_json(r) == [{"code": status, "description": d} for d in descriptions]
    else:
        root = xml(r)
        assert root.tag == "errors"
        got = [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")]
        assert got == [(str(status), d) for d in descriptions]
    assert ServiceRequest.objects.count() == 0
    assert Event.objects.count() == 0


def test_expired_and_revoked_keys(client: Any, api: Any) -> None:
    from django.utils import timezone

    make_api_client(expires_at=timezone.now() - timedelta(seconds=1), key="qh_expired-key")
    revoked = make_api_client(key="qh_revoked-key")
    revoked.is_active = False
    revoked.save()
    world = api["world"]
    r = post(client, **good(world, api_key="qh_expired-key"))
    assert (r.status_code, as_json(r)) == (
        403,
        [{"code": 403, "description": "api_key 已过期，无法提交诉求"}],
    )
    r = post(client, lang="en", **good(world, api_key="qh_expired-key"))
    assert as_json(r) == [
        {"code": 403, "description": "The api_key has expired; the request was not submitted"}
    ]
    r = post(client, **good(world, api_key="qh_revoked-key"))
    assert (r.status_code, as_json(r)[0]["description"]) == (403, "api_key 无效，无法提交诉求")
    assert ServiceRequest.objects.count() == 0


def test_errors_in_english(client: Any, api: Any) -> None:
    r = post(client, lang="en", **good(api["world"], service_code="nope"))
    assert as_json(r) == [{"code": 404, "description": "Service code not found: nope"}]
    assert r["Content-Language"] == "en"


def test_idempotency_key(client: Any, api: Any) -> None:
    world = api["world"]
    first = post(client, headers={"Idempotency-Key": "abc-1"}, **good(world))
    again = post(client, headers={"Idempotency-Key": "abc-1"}, **good(world))
    assert (first.status_code, again.status_code) == (201, 200)
    assert as_json(first) == as_json(again)
    assert again["Idempotent-Replayed"] == "true"
    assert ServiceRequest.objects.count() == 1
    # the same key for a different request is refused, not silently answered
    other = post(client, headers={"Idempotency-Key": "abc-1"}, **good(world, description="别的"))
    assert other.status_code == 400
    assert as_json(other) == [
        {"code": 400, "description": "此 Idempotency-Key 已用于另一个不同的请求"}
    ]
    # the key may also come as a form field; keys are per client
    third = post(client, **good(world, idempotency_key="abc-2"))
    assert third.status_code == 201
    assert ServiceRequest.objects.count() == 2


def test_issue_key_is_city_only_and_stored_hashed(api: Any) -> None:
    world = api["world"]
    client, raw = keys.issue_key(actor=world.users["city"], name="市民热线 App")
    assert raw.startswith("qh_") and raw not in (client.key_sha256, client.key_prefix + "x")
    assert keys.check_key(raw) == client
    from quarterhour.platform.core.errors import PermissionRefused

    with pytest.raises(PermissionRefused):
        keys.issue_key(actor=world.users["district"], name="x")


# -- GET requests ----------------------------------------------------------------------------------


def _make(api: Any, n: int) -> list[ServiceRequest]:
    world, cats = api["world"], api["cats"]
    out = []
    for i in range(n):
        out.append(
            services.submit(
                actor=world.users["resident"],
                category=cats["noise"] if i % 2 else cats["repair"],
                channel="web",
                community=world.a1x,
                lon=world.a1x.centre_lon + 0.00012345,
                lat=world.a1x.centre_lat,
                description="私人信息：家住 3 单元 501",
                contact_phone="13800009999",
                attributes={} if i % 2 else {"what": "light"},
                now=MONDAY_10 + timedelta(days=i),
            )
        )
    return out


def test_get_requests_fields_and_privacy(client: Any, api: Any) -> None:
    world = api["world"]
    reqs = _make(api, 3)
    services.close(
        actor=world.users["community"],
        request=reqs[0],
        resolution="内部：换了灯泡",
        public_reply="已修复",  # only the public reply is published
        now=MONDAY_10 + timedelta(hours=5),
    )
    got = as_json(
        client.get(
            f"{V2}/requests.json",
            {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-03-31T00:00:00+08:00"},
        )
    )
    assert [g["service_request_id"] for g in got] == [reqs[2].pk, reqs[1].pk, reqs[0].pk]
    closed = got[2]
    assert closed == {
        "service_request_id": reqs[0].pk,
        "status": "closed",
        "status_notes": "已修复",
        "service_name": "公共设施报修",
        "service_code": "repair",
        "description": None,
        "agency_responsible": "社区 南北长街社区",
        "service_notice": "将在 3 个工作日内办结（期限 2026-03-05 10:00）",
        "requested_datetime": "2026-03-02T10:00:00+08:00",
        "updated_datetime": "2026-03-02T15:00:00+08:00",
        "expected_datetime": "2026-03-05T10:00:00+08:00",
        "address": "南北长街社区, 西长安街街道, 西城区",
        "address_id": world.a1x.code,
        "zipcode": None,
        "lat": round(world.a1x.centre_lat, 3),
        "long": round(world.a1x.centre_lon + 0.00012345, 3),
        "media_url": None,
    }
    body = json.dumps(got, ensure_ascii=False)
    assert "13800009999" not in body and "501" not in body
    assert got[1]["status"] == "open"
    root = xml(client.get(f"{V2}/requests.xml", {"start_date": "2026-03-01T00:00:00Z"}))
    assert root.tag == "service_requests"
    assert len(root.findall("request")) == 3
    assert [c.tag for c in root.find("request")] == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]


def test_get_requests_filters(client: Any, api: Any) -> None:
    world = api["world"]
    reqs = _make(api, 4)  # repair, noise, repair, noise on 2, 3, 4, 5 March
    services.close(actor=world.users["community"], request=reqs[1], resolution="ok")
    span = {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-03-31T00:00:00+08:00"}

    def ids(**params: str) -> list[int]:
        r = client.get(f"{V2}/requests.json", {**span, **params})
        assert r.status_code == 200
        return [x["service_request_id"] for x in json.loads(r.content)]

    assert ids(status="open") == [reqs[3].pk, reqs[2].pk, reqs[0].pk]
    assert ids(status="closed") == [reqs[1].pk]
    assert ids(status="open,closed") == [r.pk for r in reversed(reqs)]
    assert ids(service_code="noise") == [reqs[3].pk, reqs[1].pk]
    assert ids(service_code="noise,repair", status="open") == [reqs[3].pk, reqs[2].pk, reqs[0].pk]
    assert ids(start_date="2026-03-03T12:00:00+08:00") == [reqs[3].pk, reqs[2].pk]
    assert ids(end_date="2026-03-03T12:00:00+08:00", start_date="2026-03-01T00:00:00Z") == [
        reqs[1].pk,
        reqs[0].pk,
    ]
    # service_request_id overrides every other argument
    assert ids(service_request_id=f"{reqs[0].pk},{reqs[3].pk}", status="closed") == [
        reqs[3].pk,
        reqs[0].pk,
    ]
    # defaults: the last 90 days before now (the fixtures lie in March 2026)
    assert (
        as_json(client.get(f"{V2}/requests.json", {"end_date": "2026-06-01T00:00:00+08:00"})) != []
    )
    for params, message in [
        ({"status": "pending"}, "status 只能是 open 或 closed，收到：pending"),
        (
            {"start_date": "yesterday"},
            "start_date 须为带时区的 W3C 日期时间，例如 2010-01-01T00:00:00Z",
        ),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "start_date 与 end_date 相隔不能超过 90 天",
        ),
        ({"service_request_id": "1,x"}, "service_request_id 须为以逗号分隔的数字"),
    ]:
        r = client.get(f"{V2}/requests.json", params)
        assert (r.status_code, as_json(r)) == (400, [{"code": 400, "description": message}])


def test_single_request_and_token(client: Any, api: Any) -> None:
    (req,) = _make(api, 1)
    one = as_json(client.get(f"{V2}/requests/{req.pk}.json"))
    assert [x["service_request_id"] for x in one] == [req.pk]
    root = xml(client.get(f"{V2}/requests/{req.pk}.xml"))
    assert root.findtext("request/service_request_id") == str(req.pk)
    missing = client.get(f"{V2}/requests/999999.json")
    assert (missing.status_code, as_json(missing)) == (
        404,
        [{"code": 404, "description": "未找到诉求：999999"}],
    )
    tok = as_json(client.get(f"{V2}/tokens/{req.token}.json"))
    assert tok == [{"service_request_id": req.pk, "token": str(req.token)}]
    root = xml(client.get(f"{V2}/tokens/{req.token}.xml"))
    assert (root.findtext("request/service_request_id"), root.findtext("request/token")) == (
        str(req.pk),
        str(req.token),
    )
    assert client.get(f"{V2}/tokens/not-a-token.json").status_code == 404


def test_discovery_jurisdiction_and_unknown_paths(client: Any, api: Any) -> None:
    d = as_json(client.get(f"{V2}/discovery.json"))
    assert d["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/api/open311/v2",
            "changeset": "2026-01-01T00:00:00+08:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    root = xml(client.get(f"{V2}/discovery.xml"))
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    with override_settings(QH_OPEN311_JURISDICTION="bj.example.gov"):
        ok = client.get(f"{V2}/services.json", {"jurisdiction_id": "bj.example.gov"})
        assert ok.status_code == 200
        bad = client.get(f"{V2}/services.json", {"jurisdiction_id": "sfgov.org"})
        assert (bad.status_code, as_json(bad)) == (
            404,
            [{"code": 404, "description": "未找到 jurisdiction_id：sfgov.org"}],
        )
        r = post(client, **good(api["world"], jurisdiction_id="sfgov.org"))
        assert r.status_code == 404
        assert ServiceRequest.objects.count() == 0
    nothing = client.get(f"{V2}/services.csv")
    assert nothing.status_code == 404
    assert xml(nothing).findtext("error/code") == "404"
