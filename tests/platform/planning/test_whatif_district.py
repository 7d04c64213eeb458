"""What-if across a district: the district answer equals a full reassessment of the district with
the change made, circle by circle, including a facility moved from one circle's range into
another's (a move for the first, an addition for the second); circles beyond reach are not
computed, circles never assessed are listed; the page is for the district's and the city's
staff, refused to others in words, and answers hostile input without a 5xx.

The grid world of ``test_assessment`` (50 m grid, 2000 × 1000 m, limit 1025 m): district A has
cA1 = a1x (x 0…500, y 0…500) + a1y (x 500…1000, y 0…500) and cA2 = a2x (x 0…500, y 500…1000).
"""

from __future__ import annotations

import json

import pytest

from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.facilities.models import Facility
from quarterhour.platform.facilities.services import (
    facility_create,
    facility_delete,
    facility_update,
)
from quarterhour.platform.planning import whatif
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleResult,
    CommunityItemResult,
)
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.planning.worker import work
from tests.platform.helpers import lonlat
from tests.platform.planning.helpers import run_street_a1

pytestmark = pytest.mark.django_db

FAR = (1975, 25)  # the grid's south-east corner: 1000 m from a1y's corner, beyond cA2's base


def run_district_a(w) -> AssessmentRun:
    run = assessment_request(actor=w.users["district"], district=w.A, speed_kmh=4.1)
    assert work(once=True) == 1
    run.refresh_from_db()
    assert run.status == AssessmentRun.Status.DONE, run.error_message
    return run


def _stored(run) -> dict[tuple[int, str], tuple]:
    return {
        (r.community_id, r.item_code): (r.share, r.median_min, r.met)
        for r in CommunityItemResult.objects.filter(run=run)
    }


def _far_post_office(w) -> Facility:
    lon, lat = lonlat(*FAR)
    return facility_create(
        actor=w.users["city"], key="test:far", name="远端邮局", lon=lon, lat=lat,
        community=w.b1x, item_codes=["shop.post"],
    )  # fmt: skip


def _check_district(before_run, answer, after_run, circles) -> None:
    """For every circle of the district: each (community, item) the answer lists equals the
    reassessment; every other one is unchanged; the circle's items met equal the reassessment."""
    before, after = _stored(before_run), _stored(after_run)
    answered = {o.circle.pk: o.answer for o in answer.circles}
    for circle in circles:
        members = {m.community_id for m in circle.memberships.all()}
        ans = answered.get(circle.pk)
        listed = {(r.community.pk, r.item_code): r for r in ans.rows} if ans else {}
        for key, (share, median, met) in after.items():
            if key[0] not in members:
                continue
            if key in listed:
                r = listed[key]
                assert (r.share_after, r.median_after, r.met_after) == (share, median, met), key
                assert (r.share_before, r.median_before) == before[key][:2], key
                assert r.covered_after == pytest.approx(share * r.population, abs=1e-9)
            else:
                assert before[key] == (share, median, met), (circle.code, key)
        met_now = CircleResult.objects.get(run=after_run, circle=circle).items_met
        met_then = CircleResult.objects.get(run=before_run, circle=circle).items_met
        if ans is None:
            assert met_now == met_then, circle.code
        else:
            assert (ans.met_before, ans.met_after) == (met_then, met_now), circle.code


