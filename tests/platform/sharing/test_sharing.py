"""Shared facilities of resident units: offers, bookings inside the windows and within capacity,
cancellation, withdrawal with notice, the planning selector, permissions per role."""

from __future__ import annotations

import datetime as dt

import pytest

from quarterhour.platform.accounts.models import Membership
from quarterhour.platform.core.errors import Invalid, PermissionRefused
from quarterhour.platform.notifications.models import Notification
from quarterhour.platform.sharing import selectors, services
from quarterhour.platform.sharing.models import Booking, SharedFacility, Slot, Window
from tests.platform.conftest import make_user
from tests.platform.helpers import ROLES as PERMISSION_ROLES
from tests.platform.helpers import permission_cases
from tests.platform.sharing.helpers import SAT, T0, TZ, WED, book, offer, unit_of


def test_offer_with_windows_and_booking_inside_them(world):
    shared = offer(world)
    assert [(x.weekday, x.start, x.end, x.slot_minutes) for x in shared.windows.all()] == [
        (3, dt.time(18), dt.time(21), 0),
        (6, dt.time(8), dt.time(12), 60),
    ]
    b = book(world, shared)
    assert (b.slot.date, b.slot.start, b.slot.end, b.slot.capacity) == (
        SAT,
        dt.time(9),
        dt.time(10),
        2,
    )
    whole = book(world, shared, date=WED, start=dt.time(18))
    assert whole.slot.end == dt.time(21)
    assert b.history.count() == 1 and b.history.first().history_user == world.users["resident"]


@pytest.mark.parametrize(
    ("date", "start"),
    [
        (SAT, dt.time(7, 0)),  # before the window
        (SAT, dt.time(12, 0)),  # at its end
        (SAT, dt.time(9, 30)),  # not on a slot boundary
        (SAT + dt.timedelta(days=1), dt.time(9, 0)),  # Sunday: no window
        (WED, dt.time(19, 0)),  # whole-window slot starts at 18:00 only
    ],
)
def test_booking_outside_the_window_is_refused_and_nothing_stored(world, date, start):
    shared = offer(world)
    with pytest.raises(Invalid) as exc:
        book(world, shared, date=date, start=start)
    assert exc.value.code == "sharing_outside_window"
    assert "不在该设施的开放时段内" in str(exc.value.message)
    assert Slot.objects.count() == 0 and Booking.objects.count() == 0


def test_capacity_is_never_exceeded_and_cancel_frees_a_place(world):
    shared = offer(world, capacity=2)
    first = book(world, shared)
    book(world, shared, role="community")
    with pytest.raises(Invalid) as exc:
        book(world, shared)
    assert exc.value.code == "sharing_slot_full"
    slot = Slot.objects.get()
    assert slot.taken == 2 and Booking.objects.filter(status="active").count() == 2
    services.cancel(actor=world.users["resident"], booking=first)
    slot.refresh_from_db()
    assert slot.taken == 1
    again = book(world, shared)
    assert again.slot_id == slot.pk
    with pytest.raises(Invalid) as exc:
        services.cancel(actor=world.users["resident"], booking=first)
    assert exc.value.code == "sharing_booking_closed"


def test_several_places_in_one_booking(world):
    shared = offer(world, capacity=5)
    book(world, shared, places=3)
    with pytest.raises(Invalid) as exc:
        book(world, shared, places=3)
    assert exc.value.code == "sharing_slot_full"
    with pytest.raises(Invalid) as exc:
        book(world, shared, places=6)
    assert exc.value.code == "field_invalid"
    assert Slot.objects.get().taken == 3


def test_booking_in_the_past_is_refused(world):
    shared = offer(world)
    with pytest.raises(Invalid) as exc:
        book(world, shared, now=dt.datetime(2026, 3, 7, 9, 30, tzinfo=TZ))
    assert exc.value.code == "sharing_in_past"
    assert Booking.objects.count() == 0


def test_bad_offers_collect_every_problem(world):
    with pytest.raises(Invalid) as exc:
        offer(
            world,
            capacity=0,
            windows=[{"weekday": 8, "start": "10:00", "end": "09:00"}],
            item_codes=["no.such"],
        )
    codes = [i.code for i in exc.value.issues]
    assert codes == [
        "sharing_unknown_item",
        "sharing_window_invalid",
        "sharing_window_invalid",
        "field_invalid",
    ]
    assert exc.value.issues[1].row == 1
    assert SharedFacility.objects.count() == 0 and Window.objects.count() == 0


def test_only_resident_units_offer(world):
    staff = world.users["provider"]  # pA1 is a business
    with pytest.raises(Invalid) as exc:
        offer(world, unit_staff=(world.pA1, staff))
    assert exc.value.code == "sharing_not_a_resident_unit"


