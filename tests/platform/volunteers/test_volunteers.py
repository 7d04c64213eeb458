"""Volunteers and mutual aid: registration and approval (every transition), needs, matching by
skill, walking distance along a real network and availability, hours confirmed by the
recipient, totals; permissions per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from quarterhour.engine.network import build_network, haversine_m
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.notifications.models import Notification
from quarterhour.platform.volunteers import selectors, services
from quarterhour.platform.volunteers.machines import VOLUNTEER
from quarterhour.platform.volunteers.models import Need, ServiceRecord, Volunteer
from tests.platform.conftest import make_user
from tests.platform.helpers import permission_cases

TZ = timezone.get_fixed_timezone(8 * 60)
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)  # Monday
ALL_WEEK = [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "20:00"}]
WEEKEND = [{"days": [6, 7], "opens": "08:00", "closes": "20:00"}]

# a straight street of 11 nodes, ~100 m apart, along 39.9015°N
LAT = 39.9015
LONS = 116.3605 + np.arange(11) * 0.00117


@pytest.fixture
def street_net():
    return build_network(LONS, np.full(11, LAT), np.arange(10), np.arange(1, 11))


def walk(i: int, j: int) -> float:
    a, b = sorted((i, j))
    return float(sum(haversine_m(LONS[k], LAT, LONS[k + 1], LAT) for k in range(a, b)))


def volunteer(
    w: Any,
    name: str,
    node: int,
    skills: list[str],
    *,
    hours: Any = ALL_WEEK,
    approve: bool = True,
    community: Any = None,
) -> Volunteer:
    user = make_user(name, "resident")
    v = services.register(
        actor=user,
        community=community or w.a1x,
        name=name,
        phone="139" + "0" * 8,
        lon=float(LONS[node]),
        lat=LAT,
        skills=skills,
        availability=hours,
        organisation="retired",
        now=T0,
    )
    if approve:
        approver = w.users["community"] if community is None else w.users["city"]
        v = services.decide(actor=approver, volunteer=v, action="approve", now=T0)
    return v


def need(w: Any, *, skill: str = "care", node: int = 0, wanted: dt.datetime | None = None) -> Need:
    return services.post_need(
        actor=w.users["resident"],
        community=w.a1x,
        recipient=w.users["resident"],
        skill=skill,
        description="帮助老人买菜",
        lon=float(LONS[node]),
        lat=LAT,
        wanted_at=wanted or T0 + dt.timedelta(hours=2),
        now=T0,
    )


def test_matching_by_skill_walk_and_availability(world, street_net):
    near = volunteer(world, "v_near", 2, ["care", "repair"])
    farther = volunteer(world, "v_farther", 5, ["care"])
    volunteer(world, "v_lawyer", 1, ["legal"])
    volunteer(world, "v_pending", 3, ["care"], approve=False)
    volunteer(world, "v_weekend", 4, ["care"], hours=WEEKEND)
    volunteer(world, "v_far", 10, ["care"])
    volunteer(world, "v_other_street", 1, ["care"], community=world.b1x)
    n = need(world)
    found = services.candidates(n, network=street_net, limit_m=600.0)
    assert [c.volunteer.pk for c in found] == [near.pk, farther.pk]
    assert [round(c.walk_m, 3) for c in found] == [round(walk(0, 2), 3), round(walk(0, 5), 3)]
    # on Saturday the weekend volunteer is free too
    sat = need(world, wanted=dt.datetime(2026, 3, 7, 10, 0, tzinfo=TZ))
    names = [c.volunteer.name for c in services.candidates(sat, network=street_net, limit_m=600.0)]
    assert names == ["v_near", "v_weekend", "v_farther"]


def test_assign_record_confirm_and_totals(world, street_net):
    v = volunteer(world, "v1", 2, ["care"])
    n = need(world)
    services.assign(actor=world.users["community"], need=n, volunteer=v, now=T0)
    assert Notification.objects.filter(recipient=v.user, kind="volunteers.assigned").exists()
    with pytest.raises(Invalid) as exc:
        services.record_hours(actor=v.user, need=n, minutes=0, served_on=T0.date(), now=T0)
    assert exc.value.code == "volunteer_minutes_invalid"
    assert ServiceRecord.objects.count() == 0
    rec = services.record_hours(actor=v.user, need=n, minutes=90, served_on=T0.date(), now=T0)
    n.refresh_from_db()
    assert n.status == "done" and rec.status == "pending"
    assert selectors.totals(v).minutes == 0  # not yet confirmed
    with pytest.raises(PermissionRefused):
        services.confirm_hours(actor=v.user, record=rec, accept=True)
    services.confirm_hours(actor=world.users["resident"], record=rec, accept=True, now=T0)
    t = selectors.totals(v)
    assert (t.services, t.minutes, t.hours) == (1, 90, 1.5)
    assert selectors.totals(v, year=2025).minutes == 0
    with pytest.raises(Invalid) as exc:
        services.confirm_hours(actor=world.users["resident"], record=rec, accept=False)
    assert exc.value.code == "volunteer_illegal_transition"
    row = selectors.totals_table(Volunteer.objects.filter(pk=v.pk)).get()
    assert (row.n_services, row.confirmed_minutes) == (1, 90)
    assert selectors.certificate_number(v, 2026) == f"ZY-110102001001-{v.pk:06d}-2026"


def test_disputed_hours_do_not_count(world):
    v = volunteer(world, "v1", 2, ["care"])
    n = need(world)
    services.assign(actor=world.users["community"], need=n, volunteer=v)
    rec = services.record_hours(actor=v.user, need=n, minutes=60, served_on=T0.date(), now=T0)
    services.confirm_hours(actor=world.users["resident"], record=rec, accept=False, note="没来")
    assert selectors.totals(v).minutes == 0
    assert ServiceRecord.objects.get().status == "disputed"


def test_assign_refuses_unapproved_or_unskilled(world):
    pending = volunteer(world, "v_p", 2, ["care"], approve=False)
    lawyer = volunteer(world, "v_l", 2, ["legal"])
    n = need(world)
    with pytest.raises(Invalid) as exc:
        services.assign(actor=world.users["community"], need=n, volunteer=pending)
    assert exc.value.code == "volunteer_not_approved"
    with pytest.raises(Invalid) as exc:
        services.assign(actor=world.users["community"], need=n, volunteer=lawyer)
    assert exc.value.code == "volunteer_skill_mismatch"
    n.refresh_from_db()
    assert n.status == "open" and n.volunteer is None


# every transition of a volunteer's registration: legal ones and the illegal rest
LEGAL = {
    ("pending", "approve"): "approved",
    ("pending", "reject"): "rejected",
    ("approved", "suspend"): "suspended",
    ("suspended", "reinstate"): "approved",
}


@pytest.mark.parametrize("state", ["pending", "approved", "rejected", "suspended"])
@pytest.mark.parametrize("action", ["approve", "reject", "suspend", "reinstate"])
def test_registration_transitions(world, state, action):
    v = volunteer(world, "v1", 2, ["care"], approve=False)
    Volunteer.objects.filter(pk=v.pk).update(status=state)
    before = v.history.count()
    if (state, action) in LEGAL:
        v = services.decide(actor=world.users["community"], volunteer=v, action=action, note="理由")
        assert v.status == LEGAL[(state, action)]
        assert v.history.count() == before + 1
        assert v.history.first().history_change_reason == f"{VOLUNTEER.label(action)}：理由"
    else:
        with pytest.raises(Invalid) as exc:
            services.decide(actor=world.users["community"], volunteer=v, action=action, note="x")
        assert exc.value.code == "volunteer_illegal_transition"
        assert Volunteer.objects.get(pk=v.pk).status == state
        assert v.history.count() == before


def test_bad_registration_collects_every_problem(world):
    user = make_user("someone", "resident")
    with pytest.raises(Invalid) as exc:
        services.register(
            actor=user,
            community=world.a1x,
            name="",
            phone="",
            lon=0,
            lat=0,
            skills=["flying"],
            availability=[{"days": [0], "opens": "8", "closes": "x"}],
            organisation="alien",
        )
    codes = [i.code for i in exc.value.issues]
    assert codes == [
        "volunteer_unknown_skill",
        "volunteer_availability_invalid",  # days
        "volunteer_availability_invalid",  # opens
        "volunteer_availability_invalid",  # closes
        "field_invalid",
        "field_invalid",
    ]
    assert Volunteer.objects.count() == 0
    volunteer(world, "twice", 1, ["care"])
    with pytest.raises(Invalid) as exc:
        services.register(
            actor=Volunteer.objects.get().user,
            community=world.a1x,
            name="x",
            phone="1",
            lon=0,
            lat=0,
            skills=["care"],
            availability=[],
            organisation="student",
        )
    assert exc.value.code == "volunteer_already_registered"


def test_need_in_the_past_is_refused(world):
    with pytest.raises(Invalid) as exc:
        need(world, wanted=T0 - dt.timedelta(hours=1))
    assert exc.value.issues[0].field == "wanted_at"
    assert Need.objects.count() == 0


# -- permissions ------------------------------

# fmt: off
EXPECTED = {
    #                    city  district street community provider resident superuser
    "approve":          ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN"),
    "post_for_other":   ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN"),
    "assign":           ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN"),
}
# fmt: on


@pytest.mark.parametrize(("action", "role", "side", "allowed"), permission_cases(EXPECTED))
def test_volunteer_permission(world, action, role, side, allowed):
    community = world.a1x if side == "own" else world.b1x
    user = world.users[role]
    v = volunteer(world, "vol", 2, ["care"], approve=False, community=community)
    recipient = make_user("elder", "resident")
    if action == "approve":

        def call():
            return services.decide(actor=user, volunteer=v, action="approve")
    elif action == "post_for_other":

        def call():
            return services.post_need(
                actor=user,
                community=community,
                recipient=recipient,
                skill="care",
                description="x",
                lon=0,
                lat=0,
                wanted_at=timezone.now() + dt.timedelta(days=1),
            )
    else:
        Volunteer.objects.filter(pk=v.pk).update(status="approved")
        v.refresh_from_db()
        n = services.post_need(
            actor=world.users["city"],
            community=community,
            recipient=recipient,
            skill="care",
            description="x",
            lon=0,
            lat=0,
            wanted_at=timezone.now() + dt.timedelta(days=1),
        )

        def call():
            return services.assign(actor=user, need=n, volunteer=v)

    snapshot = (
        list(Volunteer.objects.values_list("status", flat=True)),
        list(Need.objects.values_list("status", flat=True)),
    )
    if allowed:
        call()
        assert snapshot != (
            list(Volunteer.objects.values_list("status", flat=True)),
            list(Need.objects.values_list("status", flat=True)),
        )
    else:
        with pytest.raises(PermissionRefused):
            call()
        assert snapshot == (
            list(Volunteer.objects.values_list("status", flat=True)),
            list(Need.objects.values_list("status", flat=True)),
        )


def test_residents_post_for_themselves_only_and_recipients_alone_confirm(world):
    me = world.users["resident"]
    other = make_user("elder", "resident")
    args = {
        "community": world.a1x,
        "skill": "care",
        "description": "x",
        "lon": 0,
        "lat": 0,
        "wanted_at": T0 + dt.timedelta(days=1),
        "now": T0,
    }
    services.post_need(actor=me, recipient=me, **args)
    with pytest.raises(PermissionRefused):
        services.post_need(actor=me, recipient=other, **args)
    assert Need.objects.count() == 1


def test_a_volunteer_of_another_district_cannot_be_assigned(world):
    """City staff reach both districts, yet a volunteer registered in district B is not sent to
    a need of district A: refused by name, the need stays open and unassigned, nobody told."""
    far = volunteer(world, "远方志愿者", 0, ["care"], community=world.b1x)
    n = need(world)
    told = Notification.objects.count()
    with pytest.raises(PermissionRefused) as exc:
        services.assign(actor=world.users["city"], need=n, volunteer=far, now=T0)
    assert exc.value.code == "volunteer_other_district"
    n.refresh_from_db()
    assert (n.status, n.volunteer_id) == ("open", None)
    assert Notification.objects.count() == told


def test_hours_are_one_figure_on_every_page(world):
    """Confirmed minutes become the same hours figure on the volunteer's own page, the
    community's list, the home to-do and the certificate."""
    from django.test import Client
    from django.urls import reverse

    v = volunteer(world, "小王", 0, ["care"])
    for minutes in (50, 45):
        n = need(world)
        services.assign(actor=world.users["community"], need=n, volunteer=v, now=T0)
        r = services.record_hours(
            actor=v.user, need=n, minutes=minutes, served_on=T0.date(), now=T0
        )
        services.confirm_hours(actor=world.users["resident"], record=r, accept=True, now=T0)
    assert selectors.totals(v).hours == 1.6  # 95 minutes
    c = Client()
    c.force_login(v.user)
    own = c.get(reverse("volunteers:register")).content.decode()
    assert "已确认志愿服务 2 次，共 1.6 小时" in own
    home = c.get(reverse("accounts:mine")).content.decode()
    assert "已确认志愿服务 2 次，共 1.6 小时" in home
    cert = c.get(reverse("volunteers:certificate", args=[v.pk, 2026])).content.decode()
    assert "共计 1.6 小时" in cert
    c.force_login(world.users["community"])
    listed = c.get(reverse("volunteers:list")).content.decode()
    assert '<td class="hours">1.6</td>' in listed


