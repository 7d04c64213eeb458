"""Journey 20 — open the API to partners.

City staff issue an Open311 key by clicking (shown once); a real outside client — the
``georeport`` GeoReport v2 package, with ``requests`` for the POST it does not offer — lists the
live demo's request types, posts a request with the key and reads it back; the keys page shows the
key used; after it is revoked the partner's POST is refused and nothing more is stored."""

from __future__ import annotations

import hashlib

import requests as http
from georeport import GeoReport
from playwright.sync_api import expect

from tests.platform.journeys.conftest import login, shot
from tests.platform.journeys.requests_steps import station_community


def _open_keys_page(page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="诉求", exact=True).click()
    page.get_by_role("link", name="诉求设置").click()
    page.get_by_role("link", name="开放接口密钥").click()


def test_city_issues_a_key_a_partner_uses_it_then_it_is_revoked(demo, page):
    login(page, "demo-city")
    _open_keys_page(page)
    form = page.locator("#issue-form")
    form.get_by_label("合作方名称").fill("演示合作方 J20 网格 App")
    form.get_by_label("联系人及电话").fill("演示 张工 010-6000-2020")
    form.get_by_role("button", name="发放密钥").click()
    key = page.locator("#new-key").inner_text().strip()
    assert key.startswith("qh_") and "只显示这一次" in page.locator(".new-key").inner_text()
    shot(page, "j20-key-issued")
    pk, active, creator = demo.one(
        "select c.id, c.is_active, u.username from open311_apiclient c"
        " join accounts_user u on u.id = c.created_by_id where c.key_sha256 = %s",
        hashlib.sha256(key.encode()).hexdigest(),
    )
    assert active and creator == "demo-city"

    root = demo.url + "/api/open311/v2"
    client = GeoReport(root, output_format="json", api_key=key)
    codes = {s["service_code"] for s in client.get_service_list()}
    assert {"housekeeping", "home-repair", "meals", "medical", "sanitation"} <= codes
    name = station_community(demo, "demo-community2")
    lon, lat = demo.one(
        "select centre_lon, centre_lat from geography_community where name = %s", name
    )
    post = {
        "api_key": key,
        "service_code": "sanitation",
        "lat": str(lat),
        "long": str(lon),
        "description": "演示：合作方 App 上报：小区北门垃圾堆放。",
    }
    answer = http.post(root + "/requests.json", data=post, timeout=30)
    assert answer.status_code == 201, answer.text
    rid = answer.json()[0]["service_request_id"]
    back = client.get_service_request(str(rid))
    assert (back["service_code"], back["status"]) == ("sanitation", "open")
    assert demo.one(
        "select channel, api_client_id from requests_servicerequest where id = %s", rid
    ) == ("open311", pk)

    page.get_by_role("link", name="返回诉求设置").click()
    page.get_by_role("link", name="开放接口密钥").click()
    row = page.locator("#keys tr", has_text="演示合作方 J20 网格 App")
    assert "1 次" in row.inner_text()
    row.get_by_role("button", name="吊销“演示合作方 J20 网格 App”的密钥").click()
    expect(page.locator("body")).to_contain_text("已吊销")
    assert "已吊销" in page.locator("#keys tr", has_text="演示合作方 J20 网格 App").inner_text()
    shot(page, "j20-key-revoked")
    before = demo.one("select count(*) from requests_servicerequest")
    refused = http.post(root + "/requests.json", data=post, timeout=30)
    assert refused.status_code == 403
    assert "api_key 无效" in refused.text
    assert demo.one("select count(*) from requests_servicerequest") == before
    active, revoked = demo.one(
        "select is_active, revoked_at is not null from open311_apiclient where id = %s", pk
    )
    assert (bool(active), bool(revoked)) == (False, True)
    kept = demo.sql(
        "select h.history_type, u.username from open311_historicalapiclient h"
        " join accounts_user u on u.id = h.history_user_id where h.id = %s order by h.history_id",
        pk,
    )
    assert [tuple(r) for r in kept] == [("+", "demo-city"), ("~", "demo-city")]
