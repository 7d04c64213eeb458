"""The request set-up pages: city staff edit categories, district staff their district's deadline
and working calendar (with the State Council's holidays); others are refused; every change is
kept in the history with who made it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests.platform.requests_helpers import make_categories

from quarterhour.platform.requests.models import CalendarDay, Category, CategoryDeadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats(world: Any) -> dict[str, Any]:
    return make_categories()


def _as(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def test_city_adds_and_edits_a_category(client: Any, world: Any, cats: Any) -> None:
    c = _as(client, world.users["city"])
    assert "诉求设置" in c.get("/requests/").content.decode()
    page = c.get("/requests/setup/").content.decode()
    assert "公共设施报修" in page and "新增类别" in page
    answer = c.post(
        "/requests/setup/categories/new/",
        {
            "code": "meals",
            "name": "助餐服务",
            "kind": "request",
            "deadline_amount": "1",
            "deadline_unit": "days",
            "remind_before_hours": "4",
            "is_active": "1",
        },
    )
    assert answer.status_code == 302
    meals = Category.objects.get(code="meals")
    assert (meals.name, meals.deadline_amount, meals.is_active) == ("助餐服务", 1, True)
    assert meals.history.get().history_user == world.users["city"]
    # bad input: shown beside the fields, nothing stored
    bad = c.post(
        "/requests/setup/categories/new/",
        {"code": "meals", "name": "", "kind": "request", "deadline_amount": "x"},
    )
    assert bad.status_code == 422
    assert "请填写整数" in bad.content.decode()
    assert Category.objects.filter(code="meals").count() == 1


def test_district_sets_its_deadline_and_calendar(client: Any, world: Any, cats: Any) -> None:
    c = _as(client, world.users["district"])
    repair = cats["repair"]
    page = c.get(f"/requests/setup/categories/{repair.pk}/").content.decode()
    assert "保存本区时限" in page and "保存类别" not in page
    c.post(
        f"/requests/setup/categories/{repair.pk}/districts/{world.A.pk}/",
        {"amount": "1", "unit": "days"},
    )
    row = CategoryDeadline.objects.get(category=repair, district=world.A)
    assert (row.amount, row.unit) == (1, "days")
    assert row.history.get().history_user == world.users["district"]
    # another district's deadline: refused
    refused = c.post(
        f"/requests/setup/categories/{repair.pk}/districts/{world.B.pk}/",
        {"amount": "1", "unit": "days"},
    )
    assert refused.status_code == 403
    url = f"/requests/setup/calendar/{world.A.pk}/"
    c.post(url, {"action": "statutory", "year": "2026"})
    days = {d.date: d for d in CalendarDay.objects.filter(calendar__district=world.A)}
    assert not days[date(2026, 10, 1)].is_workday and days[date(2026, 10, 1)].note == "国庆节"
    assert days[date(2026, 10, 10)].is_workday  # a Saturday worked
    c.post(url, {"action": "add", "date": "2026-12-31", "kind": "off", "note": "演示"})
    c.post(url, {"action": "remove", "date": "2026-10-10"})
    days = {d.date: d for d in CalendarDay.objects.filter(calendar__district=world.A)}
    assert date(2026, 12, 31) in days and date(2026, 10, 10) not in days
    page = c.get(url).content.decode()
    assert "2026-12-31" in page and "国庆节" in page
    unknown = c.post(url, {"action": "statutory", "year": "2099"})
    assert unknown.status_code == 422 and "尚未收录" in unknown.content.decode()
    assert c.get("/requests/setup/calendar/").status_code == 403  # the default: city only


def test_others_are_refused(client: Any, world: Any, cats: Any) -> None:
    for who in ("community", "provider", "resident"):
        c = _as(client, world.users[who])
        assert c.get("/requests/setup/").status_code == 403
        assert "诉求设置" not in c.get("/requests/").content.decode()
