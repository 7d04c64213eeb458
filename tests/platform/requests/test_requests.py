"""Requests: first-responder ownership, deadlines in working time (per district, with the
calendar), the state machine (every legal and illegal transition), transfers, rating,
permissions per role and jurisdiction, the audit trail and notifications, bad input."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.notifications.models import Notification
from quarterhour.platform.requests import configuration, escalation, selectors, services
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests.error_codes import RequestError as E
from quarterhour.platform.requests.models import Event, Handover, ServiceRequest, Status
from quarterhour.platform.requests.workcalendar import Calendar
from tests.platform.conftest import make_user
from tests.platform.requests.helpers import BJ, MONDAY_10, bj, make_categories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(world: Any) -> dict[str, Any]:
    return make_categories()


def web_request(world: Any, cats: Any, **kw: Any) -> ServiceRequest:
    args: dict[str, Any] = {
        "actor": world.users["resident"],
        "category": cats["repair"],
        "channel": "web",
        "description": "3号楼楼道灯坏了",
        "community": world.a1x,
        "attributes": {"what": "light"},
        "now": MONDAY_10,
    }
    args.update(kw)
    return services.submit(**args)


# -- working calendar ---------------------------------------------------------------------------


def test_calendar_arithmetic() -> None:
    cal = Calendar(tz=BJ)
    assert cal.add(bj(2026, 3, 6, 16), hours=2) == bj(2026, 3, 9, 10)  # Friday → Monday
    assert cal.add(bj(2026, 3, 2, 10), days=1) == bj(2026, 3, 3, 10)
    assert cal.add(bj(2026, 3, 2, 20), days=1) == bj(2026, 3, 3, 17)  # after hours
    assert cal.add(bj(2026, 3, 7, 11), hours=1) == bj(2026, 3, 9, 10)  # Saturday
    assert cal.working_between(bj(2026, 3, 6, 16), bj(2026, 3, 9, 10)).total_seconds() == 7200
    holiday = Calendar(tz=BJ, days_off=frozenset({date(2026, 3, 3)}))
    assert holiday.add(bj(2026, 3, 2, 16), hours=2) == bj(2026, 3, 4, 10)
    swapped = Calendar(tz=BJ, days_on=frozenset({date(2026, 3, 7)}))
    assert swapped.add(bj(2026, 3, 6, 16), hours=2) == bj(2026, 3, 7, 10)
    with pytest.raises(ValueError):
        Calendar(day_start=time(17), day_end=time(9))


# -- submit: owner and deadline from the first minute -------------------------------------------


def test_web_request_owned_by_community_with_deadline(world: Any, cats: Any) -> None:
    req = web_request(world, cats)
    assert (req.status, req.owner_level, req.owner_community_id, req.owner_user_id) == (
        "new",
        "community",
        world.a1x.pk,
        None,
    )
    assert (req.street_id, req.district_id) == (world.A1.pk, world.A.pk)
    # 3 working days from Monday 10:00 → Thursday 10:00; reminder 4 working hours before
    assert req.due_at == bj(2026, 3, 5, 10)
    assert req.remind_at == bj(2026, 3, 4, 14)
    assert req.attributes == {"what": "light"}
    (event,) = Event.objects.filter(request=req)
    assert (event.action, event.actor, event.to_status) == (
        "submit",
        world.users["resident"],
        "new",
    )
    # the community's staff are told
    note = Notification.objects.get(kind="request.new")
    assert note.recipient == world.users["community"]
    assert note.object_id == str(req.pk)


def test_location_by_coordinates(world: Any, cats: Any) -> None:
    req = web_request(
        world, cats, community=None, lon=world.a1y.centre_lon, lat=world.a1y.centre_lat
    )
    assert req.community_id == world.a1y.pk
    assert req.owner_community_id == world.a1y.pk


def test_district_deadline_and_calendar(world: Any, cats: Any) -> None:
    district_staff = world.users["district"]
    configuration.set_district_deadline(
        actor=district_staff, category=cats["repair"], district=world.A, amount=2, unit="hours"
    )
    req = web_request(world, cats)
    assert req.due_at == bj(2026, 3, 2, 12)
    # district B keeps the category's default (3 working days), with its own holiday
    city = world.users["city"]
    configuration.set_calendar(actor=city, district=world.B, days_off=[date(2026, 3, 3)])
    req_b = web_request(world, cats, community=world.b1x)
    assert req_b.due_at == bj(2026, 3, 6, 10)
    with pytest.raises(PermissionRefused):
        configuration.set_district_deadline(
            actor=district_staff, category=cats["repair"], district=world.B, amount=1, unit="days"
        )
    with pytest.raises(Invalid) as exc:
        configuration.set_district_deadline(
            actor=district_staff, category=cats["repair"], district=world.A, amount=0, unit="weeks"
        )
    assert [i.field for i in exc.value.issues] == ["amount", "unit"]
    with pytest.raises(Invalid) as exc:
        configuration.set_calendar(
            actor=city,
            district=None,
            weekdays="1239",
            day_start=time(17),
            day_end=time(9),
            days_off=[date(2026, 3, 3)],
            days_on=[date(2026, 3, 3)],
        )
    assert [i.field for i in exc.value.issues] == ["weekdays", "day_end", "days"]


def test_hotline_call_owned_by_the_staff_member(world: Any, cats: Any) -> None:
    street = world.users["street"]
    req = services.submit(
        actor=street,
        category=cats["noise"],
        channel="hotline",
        community=world.a1y,
        description="夜间施工噪声",
        contact_name="王女士",
        contact_phone="13900001111",
        now=MONDAY_10,
    )
    assert (req.owner_level, req.owner_street_id, req.owner_user) == ("street", world.A1.pk, street)
    assert req.submitter is None
    assert req.due_at == bj(2026, 3, 2, 12)  # 2 working hours
    assert req.remind_at == bj(2026, 3, 2, 11)
    # contact details: the owner sees them, the district supervisor sees them masked
    assert selectors.contact(street, req).phone == "13900001111"
    masked = selectors.contact(world.users["district"], req)
    assert (masked.name, masked.phone) == ("***", "139****1111")
    with pytest.raises(PermissionRefused):
        services.submit(
            actor=world.users["resident"],
            category=cats["noise"],
            channel="hotline",
            community=world.a1y,
        )


def test_bad_input_stores_nothing(world: Any, cats: Any) -> None:
    with pytest.raises(Invalid) as exc:
        services.submit(actor=world.users["resident"], category=None, channel="web")
    assert [(i.code, i.field) for i in exc.value.issues] == [
        (E.NO_CATEGORY, "category"),
        (E.NO_LOCATION, "location"),
    ]
    assert str(exc.value.issues[0].message) == "请选择诉求类别"
    with pytest.raises(Invalid) as exc:
        web_request(world, cats, attributes={"what": "sofa", "floor": "three", "colour": "x"})
    assert [(i.code, i.field) for i in exc.value.issues] == [
        (E.BAD_ATTRIBUTE, "attribute[colour]"),
        (E.BAD_ATTRIBUTE, "attribute[what]"),
        (E.BAD_ATTRIBUTE, "attribute[floor]"),
    ]
    with pytest.raises(Invalid) as exc:
        web_request(world, cats, attributes={})
    assert [i.code for i in exc.value.issues] == [E.MISSING_ATTRIBUTE]
    with pytest.raises(Invalid) as exc:
        web_request(world, cats, community=None, lon=0.0, lat=0.0)
    assert [i.code for i in exc.value.issues] == [E.LOCATION_OUTSIDE]
    with pytest.raises(Invalid) as exc:
        web_request(world, cats, community=None, lon=116.0)
    assert [i.code for i in exc.value.issues] == [E.NO_LOCATION]
    with pytest.raises(Invalid) as exc:
        web_request(world, cats, community=None, lon=200.0, lat=95.0)
    assert [i.code for i in exc.value.issues] == [E.BAD_COORDINATES]
    with pytest.raises(Invalid) as exc:
        web_request(world, cats, description="长" * 4001)
    assert [i.code for i in exc.value.issues] == [E.DESCRIPTION_TOO_LONG]
    retired = type(cats["repair"]).objects.get(code="retired")
    with pytest.raises(Invalid) as exc:
        web_request(world, cats, category=retired, attributes={})
    assert [i.code for i in exc.value.issues] == [E.UNKNOWN_CATEGORY]
    assert ServiceRequest.objects.count() == 0
    assert Event.objects.count() == 0
    assert Notification.objects.count() == 0


def test_error_message_in_english(world: Any) -> None:
    from django.utils import translation

    with pytest.raises(Invalid) as exc:
        services.submit(actor=world.users["resident"], category=None, channel="web")
    # messages are lazy: rendered in the language active where they are shown
    with translation.override("en"):
        assert str(exc.value.issues[0].message) == "Please choose a request category"
        assert str(exc.value.issues[1].message) == (
            "Please give a location: coordinates or the community"
        )
    assert str(exc.value.issues[0].message) == "请选择诉求类别"


# -- state machine ------------------------------------------------------------------------------

ALL_STATUSES = [s.value for s in Status]
USER_ACTIONS = ["accept", "reply", "transfer", "close", "reject", "reopen", "rate"]


def _do(action: str, world: Any, req: ServiceRequest) -> ServiceRequest:
    staff = world.users["community"]
    resident = world.users["resident"]
    if action == "accept":
        return services.accept(actor=staff, request=req)
    if action == "reply":
        return services.reply(actor=staff, request=req, answer="明天上午派人上门")
    if action == "transfer":
        to = services.Owner("street", street=world.A1)
        return services.transfer(actor=staff, request=req, to=to, reason="需街道协调")
    if action == "close":
        return services.close(actor=staff, request=req, resolution="已更换灯泡")
    if action == "reject":
        return services.reject(actor=staff, request=req, reason="不属于社区职责")
    if action == "reopen":
        return services.reopen(actor=resident, request=req, reason="灯又坏了")
    return services.rate(actor=resident, request=req, rating=4, comment="及时")


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", USER_ACTIONS)
def test_every_transition(world: Any, cats: Any, status: str, action: str) -> None:
    req = web_request(world, cats)
    ServiceRequest.objects.filter(pk=req.pk).update(status=status)
    req.refresh_from_db()
    events_before = Event.objects.filter(request=req).count()
    step = services.TRANSITIONS[action]
    expected = step.target if status in step.sources else None
    if expected is None:
        with pytest.raises(Invalid) as exc:
            _do(action, world, req)
        assert exc.value.code == E.ILLEGAL_TRANSITION
        req.refresh_from_db()
        assert req.status == status
        assert Event.objects.filter(request=req).count() == events_before
        return
    done = _do(action, world, req)
    done.refresh_from_db()
    assert done.status == expected
    last = Event.objects.filter(request=req).last()
    assert (last.action, last.from_status, last.to_status) == (action, status, expected)


def test_transition_table_is_complete() -> None:
    legal = sorted((s, a) for a, t in services.TRANSITIONS.items() for s in t.sources)
    assert legal == sorted(
        [
            ("accepted", "close"),
            ("accepted", "escalate"),
            ("accepted", "reply"),
            ("accepted", "transfer"),
            ("replied", "close"),
            ("replied", "escalate"),
            ("replied", "reply"),
            ("replied", "transfer"),
            ("closed", "rate"),
            ("closed", "reopen"),
            ("new", "accept"),
            ("new", "close"),
            ("new", "escalate"),
            ("new", "reject"),
            ("new", "transfer"),
        ]
    )


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_escalation_transition(world: Any, cats: Any, status: str) -> None:
    req = web_request(world, cats)
    ServiceRequest.objects.filter(pk=req.pk).update(status=status)
    escalation.escalate_overdue(now=bj(2026, 3, 5, 10))
    req.refresh_from_db()
    if status in services.TRANSITIONS["escalate"].sources:
        assert (req.status, req.owner_level, req.escalations) == ("new", "street", 1)
    else:
        assert (req.status, req.owner_level, req.escalations) == (status, "community", 0)


# -- the whole life of a request, with its audit trail ----------------------------------------


def test_life_of_a_request(world: Any, cats: Any) -> None:
    community, resident = world.users["community"], world.users["resident"]
    req = web_request(world, cats)
    services.accept(actor=community, request=req, note="已派人查看", now=bj(2026, 3, 2, 11))
    req.refresh_from_db()
    assert req.owner_user == community  # the person who accepted owns it
    due = req.due_at
    services.transfer(
        actor=community,
        request=req,
        to=services.Owner("provider", provider=world.pA1),
        reason="由物业服务站点维修",
        now=bj(2026, 3, 2, 14),
    )
    req.refresh_from_db()
    assert (req.status, req.owner_level, req.owner_provider_id, req.owner_user) == (
        "new",
        "provider",
        world.pA1.pk,
        None,
    )
    assert req.due_at == due  # the clock keeps running from the first receipt
    (h,) = Handover.objects.filter(request=req)
    assert (h.kind, h.by, h.from_user, h.from_unit, h.to_unit, h.reason) == (
        "transfer",
        community,
        community,
        "社区 南北长街社区 / community_a1x",
        "服务站点 长安便民服务社",
        "由物业服务站点维修",
    )
    provider = world.users["provider"]
    assert rperm.can_act(provider, req)
    assert not rperm.can_act(community, req)
    services.close(actor=provider, request=req, resolution="已更换灯泡", now=bj(2026, 3, 3, 9))
    services.rate(actor=resident, request=req, rating=5, comment="很满意", now=bj(2026, 3, 3, 12))
    req.refresh_from_db()
    assert (req.status, req.rating, req.rating_comment, req.closed_at) == (
        "closed",
        5,
        "很满意",
        bj(2026, 3, 3, 9),
    )
    trail = list(Event.objects.filter(request=req).values_list("action", "actor__username"))
    assert trail == [
        ("submit", "resident"),
        ("accept", "community_a1x"),
        ("transfer", "community_a1x"),
        ("close", "provider_pa1"),
        ("rate", "resident"),
    ]
    kinds = list(
        Notification.objects.filter(recipient=resident)
        .order_by("id")
        .values_list("kind", "subject")
    )
    assert kinds == [
        ("request.status", f"您的诉求 #{req.pk} 已受理"),
        ("request.status", f"您的诉求 #{req.pk} 已转交 服务站点 长安便民服务社 办理"),
        ("request.status", f"您的诉求 #{req.pk} 已办结，请评价"),
    ]
    assert Notification.objects.filter(recipient=provider, kind="request.transfer").count() == 1
    with pytest.raises(Invalid) as exc:
        services.rate(actor=resident, request=req, rating=3)
    assert exc.value.code == E.ALREADY_RATED
    with pytest.raises(Invalid) as exc:
        services.reopen(actor=resident, request=req, reason="x")
    assert exc.value.code == E.ALREADY_RATED


def test_rating_rules(world: Any, cats: Any) -> None:
    req = web_request(world, cats)
    services.close(actor=world.users["community"], request=req, resolution="done")
    with pytest.raises(PermissionRefused):
        services.rate(actor=world.users["community"], request=req, rating=5)
    for bad in (0, 6):
        with pytest.raises(Invalid) as exc:
            services.rate(actor=world.users["resident"], request=req, rating=bad)
        assert exc.value.code == E.BAD_RATING
    req.refresh_from_db()
    assert req.rating is None


def test_transfer_needs_reason_and_a_real_target(world: Any, cats: Any) -> None:
    community = world.users["community"]
    req = web_request(world, cats)
    with pytest.raises(Invalid) as exc:
        services.transfer(
            actor=community, request=req, to=services.Owner("street", street=world.A1), reason=" "
        )
    assert exc.value.code == E.NO_REASON
    with pytest.raises(Invalid) as exc:
        services.transfer(
            actor=community,
            request=req,
            to=services.Owner("street", street=world.A1, user=world.users["district"]),
            reason="r",
        )
    assert exc.value.code == E.BAD_TRANSFER_TARGET
    with pytest.raises(Invalid) as exc:
        services.transfer(actor=community, request=req, to=services.Owner("street"), reason="r")
    assert exc.value.code == E.BAD_TRANSFER_TARGET
    with pytest.raises(Invalid) as exc:
        services.transfer(
            actor=community,
            request=req,
            to=services.Owner("community", community=world.a1x),
            reason="r",
        )
    assert exc.value.code == E.BAD_TRANSFER_TARGET
    assert Handover.objects.count() == 0
    # to a named person of the receiving unit
    services.transfer(
        actor=community,
        request=req,
        to=services.Owner("street", street=world.A1, user=world.users["street"]),
        reason="街道统筹",
    )
    req.refresh_from_db()
    assert (req.owner_level, req.owner_user) == ("street", world.users["street"])


# -- permissions per role and jurisdiction ------------------------------------------------------

ROLES = ["city", "district", "street", "community", "provider", "resident", "superuser"]


@pytest.mark.parametrize(
    ("owner", "actors"),
    [
        ("community", {"community"}),
        ("street", {"street"}),
        ("district", {"district"}),
        ("city", {"city"}),
        ("provider", {"provider"}),
    ],
)
def test_who_may_act(world: Any, cats: Any, owner: str, actors: set[str]) -> None:
    req = web_request(world, cats)
    units = {
        "community": {"owner_community": world.a1x},
        "street": {"owner_street": world.A1},
        "district": {"owner_district": world.A},
        "city": {},
        "provider": {"owner_provider": world.pA1},
    }[owner]
    ServiceRequest.objects.filter(pk=req.pk).update(
        owner_level=owner, **{"owner_community": None, **units}
    )
    req.refresh_from_db()
    allowed = {r for r in ROLES if rperm.can_act(world.users[r], req)}
    assert allowed == actors
    for role in ROLES:
        if role in actors:
            continue
        with pytest.raises(PermissionRefused):
            services.accept(actor=world.users[role], request=req)
    req.refresh_from_db()
    assert req.status == "new"


def test_other_jurisdictions_neither_act_nor_see(world: Any, cats: Any) -> None:
    req = web_request(world, cats)
    other_community = make_user("community_b1x", "community", community=world.b1x)
    other_street = make_user("street_b1", "street", street=world.B1)
    other_district = make_user("district_b", "district", district=world.B)
    a1y_staff = make_user("community_a1y", "community", community=world.a1y)
    for user in (other_community, other_street, other_district, a1y_staff):
        assert not rperm.can_act(user, req)
        assert not rperm.can_view(user, req)
        assert selectors.requests_visible(user).count() == 0
    seen = {r for r in ROLES if rperm.can_view(world.users[r], req)}
    assert seen == {"city", "district", "street", "community", "resident"}
    stranger = make_user("resident2", "resident")
    assert not rperm.can_view(stranger, req)
    with pytest.raises(PermissionRefused):
        services.rate(actor=stranger, request=req, rating=5)


# -- web pages -------------------------------------------------------------------------------------


def test_pages(world: Any, cats: Any, client: Any) -> None:
    resident = world.users["resident"]
    client.force_login(resident)
    page = client.post(
        "/requests/new/",
        {
            "category": cats["repair"].pk,
            "community": world.a1x.pk,
            "description": "灯坏了",
            "attribute[what]": "light",
        },
    )
    assert page.status_code == 302
    req = ServiceRequest.objects.get()
    assert (req.channel, req.submitter) == ("web", resident)
    detail = client.get(f"/requests/{req.pk}/")
    assert detail.status_code == 200
    assert "待受理" in detail.content.decode()
    bad = client.post("/requests/new/", {"description": "x"})
    assert bad.status_code == 422
    assert "请选择诉求类别" in bad.content.decode()
    assert ServiceRequest.objects.count() == 1
    assert client.get("/requests/call/").status_code == 403
    client.force_login(world.users["community"])
    assert client.post(f"/requests/{req.pk}/accept").status_code == 302
    req.refresh_from_db()
    assert req.status == "accepted"
    client.force_login(make_user("community_b1x", "community", community=world.b1x))
    assert client.get(f"/requests/{req.pk}/").status_code == 404
    assert client.post(f"/requests/{req.pk}/close", {"resolution": "x"}).status_code == 404
    client.force_login(world.users["street"])  # can see, may not act
    assert client.post(f"/requests/{req.pk}/close", {"resolution": "x"}).status_code == 403
    req.refresh_from_db()
    assert req.status == "accepted"
