from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeys.policies import SendWindow
from journeys.windows import first_instant_at, in_send_window, next_send_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

# The online store's window: 09:00-20:00, Monday to Saturday.
SHOP_HOURS = SendWindow(
    start=time(9), end=time(20), days=["mon", "tue", "wed", "thu", "fri", "sat"]
)
EVERY_DAY_FROM_0130 = SendWindow(start=time(1, 30), end=time(20))
EVERY_DAY_FROM_0230 = SendWindow(start=time(2, 30), end=time(20))
EVERY_DAY_FROM_0900 = SendWindow(start=time(9), end=time(17))
EVENINGS_TO_MIDNIGHT = SendWindow(start=time(18), end=time.max)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "earliest", "expected"),
    [
        # Shanghai is UTC+8 all year.
        (SHANGHAI, "2026-07-01 02:00", "2026-07-01 02:00"),  # Wed 10:00: open, send now
        (SHANGHAI, "2026-07-01 01:00", "2026-07-01 01:00"),  # Wed 09:00: the start is inside
        (SHANGHAI, "2026-07-01 12:00", "2026-07-02 01:00"),  # Wed 20:00: the end is outside
        (SHANGHAI, "2026-07-01 13:00", "2026-07-02 01:00"),  # Wed 21:00: Thursday 09:00
        (SHANGHAI, "2026-07-03 20:00", "2026-07-04 01:00"),  # Sat 04:00: local date is ahead
        (SHANGHAI, "2026-07-04 12:30", "2026-07-06 01:00"),  # Sat 20:30: Sunday is closed
        # New York is UTC-4 in summer, UTC-5 in winter.
        (NEW_YORK, "2026-07-01 12:00", "2026-07-01 13:00"),  # Wed 08:00 EDT
        (NEW_YORK, "2026-07-02 02:00", "2026-07-02 13:00"),  # Wed 22:00 EDT: Thursday
        (NEW_YORK, "2026-01-07 12:00", "2026-01-07 14:00"),  # Wed 07:00 EST
        (NEW_YORK, "2026-07-05 15:00", "2026-07-06 13:00"),  # Sunday 11:00 EDT: Monday
        # London is UTC+1 in summer, UTC+0 in winter.
        (LONDON, "2026-07-01 07:30", "2026-07-01 08:00"),  # Wed 08:30 BST
        (LONDON, "2026-01-07 08:30", "2026-01-07 09:00"),  # Wed 08:30 GMT
        (LONDON, "2026-07-01 18:59", "2026-07-01 18:59"),  # Wed 19:59 BST: still open
    ],
)
def test_it_moves_an_invitation_into_the_shop_hours_of_each_zone(tz, earliest, expected):
    assert next_send_time(utc(earliest), SHOP_HOURS, tz) == utc(expected)


@pytest.mark.parametrize(
    ("tz", "window", "earliest", "expected"),
    [
        # New York springs forward on Sun 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC).
        (NEW_YORK, EVERY_DAY_FROM_0230, "2026-03-07 07:30", "2026-03-07 07:30"),  # Sat 02:30
        (NEW_YORK, EVERY_DAY_FROM_0230, "2026-03-08 05:00", "2026-03-08 07:00"),  # gap: 03:00
        (NEW_YORK, EVERY_DAY_FROM_0230, "2026-03-09 05:00", "2026-03-09 06:30"),  # Mon 02:30
        (NEW_YORK, EVERY_DAY_FROM_0900, "2026-03-07 23:00", "2026-03-08 13:00"),  # 09:00 EDT
        (NEW_YORK, EVERY_DAY_FROM_0900, "2026-03-06 23:00", "2026-03-07 14:00"),  # 09:00 EST
        # London springs forward on Sun 2026-03-29: 01:00 GMT becomes 02:00 BST.
        (LONDON, EVERY_DAY_FROM_0130, "2026-03-29 00:00", "2026-03-29 01:00"),  # gap: 02:00
        (LONDON, EVERY_DAY_FROM_0130, "2026-03-28 00:00", "2026-03-28 01:30"),  # Sat 01:30
        # London falls back on Sun 2026-10-25: 02:00 BST becomes 01:00 GMT (01:00 UTC).
        (LONDON, EVERY_DAY_FROM_0130, "2026-10-24 23:00", "2026-10-25 00:30"),  # first 01:30
        (LONDON, EVERY_DAY_FROM_0900, "2026-10-25 07:00", "2026-10-25 09:00"),  # 09:00 GMT
        # New York falls back on Sun 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00 UTC).
        (NEW_YORK, EVERY_DAY_FROM_0130, "2026-11-01 04:00", "2026-11-01 05:30"),  # first 01:30
        (NEW_YORK, EVERY_DAY_FROM_0130, "2026-11-01 05:45", "2026-11-01 05:45"),  # 01:45 EDT
        (NEW_YORK, EVERY_DAY_FROM_0130, "2026-11-01 06:10", "2026-11-01 06:30"),  # 01:10 EST
        (NEW_YORK, EVERY_DAY_FROM_0900, "2026-11-01 12:00", "2026-11-01 14:00"),  # 09:00 EST
    ],
)
def test_it_opens_the_window_by_the_local_clock_across_a_dst_change(tz, window, earliest, expected):
    assert next_send_time(utc(earliest), window, tz) == utc(expected)


