"""Register rules and audit history: codes that must fit, circles that need communities."""

from __future__ import annotations

import pytest

from quarterhour.platform.audit.selectors import changes
from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.facilities.services import facility_create
from quarterhour.platform.geography import services as geo
from quarterhour.platform.geography.models import Circle, Community


def test_community_code_must_fit_its_street(world):
    with pytest.raises(Invalid) as info:
        geo.community_create(
            actor=world.users["city"], street=world.A1, code="110102003005", name="错社区"
        )
    assert info.value.code == "community_code_not_in_street"
    assert info.value.issues[0].field == "code"
    assert "110102001000" in str(info.value.message)
    assert not Community.objects.filter(code="110102003005").exists()


@pytest.mark.parametrize("code", ["11010200100", "11010200100x", "110102001000"])
def test_community_code_shape(world, code):
    with pytest.raises(Invalid):
        geo.community_create(actor=world.users["city"], street=world.A1, code=code, name="x")


def test_a_circle_needs_communities(world):
    with pytest.raises(Invalid) as info:
        geo.circle_create(
            actor=world.users["street"], street=world.A1, code="E", name="空圈", members=[]
        )
    assert info.value.code == "circle_without_communities"
    assert not Circle.objects.filter(code="E").exists()


def test_population_shares_of_a_community_cannot_exceed_one(world):
    # a1x is wholly (1.0) in cA1 already
    with pytest.raises(Invalid) as info:
        geo.circle_create(
            actor=world.users["street"],
            street=world.A1,
            code="X",
            name="重叠圈",
            members=[(world.a1x, 0.5)],
        )
    assert info.value.code == "circle_share_over_one"
    assert "1.50" in str(info.value.message)
    # 一社区多圈: split a1x 0.6 / 0.4 between two circles
    geo.circle_set_members(
        actor=world.users["street"], circle=world.cA1, members=[(world.a1x, 0.6), (world.a1y, 1.0)]
    )
    c2 = geo.circle_create(
        actor=world.users["street"],
        street=world.A1,
        code="X",
        name="分圈",
        members=[(world.a1x, 0.4)],
    )
    assert [(m.community.code, m.population_share) for m in c2.memberships.all()] == [
        ("110102001001", 0.4)
    ]


def test_history_records_who_when_what_and_previous_value(world):
    street_officer = world.users["street"]
    geo.community_update(actor=street_officer, community=world.a1x, population=3100)
    geo.community_update(actor=street_officer, community=world.a1x, households=999)
    log = changes(world.a1x)
    assert [(c.who, c.field, c.old, c.new) for c in log[:2]] == [
        ("street_a1", "households", 1000, 999),
        ("street_a1", "population", 3000, 3100),
    ]
    assert log[-1].kind == "+"


def test_facility_serves_several_items_and_items_are_checked(world):
    fac = facility_create(
        actor=world.users["community"],
        key="k1",
        name="社区服务站（一室多用）",
        lon=world.a1x.centre_lon,
        lat=world.a1x.centre_lat,
        community=world.a1x,
        item_codes=["station.service", "room.reading", "room.mediation"],
        opening_hours=[{"days": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30"}],
    )
    assert sorted(fac.items.values_list("item_code", flat=True)) == [
        "room.mediation",
        "room.reading",
        "station.service",
    ]
    with pytest.raises(Invalid) as info:
        facility_create(
            actor=world.users["community"],
            key="k2",
            name="坏",
            lon=200.0,
            lat=39.9,
            community=world.a1x,
            item_codes=["no.such"],
            opening_hours=[{"days": [9], "opens": "8", "closes": "17:30"}],
        )
    assert sorted(i.code for i in info.value.issues) == [
        "facility_coordinates_invalid",
        "facility_hours_invalid",
        "facility_hours_invalid",
        "facility_unknown_item",
    ]
