"""No input answers 5xx, and a refused write changes nothing.

Every address the URL resolver knows (pages, forms, the Open311 and HSDS APIs, the admin) is
asked with GET and POST by several roles (anonymous, resident, community, street, district, city,
provider staff, superuser) with hostile values — NUL and other control characters, superscript
and Arabic-Indic digits, huge numbers (1e30, 1e400, 40 digits), NaN, impossible dates,
over-long text, unknown ids — in the address, the query string and the form. Field names come
from the templates and the views' own reads, so a new form is fuzzed without touching this file.

Two parts: a sweep (every address once per method with a hostile form, roles in turn) and a
hypothesis search over addresses × roles × fields × values. For a POST answered 4xx the row
count of every table (history tables included) must be as before. Each request runs in a
savepoint that is rolled back, so the examples do not pile data up.

Bounded for CI: ``QH_FUZZ_EXAMPLES`` (default 200) hypothesis examples, no per-example
deadline (the machine is shared); the whole module takes about two minutes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import quarterhour.platform
from quarterhour.platform.core.text import has_control
from quarterhour.platform.requests import services as rs
from quarterhour.platform.volunteers import services as vs
from tests.platform.meetings.helpers import convene
from tests.platform.requests.helpers import make_api_client, make_categories
from tests.platform.sharing.helpers import book, offer

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("QH_FUZZ_EXAMPLES", "200"))
ROLES = ("anonymous", "resident", "community", "street", "district", "city", "provider", "root")
#: tables a refused request may write to: login throttling, sessions
NOT_COUNTED = ("axes", "sessions")

HOSTILE = (
    "\x00",
    "a\x0bb",
    "\x1b[31m",
    "\x7f",
    "²",
    "١٢",
    "1e30",
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "-1",
    "0",
    "9" * 40,
    "99999999999",
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "0001-01-01",
    "2026-02-30",
    "25:61",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "",
    " ",
    "x" * 5000,
    "名" * 1200,
    "%00",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
)

#: the hostile values the control-character gate lets through (they reach the views)
PRINTABLE = tuple(v for v in HOSTILE if not has_control(v) and "%00" not in v)

PLATFORM = Path(quarterhour.platform.__file__).parent
_TEMPLATE_NAME = re.compile(r'name="([A-Za-z_][\w\[\]-]*)"')
_VIEW_READ = re.compile(
    r'(?:GET|POST|post|data|params|query|d)\.get(?:list)?\(\s*"([A-Za-z_][\w\[\]]*)"'
    r'|pages\.\w+\(\s*\w+,\s*"([a-z_]+)"'
    r'|== "([a-z_]+)"'
)


def _field_names() -> list[str]:
    names: set[str] = set()
    for html in PLATFORM.rglob("*.html"):
        names.update(_TEMPLATE_NAME.findall(html.read_text(encoding="utf-8")))
    for py in PLATFORM.rglob("views.py"):
        for groups in _VIEW_READ.findall(py.read_text(encoding="utf-8")):
            names.update(g for g in groups if g)
    for py in PLATFORM.rglob("*.py"):
        if py.parent.name in ("views", "web", "portal", "hsds", "open311"):
            for groups in _VIEW_READ.findall(py.read_text(encoding="utf-8")):
                names.update(g for g in groups if g)
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


FIELDS = _field_names()
_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _templates(patterns: Any = None, prefix: str = "") -> Iterator[str]:
    """Every address as a template with ``{name}`` for each parameter."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        part = str(p.pattern)
        if part.startswith("^") or part.endswith("$"):  # a regular expression
            part = _GROUP.sub(lambda m: "{" + m.group(1) + "}", part)
            part = part.lstrip("^").rstrip("$").replace("\\.", ".")
        else:
            part = _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", part)
        if isinstance(p, URLResolver):
            yield from _templates(p.url_patterns, prefix + part)
        elif isinstance(p, URLPattern) and not re.search(r"[\\^$()*+?\[\]|]", part):
            yield "/" + prefix + part


TEMPLATES = sorted(set(_templates()))
PAGES = [t for t in TEMPLATES if not t.startswith("/admin/")]
ADMIN = [t for t in TEMPLATES if t.startswith("/admin/")]
PARAMS = sorted({m for t in TEMPLATES for m in re.findall(r"\{(\w+)\}", t)})


def _counts() -> tuple[int, ...]:
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in NOT_COUNTED and m._meta.managed and not m._meta.proxy
    )
    q = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables)
    with connection.cursor() as cur:
        cur.execute(sql)
        return tuple(cur.fetchone())


@pytest.fixture
def scene(world: Any) -> dict[str, Any]:
    """The small world, with requests, an API client and the users by role."""
    cats = make_categories()
    make_api_client()
    req = rs.submit(
        actor=world.users["resident"],
        category=cats["repair"],
        channel="web",
        community=world.a1x,
        attributes={"what": "light"},
        description="演示：楼道灯坏了",
    )
    closed = rs.submit(
        actor=world.users["resident"],
        category=cats["noise"],
        channel="web",
        community=world.a1x,
        description="演示：噪声",
    )
    rs.close(actor=world.users["community"], request=closed, resolution="演示：已处理")
    # a row for each mechanism, so that ids in addresses and forms lead somewhere
    shared = offer(world)
    booking = book(world, shared)
    meeting = convene(world)
    need = vs.post_need(
        actor=world.users["resident"],
        community=world.a1x,
        recipient=world.users["resident"],
        skill="care",
        description="演示：买菜",
        lon=world.a1x.centre_lon,
        lat=world.a1x.centre_lat,
        wanted_at=timezone.now() + dt.timedelta(days=1),
    )
    users = dict(world.users)
    users["root"] = users.pop("superuser")
    rows = (world.a1x, world.A, world.A1, world.pA1, world.fA1, world.cA1, req, closed)
    ids = sorted({str(r.pk) for r in (*rows, shared, booking, meeting, need)})
    ids += ["999999999", "2026"]
    return {"users": users, "ids": ids, "request": req}


