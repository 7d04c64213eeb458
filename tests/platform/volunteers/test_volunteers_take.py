"""我来帮忙: an approved volunteer takes an open need of their street from their home page (/me/);
the same ``assign`` move as the community's matching, audited, and the clerk's queue shows the need
matched. Refused: not (yet) approved, another district or street, already taken, one's own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.notifications.models import Notification
from quarterhour.platform.volunteers import services
from quarterhour.platform.volunteers.models import Need, Volunteer, VolunteeringEvent
from tests.platform.conftest import make_user

ALL_WEEK = [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "20:00"}]


def volunteer(w: Any, name: str, *, community: Any = None, approve: bool = True) -> Volunteer:
    community = community or w.a1y  # a1y: another community of street A1
    user = make_user(name, "resident")
    v = services.register(
        actor=user,
        community=community,
        name=name,
        phone="13900000000",
        lon=community.centre_lon,
        lat=community.centre_lat,
        skills=["care", "companion"],
        availability=ALL_WEEK,
        organisation="retired",
    )
    if approve:
        v = services.decide(actor=w.users["city"], volunteer=v, action="approve")
    return v


def need(w: Any, *, community: Any = None, skill: str = "care", text: str = "帮助老人买菜") -> Need:
    community = community or w.a1x
    return services.post_need(
        actor=w.users["city"],
        community=community,
        recipient=w.users["resident"],
        skill=skill,
        description=text,
        lon=community.centre_lon,
        lat=community.centre_lat,
        wanted_at=timezone.now() + dt.timedelta(days=1),
    )


def test_a_volunteer_takes_a_need_from_the_home_page(world):
    v = volunteer(world, "王阿姨")
    n = need(world, text="陪老人去医院<b>复查</b>")
    need(world, skill="legal", text="法律咨询")  # not one of the volunteer's skills
    need(world, community=world.a2x, text="新街口的需求")  # another street of the district
    c = Client()
    c.force_login(v.user)
    home = c.get(reverse("accounts:mine")).content.decode()
    assert "可以帮忙的互助需求" in home and "陪老人去医院&lt;b&gt;复查&lt;/b&gt;" in home
    assert "法律咨询" not in home and "新街口的需求" not in home
    assert f'action="{reverse("volunteers:take", args=[n.pk])}"' in home and "我来帮忙" in home
    told = Notification.objects.count()
    done = c.post(reverse("volunteers:take", args=[n.pk]), follow=True)
    assert done.status_code == 200 and "需求已由您认领" in done.content.decode()
    n.refresh_from_db()
    assert (n.status, n.volunteer_id) == ("matched", v.pk)
    # the same assign move, by the volunteer, with its reason; the person helped is told
    event = VolunteeringEvent.objects.filter(subject="need", subject_id=n.pk).get()
    assert (event.action, event.from_state, event.to_state) == ("assign", "open", "matched")
    assert (event.actor, event.reason) == (v.user, "志愿者自行认领")
    assert n.history.first().history_user == v.user
    assert list(
        Notification.objects.order_by("pk")[told:].values_list("recipient__username", flat=True)
    ) == ["resident"]
    # the volunteer's home now lists it among the services they give, with no button
    home = c.get(reverse("accounts:mine")).content.decode()
    assert (
        "志愿服务：" in home and f'action="{reverse("volunteers:take", args=[n.pk])}"' not in home
    )
    # the clerk's queue: matched, with the volunteer's name; no longer waiting to be matched
    c.force_login(world.users["community"])
    row = c.get(reverse("volunteers:needs")).content.decode().split("陪老人去医院")[1]
    assert "王阿姨" in row.split("</tr>")[0] and "已匹配" in row.split("</tr>")[0]
    page = c.get(reverse("volunteers:need", args=[n.pk])).content.decode()
    assert "王阿姨" in page and 'id="candidates"' not in page


def test_the_needs_list_shows_what_a_volunteer_may_take(world):
    v = volunteer(world, "王阿姨")
    n = need(world, text="陪老人去医院")
    need(world, skill="legal", text="法律咨询")  # not one of the volunteer's skills
    need(world, community=world.a2x, text="新街口的需求")  # another street
    c = Client()
    c.force_login(v.user)
    page = c.get(reverse("volunteers:needs")).content.decode()
    part = page.split('id="needs-to-help"')[1].split("</table>")[0]
    assert "陪老人去医院" in part and reverse("volunteers:need", args=[n.pk]) in part
    assert "法律咨询" not in part and "新街口的需求" not in part
    # taken: no longer offered, now among the volunteer's own
    c.post(reverse("volunteers:take", args=[n.pk]))
    page = c.get(reverse("volunteers:needs")).content.decode()
    assert 'id="needs-to-help"' not in page
    assert "陪老人去医院" in page.split('id="needs"')[1]
    # someone who is not a volunteer sees no such section
    c.force_login(world.users["resident"])
    assert 'id="needs-to-help"' not in c.get(reverse("volunteers:needs")).content.decode()


def test_english_alongside(world):
    v = volunteer(world, "王阿姨")
    need(world)
    c = Client()
    c.force_login(v.user)
    c.cookies["django_language"] = "en"
    home = c.get(reverse("accounts:mine")).content.decode()
    assert "Needs you can help with" in home and "I&#x27;ll help" in home


def test_refusals_leave_the_need_open(world):
    n = need(world)
    pending = volunteer(world, "待审核", approve=False)
    far = volunteer(world, "东城志愿者", community=world.b1x)
    other_street = volunteer(world, "新街口志愿者", community=world.a2x)
    cases = [
        (pending.user, PermissionRefused, "volunteer_not_a_volunteer"),
        (world.users["provider"], PermissionRefused, "volunteer_not_a_volunteer"),
        (far.user, PermissionRefused, "volunteer_other_district"),
        (other_street.user, PermissionRefused, "volunteer_other_street"),
    ]
    for user, error, code in cases:
        with pytest.raises(error) as exc:
            services.take(actor=user, need=n)
        assert exc.value.code == code
    n.refresh_from_db()
    assert (n.status, n.volunteer_id) == ("open", None)
    assert not VolunteeringEvent.objects.filter(subject="need").exists()
    # through the page: refused with the reason (403), nothing changes
    c = Client()
    c.force_login(far.user)
    refused = c.post(reverse("volunteers:take", args=[n.pk]))
    assert refused.status_code == 403 and "其他区县" in refused.content.decode()
    assert c.get(reverse("volunteers:need", args=[n.pk])).status_code == 404  # not theirs to see
    # suspended after approval: no longer takes needs
    first = volunteer(world, "先来的")
    services.decide(actor=world.users["city"], volunteer=first, action="suspend", note="暂停")
    with pytest.raises(PermissionRefused):
        services.take(actor=first.user, need=n)


def test_already_taken_and_own_need(world):
    n = need(world)
    first, second = volunteer(world, "先来的"), volunteer(world, "后到的")
    c = Client()
    c.force_login(second.user)
    assert "我来帮忙" in c.get(reverse("volunteers:need", args=[n.pk])).content.decode()
    services.take(actor=first.user, need=n)
    with pytest.raises(Invalid) as exc:
        services.take(actor=second.user, need=n)
    assert exc.value.code == "volunteer_need_taken" and "已匹配" in str(exc.value.message)
    late = c.post(reverse("volunteers:take", args=[n.pk]), follow=True)
    assert late.status_code == 200 and "不能再认领" in late.content.decode()
    n.refresh_from_db()
    assert n.volunteer_id == first.pk
    # the community's own matching goes through the same move: refused as well
    with pytest.raises(Invalid):
        services.assign(actor=world.users["community"], need=n, volunteer=second)
    # one's own need is not one to take
    own = services.post_need(
        actor=second.user,
        community=world.a1x,
        recipient=second.user,
        skill="care",
        description="我自己的需求",
        lon=0.0,
        lat=0.0,
        wanted_at=timezone.now() + dt.timedelta(days=1),
    )
    assert "我自己的需求" not in c.get(reverse("accounts:mine")).content.decode()
    with pytest.raises(Invalid) as exc:
        services.take(actor=second.user, need=own)
    assert exc.value.code == "volunteer_own_need"
    # a missing need: 404, never a 5xx
    assert c.post(reverse("volunteers:take", args=[999999])).status_code == 404
    assert c.get(reverse("volunteers:take", args=[n.pk])).status_code == 405
