"""The two busy staff pages: the community list (50 a page, street filter and search kept in the
page links) and the circle page, with the page-fragment cache keyed by the data version: fixed
query counts, fewer on a hit, permissions checked on every hit, and every edit seen at once."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quarterhour.platform.facilities.services import facility_create, facility_delete
from quarterhour.platform.geography.models import Circle, CircleMembership, Community, Street
from quarterhour.platform.geography.services import community_update
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleItemResult,
    CircleResult,
    WalkNetworkFile,
)
from quarterhour.platform.web.pagecache import data_version

ROW = re.compile(r"<tr><td>(\d{12})</td>")


def _street_of(world, n: int, *, code: str = "110102050000") -> Street:
    """A street of district A with ``n`` communities 样例000… and codes …050001…, one circle."""
    street = Street.objects.create(code=code, district=world.A, name="样例街道")
    circle = Circle.objects.create(code="S-1", name="样例服务圈", street=street)
    for c in range(n):
        com = Community.objects.create(
            code=f"{code[:9]}{c + 1:03d}",
            street=street,
            name=f"样例{c:03d}",
            centre_lon=116.37 + c * 0.001,
            centre_lat=39.91,
        )
        if c < 3:
            CircleMembership.objects.create(circle=circle, community=com, population_share=1)
    return street


def _main(content: bytes) -> str:
    html = content.decode()
    return html[html.index("<main>") : html.index("</main>")]


def _codes(html: str) -> list[str]:
    return ROW.findall(html)


def test_community_list_pages_of_50_with_links_that_keep_the_filters(client, world):
    street = _street_of(world, 120)
    client.force_login(world.users["district"])
    url = reverse("web:communities")
    # district A: its 3 communities + 120 of the new street = 123 → pages of 50, 50, 23
    first = client.get(url).content.decode()
    assert len(_codes(first)) == 50
    assert "1 / 3" in first and 'href="?page=2"' in first
    assert len(_codes(client.get(url, {"page": 3}).content.decode())) == 23
    assert len(_codes(client.get(url, {"page": 999}).content.decode())) == 23  # the last page
    # the street filter: 120 rows, the page links keep it
    second = client.get(url, {"street": street.pk, "page": 2}).content.decode()
    assert _codes(second) == [f"110102050{c:03d}" for c in range(51, 101)]
    assert f'href="?street={street.pk}&amp;page=3"' in second
    assert f'href="?street={street.pk}&amp;page=1"' in second
    assert f'<option value="{street.pk}" selected>样例街道</option>' in second
    # search by name (contains) and by code (prefix), kept in the links too
    by_name = client.get(url, {"q": "样例01"}).content.decode()
    assert _codes(by_name) == [f"110102050{c:03d}" for c in range(11, 21)]
    by_code = client.get(url, {"q": "1101020501", "street": street.pk}).content.decode()
    assert _codes(by_code) == [f"110102050{c:03d}" for c in range(100, 121)]
    assert "没有符合条件的社区" in client.get(url, {"q": "不存在"}).content.decode()
    many = client.get(url, {"q": "样例"}).content.decode()
    assert 'href="?q=%E6%A0%B7%E4%BE%8B&amp;page=2"' in many


def test_community_list_filter_never_widens_the_jurisdiction(client, world):
    client.force_login(world.users["street"])  # street A1 only
    html = client.get(reverse("web:communities"), {"street": world.B1.pk}).content.decode()
    assert _codes(html) == []
    options = re.findall(r'<option value="(\d+)"', html)
    assert options == [str(world.A1.pk)]


@pytest.mark.parametrize("n", [60, 180])
def test_community_list_query_counts_are_fixed(client, world, page_cache, n):
    street = _street_of(world, n)
    client.force_login(world.users["district"])
    url = reverse("web:communities")
    counts = []
    for params in ({"page": 2}, {"page": 2}, {"street": street.pk, "q": "样例"}):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        counts.append(len(ctx.captured_queries))
    # miss: session, user, memberships, version, count, rows (with results), streets;
    # hit: session, user, memberships, version
    assert counts == [7, 4, 7]


def test_community_list_without_the_cache_costs_six_queries(client, world):
    _street_of(world, 60)
    client.force_login(world.users["district"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("web:communities")).status_code == 200
    assert len(ctx.captured_queries) == 6


def test_the_cache_is_per_jurisdiction(client, world, page_cache):
    client.force_login(world.users["district"])
    assert "新街口社区" in client.get(reverse("web:communities")).content.decode()
    client.force_login(world.users["street"])
    html = client.get(reverse("web:communities")).content.decode()
    assert "南北长街社区" in html and "新街口社区" not in html


def test_circle_page_hit_costs_four_queries_and_serves_the_same_content(client, world, page_cache):
    client.force_login(world.users["street"])
    url = reverse("web:circle", args=[world.cA1.pk])
    with CaptureQueriesContext(connection) as miss:
        first = client.get(url)
    with CaptureQueriesContext(connection) as hit:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert _main(first.content) == _main(second.content)  # outside <main>: fresh CSRF tokens
    assert "长安药房" in second.content.decode() and "<svg" in second.content.decode()
    assert len(hit.captured_queries) == 4  # session, user, memberships, version
    assert len(miss.captured_queries) == 9  # + circle, members, facilities, items (no results yet)


def test_a_cached_circle_still_refuses_other_jurisdictions(client, world, page_cache):
    client.force_login(world.users["district"])
    url = reverse("web:circle", args=[world.cA2.pk])
    assert client.get(url).status_code == 200  # now cached
    client.force_login(world.users["community"])  # community a1x: not a member of cA2
    refused = client.get(url)
    assert refused.status_code == 403
    assert "新街口社区" not in refused.content.decode()
    assert client.get(reverse("web:circle", args=[999_999])).status_code == 404


def test_every_edit_changes_the_cached_circle_page(client, world, page_cache):
    officer = world.users["street"]
    client.force_login(officer)
    url = reverse("web:circle", args=[world.cA1.pk])

    def page() -> str:
        return client.get(url).content.decode()

    assert "南北长街社区" in page() and "尚未评估" in page()
    v0 = data_version()
    community_update(actor=officer, community=world.a1x, name="南北长街新社区")
    assert data_version() != v0
    assert "南北长街新社区" in page()
    fac = facility_create(
        actor=officer,
        key="test:new",
        name="长安新驿站",
        lon=world.a1y.centre_lon,
        lat=world.a1y.centre_lat,
        community=world.a1y,
        item_codes=["shop.post"],
    )
    html = page()
    assert "长安新驿站" in html and "服务设施（2）" in html
    facility_delete(actor=officer, facility=fac)
    html = page()
    assert "长安新驿站" not in html and "服务设施（1）" in html
    # a finished assessment: new result rows
    now = timezone.now()
    net = WalkNetworkFile.objects.create(name="n", path="none.npz")
    run = AssessmentRun.objects.create(
        street=world.A1,
        network=net,
        status="done",
        standard="beijing-2011",
        walk_minutes=15,
        speed_kmh=4,
        limit_m=1000,
        inputs_date=now,
        finished_at=now,
    )
    CircleResult.objects.create(
        run=run, circle=world.cA1, population=5000, items_required=2, items_met=1, missing=["x"]
    )
    CircleItemResult.objects.create(
        run=run, circle=world.cA1, item_code="shop.pharmacy", share=1.0, median_min=3.0, met=True
    )
    CircleItemResult.objects.create(
        run=run, circle=world.cA1, item_code="shop.post", share=0.0, met=False
    )
    html = page()
    assert "尚未评估" not in html and "1 / 2" in html


def test_each_language_has_its_own_cached_page(client, world, page_cache):
    client.force_login(world.users["street"])
    url = reverse("web:circle", args=[world.cA1.pk])
    assert "成员社区" in client.get(url).content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "成员社区" not in english and 'lang="en"' in english


def test_the_filters_speak_english_when_switched(client, world):
    client.force_login(world.users["street"])
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("web:communities"), {"q": "不存在"}).content.decode()
    assert "Name or code" in html and "No community matches." in html and ">All<" in html
