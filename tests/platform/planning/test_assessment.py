"""Assessments end to end on a hand-checkable grid network (engine reach → stored results).

The grid: nodes every 50 m (edge lengths exactly 50 m), at local offsets 25, 75, … m from the
south-west corner of the world, 40 columns × 20 rows, so each 500 m community square holds
10 × 10 = 100 nodes and no node lies on a boundary. Walk distance between nodes is the Manhattan
distance. fA1 (pharmacy) stands on the node (275, 275) of a1x (global x 275); fB1 (health station)
on the node (275, 275) of b1x (global x 1775). The limit is 15 min × 4.1 km/h = 1025 m, so a node
counts when its Manhattan distance is ≤ 1000 m (distances are multiples of 50 m).

Residents are spread over a community's nodes by street frontage (half the length of the edges
at a node): 100 m inside the grid, 75 m on its southern edge (y = 25, no street to the south).
Health station, community a1y (x 525…975): a = 1775 − x ∈ {800 … 1250}, b = |y − 275|; nodes with
a + b ≤ 1000: a=800 → 9, 850 → 7, 900 → 5, 950 → 3, 1000 → 1 → 25 nodes, none on the edge row
(b ≤ 200), so 25 × 100 m of a1y's 90 × 100 + 10 × 75 = 9750 m of frontage → share 100/390.
Circle cA1 = a1x (3000 people, share 0 for health) + a1y (2000, 100/390) → 2000/3.9 / 5000.
Pharmacy: every node of a1x and a1y is within 950 m of (275, 275) → share 1.0 in both.
"""

from __future__ import annotations

import time

import pytest

from quarterhour.platform.facilities.services import facility_update
from quarterhour.platform.planning.models import (
    AssessmentRun,
    CircleItemResult,
    CircleResult,
    CommunityItemResult,
    CommunityResult,
)
from quarterhour.platform.planning.networks import store_network
from quarterhour.platform.planning.selectors import is_stale
from quarterhour.platform.planning.services import assessment_request
from quarterhour.platform.planning.worker import work
from tests.platform.helpers import grid_network
from tests.platform.planning.helpers import run_street_a1


def test_assessment_stores_exact_shares(graded_world):
    w = graded_world
    run = run_street_a1(w)
    assert run.status == AssessmentRun.Status.DONE, run.error_message
    assert run.limit_m == pytest.approx(1025.0)
    assert run.n_communities == 2  # a1x, a1y (cA1's members)
    assert run.n_facilities == 2  # fB1 is beyond the street but within reach of it

    def share(community, code):
        return CommunityItemResult.objects.get(run=run, community=community, item_code=code).share

    assert share(w.a1y, "station.health") == pytest.approx(100 / 390)
    assert share(w.a1x, "station.health") == 0.0
    assert share(w.a1x, "shop.pharmacy") == 1.0
    assert share(w.a1y, "shop.pharmacy") == 1.0
    assert share(w.a1x, "shop.post") == 0.0  # no post office anywhere
    a1y = CommunityResult.objects.get(run=run, community=w.a1y)
    assert (a1y.population, a1y.n_origins, a1y.items_met) == (2000.0, 100, 1)
    circle = CircleResult.objects.get(run=run, circle=w.cA1)
    assert circle.population == 5000.0
    assert circle.items_met == 1
    assert circle.items_required == 23
    assert "station.health" in circle.missing and "shop.pharmacy" not in circle.missing
    health = CircleItemResult.objects.get(run=run, circle=w.cA1, item_code="station.health")
    assert health.share == pytest.approx(2000 / 3.9 / 5000)
    assert health.met is False
    assert not CircleResult.objects.filter(circle=w.cB1).exists()  # another street's circle


def test_results_become_stale_when_inputs_change(graded_world):
    w = graded_world
    run = run_street_a1(w)
    assert is_stale(run) is False
    time.sleep(0.01)
    facility_update(actor=w.users["street"], facility=w.fA1, name="长安大药房")
    assert is_stale(run) is True


def test_rerun_marks_only_latest(graded_world):
    w = graded_world
    first = run_street_a1(w)
    second = run_street_a1(w)
    latest = CircleResult.objects.filter(circle=w.cA1, is_latest=True)
    assert [r.run_id for r in latest] == [second.pk]
    assert CircleResult.objects.filter(circle=w.cA1).count() == 2
    assert first.pk != second.pk


