"""Staff pages: jurisdiction scoping, refusals that say why, query counts (no N+1)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quarterhour.platform.facilities.models import Facility, FacilityItem
from quarterhour.platform.geography.models import Circle, CircleMembership, Community, Street
from quarterhour.platform.planning.models import AssessmentRun, WalkNetworkFile


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def test_street_officer_sees_only_its_communities(client, world):
    login(client, world, "street")
    page = client.get(reverse("web:communities"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "南北长街社区" in text and "北长街社区" in text
    assert "新街口社区" not in text  # street A2, same district
    assert "东华门社区" not in text  # district B


def test_district_officer_sees_its_district(client, world):
    login(client, world, "district")
    text = client.get(reverse("web:communities")).content.decode()
    assert "新街口社区" in text and "南北长街社区" in text
    assert "东华门社区" not in text


def test_circle_page_shows_members_map_and_refuses_other_street(client, world):
    login(client, world, "street")
    ok = client.get(reverse("web:circle", args=[world.cA1.pk]))
    assert ok.status_code == 200
    text = ok.content.decode()
    assert '<svg class="qh-map"' in text
    assert text.count("<polygon") == 2  # the two member communities
    assert "长安药房" in text
    refused = client.get(reverse("web:circle", args=[world.cB1.pk]))
    assert refused.status_code == 403
    assert "该服务圈不在您的辖区内" in refused.content.decode()


def test_community_staff_sees_the_circle_of_its_community_only(client, world):
    login(client, world, "community")
    assert client.get(reverse("web:circle", args=[world.cA1.pk])).status_code == 200
    assert client.get(reverse("web:circle", args=[world.cA2.pk])).status_code == 403
    text = client.get(reverse("web:circles")).content.decode()
    assert "长安服务圈" in text and "新街口服务圈" not in text


def test_residents_and_anonymous_users_get_no_staff_pages(client, world):
    assert client.get(reverse("web:communities")).status_code == 302  # to login
    login(client, world, "resident")
    assert client.get(reverse("web:communities")).status_code == 403
    assert client.get(reverse("web:circle", args=[world.cA1.pk])).status_code == 403


def test_superuser_flag_grants_nothing(client, world):
    login(client, world, "superuser")
    assert client.get(reverse("web:communities")).status_code == 403
    assert client.get("/admin/geography/community/").status_code in (302, 403)


def _many(world, n_streets=3, per_street=20, facilities_per=2):
    """Grow the world: streets with communities, circles and facilities (for query counts)."""
    k = 0
    for s in range(n_streets):
        street = Street.objects.create(
            code=f"1101020{50 + s:02d}000", district=world.A, name=f"测试街道{s}"
        )
        circle = Circle.objects.create(code=f"T{s}", name=f"测试圈{s}", street=street)
        for c in range(per_street):
            com = Community.objects.create(
                code=f"1101020{50 + s:02d}{c + 1:03d}",
                street=street,
                name=f"测试社区{s}-{c}",
                centre_lon=116.37 + c * 0.001,
                centre_lat=39.91,
            )
            CircleMembership.objects.create(circle=circle, community=com, population_share=1)
            for _f in range(facilities_per):
                k += 1
                fac = Facility.objects.create(
                    key=f"many:{k}", name=f"设施{k}", lon=116.37, lat=39.91, community=com
                )
                FacilityItem.objects.create(facility=fac, item_code="shop.post")
    return Circle.objects.get(code="T0")


@pytest.mark.parametrize("size", [1, 3])
def test_list_pages_use_a_fixed_number_of_queries(client, world, size):
    _many(world, n_streets=size, per_street=5 * size)
    login(client, world, "district")
    counts = {}
    for name in ("web:communities", "web:circles"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(ctx.captured_queries)
    # session, user, memberships, count, page rows, latest results (+ savepoint noise: none)
    assert counts == {"web:communities": 6, "web:circles": 6}


@pytest.mark.parametrize("size", [1, 4])
def test_circle_page_uses_a_fixed_number_of_queries(client, world, size):
    circle = _many(world, n_streets=1, per_street=5 * size, facilities_per=size)
    login(client, world, "district")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("web:circle", args=[circle.pk])).status_code == 200
    assert len(ctx.captured_queries) == 8


def test_running_an_assessment_from_the_web_returns_at_once(client, world):
    WalkNetworkFile.objects.create(name="n", path="n.npz")
    login(client, world, "street")
    started = time.perf_counter()
    response = client.post(reverse("web:assessments"), {"scope": f"street:{world.A1.pk}"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    run = AssessmentRun.objects.get()
    assert (run.street_id, run.status, run.requested_by_id) == (
        world.A1.pk,
        "queued",
        world.users["street"].pk,
    )
    assert elapsed < 1.0
    progress = client.get(reverse("web:assessment_progress", args=[run.pk])).json()
    assert progress["status"] == "queued" and progress["percent"] == 0


def test_assessing_another_street_from_the_web_is_refused(client, world):
    WalkNetworkFile.objects.create(name="n", path="n.npz")
    login(client, world, "street")
    response = client.post(reverse("web:assessments"), {"scope": f"street:{world.B1.pk}"})
    assert response.status_code == 403
    assert AssessmentRun.objects.count() == 0
    other = AssessmentRun.objects.create(
        street=world.B1, standard="x", walk_minutes=15, speed_kmh=4, limit_m=1000
    )
    assert client.get(reverse("web:assessment", args=[other.pk])).status_code == 403