def test_withdrawal_with_notice_cancels_later_bookings_and_tells_bookers(world):
    shared = offer(world)
    early = book(world, shared)  # Saturday 7 March
    later = book(world, shared, date=SAT + dt.timedelta(days=7))  # 14 March
    staff = Membership.objects.get(provider=shared.unit).user
    with pytest.raises(Invalid) as exc:
        services.withdraw(
            actor=staff,
            shared=shared,
            effective_from=T0.date() + dt.timedelta(days=1),
            reason="校舍维修",
            now=T0,
        )
    assert exc.value.code == "sharing_notice_too_short"
    assert Booking.objects.filter(status="active").count() == 2
    cancelled = services.withdraw(
        actor=staff, shared=shared, effective_from=dt.date(2026, 3, 10), reason="校舍维修", now=T0
    )
    assert [b.pk for b in cancelled] == [later.pk]
    early.refresh_from_db()
    later.refresh_from_db()
    assert (early.status, later.status) == ("active", "withdrawn")
    assert later.slot.__class__.objects.get(pk=later.slot_id).taken == 0
    note = Notification.objects.get(recipient=world.users["resident"], kind="sharing.withdrawn")
    assert "第一中学操场" in note.subject and note.body == "校舍维修"
    with pytest.raises(Invalid) as exc:
        book(world, shared, date=SAT + dt.timedelta(days=14))
    assert exc.value.code == "sharing_withdrawn"
    # before the effective date it can still be booked
    book(world, shared, start=dt.time(10, 0))


def test_upcoming_openings_show_free_places(world):
    shared = offer(world, capacity=3)
    book(world, shared, places=2)
    openings = selectors.upcoming(shared, start=dt.date(2026, 3, 2), days=7)
    assert [(o.date, o.start, o.end, o.free) for o in openings] == [
        (WED, dt.time(18), dt.time(21), 3),
        (SAT, dt.time(8), dt.time(9), 3),
        (SAT, dt.time(9), dt.time(10), 1),
        (SAT, dt.time(10), dt.time(11), 3),
        (SAT, dt.time(11), dt.time(12), 3),
    ]


def test_shared_facilities_feed_coverage_and_siting(world):
    shared = offer(world)
    facilities = selectors.planning_facilities(today=T0.date())
    assert [(f.facility_id, f.item_codes, f.source) for f in facilities] == [
        (f"shared:{shared.pk}", ("center.sports",), "sharing")
    ]
    assert selectors.siting_candidates() == [
        (f"shared:{shared.pk}", world.a1x.centre_lon, world.a1x.centre_lat)
    ]
    box = (0.0, 0.0, 1.0, 1.0)
    assert selectors.planning_facilities(bbox=box) == []
    staff = Membership.objects.get(provider=shared.unit).user
    services.withdraw(
        actor=staff, shared=shared, effective_from=dt.date(2026, 3, 10), reason="停用", now=T0
    )
    assert len(selectors.planning_facilities(today=dt.date(2026, 3, 9))) == 1
    assert selectors.planning_facilities(today=dt.date(2026, 3, 10)) == []


def test_platform_assessment_counts_shared_facilities(world):
    from quarterhour.platform.planning.assessment import engine_facilities

    shared = offer(world)
    ids = [f.facility_id for f in engine_facilities([world.a1x], 1000.0)]
    assert f"shared:{shared.pk}" in ids


# -- permissions ------------------------------

ROLES = (*PERMISSION_ROLES, "unit")
# fmt: off
EXPECTED = {
    #            city  district street community provider resident superuser unit
    "offer":    ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN",     "YN"),
    "book":     ("YY", "YN",    "YN",  "YN",     "NN",    "YY",    "NN",     "NN"),
    "withdraw": ("YY", "YN",    "YN",  "YN",     "NN",    "NN",    "NN",     "YN"),
}
# fmt: on


@pytest.mark.parametrize(
    ("action", "role", "side", "allowed"), permission_cases(EXPECTED, roles=ROLES)
)
def test_sharing_permission(world, action, role, side, allowed):
    own_unit = unit_of(world, world.A1, world.a1x, "第一中学")
    other_unit = unit_of(world, world.B1, world.b1x, "东城机关")
    world.users["unit"] = own_unit[1]
    unit, staff = own_unit if side == "own" else other_unit
    community = world.a1x if side == "own" else world.b1x
    user = world.users[role]
    kw = {
        "unit": unit,
        "community": community,
        "lon": community.centre_lon,
        "lat": community.centre_lat,
    }
    if action == "offer":

        def call():
            return offer(
                world, unit_staff=(unit, user), **{k: v for k, v in kw.items() if k != "unit"}
            )
    else:
        shared = offer(
            world, unit_staff=(unit, staff), **{k: v for k, v in kw.items() if k != "unit"}
        )
        if action == "book":
            call = lambda: book(world, shared, role=role)  # noqa: E731
        else:
            call = lambda: services.withdraw(  # noqa: E731
                actor=user, shared=shared, effective_from=dt.date(2026, 4, 1), reason="r", now=T0
            )
    before = (
        SharedFacility.objects.filter(status="offered").count(),
        Booking.objects.count(),
        SharedFacility.history.count(),
    )
    if allowed:
        call()
        assert before != (
            SharedFacility.objects.filter(status="offered").count(),
            Booking.objects.count(),
            SharedFacility.history.count(),
        )
    else:
        with pytest.raises(PermissionRefused):
            call()
        assert before == (
            SharedFacility.objects.filter(status="offered").count(),
            Booking.objects.count(),
            SharedFacility.history.count(),
        )


