"""A real outside Open311 client (the ``georeport`` package) reads our services, definitions
and requests in JSON and XML from a live server on loopback; concurrent retries of one POST
(same idempotency key) store exactly one request."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests as http
from django.db import connection
from georeport import GeoReport

from quarterhour.platform.requests import services
from quarterhour.platform.requests.models import ServiceRequest
from tests.platform.conftest import build_world
from tests.platform.requests.helpers import API_KEY, MONDAY_10, make_api_client, make_categories


@pytest.fixture
def served(transactional_db: Any, live_server: Any) -> dict[str, Any]:
    world = build_world()
    cats = make_categories()
    make_api_client()
    req = services.submit(
        actor=world.users["resident"],
        category=cats["repair"],
        channel="web",
        community=world.a1x,
        attributes={"what": "light"},
        now=MONDAY_10,
    )
    return {"world": world, "req": req, "root": live_server.url + "/api/open311/v2"}


def test_georeport_client_reads_json(served: Any) -> None:
    client = GeoReport(served["root"], output_format="json")
    services_ = client.get_service_list()
    assert [s["service_code"] for s in services_] == ["noise", "repair"]
    definition = client.get_service_definition("repair")
    assert [a["code"] for a in definition["attributes"]] == ["what", "floor"]
    assert definition["attributes"][0]["values"][1] == {"key": "gym", "name": "健身器材"}
    req = served["req"]
    found = client.get_service_requests(
        start_date="2026-03-01T00:00:00Z", end_date="2026-03-31T00:00:00Z", status="open"
    )
    assert [(r["service_request_id"], r["status"], r["service_code"]) for r in found] == [
        (req.pk, "open", "repair")
    ]
    one = client.get_service_request(str(req.pk))
    assert (one["service_request_id"], one["expected_datetime"]) == (
        req.pk,
        "2026-03-05T10:00:00+08:00",
    )


def test_georeport_client_reads_xml(served: Any) -> None:
    client = GeoReport(served["root"], output_format="xml")
    services_ = client.get_service_list()
    assert [(s["service_code"], s["metadata"]) for s in services_] == [
        ("noise", "false"),
        ("repair", "true"),
    ]
    definition = client.get_service_definition("repair")
    attrs = definition["attributes"]["attribute"]
    assert [a["code"] for a in attrs] == ["what", "floor"]
    assert [v["name"] for v in attrs[0]["values"]["value"]] == ["楼道灯", "健身器材"]
    req = served["req"]
    found = client.get_service_requests(start_date="2026-03-01T00:00:00Z")
    assert (found["service_request_id"], found["status"], found["address_id"]) == (
        str(req.pk),
        "open",
        served["world"].a1x.code,
    )
    one = client.get_service_request(str(req.pk))
    assert (one["service_name"], one["agency_responsible"]) == ("公共设施报修", "社区 南北长街社区")


def test_concurrent_retries_store_once(served: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the SQLite test server shares one in-memory connection between "
            "its threads, so concurrent transactions are not isolated there"
        )
    world = served["world"]
    data = {
        "api_key": API_KEY,
        "service_code": "noise",
        "lat": str(world.a1y.centre_lat),
        "long": str(world.a1y.centre_lon),
        "description": "深夜装修",
    }
    results: list[tuple[int, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def one() -> None:
        start.wait()
        r = http.post(
            served["root"] + "/requests.json",
            data=data,
            headers={"Idempotency-Key": "retry-42"},
            timeout=30,
        )
        with lock:
            results.append((r.status_code, r.json()[0].get("service_request_id", 0)))

    threads = [threading.Thread(target=one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = ServiceRequest.objects.filter(idempotency_key="retry-42")
    assert stored.count() == 1
    # every retry waits for the first insert and answers with its id
    assert sorted(code for code, _ in results) == [200] * 11 + [201]
    assert {rid for _, rid in results} == {stored.get().pk}