def test_every_move_leaves_an_event_row(world):
    """Registration, need and service record move through their state machines; each move is
    one event row (who, from, to, why) beside the history row."""
    from quarterhour.platform.volunteers.models import VolunteeringEvent

    v = volunteer(world, "小李", 0, ["care"])
    n = need(world)
    services.assign(actor=world.users["community"], need=n, volunteer=v, now=T0)
    r = services.record_hours(actor=v.user, need=n, minutes=30, served_on=T0.date(), now=T0)
    services.confirm_hours(actor=world.users["resident"], record=r, accept=False, note="没来")
    rows = list(
        VolunteeringEvent.objects.order_by("pk").values_list(
            "subject", "action", "from_state", "to_state", "actor__username"
        )
    )
    assert rows == [
        ("volunteer", "approve", "pending", "approved", "community_a1x"),
        ("need", "assign", "open", "matched", "community_a1x"),
        ("need", "serve", "matched", "done", "小李"),
        ("record", "dispute", "pending", "disputed", "resident"),
    ]
    assert Volunteer.history.filter(id=v.pk).count() == 2
    with pytest.raises(Invalid) as exc:
        services.cancel_need(actor=world.users["community"], need=n, reason="x")
    assert exc.value.code == "volunteer_illegal_transition" and "已完成" in str(exc.value.message)