@pytest.mark.parametrize("kind", ["add", "add_east", "move_across", "close"])
def test_district_answer_equals_full_reassessment(graded_world, kind):
    w = graded_world
    far = _far_post_office(w)
    run = run_district_a(w)
    circles = [w.cA1, w.cA2]
    if kind in ("add", "add_east"):
        lon, lat = lonlat(275, 525) if kind == "add" else lonlat(1975, 975)
        change = whatif.HypoChange("add", items=("station.health",), lon=lon, lat=lat, name="新站")
    elif kind == "move_across":
        lon, lat = lonlat(275, 775)  # into a2x: out of cA2's base before, in cA1's all along
        change = whatif.HypoChange("move", facility=far.key, lon=lon, lat=lat, name=far.name)
        assert far.key in whatif.circle_base(w.cA1).keys
        assert far.key not in whatif.circle_base(w.cA2).keys
    else:
        change = whatif.HypoChange("close", facility="test:fA1", name="药房")
    answer = whatif.district_answer(w.A, [change])
    assert answer.not_assessed == ()
    touched = {o.circle.pk for o in answer.changed_circles}
    if kind == "add_east":  # 1475 m from a2x: cA2 is not computed
        assert [o.circle.pk for o in answer.circles] == [w.cA1.pk] and answer.beyond == 1
    else:
        assert touched == {w.cA1.pk, w.cA2.pk}, kind  # both circles change
    if kind == "move_across":
        a1 = next(o.answer for o in answer.circles if o.circle.pk == w.cA1.pk)
        a2 = next(o.answer for o in answer.circles if o.circle.pk == w.cA2.pk)
        assert {r.community.pk for r in a1.rows} == {w.a1x.pk, w.a1y.pk}  # a move for cA1
        assert all(r.covered_after > r.covered_before for r in a2.rows) and a2.rows
    # the same change made for real, then the district reassessed
    if kind in ("add", "add_east"):
        facility_create(
            actor=w.users["city"], key="test:new", name="新站", lon=lon, lat=lat,
            community=w.a2x, item_codes=["station.health"],
        )  # fmt: skip
    elif kind == "move_across":
        facility_update(actor=w.users["city"], facility=far, lon=lon, lat=lat)
    else:
        facility_delete(actor=w.users["district"], facility=w.fA1)
    again = run_district_a(w)
    _check_district(run, answer, again, circles)


def test_district_lists_circles_not_assessed_and_refuses_bad_changes(graded_world):
    w = graded_world
    run_street_a1(w)  # cA2 never assessed
    lon, lat = lonlat(275, 525)
    add = whatif.HypoChange("add", items=("shop.post",), lon=lon, lat=lat, name="邮局")
    answer = whatif.district_answer(w.A, [add])
    assert [c.pk for c in answer.not_assessed] == [w.cA2.pk]
    assert [o.circle.pk for o in answer.circles] == [w.cA1.pk]
    assert [p.kind for p in answer.points] == ["add"]
    close = whatif.HypoChange("close", facility="test:fA1", name="药房")
    with pytest.raises(Invalid):
        whatif.district_answer(w.A, [close, close])
    with pytest.raises(Invalid):
        whatif.district_answer(w.A, [whatif.HypoChange("close", facility="nope", name="无")])
    # a facility moved twice from beyond a base: one facility, at its last place
    far = _far_post_office(w)
    to = [lonlat(275, 775), lonlat(275, 275)]
    moves = [whatif.HypoChange("move", facility=far.key, lon=x, lat=y, name="邮局") for x, y in to]
    twice = whatif.district_answer(w.A, moves)
    once = whatif.district_answer(w.A, [moves[1]])
    got = {(c.pk, r.community.pk, r.item_code): r for c, r in twice.rows}
    want = {(c.pk, r.community.pk, r.item_code): r for c, r in once.rows}
    assert want
    for key in got.keys() | want.keys():
        if key in got and key in want:
            assert got[key].covered_after == want[key].covered_after, key
        else:
            r = got.get(key) or want[key]
            assert r.covered_after == r.covered_before, key


