"""HSDS 3.0 API: every answer checked against the official schemas (kept offline in
../shared/conformance/hsds-3.0, ``$ref``s resolved through a local registry), exact filters,
paging, NDJSON, walking proximity on the hand-made grid, and bad input as 4xx JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HSDS = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "hsds-3.0"
RAW = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
PAGE_KEYS = [
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
]


def _registry() -> tuple[Registry, dict[str, Any]]:
    resources = []
    for path in [*HSDS.glob("*.json"), *(HSDS / "compiled").glob("*.json")]:
        rel = path.relative_to(HSDS).as_posix()
        resources.append(
            (RAW + rel, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        )
    openapi = json.loads((HSDS / "openapi.json").read_text())
    return Registry().with_resources(resources), openapi


REGISTRY, OPENAPI = _registry()


def item_validator(rel: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": RAW + rel}, registry=REGISTRY, format_checker=FormatChecker()
    )


def page_validator(rel: str) -> Draft202012Validator:
    page = dict(OPENAPI["components"]["schemas"]["Page"])
    schema = {
        **page,
        "required": PAGE_KEYS,
        "properties": {
            **page["properties"],
            "contents": {"type": "array", "items": {"$ref": RAW + rel}},
        },
    }
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())


LIST_SCHEMAS = {
    "services": "compiled/service_list.json",
    "organizations": "compiled/organization_list.json",
    "service_at_locations": "compiled/service_at_location_list.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}
DETAIL_SCHEMAS = {
    "services": "compiled/service.json",
    "organizations": "compiled/organization.json",
    # the spec's openapi.json points this one at service.json (known quirk, see README)
    "service_at_locations": "compiled/service_at_location.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}


def get(client: Any, url: str, status: int = 200) -> Any:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code, resp.content[:500])
    assert resp["Content-Type"].startswith("application/json")
    return resp.json()


def valid_page(client: Any, kind: str, query: str = "") -> dict[str, Any]:
    body = get(client, f"/api/hsds/{kind}{query}")
    errors = list(page_validator(LIST_SCHEMAS[kind]).iter_errors(body))
    assert errors == [], [e.message for e in errors[:5]]
    return body


def valid_detail(client: Any, kind: str, id: str, query: str = "") -> dict[str, Any]:
    body = get(client, f"/api/hsds/{kind}/{id}{query}")
    errors = list(item_validator(DETAIL_SCHEMAS[kind]).iter_errors(body))
    assert errors == [], [e.message for e in errors[:5]]
    return body


def test_the_schemas_catch_a_wrong_body():
    # the validators are real: a service without its required name fails, a bad uuid fails
    v = item_validator("compiled/service.json")
    assert not v.is_valid({"id": "51a7e000-0000-8000-8001-000000000001", "status": "active"})
    assert not v.is_valid({"id": "not-a-uuid", "name": "x", "status": "active"})
    assert v.is_valid(
        {"id": "51a7e000-0000-8000-8001-000000000001", "name": "x", "status": "active"}
    )


def test_root(client, db):
    body = get(client, "/api/hsds/")
    assert body == {
        "version": "3.0",
        "profile": "https://docs.openreferral.org/en/3.0/",
        "openapi_url": "http://testserver/api/hsds/openapi.json",
    }


def test_openapi_document_is_valid(client, db):
    from openapi_spec_validator import validate

    doc = get(client, "/api/hsds/openapi.json")
    validate(doc)
    assert set(doc["paths"]) == {
        "/",
        "/services",
        "/services/{id}",
        "/organizations",
        "/organizations/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
    }
    assert "raw.githubusercontent" not in json.dumps(doc)


def test_every_list_and_detail_passes_the_official_schemas(client, hsds_world):
    w = hsds_world
    for kind in LIST_SCHEMAS:
        for query in ("", "?full=true", "?per_page=1&page=2"):
            page = valid_page(client, kind, query)
            for item in page["contents"]:
                valid_detail(client, kind, item["id"])
    org = valid_page(client, "organizations", "?full_service=true")
    assert org["total_items"] == 3
    valid_detail(client, "organizations", org["contents"][0]["id"], "?full_service=true")
    assert valid_page(client, "services", "?minimal=true")["total_items"] == w.n_services


def test_service_detail_content(client, hsds_world):
    from quarterhour.platform.hsds import ids
    from quarterhour.platform.hsds.taxonomy import current

    w = hsds_world
    body = valid_detail(client, "services", ids.make("service", w.sA1.pk))
    assert body["name"] == "送药上门"
    assert body["organization"]["name"] == "长安便民服务社"
    assert body["phones"][0]["number"] == "010-0001"
    assert body["schedules"] == [
        {
            "id": body["schedules"][0]["id"],
            "service_id": body["id"],
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": "MO,TU,WE,TH,FR",
            "opens_at": "08:30+08:00",
            "closes_at": "17:30+08:00",
        }
    ]
    tax = current()
    terms = {a["taxonomy_term"]["code"] for a in body["attributes"]}
    assert terms == {"convenience", "shop.pharmacy"}
    assert all(a["taxonomy_term_id"] in tax.by_id for a in body["attributes"])
    sal = body["service_at_locations"][0]
    assert sal["location"]["name"] == "长安药房"
    assert body["application_process"] == "上门服务 / home visits"


def test_taxonomy_has_the_four_categories_and_thirty_items(client, db):
    taxes = valid_page(client, "taxonomies")
    assert taxes["total_items"] == 2
    by_name = {t["name"]: t["id"] for t in taxes["contents"]}
    cat_id = by_name["社区服务类别 / Community service categories"]
    item_id = by_name["社区服务设施项目 / Community facility items"]
    cats = valid_page(client, "taxonomy_terms", f"?taxonomy_id={cat_id}&top_only=true")
    assert sorted(t["code"] for t in cats["contents"]) == [
        "convenience",
        "public",
        "special",
        "volunteer",
    ]
    items = valid_page(client, "taxonomy_terms", f"?taxonomy_id={item_id}&per_page=1000")
    leaves = [t for t in items["contents"] if "parent_id" in t]
    assert len(leaves) == 30
    groups = valid_page(client, "taxonomy_terms", f"?taxonomy_id={item_id}&top_only=true")
    assert groups["total_items"] == 7
    shop = next(t for t in groups["contents"] if t["code"] == "shop")
    under = valid_page(client, "taxonomy_terms", f"?parent_id={shop['id']}&per_page=100")
    assert sorted(t["code"] for t in under["contents"]) == [  # 九网点
        "shop.barber",
        "shop.convenience",
        "shop.finance",
        "shop.food",
        "shop.housekeeping",
        "shop.laundry",
        "shop.pharmacy",
        "shop.phone",
        "shop.post",
    ]
    term = valid_detail(client, "taxonomy_terms", leaves[0]["id"])
    assert term["taxonomy_detail"]["id"] == item_id


def test_filters_combine_with_and(client, hsds_world):
    from quarterhour.platform.hsds import ids
    from quarterhour.platform.hsds.taxonomy import current

    w = hsds_world
    tax = current()
    pharmacy = tax.by_code["shop.pharmacy"].id
    convenience = tax.by_code["convenience"].id
    org_a = ids.make("organization", w.pA1.pk)

    def names(query: str) -> list[str]:
        return sorted(s["name"] for s in valid_page(client, "services", query)["contents"])

    assert names(f"?taxonomy_term_id={convenience}") == ["<b>特价</b>理发", "家政服务", "送药上门"]
    assert names(f"?taxonomy_term_id={pharmacy}") == ["送药上门"]
    assert names(f"?organization_id={org_a}") == ["<b>特价</b>理发", "社区课堂", "送药上门"]
    assert names(f"?organization_id={org_a}&taxonomy_term_id={convenience}") == [
        "<b>特价</b>理发",
        "送药上门",
    ]
    assert names(f"?organization_id={org_a}&taxonomy_term_id={convenience}&search=药") == [
        "送药上门"
    ]
    # full-width Latin, traditional characters, English case
    assert names("?search=ＡＢＣ") == ["社区课堂"]
    assert names("?search=abc") == ["社区课堂"]
    assert names("?search=送藥") == ["送药上门"]
    assert names("?search=day-care") == ["社区课堂"]


def test_modified_after(client, hsds_world):
    import datetime as dt

    from quarterhour.platform.catalogue.models import Service

    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Service.objects.exclude(pk=hsds_world.sA1.pk).update(updated_at=old)
    page = valid_page(client, "services", "?modified_after=2024-01-01T00:00:00%2B08:00")
    assert [s["name"] for s in page["contents"]] == ["送药上门"]
    page = valid_page(client, "services", "?modified_after=2019-12-31")
    assert page["total_items"] == hsds_world.n_services


def test_paging_object(client, hsds_world):
    n = hsds_world.n_services
    first = valid_page(client, "services", "?per_page=2")
    assert {k: first[k] for k in PAGE_KEYS if k != "contents"} == {
        "total_items": n,
        "total_pages": (n + 1) // 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    last = valid_page(client, "services", f"?per_page=2&page={(n + 1) // 2}")
    assert last["last_page"] is True and last["size"] == n - 2 * ((n + 1) // 2 - 1)
    beyond = valid_page(client, "services", "?per_page=2&page=999")
    assert beyond["contents"] == [] and beyond["size"] == 0 and beyond["empty"] is False
    none = valid_page(client, "services", "?search=不存在的服务")
    assert none["empty"] is True and none["total_pages"] == 0


def test_ndjson_streams_everything(client, hsds_world):
    resp = client.get("/api/hsds/services?format=ndjson&per_page=1")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(resp.streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == hsds_world.n_services
    v = item_validator("compiled/service_list.json")
    assert all(v.is_valid(r) for r in rows)


def test_proximity_is_walking_distance(client, hsds_world):
    from tests.platform.helpers import lonlat

    # from (275, 25): the pharmacy at (275, 275) is 250 m away along the grid street;
    # the day-care room at (575, 275) is 300 + 250 = 550 m away; straight line ≈ 391 m
    lon, lat = lonlat(275, 25)
    near = valid_page(client, "service_at_locations", f"?lon={lon}&lat={lat}&proximity=300")
    assert [s["location"]["name"] for s in near["contents"]] == ["长安药房"]
    mid = valid_page(client, "service_at_locations", f"?lon={lon}&lat={lat}&proximity=549")
    assert [s["location"]["name"] for s in mid["contents"]] == ["长安药房"]
    far = valid_page(client, "service_at_locations", f"?lon={lon}&lat={lat}&proximity=551")
    assert [s["location"]["name"] for s in far["contents"]] == ["长安药房", "日间照料室"]
    # AND with a taxonomy term
    from quarterhour.platform.hsds.taxonomy import current

    daycare = current().by_code["room.daycare"].id
    both = valid_page(
        client,
        "service_at_locations",
        f"?lon={lon}&lat={lat}&proximity=551&taxonomy_term_id={daycare}",
    )
    assert [s["location"]["name"] for s in both["contents"]] == ["日间照料室"]
    # a community code as the postcode: its centre (250, 250) is the point. It lies 25 m from
    # four streets at once, so which one it attaches to is a floating-point tie; the pharmacy is
    # 50 m away through two of them and 100 m through the other two: ask for 110 m.
    by_code = valid_page(
        client, "service_at_locations", f"?postcode={hsds_world.a1x.code}&proximity=110"
    )
    assert [s["location"]["name"] for s in by_code["contents"]] == ["长安药房"]


@pytest.mark.parametrize(
    "url,status,code",
    [
        ("/api/hsds/services?page=0", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?page=-5", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?page=99999999999999999999999", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?per_page=100000", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?per_page=abc", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?format=xml", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?minimal=maybe", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?modified_after=yesterday", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?modified_after=2024-13-45", 400, "hsds_bad_parameter"),
        ("/api/hsds/services?search=%00", 400, "control_character"),
        (
            "/api/hsds/services?taxonomy_term_id=00000000-0000-0000-0000-000000000000",
            400,
            "hsds_unknown_taxonomy_term",
        ),
        ("/api/hsds/services?taxonomy_id=nope", 400, "hsds_unknown_taxonomy"),
        ("/api/hsds/services?organization_id=nope", 400, "hsds_unknown_organization"),
        ("/api/hsds/taxonomy_terms?parent_id=nope", 400, "hsds_unknown_taxonomy_term"),
        ("/api/hsds/services/nope", 404, "hsds_not_found"),
        ("/api/hsds/services/51a7e000-0000-8000-8001-0000000fffff", 404, "hsds_not_found"),
        ("/api/hsds/services/51a7e000-0000-8000-8002-000000000001", 404, "hsds_not_found"),
        ("/api/hsds/taxonomies/nope", 404, "hsds_not_found"),
        ("/api/hsds/taxonomy_terms/nope", 404, "hsds_not_found"),
        ("/api/hsds/organizations/nope", 404, "hsds_not_found"),
        ("/api/hsds/service_at_locations/nope", 404, "hsds_not_found"),
        ("/api/hsds/service_at_locations?proximity=100", 400, "hsds_bad_parameter"),
        ("/api/hsds/service_at_locations?lon=116.4&lat=39.9", 400, "hsds_bad_parameter"),
        ("/api/hsds/service_at_locations?lon=500&lat=39.9&proximity=9", 400, "hsds_bad_parameter"),
        (
            "/api/hsds/service_at_locations?lon=116.37&lat=39.9&proximity=1e9",
            400,
            "hsds_bad_parameter",
        ),
        ("/api/hsds/service_at_locations?postcode=000&proximity=100", 400, "hsds_unknown_postcode"),
        (
            "/api/hsds/service_at_locations?lon=110&lat=30&proximity=100",
            422,
            "hsds_point_off_network",
        ),
    ],
)
def test_bad_input_is_a_clear_4xx(client, hsds_world, url, status, code):
    body = get(client, url, status)
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_only_get(client, db):
    assert client.post("/api/hsds/services").status_code == 405


def test_no_personal_data(client, hsds_world):
    # accounts, memberships and resident details never appear anywhere in the API
    dump = json.dumps(
        [
            client.get(f"/api/hsds/{k}?full=true&full_service=true&per_page=1000").json()
            for k in LIST_SCHEMAS
        ],
        ensure_ascii=False,
    )
    for secret in ("resident", "street_a1", "pw-", "provider_pa1", "root"):
        assert secret not in dump
    # provider-entered text is data in JSON, not markup: it comes back exactly as entered
    assert "<b>特价</b>理发" in dump
