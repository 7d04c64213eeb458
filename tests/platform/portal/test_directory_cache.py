"""The public directory's caches (HSDS answers, catalogue lists, near-me records, facility
snaps) under the directory's data version: a hit costs one query, any edit is seen on the next
request, query-parameter order does not matter, and the near-me pruning by straight-line
distance gives exactly the answer of looking at every facility."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from quarterhour.platform.catalogue.models import Provider, Service
from quarterhour.platform.catalogue.services import provider_update, service_update
from quarterhour.platform.core.searchtext import search_text
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.facilities.services import facility_create, facility_update
from quarterhour.platform.portal import walking
from quarterhour.platform.web.pagecache import directory_version
from tests.platform.helpers import lonlat


def _names(client, url: str) -> list[str]:
    resp = client.get(url)
    assert resp.status_code == 200, resp.content[:300]
    return [s["name"] for s in json.loads(resp.content)["contents"]]


def test_hsds_answer_is_cached_until_the_directory_changes(client, hsds_world, page_cache):
    city = hsds_world.users["city"]
    url = "/api/hsds/services?per_page=100"
    first = _names(client, url)
    assert "社区课堂" in first
    with CaptureQueriesContext(connection) as hit:
        assert _names(client, url) == first
    assert len(hit) == 1  # the directory's version; the answer comes from the cache
    service_update(actor=city, service=hsds_world.sDay, name="社区课堂（周末班）")
    after = _names(client, url)
    assert "社区课堂（周末班）" in after and "社区课堂" not in after


def test_hsds_cache_key_ignores_parameter_order_and_keeps_errors_uncached(
    client, hsds_world, page_cache
):
    a = client.get("/api/hsds/services?per_page=2&page=2").content
    with CaptureQueriesContext(connection) as hit:
        b = client.get("/api/hsds/services?page=2&per_page=2").content
    assert a == b and len(hit) == 1
    for _ in range(2):  # a bad parameter is answered afresh each time, never cached
        bad = client.get("/api/hsds/services?page=0")
        assert bad.status_code == 400
        assert json.loads(bad.content)["error"]["code"]


def test_hsds_search_uses_folded_text(client, hsds_world, page_cache):
    # traditional characters, full-width Latin letters and upper case all find the service
    assert _names(client, "/api/hsds/services?search=社區課堂") == ["社区课堂"]
    assert _names(client, "/api/hsds/services?search=ＡＢＣ") == ["社区课堂"]  # description
    city = hsds_world.users["city"]
    provider_update(actor=city, provider=hsds_world.pA1, name="長安便民服務中心")
    found = _names(client, "/api/hsds/services?search=长安便民服务中心")
    assert "社区课堂" in found  # by its provider's (new, folded) name


def test_search_text_is_kept_by_every_write(hsds_world):
    city = hsds_world.users["city"]
    svc = service_update(actor=city, service=hsds_world.sDay, description="Ｙｏｇａ 課程")
    assert Service.objects.get(pk=svc.pk).search_text == search_text("社区课堂", "Ｙｏｇａ 課程")
    assert "yoga 课程" in Service.objects.get(pk=svc.pk).search_text
    p = Provider.objects.get(pk=hsds_world.pA1.pk)
    p.name = "東城"
    p.save(update_fields=["name"])  # saving some fields still refreshes the folded text
    assert Provider.objects.get(pk=p.pk).search_text.startswith("东城")
    f = facility_update(actor=city, facility=hsds_world.fDay, address="北長街 8 號")
    assert "北长街 8 号" in Facility.objects.get(pk=f.pk).search_text


def _near_names(client, x: float, y: float) -> list[str]:
    lon, lat = lonlat(x, y)
    resp = client.get("/near/", {"lon": lon, "lat": lat})
    assert resp.status_code == 200
    return [h.facility.name for h in resp.context["result"].hits]


def test_near_me_sees_edits_on_the_next_request(client, hsds_world, page_cache):
    city = hsds_world.users["city"]
    assert _near_names(client, 275, 25) == ["长安药房", "日间照料室"]
    version = directory_version()
    lon, lat = lonlat(325, 25)
    fac = facility_create(
        actor=city,
        key="test:kiosk",
        name="便民早餐亭",
        lon=lon,
        lat=lat,
        community=hsds_world.a1y,
        item_codes=["shop.post"],
    )
    assert directory_version() != version
    assert _near_names(client, 275, 25) == ["便民早餐亭", "长安药房", "日间照料室"]
    facility_update(actor=city, facility=fac, name="早餐亭")
    assert _near_names(client, 275, 25)[0] == "早餐亭"
    facility_update(actor=city, facility=fac, is_active=False)
    assert _near_names(client, 275, 25) == ["长安药房", "日间照料室"]


@pytest.mark.parametrize("limit", [100.0, 550.0, 750.0, 1000.0, 2500.0])
def test_pruning_by_straight_distance_changes_nothing(hsds_world, limit):
    data = walking.walk_data()
    # the test grid's lengths are its nominal 50 m: within 0.2 % of the projected distances
    assert 1.0 <= data.stretch < 1.002
    everything = dataclasses.replace(data, stretch=float("inf"))  # looks at every facility
    for x in range(0, 2001, 125):
        for y in (25, 275, 600):
            lon, lat = lonlat(x, y)
            pruned = walking.reach_from(data, lon, lat, limit_m=limit)
            full = walking.reach_from(everything, lon, lat, limit_m=limit)
            assert pruned.facility_m == full.facility_m


def test_catalogue_lists_are_cached_and_see_edits(client, hsds_world, page_cache):
    url = "/catalogue/?item=room.daycare"
    assert "社区课堂" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as hit:
        again = client.get(url).content.decode()
    assert "社区课堂" in again
    # a hit reads the version (and the page's own street list), not the lists
    assert not any('"catalogue_service"' in q["sql"] for q in hit.captured_queries)
    service_update(actor=hsds_world.users["city"], service=hsds_world.sDay, name="长者课堂")
    html = client.get(url).content.decode()
    assert "长者课堂" in html and "社区课堂" not in html


def test_cached_catalogue_marks_turn_when_a_listed_place_closes(client, hsds_world, page_cache):
    from unittest import mock

    from django.utils import timezone

    # 送药上门 at the pharmacy: weekdays 08:30–17:30 (the world's hours); Monday 23 Nov 2026
    tz = timezone.get_current_timezone()
    url = "/catalogue/?item=shop.pharmacy"

    def page_at(hour: int, minute: int) -> str:
        when = dt.datetime(2026, 11, 23, hour, minute, tzinfo=tz)
        with mock.patch("django.utils.timezone.now", return_value=when):
            html = client.get(url).content.decode()
        return html.split('id="services"')[1].split("</section>")[0]

    assert 'class="open"' in page_at(17, 0)
    assert 'class="open"' in page_at(17, 29)  # from the cache: nothing has closed yet
    closed = page_at(17, 31)  # the cached lists expired at 17:30
    assert 'class="open"' not in closed and 'class="closed"' in closed


def test_cached_catalogue_page_has_no_token_and_sets_no_cookie(hsds_world, page_cache):
    from django.test import Client

    url = "/catalogue/?item=room.daycare"
    pages = []
    for _ in range(2):  # the first fills the cache, the second is answered from it
        c = Client(enforce_csrf_checks=True)
        resp = c.get(url)
        html = resp.content.decode()
        assert "csrfmiddlewaretoken" not in html and "__qh-csrf-token__" not in html
        assert not resp.cookies and not c.cookies
        pages.append(html)
        # the language switch works without a token (web/language.py)
        resp = c.post("/i18n/setlang/", {"language": "en", "next": url})
        assert resp.status_code == 302 and resp.headers["Location"] == url
        english = c.get(url).content.decode()  # the English page, cached under its language
        assert 'value="zh-hans">中文' in english and "__qh-csrf-token__" not in english
    assert pages[0] == pages[1]


def test_a_signed_in_header_is_never_kept_for_anonymous_visitors(hsds_world, page_cache):
    """The header differs for the signed in (我的) and everyone else (居民登录): the page kept
    for one is never served to the other, whichever asked first."""
    from django.test import Client

    url = "/catalogue/?item=room.daycare"
    signed_in = Client()
    signed_in.force_login(hsds_world.users["city"])
    for _ in range(2):  # the first of each fills the cache, the second is answered from it
        mine = signed_in.get(url).content.decode()
        assert 'id="my-home"' in mine and 'id="resident-login"' not in mine
        anonymous = Client().get(url).content.decode()
        assert 'id="resident-login"' in anonymous and 'id="my-home"' not in anonymous


def test_near_me_reads_facility_by_facility_beyond_the_whole_register_limit(
    client, hsds_world, page_cache, monkeypatch
):
    from quarterhour.platform.portal import directory

    monkeypatch.setattr(directory, "READ_ALL_UP_TO", 0)  # a register "too large" to read whole
    city = hsds_world.users["city"]
    assert _near_names(client, 275, 25) == ["长安药房", "日间照料室"]
    assert _near_names(client, 1775, 25) == ["东华门卫生站"]  # read when first asked for
    facility_update(actor=city, facility=hsds_world.fDay, name="日间照料中心")
    assert _near_names(client, 275, 25) == ["长安药房", "日间照料中心"]


@settings(max_examples=500, deadline=None)
@given(
    # walking metres and minutes (floatformat prints sub-1e-6 values in scientific notation)
    st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
    | st.sampled_from([0.0, 0.5, 2.5, 3.75, 8.25])
)
def test_whole_numbers_read_as_the_templates_floatformat_shows_them(x):
    from django.template.defaultfilters import floatformat

    from quarterhour.platform.portal.selectors import _whole

    assert _whole(x) == floatformat(x, 0)


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"', "", html)


def test_near_me_page_is_kept_and_answers_the_same(client, hsds_world, page_cache, settings):
    lon, lat = lonlat(275, 25)
    url = f"/near/?lon={lon}&lat={lat}"
    pages = settings.CACHES["pages"]
    settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != "pages"}
    fresh = client.get(url).content.decode()  # no cache configured: rendered afresh
    settings.CACHES = {**settings.CACHES, "pages": pages}
    first = client.get(url)
    with CaptureQueriesContext(connection) as hit:
        again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert (
        "长安药房" in again.content.decode() and "__qh-csrf-token__" not in again.content.decode()
    )
    assert _without_token(fresh) == _without_token(first.content.decode())
    assert _without_token(again.content.decode()) == _without_token(first.content.decode())
    # a kept answer reads the directory's version only, not the facilities
    assert not any('"facilities_facility"' in q["sql"] for q in hit.captured_queries)


def test_kept_near_me_marks_turn_when_a_listed_place_closes(client, hsds_world, page_cache):
    from unittest import mock

    from django.utils import timezone

    # the pharmacy (长安药房): weekdays 08:30–17:30 (the world's hours); Monday 23 Nov 2026
    tz = timezone.get_current_timezone()
    lon, lat = lonlat(275, 25)
    url = f"/near/?lon={lon}&lat={lat}"

    def line_at(hour: int, minute: int) -> str:
        when = dt.datetime(2026, 11, 23, hour, minute, tzinfo=tz)
        with mock.patch("django.utils.timezone.now", return_value=when):
            html = client.get(url).content.decode()
        return html.split('<strong class="place">长安药房</strong>')[1].split("</li>")[0]

    assert 'class="open"' in line_at(17, 0)
    assert 'class="open"' in line_at(17, 29)  # kept: nothing listed has closed yet
    closed = line_at(17, 31)  # the kept page expired at 17:30
    assert 'class="open"' not in closed and 'class="closed"' in closed


def test_near_me_is_not_kept_for_signed_in_users(client, hsds_world, page_cache):
    lon, lat = lonlat(275, 25)
    url = f"/near/?lon={lon}&lat={lat}"
    assert 'id="resident-login"' in client.get(url).content.decode()
    client.force_login(hsds_world.users["city"])
    html = client.get(url).content.decode()
    assert 'id="my-home"' in html and 'id="resident-login"' not in html