def test_only_the_booker_or_the_manager_cancels(world):
    shared = offer(world)
    b = book(world, shared)
    other_resident = make_user("resident2", "resident")
    with pytest.raises(PermissionRefused):
        services.cancel(actor=other_resident, booking=b)
    assert Booking.objects.get(pk=b.pk).status == "active"
    services.cancel(actor=world.users["community"], booking=b, reason="代为取消")
    assert Booking.objects.get(pk=b.pk).status == "cancelled"


def test_shared_facilities_export_as_siting_candidates(world, tmp_path):
    from django.core.management import call_command

    from quarterhour.engine.origins_io import read_origins

    shared = offer(world)
    out = tmp_path / "candidates.csv"
    call_command("export_siting_candidates", str(out))
    points = read_origins(out)
    assert points.origin_id == (f"shared:{shared.pk}",)
    assert points.lon[0] == pytest.approx(world.a1x.centre_lon, abs=1e-7)
    assert points.lat[0] == pytest.approx(world.a1x.centre_lat, abs=1e-7)


@pytest.mark.parametrize(
    ("start", "end", "slot", "lost"),
    [("18:00", "21:00", 120, 60), ("08:00", "11:30", 60, 30), ("12:30", "13:15", 30, 15)],
)
def test_a_window_that_slots_do_not_fill_is_refused(world, start, end, slot, lost):
    """A window whose length is not a whole number of slots would lose its remainder silently
    (nobody could book it): refused, saying how many minutes would be lost; nothing stored."""
    window = {"weekday": 2, "start": start, "end": end, "slot_minutes": slot}
    unit = unit_of(world, world.A1, world.a1x, "第一中学")
    with pytest.raises(Invalid) as exc:
        offer(world, windows=[window], unit_staff=unit)
    assert exc.value.code == "sharing_window_invalid"
    assert f"（最后 {lost} 分钟无法预约）" in str(exc.value.issues[0].message)
    assert SharedFacility.objects.count() == 0 and Window.objects.count() == 0
    # the same window in whole slots is taken, and every minute of it is bookable
    whole = offer(world, windows=[{**window, "slot_minutes": 15}], unit_staff=unit)
    openings = selectors.upcoming(whole, start=dt.date(2026, 3, 3), days=1)
    assert openings[0].start.strftime("%H:%M") == start
    assert openings[-1].end.strftime("%H:%M") == end


def test_cancel_and_withdrawal_leave_event_rows(world):
    from quarterhour.platform.sharing.models import SharingEvent

    shared = offer(world)
    first = book(world, shared)
    second = book(world, shared, role="community")
    services.cancel(actor=world.users["resident"], booking=first, reason="有事")
    manager = Membership.objects.get(provider=shared.unit).user
    services.withdraw(actor=manager, shared=shared, effective_from=SAT, reason="场地维修", now=T0)
    rows = list(
        SharingEvent.objects.order_by("pk").values_list(
            "subject", "subject_id", "action", "from_state", "to_state", "reason"
        )
    )
    assert rows == [
        ("booking", first.pk, "cancel", "active", "cancelled", "有事"),
        ("offer", shared.pk, "withdraw", "offered", "withdrawn", "场地维修"),
        ("booking", second.pk, "withdraw", "active", "withdrawn", "场地维修"),
    ]
    with pytest.raises(Invalid) as exc:
        services.cancel(actor=world.users["resident"], booking=first)
    assert exc.value.code == "sharing_booking_closed"


def test_openings_already_begun_are_not_offered(world):
    """The page offers no slot that has begun (booking it would be refused)."""
    shared = offer(world)
    at = dt.datetime.combine(SAT, dt.time(9, 30), tzinfo=TZ)
    starts = [o.start.strftime("%H:%M") for o in selectors.upcoming(shared, start=SAT, days=1)]
    later = [
        o.start.strftime("%H:%M") for o in selectors.upcoming(shared, start=SAT, days=1, after=at)
    ]
    assert starts == ["08:00", "09:00", "10:00", "11:00"] and later == ["10:00", "11:00"]
