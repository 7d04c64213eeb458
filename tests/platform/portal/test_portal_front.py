"""The residents' portal as the front door: ``/`` offers near me, the catalogue, the cards,
notices, results and how to ask for help; old ``/portal/`` addresses redirect; near me lists the
nearest few of each item under the standard's four categories (more on request), names places
without a name by item and place, reads hours as words with open-now, links phones, lists
resident units' rooms with their windows; a card for any address fits one A4 page (and an A6
front and back); no inline script or handler on any portal page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.platform.helpers import lonlat
from tests.platform.portal.helpers import hits, near, pdf_glyphs_distinct, pdf_pages

A4 = (595, 842)
A6 = (298, 420)


def test_front_door_offers_everything_a_resident_needs(client, hsds_world, settings):
    settings.QH_HOTLINE = "96156"
    settings.QH_SUPERVISION_PHONE = "010-6601 2345"
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "一刻钟社区服务圈" in html and "便民生活圈" not in html
    assert 'href="/near/"' in html and 'href="/catalogue/"' in html
    assert 'href="/certification/notices/"' in html and 'href="/evaluation/public/"' in html
    assert 'href="/requests/new/"' in html
    assert 'href="tel:96156"' in html and 'href="tel:010-6601 2345"' in html
    assert "工作人员登录" in html and "居民登录" in html and 'href="/accounts/login/"' in html
    # the search box's example is a community of the loaded data
    example = re.search(r'placeholder="如：([^"]+)"', html).group(1)
    assert example == "东华门社区"
    assert client.get("/near/", {"q": example}).context["point"] is not None
    # the four service categories of the standard, in words
    for label in ("社区公共服务", "志愿互助服务", "便民利民服务", "特色服务"):
        assert label in html


def test_demo_banner_and_my_page_link(client, hsds_world, settings):
    settings.QH_DEMO = True
    html = client.get("/near/").content.decode()
    assert 'class="demo-banner"' in html
    client.force_login(hsds_world.users["community"])
    html = client.get("/").content.decode()
    assert 'id="my-home"' in html and 'href="/home/"' in html and "居民登录" not in html


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/portal/", "/near/"),
        ("/portal/?lon=116.1&lat=39.9&elderly=1", "/near/?lon=116.1&lat=39.9&elderly=1"),
        ("/portal/catalogue/?item=shop.pharmacy", "/catalogue/?item=shop.pharmacy"),
        ("/portal/providers/7/", "/providers/7/"),
        ("/portal/communities/", "/community/"),
        ("/portal/communities/5/card.pdf", "/community/5/card.pdf"),
        ("/portal/near.json?lon=1&lat=2", "/near.json?lon=1&lat=2"),
        ("/portal//evil.example/x", "/evil.example/x"),  # never a protocol-relative redirect
        ("/portal/\\\\evil.example", "/evil.example"),
    ],
)
def test_old_portal_addresses_redirect_permanently(client, db, old, new):
    path, _, query = old.partition("?")
    resp = client.get(path, QUERY_STRING=query)
    assert resp.status_code == 301
    assert resp["Location"] == new


def _pharmacies(w, xs):
    from quarterhour.platform.facilities.models import Facility, FacilityItem

    made = []
    for i, x in enumerate(xs):
        lon, lat = lonlat(x, 25)
        f = Facility.objects.create(
            key=f"osm:node/{900 + i}",
            name=f"osm:node/{900 + i}" if i == 0 else f"药房{i}",
            lon=lon,
            lat=lat,
            community=w.a1x,
            address="" if i == 0 else f"南长街 {i + 10} 号",
            phone="010-6512 3456" if i == 0 else "",
            opening_hours=[{"days": [1, 2, 3, 4, 5], "opens": "08:00", "closes": "18:00"}],
        )
        FacilityItem.objects.create(facility=f, item_code="shop.pharmacy")
        made.append(f)
    return made


def test_nearest_three_of_each_item_and_more_on_request(client, hsds_world):
    _pharmacies(hsds_world, [125, 175, 375, 425, 475])
    resp = near(client, 275, 25)
    result = resp.context["result"]
    assert [b.code for b in result.blocks] == [
        "public",
        "volunteer",
        "convenience",
        "special",
        "other",
    ]
    row = next(r for b in result.blocks for r in b.items if r.code == "shop.pharmacy")
    assert len(row.hits) == 6 and len(row.listed) == 3 and row.more == 3
    html = resp.content.decode()
    assert "更多（还有 3 处）" in html
    assert html.count('class="hit"') == 4  # 3 pharmacies and the day-care room
    link = (
        re.search(r'href="\?([^"]*more=shop.pharmacy)[^"]*"', html).group(1).replace("&amp;", "&")
    )
    full = client.get("/near/?" + link)
    row = next(
        r for b in full.context["result"].blocks for r in b.items if r.code == "shop.pharmacy"
    )
    assert len(row.listed) == 6 and row.more == 0
    assert full.content.decode().count('class="hit"') == 7


def test_places_read_as_words(client, hsds_world):
    from quarterhour.platform.portal import selectors as sel

    nameless, *_rest = _pharmacies(hsds_world, [175])
    monday_noon = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    resp = near(client, 275, 25)
    html = resp.content.decode()
    # no id as a name: its item and its street instead
    assert "osm:node" not in html
    assert "药店 · 西长安街街道" in html
    assert "周一至周五 8:00–18:00" in html and "周一至周五 8:30–17:30" in html
    assert 'href="tel:01065123456"' in html and 'href="tel:010-1111"' not in html
    assert 'href="tel:0101111"' in html
    # open now, by the clock
    from quarterhour.platform.portal import walking

    result, _reach = sel.near_me(
        walking.walk_data(), *lonlat(275, 25), elderly=False, now=monday_noon
    )
    marks = {h.facility.pk: h.open_now for h in result.listed}
    assert marks[nameless.pk] is False  # 12:00 UTC is 20:00 in Beijing: closed
    assert "已休息" in result.listed[0].html or "营业中" in result.listed[0].html
    assert hits(resp)[0] == ("osm:node/900", 100.0)


def _room(w, *, x, y, windows):
    from quarterhour.platform.catalogue.models import Provider
    from quarterhour.platform.sharing.services import offer

    unit = Provider.objects.create(name="长安中学", street=w.A1, kind=Provider.Kind.RESIDENT_UNIT)
    lon, lat = lonlat(x, y)
    return offer(
        actor=w.users["street"],
        unit=unit,
        community=w.a1x,
        name="长安中学体育馆",
        kind="sports_ground",
        lon=lon,
        lat=lat,
        price="free",
        capacity=20,
        windows=windows,
    )


def test_resident_units_rooms_with_their_windows_and_a_booking_link(client, hsds_world):
    room = _room(
        hsds_world,
        x=475,
        y=25,
        windows=[
            {"weekday": d, "start": "18:00", "end": "21:00", "slot_minutes": 60} for d in (1, 3)
        ]
        + [{"weekday": 6, "start": "08:00", "end": "12:00", "slot_minutes": 0}],
    )
    far = _room(
        hsds_world, x=1975, y=925, windows=[{"weekday": 6, "start": "08:00", "end": "09:00"}]
    )
    resp = near(client, 275, 25)
    rooms = resp.context["rooms"]
    assert [(r.pk, round(r.metres)) for r in rooms] == [(room.pk, 200)]
    assert far.pk not in {r.pk for r in rooms}
    html = resp.content.decode().split('id="rooms"')[1]
    assert "长安中学体育馆" in html and "免费" in html and "运动场地" in html
    assert "周一、周三 18:00–21:00；周六 8:00–12:00" in html
    assert f'href="/sharing/{room.pk}/"' in html


def test_card_for_any_address_fits_one_a4_page_and_an_a6_front_and_back(
    client, hsds_world, settings
):
    settings.QH_SUPERVISION_PHONE = "010-6601 2345"
    _pharmacies(hsds_world, [125, 175, 375, 425, 475])
    lon, lat = lonlat(275, 25)
    page = client.get("/near/", {"lon": lon, "lat": lat})
    link = re.search(r'id="print-card" href="([^"]+)"', page.content.decode()).group(1)
    card = client.get(link.replace("&amp;", "&"))
    assert card.status_code == 200
    html = card.content.decode()
    assert "<svg" in html and "96156" in html and "010-6601 2345" in html
    assert "南北长街社区附近 · 西长安街街道" in html
    pdf_link = re.search(r'id="pdf-a4" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    a4 = client.get(pdf_link)
    assert a4["Content-Type"] == "application/pdf" and pdf_pages(a4.content) == [A4]
    text, distinct = pdf_glyphs_distinct(a4.content, "便民服务卡")
    assert distinct == 5
    for words in ("社区服务热线", "96156", "监督电话", "010-6601 2345", "药店", "步行"):
        assert words in text
    a6_link = re.search(r'id="pdf-a6" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    a6 = client.get(a6_link)
    assert pdf_pages(a6.content) == [A6, A6]


def test_card_pdf_fits_a_page_with_every_item_found(client, hsds_world):
    """The densest card: a place of every standard item within reach, long names and hours."""
    from quarterhour.platform.core import standard
    from quarterhour.platform.facilities.models import Facility, FacilityItem

    hours = [
        {"days": [1, 2, 3, 4], "opens": "07:30", "closes": "20:00"},
        {"days": [5], "opens": "07:30", "closes": "18:00"},
        {"days": [6], "opens": "10:00", "closes": "15:00"},
    ]
    for i, item in enumerate(standard.items()):
        lon, lat = lonlat(25 + 50 * (i % 10), 25 + 50 * (i // 10))
        f = Facility.objects.create(
            key=f"t:{i}",
            name=f"北京市西城区西长安街街道{item.name_zh}第{i}服务点",
            lon=lon,
            lat=lat,
            community=hsds_world.a1x,
            address=f"西长安街街道南北长街 {i} 号院 {i} 号楼一层",
            phone=f"010-6600 {i:04d}",
            opening_hours=hours,
        )
        FacilityItem.objects.create(facility=f, item_code=item.code)
    resp = client.get("/card.pdf", dict(zip(("lon", "lat"), lonlat(275, 75), strict=True)))
    assert pdf_pages(resp.content) == [A4]
    assert pdf_pages(client.get(f"/community/{hsds_world.a1x.pk}/card.pdf").content) == [A4]


PAGES = ["/", "/near/", "/catalogue/", "/community/"]


def test_no_inline_script_or_handler(client, hsds_world):
    lon, lat = lonlat(275, 25)
    urls = [
        *PAGES,
        f"/near/?lon={lon}&lat={lat}",
        f"/card/?lon={lon}&lat={lat}",
        f"/community/{hsds_world.a1x.pk}/",
        f"/community/{hsds_world.a1x.pk}/card/",
        f"/community/{hsds_world.a1x.pk}/handbook/",
        f"/providers/{hsds_world.pA1.pk}/",
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert not re.search(r"\sstyle\s*=", html), url
