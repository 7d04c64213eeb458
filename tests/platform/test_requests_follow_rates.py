"""Joining an open request instead of filing it again (the nearby duplicate), and each unit's
response / resolution / satisfaction rates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from tests.platform.requests_helpers import BJ, MONDAY_10, make_categories

from quarterhour.platform.core.errors import Invalid
from quarterhour.platform.notifications.models import Notification
from quarterhour.platform.requests import permissions as rperm
from quarterhour.platform.requests import selectors, services
from quarterhour.platform.requests.models import Event
from quarterhour.platform.requests.rates import unit_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(world: Any) -> dict[str, Any]:
    return make_categories()


def _web(world: Any, cats: Any, who: str = "resident", **kw: Any) -> Any:
    return services.submit(
        actor=world.users[who],
        category=cats["repair"],
        channel="web",
        community=world.a1x,
        attributes={"what": "light"},
        now=kw.pop("now", MONDAY_10),
        **kw,
    )


def test_duplicate_nearby_is_offered_and_joined(world: Any, cats: Any) -> None:
    from tests.platform.conftest import make_user

    req = _web(world, cats)
    c = world.a1x
    found = selectors.likely_duplicates(
        category=cats["repair"], community=c, lon=c.centre_lon + 0.001, lat=c.centre_lat
    )
    assert [r.pk for r, _ in found] == [req.pk] and 0 < found[0][1] < 100
    far = selectors.likely_duplicates(
        category=cats["repair"], community=c, lon=c.centre_lon + 0.01, lat=c.centre_lat
    )
    assert far == []  # about 600 m away: beyond 300 m
    other = selectors.likely_duplicates(
        category=cats["noise"], community=c, lon=c.centre_lon, lat=c.centre_lat
    )
    assert other == []
    neighbour = make_user("neighbour", "resident")
    services.join(actor=neighbour, request=req)
    services.join(actor=neighbour, request=req)  # once only
    assert req.followers.count() == 1
    assert Event.objects.filter(request=req, action="join").count() == 1
    assert rperm.can_view(neighbour, req) and not rperm.can_read_content(neighbour, req)
    assert req in selectors.request_list(neighbour)
    services.close(actor=world.users["community"], request=req, resolution="已修好")
    told = Notification.objects.filter(recipient=neighbour, kind="request.status")
    assert told.filter(subject__contains="已办结").exists()
    assert not rperm.can_rate(neighbour, req)
    with pytest.raises(Invalid):
        services.join(actor=neighbour, request=req)  # closed


def test_rates_per_unit(world: Any, cats: Any) -> None:
    clerk, staff = world.users["community"], world.users["provider"]
    resident = world.users["resident"]
    t = MONDAY_10
    a = _web(world, cats, now=t)
    services.accept(actor=clerk, request=a, now=t + timedelta(hours=1))
    services.close(actor=clerk, request=a, resolution="好了", now=t + timedelta(hours=2))
    services.rate(actor=resident, request=a, rating=5, now=t + timedelta(hours=3))
    b = _web(world, cats, now=t)
    services.transfer(
        actor=clerk,
        request=b,
        to=services.Owner("provider", provider=world.pA1),
        reason="上门",
        now=t + timedelta(hours=1),
    )
    services.accept(actor=staff, request=b, now=t + timedelta(hours=2))
    services.reply(actor=staff, request=b, answer="明天到", now=t + timedelta(hours=3))
    services.close(actor=staff, request=b, resolution="好了", now=t + timedelta(hours=4))
    services.rate(actor=resident, request=b, rating=2, now=t + timedelta(hours=5))
    _web(world, cats, now=t)  # left with the station, never answered
    rates = {(u.level, u.name): u for u in unit_rates(world.users["city"], year=2026)}
    station = rates[("community", world.a1x.name)]
    assert (station.held, station.responded, station.resolved) == (2, 1, 1)
    assert (station.response_rate, station.satisfaction_rate) == (50.0, 100.0)
    provider = rates[("provider", world.pA1.name)]
    assert (provider.held, provider.response_rate, provider.resolution_rate) == (1, 100.0, 100.0)
    assert provider.satisfaction_rate == 0.0
    assert unit_rates(world.users["city"], year=2025) == []
    mine = unit_rates(staff, year=2026)
    assert [(u.level, u.name) for u in mine] == [("provider", world.pA1.name)]
    assert datetime(2026, 1, 1, tzinfo=BJ) < b.received_at
