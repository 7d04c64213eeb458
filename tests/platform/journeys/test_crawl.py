"""The crawl: for each demo account (and for someone not logged in), start at the home and follow
every same-site link the pages offer, breadth first, and check every answer.

Checked on every page: the answer is below 400; HTML pages carry the Content-Security-Policy
header and have no inline script, inline event handler or style attribute; no link leads into
the Django admin; on Chinese (zh-hans) pages no raw code (dotted item codes like ``shop.food``,
snake_case codes like ``meeting_approve``, bracketed codes like ``[staff_only]``, OSM ids), no
English-only sentence and no template error. Downloads (PDF, spreadsheets, JSON …) are asked
with HEAD only. Logout and the language switch are never followed (they are forms anyway).

Bounded: at most :data:`MAX_PAGES` pages per account, and :data:`PER_PATTERN` pages of one
pattern (a path with its numbers taken out and its query's names), so a long list of circles
costs two visits, not two hundred.

When it finds problems it fails with the full list of offenders, one line per page and kind of
problem (every finding, the accounts that met it, the pages linking there), so each engineer can
find theirs.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pytest

from tests.platform.journeys.conftest import PASSWORD

ACCOUNTS = [
    None,  # not logged in
    "demo-city",
    "demo-district",
    "demo-street",
    "demo-street2",
    "demo-community",
    "demo-community2",
    "demo-provider",
    "demo-resident",
    "demo-resident2",
    "demo-elder",
]
MAX_PAGES = 120
PER_PATTERN = 2
DOWNLOADS = (".pdf", ".xlsx", ".xls", ".csv", ".json", ".xml", ".zip", ".png", ".svg", ".geojson")
NEVER = ("/accounts/logout/", "/i18n/")

# -- what a Chinese page must not show -----------------------------------------------------------

CJK = re.compile(r"[\u3400-\u9fff]")
#: dotted codes (shop.food, station.health); file and host names (near.js, example.org, a
#: two-letter country domain) are not codes
DOTTED = re.compile(r"\b[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+\b")
NOT_CODES = re.compile(
    r"\.(?:[a-z]{2}|org|com|net|gov|edu|info|js|css|json|xml|pdf|xlsx|csv|png|svg|html?)$|^e\.g$"
)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
BRACKETED = re.compile(r"\[[a-z_][a-z0-9_.:-]*\]")
OSM_ID = re.compile(r"\bosm:(?:node|way|relation)/\d+")
#: three or more Latin words in a piece of text without any Chinese …
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[\s,;:'’-]+[A-Za-z]{2,}){2,}")
#: … that read as a sentence (a place's name, "Fazer Food Market", is not one): ending like a
#: sentence, or with the words a sentence of an interface has
SENTENCE_END = re.compile(r"[A-Za-z]{2,}(?:\s+\S+){3,}[.!?]$")
SENTENCE_WORDS = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|not|no|please|must|can|cannot|will|should|"
    r"you|your|this|these|there|here|enter|select|required|invalid|found)\b"
)
#: names and notices that stay in their own language on a Chinese page
ENGLISH_ALLOWED = ("OpenStreetMap contributors", "HSDS API", "Open311")
JAVASCRIPT_TYPES = {"text/javascript", "application/javascript", "module", ""}
TEMPLATE_ERROR = re.compile(
    r"\{\{|\}\}|\{%|%\}|%\([a-z_]+\)s|\bTraceback\b|TemplateSyntaxError|\bNone\b"
)


@dataclass
class Offence:
    account: str
    url: str
    what: str
    detail: str
    linked_from: str

    def __str__(self) -> str:
        return (
            f"[{self.account}] {self.url} — {self.what}: {self.detail}"
            f"  (linked from {self.linked_from})"
        )


class Page(HTMLParser):
    """Links, visible text pieces and inline-script findings of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self.inline: list[str] = []
        self.lang = ""
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag in ("script", "style", "template"):
            self._hidden += 1
            # a JSON data block (json_script) is never run: only scripts of a JavaScript type
            runs = (a.get("type") or "text/javascript").lower() in JAVASCRIPT_TYPES
            if tag == "script" and not a.get("src") and runs:
                self.inline.append("inline <script>")
            if tag == "style":
                self.inline.append("<style> element")
        for name, _value in attrs:
            if name.startswith("on"):
                self.inline.append(f"inline handler {name}= on <{tag}>")
            if name == "style":
                self.inline.append(f"style attribute on <{tag}>")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)


def text_offences(texts: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for text in texts:
        found += [("bracketed code", m.group()) for m in BRACKETED.finditer(text)]
        text = BRACKETED.sub(" ", text)
        for m in DOTTED.finditer(text):
            if not NOT_CODES.search(m.group()):
                found.append(("raw code", m.group()))
        found += [("raw code", m.group()) for m in SNAKE.finditer(text)]
        found += [("OSM id", m.group()) for m in OSM_ID.finditer(text)]
        found += [("template error", m.group()) for m in TEMPLATE_ERROR.finditer(text)]
        if CJK.search(text) or any(a in text for a in ENGLISH_ALLOWED):
            continue
        if ENGLISH.search(text) and (SENTENCE_END.search(text) or SENTENCE_WORDS.search(text)):
            found.append(("English-only sentence", text[:120]))
    return found


def pattern(url: str) -> str:
    parts = urlsplit(url)
    names = sorted({q.split("=")[0] for q in parts.query.split("&") if q})
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(names) if names else "")


