"""Near-me pages kept per process and answered by the middleware before the session, auth and
the rest (portal/kept.py): the same page and headers as the whole way, no token and no cookie
(the language switch takes none, sends back only to this site, and signed-in forms keep the
CSRF check), never for signed-in users, never stale, bounded; and the file cache that looks at
its folder's size only now and then (web/filecache.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client

from quarterhour.platform.facilities.services import facility_create
from quarterhour.platform.portal import kept
from tests.platform.helpers import lonlat


def _url(x: float = 275, y: float = 25) -> str:
    lon, lat = lonlat(x, y)
    return f"/near/?lon={lon}&lat={lat}"


def _early_only():
    """Fails the request if the view has to answer (the middleware should have)."""
    return mock.patch.object(kept, "answer", side_effect=AssertionError("answered by the view"))


def _body(resp) -> str:
    html = resp.content.decode()
    assert kept.CSRF_HOLE not in html and "csrfmiddlewaretoken" not in html
    return html


def test_a_kept_page_answered_early_is_the_whole_ways_page(hsds_world, page_cache, settings):
    url = _url()
    pages = settings.CACHES["pages"]
    settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != "pages"}
    fresh = Client().get(url)  # nothing kept anywhere: rendered through the whole stack
    settings.CACHES = {**settings.CACHES, "pages": pages}
    first = Client().get(url)  # rendered, kept, its headers learnt
    with _early_only():
        early = Client().get(url)
    assert fresh.status_code == first.status_code == early.status_code == 200
    # byte for byte: the page has no token, so it is the same for every anonymous visitor
    assert early.content == first.content == fresh.content
    assert "长安药房" in _body(early)
    # every header alike: the CSP, X-Frame-Options, Vary, Content-Language, lengths …
    assert dict(early.headers) == dict(first.headers) == dict(fresh.headers)
    assert "Content-Security-Policy" in early.headers
    assert early.headers["X-Frame-Options"] == "DENY"
    assert "Cookie" in early.headers["Vary"]  # the page depends on the language cookie
    assert early.headers["Content-Length"] == str(len(early.content))
    # no cookie at all: nothing on the page needs one
    assert dict(early.cookies) == dict(first.cookies) == dict(fresh.cookies) == {}


def test_the_language_switch_needs_no_token_and_sends_back_only_to_this_site(
    hsds_world, page_cache
):
    url = _url()
    Client().get(url)  # kept
    c = Client(enforce_csrf_checks=True)
    with _early_only():
        page = c.get(url)
    assert 'action="/i18n/setlang/"' in _body(page) and not c.cookies
    # the switch on the page, as the browser posts it: no token, and it works
    switched = c.post("/i18n/setlang/", {"language": "en", "next": url})
    assert switched.status_code == 302 and switched.headers["Location"] == url
    assert c.cookies["django_language"].value == "en"
    english = c.get(url)  # another language: its own page (kept under its own key)
    assert english.headers["Content-Language"] == "en"
    assert (
        'value="zh-hans">中文' in _body(english) and '<html lang="en">' in english.content.decode()
    )
    with _early_only():
        again = c.get(url)
    assert again.content == english.content
    back = c.post("/i18n/setlang/", {"language": "zh-hans", "next": url})
    assert back.status_code == 302 and c.cookies["django_language"].value == "zh-hans"
    assert '<html lang="zh-hans">' in c.get(url).content.decode()
    # only back to this site: anything else goes to the referring page here, else home
    for elsewhere in (
        "https://evil.example/near/",
        "//evil.example/near/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "/\\evil.example/",
    ):
        other = Client(enforce_csrf_checks=True)
        resp = other.post("/i18n/setlang/", {"language": "en", "next": elsewhere})
        assert resp.status_code == 302 and resp.headers["Location"] == "/", elsewhere
        resp = other.post(
            "/i18n/setlang/",
            {"language": "en", "next": elsewhere},
            HTTP_REFERER="http://testserver" + url,
        )
        assert resp.headers["Location"] == "http://testserver" + url, elsewhere
        resp = other.post(
            "/i18n/setlang/",
            {"language": "en", "next": elsewhere},
            HTTP_REFERER="https://evil.example/",
        )
        assert resp.headers["Location"] == "/", elsewhere
    # a language the site does not have sets nothing; a GET changes nothing
    odd = Client(enforce_csrf_checks=True)
    assert odd.post("/i18n/setlang/", {"language": "xx", "next": url}).status_code == 302
    assert odd.get("/i18n/setlang/", {"language": "en", "next": url}).status_code == 302
    assert "django_language" not in odd.cookies


def test_signed_in_forms_keep_the_csrf_check(hsds_world, page_cache):
    c = Client(enforce_csrf_checks=True)
    c.force_login(hsds_world.users["city"])
    assert c.post("/accounts/logout/").status_code == 403  # no token: refused
    html = c.get("/home/", follow=True).content.decode()
    token = re.search(
        r'action="/accounts/logout/"[^>]*>\s*<input[^>]*name="csrfmiddlewaretoken"', html
    )
    assert token is not None  # the log-out form still carries its token
    # and the language switch works for them too
    assert c.post("/i18n/setlang/", {"language": "en", "next": "/home/"}).status_code == 302
    assert c.cookies["django_language"].value == "en"


def test_english_pages_are_answered_early_with_english_headers(hsds_world, page_cache):
    url = _url()
    c = Client()
    c.cookies["django_language"] = "en"
    whole = c.get(url)
    with _early_only():
        early = c.get(url)
    assert dict(early.headers) == dict(whole.headers)
    assert early.headers["Content-Language"] == "en"
    assert _body(early) == _body(whole)
    assert "长安药房" in early.content.decode() and '<html lang="en">' in early.content.decode()


def test_signed_in_users_never_get_a_kept_page(client, hsds_world, page_cache):
    url = _url()
    Client().get(url)
    Client().get(url)  # kept, and answered early
    client.force_login(hsds_world.users["city"])
    with mock.patch.object(kept, "find", side_effect=AssertionError("looked up a kept page")):
        html = client.get(url).content.decode()
    assert 'id="my-home"' in html and 'id="resident-login"' not in html


def test_a_session_cookie_takes_the_whole_way(hsds_world, page_cache):
    url = _url()
    Client().get(url)
    c = Client()
    c.cookies["sessionid"] = "no-such-session"
    with mock.patch.object(kept.KeptNearMeMiddleware, "_early", side_effect=AssertionError):
        resp = c.get(url)
    assert resp.status_code == 200 and 'id="resident-login"' in resp.content.decode()


@pytest.mark.parametrize("max_age_ms", [0, 60_000])  # the version read every time / kept a while
def test_an_edit_or_a_place_closing_is_seen_by_the_early_answer(
    hsds_world, page_cache, settings, max_age_ms
):
    from django.utils import timezone

    settings.QH_DIRECTORY_VERSION_MAX_AGE_MS = max_age_ms

    url = _url()
    tz = timezone.get_current_timezone()

    # Monday 23 Nov 2026; the pharmacy (长安药房) keeps weekdays 08:30–17:30
    def line_at(hour: int, minute: int, *, early: bool) -> str:
        when = dt.datetime(2026, 11, 23, hour, minute, tzinfo=tz)
        with mock.patch("django.utils.timezone.now", return_value=when):
            if early:
                with _early_only():
                    html = Client().get(url).content.decode()
            else:
                html = Client().get(url).content.decode()
        return html.split('<strong class="place">长安药房</strong>')[1].split("</li>")[0]

    assert 'class="open"' in line_at(17, 0, early=False)
    assert 'class="open"' in line_at(17, 29, early=True)
    closed = line_at(17, 31, early=False)  # kept until 17:30: rendered again
    assert 'class="closed"' in closed and 'class="open"' not in closed
    assert 'class="closed"' in line_at(17, 40, early=True)
    # a place opening nearby (a new version of the directory): rendered again, then kept
    lon, lat = lonlat(325, 25)
    facility_create(
        actor=hsds_world.users["city"],
        key="test:kiosk",
        name="便民早餐亭",
        lon=lon,
        lat=lat,
        community=hsds_world.a1y,
        item_codes=["shop.post"],
    )
    assert "便民早餐亭" in Client().get(url).content.decode()
    with _early_only():
        assert "便民早餐亭" in Client().get(url).content.decode()


def test_the_directory_version_kept_a_while_is_never_older_than_its_age(
    hsds_world, settings, monkeypatch
):
    from quarterhour.platform.web import pagecache

    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(pagecache, "_recent", None)
    settings.QH_DIRECTORY_VERSION_MAX_AGE_MS = 250
    first = pagecache.recent_directory_version()
    assert first == pagecache.directory_version()
    # a write this process saves: seen at once
    lon, lat = lonlat(325, 25)
    facility_create(
        actor=hsds_world.users["city"],
        key="test:kiosk",
        name="便民早餐亭",
        lon=lon,
        lat=lat,
        community=hsds_world.a1y,
        item_codes=["shop.post"],
    )
    second = pagecache.recent_directory_version()
    assert second != first and second == pagecache.directory_version()
    # a history row written without signals (as another process's save is, seen from here):
    # not seen before the age …
    hist = hsds_world.fDay.history.model
    hist.objects.bulk_create([hist(**{**hist.objects.values().last(), "history_id": None})])
    now = pagecache.directory_version()
    assert now != second
    clock[0] += 0.249
    assert pagecache.recent_directory_version() == second
    clock[0] += 0.002  # … and from then on
    assert pagecache.recent_directory_version() == now
    settings.QH_DIRECTORY_VERSION_MAX_AGE_MS = 0  # read every time
    hist.objects.bulk_create([hist(**{**hist.objects.values().last(), "history_id": None})])
    assert pagecache.recent_directory_version() == pagecache.directory_version() != now


@pytest.mark.parametrize(
    "query",
    [
        "lon=116.3&lat=\x0b39.9",  # a control character: 400 from the whole way
        "lon=abc&lat=1",
        "lon=200&lat=100",
        "q=%00",
        "q=" + "长" * 500,
        "more=%ff%fe&lon=1",
    ],
)
def test_no_input_answers_500(hsds_world, page_cache, query):
    Client().get(_url())
    Client().get(_url())
    for _ in range(2):  # the second may be answered early when the first was kept
        resp = Client().get("/near/?" + query)
        assert resp.status_code in (200, 400), resp.content[:200]


def test_a_host_not_allowed_is_refused_early_too(hsds_world, page_cache, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    url = _url()
    Client().get(url)
    assert Client().get(url).status_code == 200
    assert Client().get(url, HTTP_HOST="evil.example").status_code == 400


def test_kept_pages_are_bounded_in_entries_and_bytes():
    store = kept.KeptPages(entries=3, max_bytes=100)
    for i in range(5):
        store.put(f"k{i}", kept.page(1e12, "x" * 10))
    assert len(store) == 3 and store.get("k0", 0) is None and store.get("k4", 0) is not None
    store.put("big", kept.page(1e12, "y" * 95))
    assert store.bytes <= 100 and store.get("big", 0) is not None
    store.put("too-big", kept.page(1e12, "z" * 101))  # larger than the whole store: not kept
    assert store.get("too-big", 0) is None
    assert store.get("big", 2e12) is None  # past its time: gone
    assert store.bytes == sum(p.size for p in store._pages.values())
    page = kept.page(1e12, f"<a>{kept.CSRF_HOLE}</a><b>{kept.CSRF_HOLE}</b>")
    assert page.needs_token and page.body("TOKEN") == b"<a>TOKEN</a><b>TOKEN</b>"
    assert not kept.page(1e12, "<a>no form</a>").needs_token


def test_the_file_cache_looks_at_its_folder_now_and_then(tmp_path: Path):
    from quarterhour.platform.web.filecache import FileCache

    looks = []

    class Counted(FileCache):
        def _list_cache_files(self) -> list[str]:
            looks.append(1)
            return super()._list_cache_files()

    cache = Counted(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 30, "CULL_EVERY": 5}})
    for i in range(100):
        cache.set(f"k{i}", i)
        # culled as Django culls (a third at a time) once it holds MAX_ENTRIES
        assert len(list(tmp_path.glob("*.djcache"))) <= 30
    assert len(looks) == 20  # every fifth store, not every store
    assert cache.get("k99") == 99