def test_district_whatif_page(graded_world, client):
    w = graded_world
    run_district_a(w)
    url = f"/districts/{w.A.pk}/whatif/"
    client.force_login(w.users["district"])
    home = client.get("/home/").content.decode()
    assert url in home
    assert url in client.get("/targets/").content.decode()
    assert client.get(url).status_code == 200
    lon, lat = lonlat(275, 525)
    r = client.post(url, {"op": "add", "changes": "[]", "item": "station.health", "lon": lon,
                          "lat": lat})  # fmt: skip
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="whatif-table"' in html and "长安服务圈" in html and "新街口服务圈" in html
    assert "毫秒" in html  # the server's time
    assert {o.circle.pk for o in r.context["answer"].changed_circles} == {w.cA1.pk, w.cA2.pk}
    changes = r.context["changes_json"]
    two = client.post(url, {"op": "close", "changes": changes, "facility": w.fA1.pk})
    assert two.status_code == 200 and len(json.loads(two.context["changes_json"])) == 2
    moved = client.post(
        url, {"op": "move", "changes": changes, "facility": w.fA1.pk, "lon": lon, "lat": lat}
    )
    assert moved.status_code == 200
    # no place chosen, junk and hostile input: refused in words (422), never a 5xx
    bad = client.post(url, {"op": "add", "changes": changes, "item": "shop.post"})
    assert bad.status_code == 422 and "请在地图上点选位置" in bad.content.decode()
    for junk in (
        {"op": "add", "changes": "{x"},
        {"op": "add", "changes": "[1,2]"},
        {"op": "close", "changes": "[]", "facility": "99999"},
        {"op": "close", "changes": json.dumps([{"action": "close", "facility": "nope"}])},
        {"op": "add", "changes": "[]", "item": "station.health", "lon": "nan", "lat": "1e999"},
        {"op": "move", "changes": "x" * 30_000},
        {"op": "zzz", "changes": "[]"},
    ):
        assert client.post(url, junk).status_code < 500, junk
    assert client.get(f"/districts/{w.A.pk}/whatif/?changes=junk").status_code == 200
    assert client.get("/districts/999999/whatif/").status_code == 404
    other = client.get(f"/districts/{w.B.pk}/whatif/")  # another district's page
    assert other.status_code == 403 and "仅限本区和市级工作人员" in other.content.decode()
    # a street officer, another district's page: refused in words
    client.force_login(w.users["street"])
    refused = client.get(url)
    assert refused.status_code == 403 and "无权" in refused.content.decode()
    assert url not in client.get("/home/").content.decode()
    client.force_login(w.users["city"])
    assert client.get(f"/districts/{w.B.pk}/whatif/").status_code == 200


# -- district scenarios: saved, listed, compared, exported, promoted ---------------------------


def _add(x: float, y: float, item: str = "station.health", name: str = "新站"):
    lon, lat = lonlat(x, y)
    return whatif.HypoChange("add", items=(item,), lon=lon, lat=lat, name=name)


def test_district_scenarios_saved_and_promoted_through_the_services(graded_world):
    from quarterhour.platform.core.errors import PermissionRefused
    from quarterhour.platform.planning import scenarios
    from quarterhour.platform.planning.models import WhatIfScenario
    from tests.platform.conftest import make_user

    w = graded_world
    run_district_a(w)
    change = _add(275, 525)
    officer_b = make_user("district_b", "district", district=w.B)
    for actor in (w.users["street"], w.users["community"], officer_b):
        with pytest.raises(PermissionRefused) as refused:
            scenarios.district_scenario_save(actor=actor, district=w.A, name="甲", changes=[change])
        assert "仅限本区和市级工作人员" in str(refused.value.message)
    bad = (
        ("", [change]),
        ("x" * 101, [change]),
        ("甲", []),
        ("甲", [whatif.HypoChange("close", facility="nope", name="无")]),
        ("甲", [whatif.HypoChange("close", facility="test:fA1", name="药房")] * 2),
    )
    for name, changes in bad:
        with pytest.raises(Invalid):
            scenarios.district_scenario_save(
                actor=w.users["district"], district=w.A, name=name, changes=changes
            )
    assert not WhatIfScenario.objects.exists()  # nothing kept from a refusal
    row = scenarios.district_scenario_save(
        actor=w.users["district"], district=w.A, name=" 全区加站 ", changes=[change]
    )
    assert (row.district_id, row.circle_id, row.name) == (w.A.pk, None, "全区加站")
    rec = row.history.get()
    assert rec.history_user_id == w.users["district"].pk and rec.history_type == "+"
    assert rec.history_change_reason == "保存全区假设方案"
    # the city's staff may too; the circle's list does not hold district scenarios
    scenarios.district_scenario_save(
        actor=w.users["city"], district=w.A, name="市级方案", changes=[change]
    )
    assert list(scenarios.scenarios_of(w.cA1)) == []
    assert [s.name for s in scenarios.district_scenarios_of(w.A)] == ["市级方案", "全区加站"]
    # promoted: refused to a street officer, then the district's officer; its site becomes a
    # proposed site of the district and of each circle within reach
    with pytest.raises(PermissionRefused):
        scenarios.scenario_move(actor=w.users["street"], scenario=row, action="promote")
    scenarios.scenario_move(actor=w.users["district"], scenario=row, action="promote")
    row.refresh_from_db()
    assert row.state == WhatIfScenario.State.PROPOSED
    assert [s.name for s in scenarios.district_proposed_sites(w.A)] == ["新站"]
    assert [s.name for s in scenarios.proposed_sites(w.cA1)] == ["新站"]
    assert [s.name for s in scenarios.proposed_sites(w.cA2)] == ["新站"]
    assert scenarios.proposed_sites(w.cB1) == []  # another district
    with pytest.raises(Invalid):
        scenarios.scenario_move(actor=w.users["district"], scenario=row, action="promote")
    scenarios.scenario_move(actor=w.users["city"], scenario=row, action="withdraw")
    assert scenarios.district_proposed_sites(w.A) == []
    assert [h.history_change_reason for h in row.history.order_by("history_id")] == [
        "保存全区假设方案",
        "纳入规划",
        "撤回",
    ]