def test_a_failed_run_says_why(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.QH_NETWORK_DIR = tmp_path / "networks"
    store_network(grid_network(), name="grid")
    run = assessment_request(actor=world.users["city"], district=world.A)
    (tmp_path / run.network.path).unlink()  # the network file disappeared
    work(once=True)
    run.refresh_from_db()
    assert run.status == AssessmentRun.Status.FAILED
    assert "No such file" in run.error_message


def test_circle_page_with_results_shows_missing_items_in_fixed_queries(graded_world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    w = graded_world
    run_street_a1(w)
    client.force_login(w.users["street"])
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("web:circle", args=[w.cA1.pk]))
    text = page.content.decode()
    assert "步行 15 分钟可达的标准项目：1 / 23 项达标" in text
    missing = text.split('id="missing-items"')[1].split("</ul>")[0]
    met = text.split('id="met-items"')[1].split("</ul>")[0]
    assert "卫生服务站" in missing and "药店" in met and "药店" not in missing
    assert missing.count("<li>") == 22
    assert 'id="stale"' not in text
    # the walk network under the map: nodes within 0.002° of the two squares (x ≤ 1170 m → 23
    # columns, y ≤ 722 m → 14 rows); edges with both ends inside: 14 × 22 + 23 × 13 = 607
    street_path = text.split('<path class="street" d="')[1].split('"')[0]
    assert street_path.count("M") == 607
    assert len(ctx.captured_queries) == 12  # constant: no query per member or facility


def test_circle_staleness_looks_at_its_own_inputs_only(graded_world):
    from quarterhour.platform.planning.models import CircleResult

    w = graded_world
    run = assessment_request(actor=w.users["district"], district=w.A, speed_kmh=4.1)
    work(once=True)
    run.refresh_from_db()
    time.sleep(0.01)
    from quarterhour.platform.geography.services import community_update

    community_update(actor=w.users["district"], community=w.a2x, population=4100)
    assert is_stale(run) is True
    assert is_stale(run, circle=CircleResult.objects.get(run=run, circle=w.cA2).circle) is True
    assert is_stale(run, circle=w.cA1) is False


def test_circle_page_shows_the_elderly_at_their_pace(graded_world, client):
    """With the elderly (老年人口) on the member communities, the circle page lists every item's
    coverage for all residents and for the elderly at 3 km/h, with the elderly verdict. The
    health station fB1 is 800–1,250 m from a1y's nodes: within the adults' 1,000 m for some, beyond
    the elderly's 15 min × 3 km/h = 750 m for all, and a1x is farther still → 0 % of the elderly;
    the pharmacy stands in a1x, at most 400 m from its nodes → every elderly resident of a1x."""
    from django.urls import reverse

    w = graded_world
    client.force_login(w.users["street"])
    run_street_a1(w)
    text = client.get(reverse("web:circle", args=[w.cA1.pk])).content.decode()
    assert 'id="elderly-none"' in text and 'id="elderly-coverage"' not in text
    for c, n in ((w.a1x, 600), (w.a1y, 500)):
        c.elderly = n
        c.save()
    run = run_street_a1(w)
    rows = {r.item_code: r for r in CircleItemResult.objects.filter(run=run, circle=w.cA1)}
    health, pharmacy = rows["station.health"], rows["shop.pharmacy"]
    assert health.share == pytest.approx(2000 / 3.9 / 5000) and health.elderly_share == 0.0
    assert health.elderly_met is False
    assert 600 / 1100 <= pharmacy.elderly_share < 1.0  # a1x's all, part of a1y's
    a1x = CommunityItemResult.objects.get(run=run, community=w.a1x, item_code="shop.pharmacy")
    assert a1x.elderly_share == 1.0 and a1x.elderly_met is True
    text = client.get(reverse("web:circle", args=[w.cA1.pk])).content.decode()
    table = text.split('id="elderly-coverage"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + len(rows)  # the head and one row per item
    row = next(r for r in table.split("<tr>") if "卫生服务站" in r)
    assert f"{round(health.share * 100)}%" in row and ">0%" in row.replace("</meter> ", ">")
    assert "未达标" in row
    assert "老年人（60岁以上）按每小时 3.0 公里步速计" in text
    # the community list: of the items judged for the elderly, how many are met
    judged = CommunityItemResult.objects.filter(run=run, community=w.a1x)
    n, met = judged.count(), judged.filter(elderly_met=True).count()
    assert 0 < met < n
    listing = client.get(reverse("web:communities")).content.decode()
    assert "老年人步行达标项目" in listing
    row = next(r for r in listing.split("<tr>") if w.a1x.code in r)
    assert row.split("<td>")[-1].startswith(f"{met} / {n}</td>")
    b1x = next((r for r in listing.split("<tr>") if w.b1x.code in r), None)
    assert b1x is None or b1x.split("<td>")[-1].startswith("—")  # not assessed
