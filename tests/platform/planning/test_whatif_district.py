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