def _values(ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(ids),
        st.sampled_from(FIELDS),  # a word the views compare with (actions, kinds, formats)
        st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
        st.integers().map(str),
        st.floats().map(repr),
        st.dates().map(str),
    )


def _fill(template: str, values: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "fmt":
            return values.get(name, "json") if values.get(name) in ("json", "xml") else "json"
        return quote(values.get(name, "1"), safe="")

    return re.sub(r"\{(\w+)\}", one, template)


def _ask(
    client: Client, method: str, path: str, *, query: dict[str, str], form: dict[str, str]
) -> str | None:
    """One request in a rolled-back savepoint: what went wrong (a 5xx, an exception, a refused
    POST that changed a table), or None."""
    where = f"{method} {path} query={query!r:.200} form={form!r:.300}"
    try:
        with transaction.atomic():
            before = _counts() if method == "POST" else ()
            response = client.get(path, query) if method == "GET" else client.post(path, form)
            status = response.status_code
            wrote = method == "POST" and 400 <= status < 500 and _counts() != before
            transaction.set_rollback(True)
    except Exception as exc:  # the test client re-raises what a view raised (a 500)
        return f"{where} → {type(exc).__name__}: {str(exc)[:200]}"
    if status >= 500:
        return f"{where} → {status}"
    if wrote:
        return f"{where} → refused ({status}) but rows changed"
    return None


def _client(users: dict[str, Any], role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if role != "anonymous":
        client.force_login(users[role])
    return client


def test_the_resolver_is_walked() -> None:
    assert "/requests/{pk}/" in PAGES and "/api/open311/v2/services/{code}.{fmt}" in PAGES
    assert any(t.endswith("/change/") for t in ADMIN)
    assert {"description", "amount", "lat", "lon", "community"} <= set(FIELDS)


def test_sweep_every_address(scene: dict[str, Any]) -> None:
    """Every address, GET and POST, once, roles in turn, every known field hostile."""
    users, ids = scene["users"], scene["ids"]
    clients = {role: _client(users, role) for role in ROLES}
    problems: list[str] = []
    for i, template in enumerate(TEMPLATES):
        role = "root" if template.startswith("/admin/") else ROLES[i % len(ROLES)]
        hostile = PRINTABLE[i % len(PRINTABLE)]
        path = _fill(template, {p: (ids[i % len(ids)] if i % 2 else hostile) for p in PARAMS})
        form = {f: PRINTABLE[(i + j) % len(PRINTABLE)] for j, f in enumerate(FIELDS)}
        for method, query, body in (
            ("GET", {"q": hostile, "page": hostile}, {}),
            ("POST", {}, form),
        ):
            problem = _ask(clients[role], method, path, query=query, form=body)
            if problem:
                problems.append(f"[{role}] {problem}")
    assert not problems, "\n".join(problems)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: the report names it
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_values_never_answer_5xx(scene: dict[str, Any], data: st.DataObject) -> None:
    users, ids = scene["users"], scene["ids"]
    admin = data.draw(st.integers(0, 4), label="admin") == 0  # one draw in five
    template = data.draw(st.sampled_from(ADMIN if admin else PAGES), label="address")
    role = "root" if admin else data.draw(st.sampled_from(ROLES), label="role")
    values = _values(ids)
    path = _fill(template, data.draw(st.fixed_dictionaries({p: values for p in PARAMS})))
    fields = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)
    method = data.draw(st.sampled_from(("GET", "POST")), label="method")
    query = data.draw(fields, label="query") if method == "GET" else {}
    form = data.draw(fields, label="form") if method == "POST" else {}
    problem = _ask(_client(users, role), method, path, query=query, form=form)
    assert problem is None, f"[{role}] {problem}"


# -- the 500s found, one regression test each ---------------------------------------------------


@pytest.mark.parametrize("amount", ["1e30", "1e400", "NaN", "-0", "99999999999999.99"])
def test_a_huge_amount_is_refused_in_words(world: Any, amount: str) -> None:
    from quarterhour.platform.funding.models import Fund

    client = _client(world.users | {"root": world.users["superuser"]}, "street")
    form = {"action": "fund", "street": world.A1.pk, "year": "2026", "source": "fiscal"}
    page = client.post("/funding/record", {**form, "use": "staff", "amount": amount}, follow=True)
    assert page.status_code < 500
    assert "金额须为正数" in page.content.decode()
    assert Fund.objects.count() == 0


def test_confirming_hours_of_a_need_without_a_record_is_refused(world: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from quarterhour.platform.volunteers import services as vs

    need = vs.post_need(
        actor=world.users["resident"],
        community=world.a1x,
        recipient=world.users["resident"],
        skill="care",
        description="演示：买菜",
        lon=world.a1x.centre_lon,
        lat=world.a1x.centre_lat,
        wanted_at=timezone.now() + dt.timedelta(days=1),
    )
    client = _client(world.users | {"root": world.users["superuser"]}, "community")
    page = client.post(
        f"/volunteers/needs/{need.pk}/act", {"action": "confirm", "accept": "1"}, follow=True
    )
    assert page.status_code < 500
    assert "还没有服务记录" in page.content.decode()


@pytest.mark.parametrize("street", ["²", "١", "9" * 40, "-1", "1e30"])
def test_the_communities_filter_takes_only_ascii_digits(world: Any, street: str) -> None:
    client = _client(world.users | {"root": world.users["superuser"]}, "city")
    assert client.get("/communities/", {"street": street}).status_code == 200