def test_a_scenario_is_of_a_circle_or_a_district_never_both(graded_world):
    from django.db import IntegrityError, transaction

    from quarterhour.platform.planning.models import WhatIfScenario

    w = graded_world
    for circle, district in ((None, None), (w.cA1, w.A)):
        with pytest.raises(IntegrityError), transaction.atomic():
            WhatIfScenario.objects.create(circle=circle, district=district, name="x")


def test_district_scenario_pages(graded_world, client):
    import csv
    import io
    import zipfile

    from quarterhour.platform.planning.models import WhatIfScenario

    w = graded_world
    run_district_a(w)
    url = f"/districts/{w.A.pk}/whatif/"
    client.force_login(w.users["district"])
    lon, lat = lonlat(275, 525)
    first = client.post(
        url, {"op": "add", "changes": "[]", "item": "station.health", "lon": lon, "lat": lat}
    )
    assert first.status_code == 200
    changes = first.context["changes_json"]
    # no name, no changes, junk: refused in words, nothing kept, never a 5xx
    for junk in (
        {"op": "save", "changes": changes, "scenario_name": ""},
        {"op": "save", "changes": "[]", "scenario_name": "空"},
        {"op": "save", "changes": "{x", "scenario_name": "坏"},
        {"op": "save", "changes": json.dumps([{"action": "close", "facility": "nope"}]),
         "scenario_name": "坏"},
    ):  # fmt: skip
        r = client.post(url, junk)
        assert r.status_code == 422, junk
    assert not WhatIfScenario.objects.exists()
    saved = client.post(url, {"op": "save", "changes": changes, "scenario_name": "加站"})
    assert saved.status_code == 302
    one = WhatIfScenario.objects.get(name="加站")
    assert saved["Location"] == f"{url}?scenario={one.pk}"
    opened = client.get(saved["Location"])
    html = opened.content.decode()
    assert opened.status_code == 200 and 'id="opened"' in html and "加站" in html
    assert {o.circle.pk for o in opened.context["answer"].changed_circles} == {w.cA1.pk, w.cA2.pk}
    assert 'class="street"' in html  # the walk network under the district's map
    two = client.post(url, {"op": "close", "changes": changes, "facility": w.fA1.pk})
    client.post(url, {"op": "save", "changes": two.context["changes_json"], "scenario_name": "乙"})
    other = WhatIfScenario.objects.get(name="乙")
    listed = client.get(url)
    assert [s.pk for s in listed.context["saved"]] == [other.pk, one.pk]
    assert 'id="whatif-compare"' in listed.content.decode()
    # side by side: each circle × community × item, now and after each scenario
    cmp = client.get(f"{url}compare/", {"s": [one.pk, other.pk]})
    assert cmp.status_code == 200
    rows = cmp.context["rows"]
    alone = {(c.name, r.community.name, r.item): r for c, r in whatif.district_answer(
        w.A, [whatif.parse_change(json.loads(changes)[0])]).rows}  # fmt: skip
    assert rows and {(r["circle"], r["community"], r["item"]) for r in rows} >= set(alone)
    for r in rows:
        want = alone.get((r["circle"], r["community"], r["item"]))
        if want is not None:
            assert r["after"][0] == (one.name, round(want.covered_after))  # named, for cards
            assert r["now"] == round(want.covered_before)
        else:
            assert r["after"][0] == (one.name, r["now"])
        assert [name for name, _ in r["after_min"]] == [one.name, other.name]
    assert any(r["item"] == "药房" or "药" in r["item"] for r in rows)  # the closing's rows
    # one circle only: its rows, said as shown of all; a circle they do not touch: all, in words
    assert {code for code, _ in cmp.context["circles"]} == {w.cA1.code, w.cA2.code}
    both = {"s": [one.pk, other.pk]}
    narrowed = client.get(f"{url}compare/", {**both, "circle": w.cA2.code})
    kept = narrowed.context["rows"]
    assert kept == [r for r in rows if r["circle_code"] == w.cA2.code] and 0 < len(kept) < len(rows)
    assert f"显示 {len(kept)} / {len(rows)} 行" in narrowed.content.decode()
    for junk in ("nope", w.cB1.code, "<x>" * 50):
        r = client.get(f"{url}compare/", {**both, "circle": junk})
        assert r.status_code == 200 and r.context["rows"] == rows, junk
        assert "这些方案没有影响所选的服务圈" in r.content.decode()
    for bad in ({"s": [one.pk]}, {"s": [one.pk, 999999]}, {"s": ["x", "y"]}, {}):
        r = client.get(f"{url}compare/", bad)
        assert r.status_code == 302, bad
    # exports: formula-neutralised CSV and an Excel book (a circle named like a formula)
    w.cA2.name = '=HYPERLINK("http://x")'
    w.cA2.save()
    got = client.get(f"{url}{one.pk}.csv")
    assert got.status_code == 200 and got["Content-Disposition"].endswith('.csv"')
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert table[0][:2] == ["服务圈 circle", "社区 community"]
    assert {row[0] for row in table[1:]} == {"长安服务圈", """'=HYPERLINK("http://x")"""}
    book = client.get(f"{url}{one.pk}.xlsx")
    assert book.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(book.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<t>'=HYPERLINK" in sheet
    assert client.get(f"{url}{one.pk}.pdf").status_code == 404
    assert client.get(f"{url}999999.csv").status_code == 404
    # promoted into the plan: its site on the district's and the circle's pages
    act = client.post(f"{url}{one.pk}/act", {"action": "promote"})
    assert act.status_code == 302
    one.refresh_from_db()
    assert one.state == "proposed"
    page = client.get(url)
    assert 'id="proposed-sites"' in page.content.decode()
    assert len(page.context["proposed"]) == 1
    client.force_login(w.users["street"])
    circle_page = client.get(f"/circles/{w.cA1.pk}/whatif/")
    assert [p.scenario.pk for p in circle_page.context["proposed"]] == [one.pk]
    # other people: refused in words; a scenario of another district is not found
    assert client.post(f"{url}{one.pk}/act", {"action": "withdraw"}).status_code == 403
    assert client.get(f"{url}{one.pk}.csv").status_code == 403
    client.force_login(w.users["city"])
    assert client.post(f"{url}{one.pk}/act", {"action": "zzz"}).status_code == 302
    assert client.get(f"/districts/{w.B.pk}/whatif/{one.pk}.csv").status_code == 404
    assert client.post(f"/districts/{w.B.pk}/whatif/{one.pk}/act",
                       {"action": "withdraw"}).status_code == 404  # fmt: skip


def test_district_page_reads_the_register_once(graded_world, client, django_assert_max_num_queries):
    """The register's version and each circle's run are read once per request, not per circle."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = graded_world
    run_district_a(w)
    url = f"/districts/{w.A.pk}/whatif/"
    client.force_login(w.users["district"])
    lon, lat = lonlat(275, 525)
    data = {"op": "add", "changes": "[]", "item": "station.health", "lon": lon, "lat": lat}
    client.post(url, data)  # the bases are built and kept
    with CaptureQueriesContext(connection) as seen:
        r = client.post(url, data)
    assert r.status_code == 200 and len(r.context["answer"].circles) == 2
    sqls = [q["sql"] for q in seen.captured_queries]
    register = [s for s in sqls if 'MAX("facilities_facility"."updated_at")' in s]
    assert len(register) == 1, register
    runs = [s for s in sqls if 'FROM "planning_circleresult"' in s]
    assert len(runs) <= 2, runs  # the answer's runs, and the map's network
    with django_assert_max_num_queries(len(sqls)):
        client.post(url, data)
