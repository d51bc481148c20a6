from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeys.business_hours import due_after, is_open, working_time_between
from journeys.policies import BusinessHours
from journeys.schema import parse_duration

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")

#: The service team's week: 09:00-18:00, Monday to Friday (9 working hours a day).
OFFICE = BusinessHours()
#: The same, with Monday 2026-11-30 a holiday.
OFFICE_WITH_HOLIDAY = BusinessHours(holidays=[date(2026, 11, 30)])
EVERY_DAY = BusinessHours(days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
ROUND_THE_CLOCK = BusinessHours(
    start=time(0), end=time.max, days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
)
MONDAY_EVENINGS = BusinessHours(start=time(18), end=time.max, days=["mon"])


def at(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """A local wall time in `tz`, as the instant it names."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# 2026-11-23 is a Monday, 2026-11-27 a Friday. Shanghai has no DST.
@pytest.mark.parametrize(
    ("hours", "start", "length", "due"),
    [
        (OFFICE, "2026-11-23 10:00", "PT2H", "2026-11-23 12:00"),  # Monday morning
        (OFFICE, "2026-11-27 17:00", "PT2H", "2026-11-30 10:00"),  # Friday: over the weekend
        (OFFICE_WITH_HOLIDAY, "2026-11-27 17:00", "PT2H", "2026-12-01 10:00"),  # Monday off
        (OFFICE, "2026-11-23 07:00", "PT2H", "2026-11-23 11:00"),  # before opening
        (OFFICE, "2026-11-23 20:00", "PT2H", "2026-11-24 11:00"),  # after closing
        (OFFICE, "2026-11-28 12:00", "PT2H", "2026-11-30 11:00"),  # Saturday
        (OFFICE, "2026-11-23 18:00", "PT30M", "2026-11-24 09:30"),  # 18:00 is closed
        (OFFICE, "2026-11-23 09:00", "PT24H", "2026-11-25 15:00"),  # 2 days and 6 h
        (OFFICE, "2026-11-23 10:00", "PT24H", "2026-11-25 16:00"),
        (OFFICE, "2026-11-23 09:00", "PT45H", "2026-11-30 09:00"),  # a whole week
        (OFFICE, "2026-11-23 09:00", "P1D", "2026-11-25 15:00"),  # P1D is 24 working hours
        (OFFICE, "2026-11-23 17:00", "PT1H", "2026-11-24 09:00"),  # at closing: next opening
        (OFFICE, "2026-11-27 17:00", "PT1H", "2026-11-30 09:00"),
        (OFFICE, "2026-11-23 10:00", "PT0S", "2026-11-23 10:00"),
        (OFFICE, "2026-11-28 10:00", "PT0S", "2026-11-30 09:00"),  # none: the next opening
        (ROUND_THE_CLOCK, "2026-11-23 23:00", "PT2H", "2026-11-24 01:00"),  # through midnight
        (MONDAY_EVENINGS, "2026-11-23 23:00", "PT2H", "2026-11-30 19:00"),  # 24:00 closes
        (MONDAY_EVENINGS, "2026-11-23 12:00", "PT6H", "2026-11-30 18:00"),
    ],
)
def test_it_counts_working_time_in_the_business_hours(hours, start, length, due):
    assert due_after(at(start), parse_duration(length), hours, SHANGHAI) == at(due)


@pytest.mark.parametrize(
    ("tz", "hours", "start", "length", "due"),
    [
        # New York springs forward on Sunday 2026-03-08 (EST -5 to EDT -4).
        (NEW_YORK, OFFICE, "2026-03-06 22:00", "PT2H", "2026-03-09 14:00"),  # Fri 17:00 EST
        (NEW_YORK, EVERY_DAY, "2026-03-08 13:00", "PT8H", "2026-03-08 21:00"),  # Sun 09:00
        (NEW_YORK, EVERY_DAY, "2026-03-07 14:00", "PT18H", "2026-03-09 13:00"),  # 2 x 9 h
        # ... and falls back on Sunday 2026-11-01 (EDT -4 to EST -5).
        (NEW_YORK, OFFICE, "2026-10-30 21:00", "PT2H", "2026-11-02 15:00"),  # Fri 17:00 EDT
        (NEW_YORK, EVERY_DAY, "2026-11-01 14:00", "PT8H", "2026-11-01 22:00"),  # Sun 09:00
        # London: BST (+1) ends on Sunday 2026-10-25, begins on Sunday 2026-03-29.
        (LONDON, OFFICE, "2026-10-23 16:00", "PT2H", "2026-10-26 10:00"),  # Fri 17:00 BST
        (LONDON, OFFICE, "2026-03-27 17:00", "PT2H", "2026-03-30 09:00"),  # Fri 17:00 GMT
        (LONDON, EVERY_DAY, "2026-03-28 09:00", "PT9H", "2026-03-29 08:00"),  # Sun 09:00 BST
        # Round the clock: the hour a spring-forward night skips is not on any clock.
        (NEW_YORK, ROUND_THE_CLOCK, "2026-03-08 06:30", "PT30M", "2026-03-08 07:00"),
    ],
)
def test_it_reads_working_hours_off_the_local_clock_across_a_dst_change(
    tz, hours, start, length, due
):
    assert due_after(utc(start), parse_duration(length), hours, tz) == utc(due)


@pytest.mark.parametrize(
    ("tz", "hours", "start", "end", "worked"),
    [
        (SHANGHAI, OFFICE, at("2026-11-23 10:00"), at("2026-11-23 12:00"), "PT2H"),
        (SHANGHAI, OFFICE, at("2026-11-27 17:00"), at("2026-11-30 10:00"), "PT2H"),
        (SHANGHAI, OFFICE_WITH_HOLIDAY, at("2026-11-27 17:00"), at("2026-12-01 10:00"), "PT2H"),
        (SHANGHAI, OFFICE, at("2026-11-28 08:00"), at("2026-11-29 20:00"), "PT0S"),  # weekend
        (SHANGHAI, OFFICE, at("2026-11-23 07:00"), at("2026-11-23 20:00"), "PT9H"),
        (SHANGHAI, OFFICE, at("2026-11-23 09:00"), at("2026-11-25 15:00"), "PT24H"),
        (SHANGHAI, OFFICE, at("2026-11-23 12:00"), at("2026-11-23 10:00"), "PT0S"),  # backwards
        (SHANGHAI, MONDAY_EVENINGS, at("2026-11-23 20:00"), at("2026-11-24 08:00"), "PT4H"),
        # Saturday 09:00 EST to Monday 09:00 EDT: 47 hours pass, 18 of them working.
        (NEW_YORK, EVERY_DAY, utc("2026-03-07 14:00"), utc("2026-03-09 13:00"), "PT18H"),
        (LONDON, EVERY_DAY, utc("2026-10-24 08:00"), utc("2026-10-26 09:00"), "PT18H"),
    ],
)
def test_it_measures_the_working_time_between_two_instants(tz, hours, start, end, worked):
    assert working_time_between(start, end, hours, tz) == parse_duration(worked)


def test_wall_clock_time_is_plain_elapsed_time_across_a_dst_change():
    start, end = utc("2026-03-07 14:00"), utc("2026-03-09 13:00")
    assert due_after(start, timedelta(hours=47), None, NEW_YORK) == end
    assert working_time_between(start, end, None, NEW_YORK) == timedelta(hours=47)


def test_a_start_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="aware"):
        due_after(datetime(2026, 11, 23, 10), timedelta(hours=2), OFFICE, SHANGHAI)


@pytest.mark.parametrize(
    ("hours", "moment", "open_"),
    [
        (OFFICE, "2026-11-23 09:00", True),
        (OFFICE, "2026-11-23 17:59", True),
        (OFFICE, "2026-11-23 18:00", False),
        (OFFICE, "2026-11-23 08:59", False),
        (OFFICE, "2026-11-28 12:00", False),  # Saturday
        (OFFICE_WITH_HOLIDAY, "2026-11-30 12:00", False),
        (MONDAY_EVENINGS, "2026-11-23 23:59", True),
    ],
)
def test_it_knows_when_the_business_hours_are_running(hours, moment, open_):
    assert is_open(at(moment), hours, SHANGHAI) is open_


def _instants(first: datetime, count: int, step: timedelta) -> list[datetime]:
    return [first + step * n for n in range(count)]


@pytest.mark.parametrize(
    ("tz", "hours", "first"),
    [
        (SHANGHAI, OFFICE_WITH_HOLIDAY, utc("2026-11-26 00:00")),
        (NEW_YORK, OFFICE, utc("2026-03-05 00:00")),
        (NEW_YORK, EVERY_DAY, utc("2026-10-30 00:00")),
        (LONDON, EVERY_DAY, utc("2026-03-27 00:00")),
        (LONDON, MONDAY_EVENINGS, utc("2026-10-23 00:00")),
    ],
)
def test_working_time_between_is_the_inverse_of_due_after(tz, hours, first):
    """Every pair of instants 97 minutes apart over a week: adding the working time between
    them to the first lands on the second, or on the next opening when it is closed."""
    instants = _instants(first, 7 * 24 * 60 // 97, timedelta(minutes=97))
    for start in instants[::5]:
        for end in instants:
            if end < start:
                continue
            worked = working_time_between(start, end, hours, tz)
            expected = end if is_open(end, hours, tz) else due_after(end, timedelta(0), hours, tz)
            assert due_after(start, worked, hours, tz) == expected, (start, end, worked)
            assert is_open(expected, hours, tz)
            assert working_time_between(end, expected, hours, tz) == timedelta(0)
