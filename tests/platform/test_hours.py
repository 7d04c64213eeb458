from datetime import datetime

import pytest

from quarterhour.platform.facilities.hours import is_open, parse_hours_text

WEEKDAYS = [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00-20:00", [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "20:00"}]),
        ("周一至周五 8:30-17:30", [{"days": WEEKDAYS, "opens": "08:30", "closes": "17:30"}]),
        ("周六 09:00～12:00", [{"days": [6], "opens": "09:00", "closes": "12:00"}]),
        (
            "周六 09:00-12:00；周日 10:00-11:00",
            [
                {"days": [6], "opens": "09:00", "closes": "12:00"},
                {"days": [7], "opens": "10:00", "closes": "11:00"},
            ],
        ),
        ("24小时", [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "24:00"}]),
        ("看心情", None),
        ("", []),
    ],
)
def test_parse_hours_text(text, expected):
    assert parse_hours_text(text) == expected


def test_open_now_including_past_midnight():
    late = [{"days": [5], "opens": "22:00", "closes": "02:00"}]  # Friday night
    assert is_open(late, datetime(2026, 11, 27, 23, 0)) is True  # Friday 23:00
    assert is_open(late, datetime(2026, 11, 28, 1, 0)) is True  # Saturday 01:00
    assert is_open(late, datetime(2026, 11, 28, 3, 0)) is False
    assert is_open([], datetime(2026, 11, 28, 3, 0)) is None
