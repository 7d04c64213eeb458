"""Shared set-up for the request, job and Open311 tests: categories (one with attributes), an
API client, and a fixed clock on a Monday morning in Beijing time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from quarterhour.platform.requests.models import Attribute, Category

BJ = ZoneInfo("Asia/Shanghai")
#: Monday 2 March 2026, 10:00 Beijing time
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=BJ)
API_KEY = "qh_test-key-0123456789abcdef"


def make_categories() -> dict[str, Any]:
    repair = Category.objects.create(
        code="repair",
        name="公共设施报修",
        name_en="Public facility repair",
        description="楼道灯、健身器材等公共设施损坏",
        group="设施",
        keywords="报修, 路灯, 健身器材",
        deadline_amount=3,
        deadline_unit="days",
        remind_before_hours=4,
    )
    noise = Category.objects.create(
        code="noise",
        name="噪声投诉",
        name_en="Noise complaint",
        group="环境",
        kind="complaint",
        deadline_amount=2,
        deadline_unit="hours",
        remind_before_hours=1,
    )
    Attribute.objects.create(
        category=repair,
        code="what",
        datatype="singlevaluelist",
        required=True,
        order=1,
        description="损坏的是什么？",
        values=[{"key": "light", "name": "楼道灯"}, {"key": "gym", "name": "健身器材"}],
    )
    Attribute.objects.create(
        category=repair,
        code="floor",
        datatype="number",
        required=False,
        order=2,
        description="楼层",
        datatype_description="整数",
    )
    Category.objects.create(code="retired", name="已停用类别", is_active=False)
    return {"repair": repair, "noise": noise}


def make_api_client(*, expires_at: datetime | None = None, key: str = API_KEY) -> Any:
    import hashlib

    from quarterhour.platform.open311.models import ApiClient

    return ApiClient.objects.create(
        name="测试客户端",
        key_prefix=key[:8],
        key_sha256=hashlib.sha256(key.encode()).hexdigest(),
        expires_at=expires_at,
    )


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


def bj(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BJ)
