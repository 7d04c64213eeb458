"""Volunteer pages: registration form, the community's approval list, needs, certificate."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from quarterhour.platform.volunteers import services
from quarterhour.platform.volunteers.models import Volunteer


def test_register_approve_and_certificate(world):
    c = Client()
    c.force_login(world.users["resident"])
    assert "志愿者注册登记" in c.get(reverse("volunteers:register")).content.decode()
    r = c.post(
        reverse("volunteers:register"),
        {
            "name": "刘阿姨",
            "phone": "13900000000",
            "community": world.a1x.pk,
            "organisation": "retired",
            "skills": ["care"],
            "days": ["1", "3"],
            "opens": "09:00",
            "closes": "11:00",
        },
        follow=True,
    )
    assert "注册已提交，待社区审核" in r.content.decode()
    v = Volunteer.objects.get()
    assert v.availability == [{"days": [1, 3], "opens": "09:00", "closes": "11:00"}]
    c.force_login(world.users["community"])
    assert "刘阿姨" in c.get(reverse("volunteers:list")).content.decode()
    c.post(reverse("volunteers:decide", args=[v.pk]), {"action": "approve"})
    v.refresh_from_db()
    assert v.status == "approved"
    cert = c.get(reverse("volunteers:certificate", args=[v.pk, 2026])).content.decode()
    assert "志愿服务证明" in cert and f"ZY-110102001001-{v.pk:06d}-2026" in cert
    c.force_login(world.users["street"])  # street A1 covers a1x
    assert c.get(reverse("volunteers:certificate", args=[v.pk, 2026])).status_code == 200
    other = Client()
    other.force_login(world.users["provider"])
    assert other.get(reverse("volunteers:certificate", args=[v.pk, 2026])).status_code == 403


def test_need_page_says_when_no_network_is_loaded(world):
    import datetime as dt

    from django.utils import timezone

    n = services.post_need(
        actor=world.users["resident"],
        community=world.a1x,
        recipient=world.users["resident"],
        skill="care",
        description="买菜",
        lon=world.a1x.centre_lon,
        lat=world.a1x.centre_lat,
        wanted_at=timezone.now() + dt.timedelta(days=1),
    )
    c = Client()
    c.force_login(world.users["community"])
    page = c.get(reverse("volunteers:need", args=[n.pk])).content.decode()
    assert "尚未导入覆盖该地点的步行路网" in page
    c.force_login(world.users["resident"])
    assert "买菜" in c.get(reverse("volunteers:needs")).content.decode()
