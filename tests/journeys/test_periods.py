from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from journeys.periods import Period, current_period, parse_period

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026-Q1", Period(2026, 1)),
        ("2026-Q3", Period(2026, 3)),
        ("1999-Q4", Period(1999, 4)),
        (" 2026-q2 ", Period(2026, 2)),
    ],
)
def test_it_reads_a_period(text, period):
    assert parse_period(text) == period
    assert str(period) == text.strip().upper()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-Q5", "quarters Q1 to Q4, not Q5"),
        ("2026-Q0", "quarters Q1 to Q4, not Q0"),
        ("2026Q3", "written like 2026-Q3"),
        ("Q3-2026", "written like 2026-Q3"),
        ("2026-3", "written like 2026-Q3"),
        ("26-Q3", "written like 2026-Q3"),
        ("2026-Q3x", "written like 2026-Q3"),
        ("", "written like 2026-Q3"),
        ("0000-Q1", "a year is 1 to 9999"),
    ],
)
def test_it_refuses_a_bad_period_and_says_why(text, message):
    with pytest.raises(ValueError, match=message):
        parse_period(text)


def test_a_period_refuses_a_fifth_quarter():
    with pytest.raises(ValueError, match="a quarter is 1 to 4, not 5"):
        Period(2026, 5)


@pytest.mark.parametrize(
    ("period", "previous", "following"),
    [
        (Period(2026, 3), Period(2026, 2), Period(2026, 4)),
        (Period(2026, 1), Period(2025, 4), Period(2026, 2)),
        (Period(2026, 4), Period(2026, 3), Period(2027, 1)),
    ],
)
def test_it_steps_across_years(period, previous, following):
    assert period.previous() == previous
    assert period.next() == following
    assert previous < period < following


@pytest.mark.parametrize(
    ("period", "tz", "start", "end"),
    [
        # Shanghai is UTC+8 all year: a quarter starts at 16:00 UTC the day before.
        (Period(2026, 1), SHANGHAI, datetime(2025, 12, 31, 16), datetime(2026, 3, 31, 16)),
        (Period(2026, 3), SHANGHAI, datetime(2026, 6, 30, 16), datetime(2026, 9, 30, 16)),
        (Period(2026, 4), SHANGHAI, datetime(2026, 9, 30, 16), datetime(2026, 12, 31, 16)),
        (Period(2026, 3), ZoneInfo("UTC"), datetime(2026, 7, 1), datetime(2026, 10, 1)),
        # New York: Q2 starts in daylight time (UTC-4), Q1 in standard time (UTC-5).
        (Period(2026, 1), NEW_YORK, datetime(2026, 1, 1, 5), datetime(2026, 4, 1, 4)),
        (Period(2026, 4), NEW_YORK, datetime(2026, 10, 1, 4), datetime(2027, 1, 1, 5)),
    ],
)
def test_quarter_bounds_are_midnights_in_the_journeys_time_zone(period, tz, start, end):
    assert period.bounds(tz) == (start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))
    found_start, found_end = period.bounds(tz)
    assert found_start.tzinfo is UTC and found_end.tzinfo is UTC


def test_consecutive_quarters_meet_without_a_gap():
    q2, q3 = Period(2026, 2), Period(2026, 3)
    assert q2.bounds(SHANGHAI)[1] == q3.bounds(SHANGHAI)[0]


@pytest.mark.parametrize(
    ("now", "tz", "period"),
    [
        # 1 July 00:30 in Shanghai is still 30 June in UTC.
        (datetime(2026, 6, 30, 16, 30, tzinfo=UTC), SHANGHAI, Period(2026, 3)),
        (datetime(2026, 6, 30, 16, 30, tzinfo=UTC), ZoneInfo("UTC"), Period(2026, 2)),
        (datetime(2026, 6, 30, 15, 59, 59, tzinfo=UTC), SHANGHAI, Period(2026, 2)),
        # New Year's Eve evening in New York is already next year in UTC.
        (datetime(2027, 1, 1, 3, tzinfo=UTC), NEW_YORK, Period(2026, 4)),
        (datetime(2026, 2, 1, 12, tzinfo=timezone(timedelta(hours=5))), SHANGHAI, Period(2026, 1)),
    ],
)
def test_the_current_period_is_read_in_the_journeys_time_zone(now, tz, period):
    assert current_period(now, tz) == period


def test_the_current_period_refuses_a_naive_time():
    with pytest.raises(ValueError, match="must carry a time zone"):
        current_period(datetime(2026, 7, 1), SHANGHAI)
