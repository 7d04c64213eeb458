"""Resident pages on the 50 m grid: walking minutes along the streets, grouping, missing items,
elderly pace, address search with suggestions, off-network points, isochrone and route JSON,
catalogue filters and search, escaping of provider text, cards and PDFs with real CJK glyphs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.platform.helpers import lonlat
from tests.platform.portal.helpers import hits, near, pdf_glyphs_distinct, pdf_pages


def test_near_me_lists_walking_distances_grouped(client, hsds_world):
    resp = near(client, 275, 25)
    # pharmacy 250 m straight up the street; day-care room 300 m along + 250 m up
    assert hits(resp) == [("长安药房", 250.0), ("日间照料室", 550.0)]
    result = resp.context["result"]
    assert result.limit_m == 1000.0 and result.speed_kmh == 4.0
    blocks = {b.code: b for b in result.blocks}
    assert [r.code for r in blocks["convenience"].items] == ["shop.pharmacy"]
    assert [r.code for r in blocks["other"].items] == ["room.daycare"]
    # 社区课堂 (public) at the day-care room, 送药上门 (convenience) at the pharmacy
    assert [line.service.name for line in blocks["public"].services] == ["社区课堂"]
    assert [line.service.name for line in blocks["convenience"].services] == ["送药上门"]
    missing = [code for code, _label in result.missing]
    assert "station.health" in missing and "shop.pharmacy" not in missing
    assert len(missing) == 28
    html = resp.content.decode()
    assert "步行 4 分钟" in html  # 250 m at 4 km/h = 3.75 min
    assert "步行 8 分钟" in html  # 550 m = 8.25 min
    assert "卫生服务站" in html.split('id="missing"')[1]
    assert "上门" in html and "010-1111" in html


def test_elderly_pace_shrinks_the_reach(client, hsds_world):
    # from (800, 275): day-care 225 m, pharmacy 525 m, health station 975 m
    normal = hits(near(client, 800, 275))
    assert normal == [("日间照料室", 225.0), ("长安药房", 525.0), ("东华门卫生站", 975.0)]
    elderly = near(client, 800, 275, elderly=True)
    assert hits(elderly) == [("日间照料室", 225.0), ("长安药房", 525.0)]
    r = elderly.context["result"]
    assert r.limit_m == 750.0 and r.speed_kmh == 3.0
    # minutes at the elderly pace: 525 m at 3 km/h = 10.5 min
    assert round(r.hits[1].minutes, 2) == 10.5


def test_typed_community_name_and_facility_address(client, hsds_world):
    one = client.get("/near/", {"q": "新街口社区"})
    assert one.status_code == 200
    assert one.context["point"] == (hsds_world.a2x.centre_lon, hsds_world.a2x.centre_lat)
    by_address = client.get("/near/", {"q": "北长街 8 号"})
    assert by_address.context["point"] == (hsds_world.fDay.lon, hsds_world.fDay.lat)
    # full-width digits and traditional characters find the same address
    assert (
        client.get("/near/", {"q": "北長街 ８ 号"}).context["point"] == by_address.context["point"]
    )
    several = client.get("/near/", {"q": "北长街"})
    labels = sorted(p.label for p in several.context["places"])
    assert labels == ["北长街社区", "南北长街社区", "日间照料室"]


def test_no_match_suggests_near_names(client, hsds_world):
    resp = client.get("/near/", {"q": "北长接社区"})
    assert resp.status_code == 200  # suggestions, not a bare 404
    assert resp.context["suggestions"][:2] == ["北长街社区", "南北长街社区"]
    html = resp.content.decode()
    assert "您是不是要找" in html and "?q=%E5%8C%97%E9%95%BF%E8%A1%97%E7%A4%BE%E5%8C%BA" in html


def test_nothing_alike_offers_names_to_try(client, hsds_world):
    resp = client.get("/near/", {"q": "zzzz"})
    assert resp.status_code == 200
    # the loaded data's own community names, by code
    assert resp.context["suggestions"] == ["东华门社区", "南北长街社区", "北长街社区", "新街口社区"]
    assert "可以试试这些社区名称" in resp.content.decode()


def test_a_click_far_from_any_street_answers_from_the_nearest_walkable_place(client, hsds_world):
    resp = near(client, 275, -2000)
    lon, lat = resp.context["point"]
    # nearest street point: straight south of the grid's bottom row (y = 25 m)
    assert (round(lon, 6), round(lat, 6)) == tuple(round(v, 6) for v in lonlat(275, 25))
    # 2025 m on the test grid's fixed degree scale; the engine projects at the true latitude
    assert abs(resp.context["moved_m"] - 2025) < 5
    assert hits(resp) == [("长安药房", 250.0), ("日间照料室", 550.0)]
    html = resp.content.decode()
    assert "已改用道路上最近的可步行位置" in html and 'id="moved"' in html


def test_malformed_position_is_a_clear_message(client, hsds_world):
    for params in (
        {"lon": "abc", "lat": "39.9"},
        {"lon": "116.4"},
        {"lon": "nan", "lat": "1"},
        {"lon": "1e999", "lat": "1"},
        {"lon": "200", "lat": "95"},
    ):
        resp = client.get("/near/", params)
        assert resp.status_code == 400, params
        assert "位置格式不正确" in resp.content.decode()
        assert resp.context["result"] is None
    card = client.get("/card/", {"lon": "x"})
    assert card.status_code == 400 and "位置格式不正确" in card.content.decode()
    assert client.get("/card.pdf", {"lat": "1"}).status_code == 400


def test_far_from_every_street_says_so(client, hsds_world):
    resp = client.get("/near/", {"lon": 100.0, "lat": 20.0})
    assert resp.status_code == 200
    assert "附近没有可步行的道路" in resp.content.decode() and resp.context["result"] is None


def test_isochrone_and_route_json(client, hsds_world):
    lon, lat = lonlat(275, 25)
    normal = client.get("/near.json", {"lon": lon, "lat": lat}).json()
    elderly = client.get("/near.json", {"lon": lon, "lat": lat, "elderly": "1"}).json()
    assert normal["isochrone"]["type"] in ("Polygon", "MultiPolygon")
    assert elderly["area_m2"] < normal["area_m2"]
    assert normal["limit_m"] == 1000.0 and elderly["limit_m"] == 750.0
    route = client.get(
        "/route.json", {"lon": lon, "lat": lat, "facility": hsds_world.fDay.pk}
    ).json()
    assert route["metres"] == 550.0
    coords = route["route"]["coordinates"]
    assert coords[0] == [round(lon, 6), round(lat, 6)]
    assert coords[-1] == [round(hsds_world.fDay.lon, 6), round(hsds_world.fDay.lat, 6)]
    far = client.get("/route.json", {"lon": lon, "lat": lat, "facility": hsds_world.fB1.pk})
    assert far.status_code == 404
    assert client.get("/near.json", {"lon": "x"}).status_code == 400
    # off the streets: the walking area from the nearest walkable place
    off = client.get("/near.json", dict(zip(("lon", "lat"), lonlat(275, -2000), strict=True)))
    assert off.status_code == 200 and abs(off.json()["moved_m"] - 2025) < 5
    assert off.json()["from"] == [round(lon, 6), round(lat, 6)]
    assert client.get("/near.json", {"lon": 110, "lat": 30}).status_code == 404


def test_network_json_for_the_vector_map(client, hsds_world):
    w, s = lonlat(0, 0)
    e, n = lonlat(110, 60)
    body = client.get("/network.json", {"bbox": f"{w},{s},{e},{n}"}).json()
    # nodes (25,25) and (75,25) inside: edges touching them: 2 + 3 - 1 shared = 4
    assert len(body["coordinates"]) == 4 and body["too_large"] is False
    assert client.get("/network.json", {"bbox": "1,2"}).status_code == 400


def test_catalogue_filters_and_escaping(client, hsds_world):
    def names(**params):
        resp = client.get("/catalogue/", params)
        assert resp.status_code == 200
        return sorted(s.name for s, _open, _cert in resp.context["services"])

    assert names() == ["<b>特价</b>理发", "家政服务", "社区课堂", "送药上门"]
    assert names(category="public") == ["社区课堂"]
    assert names(item="shop.pharmacy") == ["送药上门"]
    assert names(method="home_visit") == ["送药上门"]
    assert names(method="appointment") == ["社区课堂"]
    assert names(street=hsds_world.B1.pk) == ["家政服务"]
    assert names(community=hsds_world.a1y.pk) == ["社区课堂"]
    assert names(q="送藥") == ["送药上门"]
    assert names(q="english") == ["社区课堂"]
    assert names(q="ＡＢＣ") == ["社区课堂"]
    # English and traditional names of the standard's items find services filed under them
    assert names(q="Pharmacy") == ["送药上门"]
    assert names(q="藥店") == ["送药上门"]
    assert names(q="hairdresser") == ["<b>特价</b>理发"]
    html = client.get("/catalogue/").content.decode()
    assert "<b>特价</b>" not in html and "&lt;b&gt;特价&lt;/b&gt;理发" in html
    assert "<script>alert(1)</script>" not in html


def test_provider_page_escapes_and_shows_status(client, hsds_world):
    resp = client.get(f"/providers/{hsds_world.pC.pk}/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;志愿队" in html
    assert "尚未认证" in html and "暂无公布的评价" in html
    a = client.get(f"/providers/{hsds_world.pA1.pk}/").content.decode()
    assert "送药上门" in a and "010-0001" in a and "免费" in a
    assert client.get("/providers/999999/").status_code == 404


def test_community_card_nearest_per_item(client, hsds_world):
    resp = client.get(f"/community/{hsds_world.a1x.pk}/card/")
    assert resp.status_code == 200
    card = resp.context["card"]
    rows = {r.code: r for r in card.rows}
    assert sorted(rows) == ["room.daycare", "shop.pharmacy"]
    # a1x's centre (250, 250) is 25 m from four streets; it snaps to the first found (y = 225)
    # and walks 25 m along it and 50 m up x = 275 to the pharmacy at (275, 275)
    assert rows["shop.pharmacy"].hit.facility.name == "长安药房"
    assert rows["shop.pharmacy"].hit.metres == pytest.approx(100.0, abs=0.05)
    assert "卫生服务站" in card.missing and len(card.missing) == 28
    html = resp.content.decode()
    assert "<svg" in html and "便民服务卡" in html
    assert "96156" in html and "12345" in html  # the hotline and the supervision phone
    assert "15 分钟步行范围内暂无" in html and "周一至周五 8:30–17:30" in html


def test_card_pdf_has_real_chinese_glyphs(client, hsds_world):
    resp = client.get(f"/community/{hsds_world.a1x.pk}/card.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    pdf = resp.content
    assert pdf.startswith(b"%PDF")
    text, distinct = pdf_glyphs_distinct(pdf, "便民服务卡")
    assert "南北长街社区" in text
    assert distinct == 5
    assert pdf_pages(pdf) == [(595, 842)]  # one A4 page (points)


def test_handbook_is_several_pages(client, hsds_world):
    resp = client.get(f"/community/{hsds_world.a1x.pk}/handbook.pdf")
    # the cover, a chapter per category with places or services within reach (public: 社区课堂;
    # convenience: the pharmacy; other facilities: the day-care room), the overview
    assert pdf_pages(resp.content) == [(595, 842)] * 5
    html = client.get(f"/community/{hsds_world.a1x.pk}/handbook/").content.decode()
    assert "服务手册" in html


def test_pages_without_a_network_still_answer(client, db):
    from tests.platform.conftest import build_world

    world = build_world()
    resp = client.get("/near/", {"q": "东华门社区"})
    assert resp.status_code == 200 and "尚未导入步行路网" in resp.content.decode()
    assert client.get(f"/community/{world.b1x.pk}/card/").status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/near/",
        "/catalogue/",
        "/community/",
    ],
)
def test_page_weight_small(client, hsds_world, url):
    # HTML of the page itself (the map library is a static file, cached after the first visit)
    html = client.get(url).content
    assert len(html) < 60_000
    assert not re.search(rb"https?://(?!testserver)[^\"' ]+\.(js|css)", html)


def test_english_alongside(client, hsds_world):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        html = near(client, 275, 25).content.decode()
        body = client.get("/api/hsds/services?page=0").json()
    assert "Standard items not within walking reach" in html
    assert "Within 15 minutes of home" in html
    assert body["error"]["message"] == "Parameter page must be between 1 and 1000000"


@pytest.mark.parametrize("capacity", [4, 1 << 18])
def test_local_search_equals_the_engine_search(capacity):
    """Same distances as the engine's bounded search on a perturbed grid with missing links,
    also when the buffers start too small (the search grows them and runs again)."""
    from benchmarks.gen import grid_network

    from quarterhour.engine._kernels import bounded_distances
    from quarterhour.engine.graph import routing_graph
    from quarterhour.engine.point_search import LocalSearch

    net = grid_network(2500, seed=4)
    graph, _ = routing_graph(net, [])
    search = LocalSearch(net.n_nodes, capacity=capacity)
    rng = np.random.default_rng(9)
    for _ in range(25):
        e = int(rng.integers(0, net.n_edges))
        a = float(rng.uniform(0, net.edge_length_m[e]))
        off = float(rng.uniform(0, 40))
        src = np.array([net.edge_u[e], net.edge_v[e]], dtype=np.int32)
        src_d = np.array([off + a, off + net.edge_length_m[e] - a])
        expected = np.empty(net.n_nodes)
        bounded_distances(graph.indptr, graph.indices, graph.weights, src, src_d, 700.0, expected)
        nodes, values, seen = search.run(
            graph.indptr, graph.indices, graph.weights, src, src_d, 700.0, lambda d: d.copy()
        )
        got = np.full(net.n_nodes, np.inf)
        got[nodes] = values
        assert np.array_equal(np.isfinite(got), np.isfinite(expected))
        assert np.array_equal(got, expected)
        assert np.array_equal(seen, expected)  # the full array handed to the reader
    # the buffers are clean again after every run
    dist = search._local.buf[0]
    assert np.isinf(dist).all()


def test_certified_provider_is_marked(client, hsds_world):
    import datetime as dt

    from quarterhour.platform.certification.models import Certification, State

    now = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    Certification.objects.create(
        provider=hsds_world.pA1,
        community=hsds_world.a1x,
        state=State.CERTIFIED,
        category="convenience",
        item_codes=["shop.pharmacy"],
        hotline="010-0001",
        applied_at=now,
        certified_at=now,
    )
    html = client.get(f"/providers/{hsds_world.pA1.pk}/").content.decode()
    assert "★ 认证服务商" in html and "2026-03-01" in html
    listing = client.get("/catalogue/", {"q": "送药"})
    assert [(s.name, cert) for s, _open, cert in listing.context["services"]] == [
        ("送药上门", True)
    ]
