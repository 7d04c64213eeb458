"""Public feeds leave clean (trust boundary): Open311 publishes only text marked public, never a
control character, only coordinates on the globe, and answers every hostile input in its error
format with a 4xx. The same text and coordinate rules hold on the resident's form and in every
audited service. One test (or one parametrised case) per finding."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.core.recording import save_audited
from quarterhour.platform.requests import services
from quarterhour.platform.requests.models import Channel, Event, ServiceRequest
from tests.platform.requests.helpers import API_KEY, make_api_client, make_categories

pytestmark = pytest.mark.django_db
V2 = "/api/open311/v2"


@pytest.fixture
def api(world: Any) -> dict[str, Any]:
    return {"cats": make_categories(), "client": make_api_client(), "world": world}


def good(world: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "api_key": API_KEY,
        "service_code": "repair",
        "lat": str(world.a1y.centre_lat),
        "long": str(world.a1y.centre_lon),
        "email": "zhang@example.org",
        "description": "健身器材松动",
        "attribute[what]": "gym",
    }
    data.update(extra)
    return data


def _web_request(api: Any, **kw: Any) -> ServiceRequest:
    w = api["world"]
    return services.submit(
        actor=w.users["resident"],
        category=api["cats"]["repair"],
        channel=Channel.WEB,
        community=w.a1x,
        attributes={"what": "light"},
        description="楼道灯坏了",
        **kw,
    )


def _open311_error(response: Any, status: int, fmt: str = "json") -> list[Any]:
    assert response.status_code == status, response.content[:300]
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = json.loads(response.content)
        assert body and all({"code", "description"} <= set(e) for e in body)
        return [e["description"] for e in body]
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    return [e.findtext("description") for e in root]


# -- only public text leaves -------------------------------------------------------------------


def test_status_notes_carry_only_the_public_reply(client: Any, api: Any) -> None:
    w = api["world"]
    req = _web_request(api)
    services.close(
        actor=w.users["community"], request=req, resolution="内部：已电话联系住户张某，门牌 3-201"
    )
    got = json.loads(client.get(f"{V2}/requests/{req.pk}.json").content)[0]
    assert got["status"] == "closed"
    assert got["status_notes"] is None
    assert "张某" not in client.get(f"{V2}/requests.xml").content.decode()
    # the clerk's note stays in the record
    assert Event.objects.filter(request=req, note__contains="门牌 3-201").exists()

    other = _web_request(api)
    services.close(
        actor=w.users["community"],
        request=other,
        resolution="内部：更换灯泡，费用 20 元",
        public_reply="楼道灯已更换",
    )
    got = json.loads(client.get(f"{V2}/requests/{other.pk}.json").content)[0]
    assert got["status_notes"] == "楼道灯已更换"
    assert "20 元" not in client.get(f"{V2}/requests.json").content.decode()


def test_a_refusal_reason_is_not_published(client: Any, api: Any) -> None:
    w = api["world"]
    req = _web_request(api)
    services.reject(actor=w.users["community"], request=req, reason="内部：重复投诉，住户情绪激动")
    got = json.loads(client.get(f"{V2}/requests/{req.pk}.json").content)[0]
    assert got["status_notes"] is None


def test_the_close_form_keeps_the_note_internal(client: Any, api: Any) -> None:
    w = api["world"]
    req = _web_request(api)
    client.force_login(w.users["community"])
    client.post(
        f"/requests/{req.pk}/close",
        {"resolution": "内部：住户电话 138", "public_reply": "已修复"},
    )
    req.refresh_from_db()
    assert (req.status, req.status_notes) == ("closed", "已修复")


# -- control characters: refused on input, never emitted -----------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x0b", "\x1b", "\x7f", "\ufffe"])
def test_open311_post_refuses_control_characters(client: Any, api: Any, bad: str) -> None:
    before = ServiceRequest.objects.count()
    r = client.post(f"{V2}/requests.json", good(api["world"], description=f"灯{bad}坏了"))
    assert any("description" in m for m in _open311_error(r, 400))
    assert ServiceRequest.objects.count() == before


def test_open311_post_refuses_control_characters_in_any_field(client: Any, api: Any) -> None:
    for field in ("first_name", "address_string", "attribute[what]", "phone"):
        r = client.post(f"{V2}/requests.xml", good(api["world"], **{field: "a\x00b"}))
        assert any(field in (m or "") for m in _open311_error(r, 400, "xml"))
    assert ServiceRequest.objects.count() == 0


def test_resident_form_refuses_control_characters(client: Any, api: Any) -> None:
    w = api["world"]
    client.force_login(w.users["resident"])
    r = client.post(
        "/requests/new/",
        {
            "category": api["cats"]["repair"].pk,
            "community": w.a1x.pk,
            "attribute[what]": "light",
            "description": "楼道\x0b灯坏了",
        },
    )
    assert r.status_code in (400, 422)  # the gate (a plain form) or the service (multipart)
    assert "控制字符" in r.content.decode()
    assert ServiceRequest.objects.count() == 0


def test_services_refuse_control_characters(api: Any) -> None:
    with pytest.raises(Invalid) as exc:
        _web_request(api, address="北长街\x0012 号")
    assert exc.value.issues[0].field == "address"
    req = _web_request(api)
    with pytest.raises(Invalid):
        services.close(
            actor=api["world"].users["community"], request=req, resolution="ok", public_reply="\x0c"
        )
    req.refresh_from_db()
    assert req.status == "new"


def test_every_audited_write_refuses_control_characters(world: Any) -> None:
    provider = world.pA1
    provider.name = "长安\x0b便民"
    with pytest.raises(Invalid) as exc:
        save_audited(provider, actor=world.users["superuser"], reason="测试")
    assert exc.value.issues[0].field == "name"


def test_old_rows_with_control_characters_stay_well_formed(client: Any, api: Any) -> None:
    req = _web_request(api)
    # (PostgreSQL cannot store NUL at all; the other control characters it keeps)
    ServiceRequest.objects.filter(pk=req.pk).update(
        status="closed", status_notes="旧\x0b数据\x1f", media_url="http://x/\x1b"
    )
    r = client.get(f"{V2}/requests.xml")
    root = ET.fromstring(r.content)  # raises on a control character
    assert root.find("request/status_notes").text == "旧数据"
    body = json.loads(client.get(f"{V2}/requests/{req.pk}.json").content)
    assert body[0]["status_notes"] == "旧数据"


# -- coordinates finite and on the globe ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("39.9", "1e400"), ("39.9", "500"), ("39.9", "-500"), ("NaN", "116.4"), ("inf", "116.4")],
)
def test_open311_refuses_coordinates_off_the_globe(
    client: Any, api: Any, lat: str, lon: str
) -> None:
    r = client.post(f"{V2}/requests.json", good(api["world"], lat=lat, long=lon))
    _open311_error(r, 400)
    assert ServiceRequest.objects.count() == 0


@pytest.mark.parametrize("lon", [float("inf"), 500.0, -500.0, float("nan")])
def test_a_picked_community_does_not_excuse_bad_coordinates(api: Any, lon: float) -> None:
    with pytest.raises(Invalid) as exc:
        _web_request(api, lon=lon, lat=39.9)
    assert exc.value.issues[0].field == "lat/long"
    assert ServiceRequest.objects.count() == 0


def test_audited_writes_refuse_coordinates_off_the_globe(world: Any) -> None:
    facility = world.fA1
    for lon in (float("inf"), float("nan"), 500.0, -500.0):
        facility.lon = lon
        with pytest.raises(Invalid) as exc:
            save_audited(facility, actor=world.users["superuser"], reason="测试")
        assert exc.value.issues[0].field == "lon"


# -- every error in the Open311 format, 4xx, never 500 -------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("services/%00.json", 400),
        ("services/%0B.xml", 400),
        ("requests/%C2%B2.json", 404),  # a superscript two is a digit to str.isdigit
        ("requests.json?service_request_id=%C2%B2", 400),
        ("requests.json?service_request_id=1,%00", 400),
        ("requests.json?start_date=9999-12-31T23:59:59Z", 400),
        ("requests.json?end_date=0001-01-01T00:00:00Z", 400),
        ("requests.json?start_date=2026-02-30T00:00:00Z", 400),
        ("requests.json?status=%00", 400),
        ("requests/99999999999999999.json", 404),
        ("tokens/%00.json", 400),
        ("discovery.json?jurisdiction_id=%00", 400),
    ],
)
def test_open311_hostile_queries_answer_in_format(
    client: Any, api: Any, path: str, status: int
) -> None:
    fmt = "xml" if ".xml" in path else "json"
    _open311_error(client.get(f"{V2}/{path}"), status, fmt)


@pytest.mark.parametrize(
    "extra",
    [
        {"email": "a" * 250 + "@example.org"},
        {"media_url": "https://example.org/" + "a" * 600},
        {"first_name": "三" * 100},
        {"phone": "1" * 60},
        {"address_string": "北" * 400},
        {"description": "\x00"},
        {"lat": "1e30", "long": "1e30"},
    ],
)
def test_open311_post_refusals_answer_in_format(client: Any, api: Any, extra: Any) -> None:
    r = client.post(f"{V2}/requests.json", good(api["world"], **extra))
    _open311_error(r, 400)
    assert ServiceRequest.objects.count() == 0


def test_open311_too_many_fields_answers_in_format(client: Any, api: Any) -> None:
    data = good(api["world"]) | {f"attribute[x{i}]": "1" for i in range(1200)}
    r = client.post(f"{V2}/requests.json", data)
    _open311_error(r, 400)
    assert ServiceRequest.objects.count() == 0