@dataclass
class Crawl:
    base: str
    account: str
    client: httpx.Client
    offences: list[Offence] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    visits: int = 0

    def offend(self, url: str, what: str, detail: str, linked_from: str) -> None:
        self.offences.append(Offence(self.account, url, what, detail, linked_from))

    def same_site(self, href: str, page_url: str) -> str | None:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            return None
        url, _frag = urldefrag(urljoin(page_url, href))
        if not url.startswith(self.base + "/"):
            return None
        return url

    def run(self, start: str) -> None:
        queue: deque[tuple[str, str]] = deque([(start, "(start)")])
        per_pattern: dict[str, int] = {}
        while queue and self.visits < MAX_PAGES:
            url, origin = queue.popleft()
            path = url[len(self.base) :]
            if url in self.seen:
                continue
            self.seen.add(url)
            if path.startswith("/admin/"):
                self.offend(path, "link into the Django admin", path, origin)
                continue
            if path.startswith(NEVER):
                continue
            key = pattern(path)
            if per_pattern.get(key, 0) >= PER_PATTERN:
                continue
            per_pattern[key] = per_pattern.get(key, 0) + 1
            self.visits += 1
            for link in self.visit(url, path, origin):
                queue.append((link, path))

    def visit(self, url: str, path: str, origin: str) -> list[str]:
        if urlsplit(path).path.lower().endswith(DOWNLOADS) or path.startswith("/static/"):
            response = self.client.head(url)
            if response.status_code == 405:  # a view that answers GET only
                response = self.client.get(url)
            if response.status_code >= 400:
                self.offend(path, f"answers {response.status_code}", "download", origin)
            return []
        response = self.client.get(url)
        if response.is_redirect:
            target = urljoin(url, response.headers["location"])
            return [target] if target.startswith(self.base + "/") else []
        if response.status_code >= 400:
            self.offend(path, f"answers {response.status_code}", "", origin)
            return []
        if "text/html" not in response.headers.get("content-type", ""):
            return []
        if "content-security-policy" not in response.headers:
            self.offend(path, "no Content-Security-Policy header", "", origin)
        parsed = Page()
        parsed.feed(response.text)
        for finding in sorted(set(parsed.inline)):
            self.offend(path, "inline script or style", finding, origin)
        if parsed.lang == "zh-hans":
            for what, detail in sorted(set(text_offences(parsed.texts))):
                self.offend(path, what, detail, origin)
        links = [self.same_site(h, url) for h in parsed.links]
        return [u for u in links if u]


def log_in(client: httpx.Client, base: str, username: str) -> str:
    """Log in through the login form; returns where the login sent the person (their home)."""
    form = client.get(base + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, "no login form"
    response = client.post(
        base + "/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": PASSWORD,
        },
        headers={"Referer": base + "/accounts/login/"},
    )
    assert response.status_code == 302, f"{username} could not log in ({response.status_code})"
    return urljoin(base + "/", response.headers["location"])


def test_every_link_of_every_role_answers_and_speaks_chinese(demo):
    offences: list[Offence] = []
    visits: dict[str, int] = {}
    for username in ACCOUNTS:
        with httpx.Client(timeout=60, cookies={"django_language": "zh-hans"}) as client:
            start = demo.url + "/" if username is None else log_in(client, demo.url, username)
            crawl = Crawl(demo.url, username or "anonymous", client)
            crawl.run(start)
            offences += crawl.offences
            visits[crawl.account] = crawl.visits
    print(f"\npages visited per account: {visits}")
    report = grouped(offences)
    print(f"{len(report)} offending page(s) and problem(s):")
    for line in report:
        print(line)
    assert all(n >= 3 for n in visits.values()), visits  # the crawl did crawl
    assert not offences, f"{len(report)} offending pages and problems (listed above)"


def grouped(offences: list[Offence]) -> list[str]:
    """One line per page and kind of problem: which accounts, every finding, where linked from."""
    groups: dict[tuple[str, str], list[Offence]] = {}
    for o in offences:
        groups.setdefault((o.url, o.what), []).append(o)
    lines = []
    for (url, what), found in sorted(groups.items()):
        accounts = sorted({o.account for o in found})
        details = sorted({o.detail for o in found if o.detail})
        origins = sorted({o.linked_from for o in found})
        lines.append(
            f"{url} — {what}"
            + (f" ×{len(details)}: {', '.join(details)}" if details else "")
            + f"  [accounts: {', '.join(accounts)}; linked from {', '.join(origins)}]"
        )
    return lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("服务项目：shop.food", [("raw code", "shop.food")]),
        ("操作：meeting_approve", [("raw code", "meeting_approve")]),
        ("无权访问 [staff_only]", [("bracketed code", "[staff_only]")]),
        ("位置 osm:node/123", [("OSM id", "osm:node/123")]),
        ("No results were found", [("English-only sentence", "No results were found")]),
        ("This field is required.", [("English-only sentence", "This field is required.")]),
        ("Bank bar and bistro", []),
        ("Fazer Food Market", []),
        ("网站 hair911.fi", []),
        ("负责人：None", [("template error", "None")]),
        ("地图数据 © OpenStreetMap contributors (ODbL)", []),
        ("详见 example.org 与 near.js", []),
        ("演示便民服务社 15 元", []),
    ],
)
def test_the_crawls_text_checks(text, expected):
    assert text_offences([text]) == expected
