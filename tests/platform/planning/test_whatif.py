"""What-if on a circle: answers equal a full reassessment with the change made; scenarios are
saved, promoted, compared and exported through their services and pages; refusals in words.

The grid world of ``test_assessment`` (50 m grid, limit 1025 m): circle cA1 = a1x + a1y, a
pharmacy fA1 in a1x, a health station fB1 far east in b1x.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.facilities.services import (
    facility_create,
    facility_delete,
    facility_update,
)
from quarterhour.platform.planning import scenarios, whatif
from quarterhour.platform.planning.models import CommunityItemResult, WhatIfScenario
from tests.platform.helpers import lonlat
from tests.platform.planning.helpers import run_street_a1

pytestmark = pytest.mark.django_db


def _stored(run) -> dict[tuple[int, str], tuple]:
    return {
        (r.community_id, r.item_code): (r.share, r.median_min, r.met)
        for r in CommunityItemResult.objects.filter(run=run)
    }


def _check_equal(before, answer, after_run, *, communities) -> None:
    """Every (community, item) of the circle: the answer's after = the reassessment's; pairs the
    answer does not list are unchanged."""
    after = _stored(after_run)
    listed = {(r.community.pk, r.item_code): r for r in answer.rows}
    assert listed, "the change touched nothing"
    for key, (share, median, met) in after.items():
        if key[0] not in communities:
            continue
        if key in listed:
            r = listed[key]
            assert r.share_after == share
            assert r.median_after == median
            assert r.met_after == met
            assert (r.share_before, r.median_before) == before[key][:2]
            assert r.covered_after == pytest.approx(share * r.population, abs=1e-9)
        else:
            assert before[key] == (share, median, met), key


@pytest.mark.parametrize("kind", ["add", "move", "close"])
def test_whatif_equals_full_reassessment(graded_world, kind):
    w = graded_world
    run = run_street_a1(w)
    before = _stored(run)
    members = {w.a1x.pk, w.a1y.pk}
    if kind == "add":
        lon, lat = lonlat(775, 275)  # a health station in a1y
        change = whatif.HypoChange("add", items=("station.health",), lon=lon, lat=lat, name="新站")
    elif kind == "move":
        lon, lat = lonlat(725, 475)  # the pharmacy moves east into a1y
        change = whatif.HypoChange("move", facility="test:fA1", lon=lon, lat=lat, name="药房")
    else:
        change = whatif.HypoChange("close", facility="test:fA1", name="药房")
    answer = whatif.answer(w.cA1, [change])
    # the same change made for real, then a full reassessment
    if kind == "add":
        facility_create(
            actor=w.users["street"], key="test:new", name="新站", lon=lon, lat=lat,
            community=w.a1y, item_codes=["station.health"],
        )  # fmt: skip
    elif kind == "move":
        facility_update(actor=w.users["street"], facility=w.fA1, lon=lon, lat=lat)
    else:
        facility_delete(actor=w.users["street"], facility=w.fA1)
    again = run_street_a1(w)
    _check_equal(before, answer, again, communities=members)
    if kind == "close":
        assert "shop.pharmacy" in answer.lost_items
        assert answer.met_after == answer.met_before - 1


def test_two_changes_and_base_kept(graded_world):
    w = graded_world
    run_street_a1(w)
    lon, lat = lonlat(775, 275)
    add = whatif.HypoChange("add", items=("station.health",), lon=lon, lat=lat, name="新站")
    close = whatif.HypoChange("close", facility="test:fA1", name="药房")
    both = whatif.answer(w.cA1, [add, close])
    assert {r.item_code for r in both.rows} == {"station.health", "shop.pharmacy"}
    # the cached base is not changed by answering
    alone = whatif.answer(w.cA1, [add])
    assert {r.item_code for r in alone.rows} == {"station.health"}
    with pytest.raises(Invalid):
        whatif.answer(w.cA1, [close, close])  # closed twice


def test_changes_are_parsed_within_bounds():
    with pytest.raises(Invalid):
        whatif.parse_changes([{"action": "add", "items": ["nope"], "lon": 1, "lat": 1}])
    with pytest.raises(Invalid):
        whatif.parse_changes([{"action": "move", "facility": "x", "lon": "nan", "lat": 1}])
    with pytest.raises(Invalid):
        whatif.parse_changes([{"action": "close"}] * (whatif.MAX_CHANGES + 1))
    with pytest.raises(Invalid):
        whatif.parse_changes("[]")
    c = whatif.parse_change({"action": "close", "facility": "k", "name": "甲"})
    assert c.as_json() == {"action": "close", "facility": "k", "name": "甲"}
    assert math.isnan(c.lon)


def test_scenarios_saved_promoted_and_refused(graded_world):
    w = graded_world
    run_street_a1(w)
    lon, lat = lonlat(775, 275)
    add = whatif.HypoChange("add", items=("station.health",), lon=lon, lat=lat, name="新站")
    with pytest.raises(PermissionRefused):
        scenarios.scenario_save(actor=w.users["community"], circle=w.cA1, name="甲", changes=[add])
    with pytest.raises(Invalid):
        scenarios.scenario_save(actor=w.users["street"], circle=w.cA1, name=" ", changes=[add])
    with pytest.raises(Invalid):
        scenarios.scenario_save(actor=w.users["street"], circle=w.cA1, name="空", changes=[])
    row = scenarios.scenario_save(actor=w.users["street"], circle=w.cA1, name="甲", changes=[add])
    assert row.history.count() == 1 and row.history.first().history_user == w.users["street"]
    assert scenarios.changes_of(row) == [whatif.parse_change(add.as_json())]
    with pytest.raises(PermissionRefused):
        scenarios.scenario_move(actor=w.users["community"], scenario=row, action="promote")
    scenarios.scenario_move(actor=w.users["street"], scenario=row, action="promote")
    row.refresh_from_db()
    assert row.state == WhatIfScenario.State.PROPOSED
    sites = scenarios.proposed_sites(w.cA1)
    assert [(s.name, s.lon, s.lat) for s in sites] == [("新站", round(lon, 7), round(lat, 7))]
    with pytest.raises(Invalid):
        scenarios.scenario_move(actor=w.users["street"], scenario=row, action="promote")


def test_whatif_pages(graded_world, client):
    w = graded_world
    run_street_a1(w)
    client.force_login(w.users["street"])
    page = client.get(f"/circles/{w.cA1.pk}/")
    assert f"/circles/{w.cA1.pk}/whatif/" in page.content.decode()
    url = f"/circles/{w.cA1.pk}/whatif/"
    assert client.get(url).status_code == 200
    lon, lat = lonlat(775, 275)
    r = client.post(
        url, {"op": "add", "changes": "[]", "item": "station.health", "lon": lon, "lat": lat}
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="whatif-table"' in html and 'id="whatif-summary"' in html
    assert r.context["answer"].rows[0].item_code == "station.health"
    # the picked place is said with the community it lies in (500 m squares: x 775 → the second)
    assert "已选位置：北长街社区范围内（" in html
    changes = r.context["changes_json"]
    # a place outside the circle's communities (x 1,750 m: another street's) is said so
    far = client.post(
        url, {"op": "add", "changes": changes, "item": "", "lon": lonlat(1750, 275)[0],
              "lat": lonlat(1750, 275)[1]},
    )  # fmt: skip
    assert far.status_code == 422 and "已选位置：不在图中社区范围内（" in far.content.decode()
    # no place chosen: refused beside the form, 422
    bad = client.post(url, {"op": "add", "changes": changes, "item": "shop.post"})
    assert bad.status_code == 422 and "请在地图上点选位置" in bad.content.decode()
    # junk changes: 422, never 500
    assert client.post(url, {"op": "add", "changes": "{x"}).status_code == 422
    saved = client.post(url, {"op": "save", "changes": changes, "scenario_name": "加站方案"})
    assert saved.status_code == 302
    row = WhatIfScenario.objects.get(name="加站方案")
    two = client.post(
        url,
        {
            "op": "close",
            "changes": changes,
            "facility": w.fA1.pk,
            "facility__text": "",
        },
    )
    assert two.status_code == 200
    client.post(url, {"op": "save", "changes": two.context["changes_json"], "scenario_name": "乙"})
    other = WhatIfScenario.objects.get(name="乙")
    assert len(other.changes) == 2
    # a reopened scenario offers to save its changes as a new one (saving makes a copy)
    reopened = client.get(url, {"scenario": other.pk}).content.decode()
    assert (
        'id="opened"' in reopened
        and "另存为新方案" in reopened
        and "保存方案</button>" not in reopened
    )
    cmp = client.get(f"{url}compare/", {"a": row.pk, "b": other.pk})
    assert cmp.status_code == 200 and 'id="compare-table"' in cmp.content.decode()
    csv = client.get(f"{url}{row.pk}.csv")
    assert csv.status_code == 200 and "社区 community" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"{url}{row.pk}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    act = client.post(f"{url}{row.pk}/act", {"action": "promote"})
    assert act.status_code == 302
    row.refresh_from_db()
    assert row.state == "proposed"
    assert json.loads(json.dumps(row.changes))[0]["action"] == "add"
    # another street's officer is refused in words
    client.force_login(w.users["community"])
    refused = client.get(url)
    assert refused.status_code == 403 and "无权" in refused.content.decode()


def test_the_base_snaps_with_the_index_kept_beside_the_network(graded_world, monkeypatch):
    from pathlib import Path

    from django.conf import settings

    from quarterhour.engine import snapping
    from quarterhour.platform.planning import networks
    from quarterhour.platform.planning.models import WalkNetworkFile

    def new_process():
        networks._load.cache_clear()
        whatif._BASES.clear()
        whatif._HIERARCHIES.clear()

    w = graded_world
    run_street_a1(w)
    new_process()
    lon, lat = lonlat(775, 275)
    add = whatif.HypoChange("add", items=("station.health",), lon=lon, lat=lat, name="新站")
    first = whatif.answer(w.cA1, [add])
    path = Path(settings.DATA_DIR) / WalkNetworkFile.objects.get().path
    kept = sorted(p.name for p in path.parent.iterdir() if p.name != path.name)
    assert len(kept) == 2  # the edge index and the hierarchy, each whole (no temporary left)
    assert any(".edges-" in k for k in kept) and any(".whatif-" in k for k in kept)
    new_process()

    def fail(*args, **kwargs):
        raise AssertionError("the edge index was built again")

    monkeypatch.setattr(snapping.EdgeIndex, "__init__", fail)
    again = whatif.answer(w.cA1, [add])
    assert whatif.circle_base(w.cA1).scenario.index.mapped
    assert [dataclasses.astuple(r) for r in again.rows] == [
        dataclasses.astuple(r) for r in first.rows
    ]


def test_a_kept_hierarchy_of_an_earlier_format_is_built_again(graded_world):
    from pathlib import Path

    import numpy as np
    from django.conf import settings

    from quarterhour.engine.hierarchy import Hierarchy
    from quarterhour.platform.planning import networks
    from quarterhour.platform.planning.models import WalkNetworkFile

    def new_process():
        networks._load.cache_clear()
        whatif._BASES.clear()
        whatif._HIERARCHIES.clear()

    w = graded_world
    run_street_a1(w)
    new_process()
    lon, lat = lonlat(775, 275)
    add = whatif.HypoChange("add", items=("station.health",), lon=lon, lat=lat, name="新站")
    first = whatif.answer(w.cA1, [add])
    path = Path(settings.DATA_DIR) / WalkNetworkFile.objects.get().path
    (kept,) = [p for p in path.parent.iterdir() if ".whatif-" in p.name]
    # the same hierarchy as the format before the split sweep order wrote it (one order)
    with np.load(kept) as z:
        old = {k: z[k] for k in z.files if k not in ("bounds", "tp_ptr", "tp_src", "tp_w")}
    old["format"] = np.int64(4)
    with open(kept, "wb") as fh:
        np.savez(fh, **old)
    new_process()
    again = whatif.answer(w.cA1, [add])
    assert Hierarchy.load(kept).n_parts >= 1  # built again and kept in the current format
    with np.load(kept) as z:
        assert int(z["format"]) != 4
    assert [dataclasses.astuple(r) for r in again.rows] == [
        dataclasses.astuple(r) for r in first.rows
    ]