@pytest.mark.parametrize(
    ("tz", "first_day"),
    [
        (NEW_YORK, "2026-03-05"),
        (NEW_YORK, "2026-10-29"),
        (LONDON, "2026-03-26"),
        (LONDON, "2026-10-22"),
        (SHANGHAI, "2026-07-01"),
    ],
)
@pytest.mark.parametrize("window", [SHOP_HOURS, EVERY_DAY_FROM_0130, EVERY_DAY_FROM_0230])
def test_it_never_skips_an_earlier_open_minute(tz, first_day, window):
    start = datetime.fromisoformat(first_day).replace(tzinfo=tz)
    for step in range(0, 6 * 24 * 60, 97):
        earliest = start + timedelta(minutes=step)
        sent = next_send_time(earliest, window, tz)
        assert sent >= earliest and in_send_window(sent, window, tz)
        minute = earliest.astimezone(UTC).replace(second=0) + timedelta(minutes=1)
        while minute < sent:
            assert not in_send_window(minute, window, tz), (earliest, minute, sent)
            minute += timedelta(minutes=1)


@pytest.mark.parametrize(
    ("instant", "open_in"),
    [
        ("2026-07-01 02:00", {SHANGHAI}),  # 10:00 Shanghai, 22:00 New York, 03:00 London
        ("2026-07-01 14:00", {NEW_YORK, LONDON}),  # 22:00 Shanghai, 10:00 New York, 15:00 London
        ("2026-07-01 11:30", {SHANGHAI, LONDON}),  # 19:30 Shanghai, 07:30 New York, 12:30 London
        ("2026-07-05 02:00", set()),  # Sunday in all three
    ],
)
def test_the_same_instant_is_inside_or_outside_by_the_customers_zone(instant, open_in):
    zones = {SHANGHAI, NEW_YORK, LONDON}
    assert {tz for tz in zones if in_send_window(utc(instant), SHOP_HOURS, tz)} == open_in


def test_a_window_ending_at_24_00_stays_open_until_midnight():
    last_moment = datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=LONDON)
    assert in_send_window(last_moment, EVENINGS_TO_MIDNIGHT, LONDON)
    assert next_send_time(last_moment, EVENINGS_TO_MIDNIGHT, LONDON) == last_moment
    midnight = datetime(2026, 7, 2, 0, 0, tzinfo=LONDON)
    assert next_send_time(midnight, EVENINGS_TO_MIDNIGHT, LONDON) == utc("2026-07-02 17:00")


def test_it_answers_in_utc():
    earliest = datetime(2026, 7, 1, 8, 0, tzinfo=NEW_YORK)
    sent = next_send_time(earliest, SHOP_HOURS, NEW_YORK)
    assert sent.tzinfo is UTC
    assert sent == utc("2026-07-01 13:00")


def test_it_refuses_a_naive_time():
    with pytest.raises(ValueError, match="aware"):
        next_send_time(datetime(2026, 7, 1, 8, 0), SHOP_HOURS, NEW_YORK)


@pytest.mark.parametrize(
    ("day", "clock", "fold", "expected"),
    [
        ("2026-03-08", time(2, 30), 0, "2026-03-08 07:00"),  # skipped: the end of the gap
        ("2026-03-08", time(2, 30), 1, "2026-03-08 07:00"),
        ("2026-11-01", time(1, 30), 0, "2026-11-01 05:30"),  # repeated: first is EDT
        ("2026-11-01", time(1, 30), 1, "2026-11-01 06:30"),  # second is EST
        ("2026-11-01", time(12, 0), 1, "2026-11-01 17:00"),  # plain: fold does not matter
    ],
)
def test_it_finds_the_instant_a_new_york_clock_reads_a_time(day, clock, fold, expected):
    found = first_instant_at(datetime.fromisoformat(day).date(), clock, NEW_YORK, fold=fold)
    assert found == utc(expected)
