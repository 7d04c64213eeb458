"""Web basics: health, language, CSRF, deploy checks, JSON logs, the admin scoped like the pages."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

from django.test import Client
from django.urls import reverse

from quarterhour.platform.geography.models import Community
from quarterhour.platform.logs import JsonFormatter


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_chinese_by_default_english_on_switch(client, world):
    client.force_login(world.users["street"])
    page = client.get(reverse("web:communities")).content.decode()
    assert '<html lang="zh-hans">' in page and "区划代码" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/communities/"})
    page = client.get(reverse("web:communities")).content.decode()
    assert '<html lang="en">' in page
    assert "Code" in page and "Street (town)" in page and "区划代码" not in page


def test_csrf_is_enforced_on_forms(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["street"])
    response = client.post(reverse("web:assessments"), {"scope": f"street:{world.A1.pk}"})
    assert response.status_code == 403
    login = Client(enforce_csrf_checks=True).get(reverse("login")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in login


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quarterhour.platform.settings.production",
        "SECRET_KEY": "k" * 20 + "Zq8!vT2#pL9@xW4$mN7^rB1&yC5*dF3(hJ6)",
        "ALLOWED_HOSTS": "qh.example.org",
        "QUARTERHOUR_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "quarterhour",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues (0 silenced)." in proc.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quarterhour.platform.settings.production",
        "QUARTERHOUR_DATA_DIR": str(tmp_path),
    }
    env.pop("SECRET_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "quarterhour", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "SECRET_KEY must be set" in proc.stderr


def test_logs_are_json_lines():
    record = logging.makeLogRecord(
        {"name": "quarterhour.x", "levelname": "INFO", "msg": "评估完成 %s", "args": (3,), "run": 7}
    )
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert (data["logger"], data["level"], data["message"], data["run"]) == (
        "quarterhour.x",
        "INFO",
        "评估完成 3",
        7,
    )


def test_admin_is_scoped_like_the_pages(client, world):
    client.force_login(world.users["street"])
    page = client.get("/admin/geography/community/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "南北长街社区" in text and "东华门社区" not in text
    assert client.get(f"/admin/geography/community/{world.b1x.pk}/change/").status_code in (
        302,
        403,
        404,
    )
    assert client.get("/admin/accounts/user/").status_code == 403


def test_admin_edit_goes_through_the_service_and_is_audited(client, world):
    client.force_login(world.users["community"])
    url = f"/admin/geography/community/{world.a1x.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "name": "南北长街社区",
        "kind": "residents",
        "urban_rural": "urban",
        "population": "3500",
        "households": "1000",
        "centre_lon": str(world.a1x.centre_lon),
        "centre_lat": str(world.a1x.centre_lat),
        "boundary_geojson": world.a1x.boundary_geojson,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    a1x = Community.objects.get(pk=world.a1x.pk)
    assert a1x.population == 3500
    last = a1x.history.first()
    assert (last.history_user.username, last.population) == ("community_a1x", 3500)
    assert a1x.history.count() == 2


def test_admin_superuser_without_membership_sees_nothing(client, world):
    client.force_login(world.users["superuser"])
    assert client.get("/admin/geography/community/").status_code == 403


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, world):
    client.force_login(world.users["street"])
    page = client.get(reverse("web:communities"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/communities/"})
    page = client.get(reverse("web:communities"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in page.content.decode()


def test_granting_a_role_in_the_admin_is_recorded(client, world):
    from quarterhour.platform.accounts.models import Membership

    client.force_login(world.users["city"])
    resident = world.users["resident"]
    url = f"/admin/accounts/user/{resident.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    existing = list(Membership.objects.filter(user=resident))
    data = {
        "username": resident.username,
        "display_name": "",
        "phone": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "memberships-TOTAL_FORMS": str(len(existing) + 1),
        "memberships-INITIAL_FORMS": str(len(existing)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(existing):
        data.update(
            {
                f"memberships-{i}-id": str(m.pk),
                f"memberships-{i}-user": str(resident.pk),
                f"memberships-{i}-role": m.role,
            }
        )
    n = len(existing)
    data.update(
        {
            f"memberships-{n}-user": str(resident.pk),
            f"memberships-{n}-role": "community",
            f"memberships-{n}-community": str(world.a2x.pk),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    granted = Membership.objects.get(user=resident, role="community")
    record = granted.history.get()
    assert (record.history_type, record.history_user.username) == ("+", "city")


def _circle_post(world, **over):
    data = {
        "code": "A1-2",
        "street": str(world.A1.pk),
        "name": "北长街服务圈",
        "status": "planned",
        "service_centre_name": "",
        "centre_lon": "",
        "centre_lat": "",
        "notes": "",
        "members": f"{world.a1y.code} 0.5",
    }
    data.update(over)
    return data


def test_street_officer_delineates_a_circle_in_the_admin(client, world):
    from quarterhour.platform.geography.models import Circle, CircleMembership

    geo_members = CircleMembership.objects.filter(circle=world.cA1, community=world.a1y)
    geo_members.update(population_share=0.5)  # a1y: half in cA1, half free
    client.force_login(world.users["street"])
    response = client.post("/admin/geography/circle/add/", _circle_post(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    circle = Circle.objects.get(code="A1-2")
    assert [(m.community.code, m.population_share) for m in circle.memberships.all()] == [
        ("110102001002", 0.5)
    ]
    assert circle.history.get().history_user == world.users["street"]


def test_admin_circle_form_refuses_others_and_overfull_shares(client, world):
    from quarterhour.platform.geography.models import Circle

    client.force_login(world.users["street"])
    other = client.post(
        "/admin/geography/circle/add/", _circle_post(world, members=f"{world.b1x.code}")
    )
    assert other.status_code == 200
    assert f"您辖区内没有社区 {world.b1x.code}" in other.content.decode()
    full = client.post("/admin/geography/circle/add/", _circle_post(world, members=world.a1y.code))
    assert full.status_code == 200 and "超过 1" in full.content.decode()
    empty = client.post("/admin/geography/circle/add/", _circle_post(world, members=""))
    assert empty.status_code == 200
    assert not Circle.objects.filter(code="A1-2").exists()


def test_admin_changes_circle_members_through_the_service(client, world):
    client.force_login(world.users["street"])
    url = f"/admin/geography/circle/{world.cA1.pk}/change/"
    assert client.get(url).status_code == 200
    data = {
        "name": "长安服务圈",
        "status": "building",
        "service_centre_name": "",
        "centre_lon": "",
        "centre_lat": "",
        "notes": "",
        "members": f"{world.a1x.code} 1\n{world.a1y.code} 0.6",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    world.cA1.refresh_from_db()
    assert world.cA1.status == "building"
    shares = {m.community.code: m.population_share for m in world.cA1.memberships.all()}
    assert shares == {world.a1x.code: 1.0, world.a1y.code: 0.6}
    changed = world.cA1.memberships.get(community=world.a1y).history.first()
    assert (changed.history_type, changed.history_user.username) == ("~", "street_a1")
