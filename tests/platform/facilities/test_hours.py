from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quarterhour.platform.facilities.hours import is_open, next_change, parse_hours_text

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


_HHMM = st.builds(
    lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59])
) | st.just("24:00")
_PERIOD = st.fixed_dictionaries(
    {
        "days": st.lists(st.integers(1, 7), min_size=1, max_size=7, unique=True),
        "opens": _HHMM.filter(lambda t: t != "24:00"),
        "closes": _HHMM,
    }
)


@settings(max_examples=300, deadline=None)
@given(
    periods=st.lists(_PERIOD, max_size=3),
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
)
def test_next_change_is_the_first_moment_the_answer_can_change(periods, at):
    change = next_change(periods, at)
    if not periods:
        assert change is None
        return
    assert change is not None and change > at
    # the answer holds at every minute until the change…
    now = is_open(periods, at)
    t = at
    while t + timedelta(minutes=1) < change:
        t += timedelta(minutes=1)
        assert is_open(periods, t) == now
    # …and no opening or closing time lies before it
    assert change <= at + timedelta(days=8)


def test_next_change_examples():
    weekdays = [{"days": WEEKDAYS, "opens": "08:30", "closes": "17:30"}]
    monday = datetime(2026, 11, 23, 17, 29)
    assert next_change(weekdays, monday) == datetime(2026, 11, 23, 17, 30)
    friday_evening = datetime(2026, 11, 27, 18, 0)
    assert next_change(weekdays, friday_evening) == datetime(2026, 11, 30, 8, 30)
    night = [{"days": [5], "opens": "22:00", "closes": "02:00"}]  # Friday night to Saturday
    assert next_change(night, datetime(2026, 11, 28, 1, 0)) == datetime(2026, 11, 28, 2, 0)
    assert next_change([], monday) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mo-Fr 07:00-18:00; Sa 10:00-16:00; PH off",
            [
                {"days": WEEKDAYS, "opens": "07:00", "closes": "18:00"},
                {"days": [6], "opens": "10:00", "closes": "16:00"},
            ],
        ),
        ("24/7", [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "24:00"}]),
        # past midnight: one period that closes the next day
        (
            "Fr-Sa 18:00-02:00",
            [
                {"days": [5, 6], "opens": "18:00", "closes": "02:00"},
            ],
        ),
        (
            "Mo-Fr 08:00-12:00,13:00-17:00",
            [
                {"days": WEEKDAYS, "opens": "08:00", "closes": "12:00"},
                {"days": WEEKDAYS, "opens": "13:00", "closes": "17:00"},
            ],
        ),
        ("Jun-Aug Mo-Fr 10:00-18:00", None),  # not the same every week
        ('Mo-Fr 08:00-17:00 open "by appointment"', None),  # a comment matters
        ("sunrise-sunset", None),  # needs the place's coordinates
        ("Mo-Fr 10:00-18:00 unknown", None),
    ],
)
def test_parse_osm_opening_hours(text, expected):
    assert parse_hours_text(text) == expected


def test_osm_hours_answer_open_now_like_the_osm_parser():
    import opening_hours

    text = "Mo-Th 11:00-23:00; Fr 11:00-24:00; Sa 12:00-02:00; Su 13:00-23:00"
    periods = parse_hours_text(text)
    oh = opening_hours.OpeningHours(text)
    at = datetime(2025, 3, 3, 0, 0)  # a Monday
    while at < datetime(2025, 3, 10):
        assert is_open(periods, at) == oh.is_open(at), at
        at += timedelta(minutes=30)


@pytest.mark.parametrize(
    ("periods", "zh", "en"),
    [
        (
            [{"days": WEEKDAYS, "opens": "08:00", "closes": "18:00"}],
            "周一至周五 8:00–18:00",
            "Mon–Fri 8:00–18:00",
        ),
        (
            [
                {"days": WEEKDAYS, "opens": "08:30", "closes": "17:30"},
                {"days": [6, 7], "opens": "09:00", "closes": "12:00"},
            ],
            "周一至周五 8:30–17:30；周六、周日 9:00–12:00",
            "Mon–Fri 8:30–17:30; Sat, Sun 9:00–12:00",
        ),
        (
            [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "24:00"}],
            "24 小时营业",
            "Open 24 hours",
        ),
        (
            [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "07:00", "closes": "22:00"}],
            "每天 7:00–22:00",
            "Daily 7:00–22:00",
        ),
        (
            [{"days": [5], "opens": "18:00", "closes": "02:00"}],
            "周五 18:00–次日 2:00",
            "Fri 18:00–2:00 (next day)",
        ),
        (
            [
                {"days": [1, 3], "opens": "08:00", "closes": "12:00"},
                {"days": [1, 3], "opens": "14:00", "closes": "17:00"},
            ],
            "周一、周三 8:00–12:00、14:00–17:00",
            "Mon, Wed 8:00–12:00, 14:00–17:00",
        ),
        ([], "", ""),
    ],
)
def test_hours_in_words(periods, zh, en):
    from django.utils import translation

    from quarterhour.platform.facilities.hours import hours_words

    with translation.override("zh-hans"):
        assert hours_words(periods) == zh
    with translation.override("en"):
        assert hours_words(periods) == en
