"""How the console words a case's due time, reason and phone: tables of values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from web.case_display import describe_span, due_words, local_time, mask_phone, reason_with_score

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0, "0 min"),
        (35, "35 min"),
        (60, "1 h"),
        (72, "1 h 12 min"),
        (47 * 60 + 59, "47 h 59 min"),
        (48 * 60, "2 days"),
        (3 * 24 * 60 + 4 * 60 + 30, "3 days 4 h"),
    ],
)
def test_describe_span(minutes, words):
    assert describe_span(timedelta(minutes=minutes)) == words


@pytest.mark.parametrize(
    ("due", "words"),
    [
        (NOON + timedelta(minutes=35), "due in 35 min"),
        (NOON - timedelta(minutes=12), "overdue by 12 min"),
        (NOON, "due in 0 min"),
        (None, "no clock running"),
    ],
)
def test_due_words(due, words):
    assert due_words(due, NOON) == words


def test_local_time_is_in_the_journeys_zone():
    assert local_time(NOON, "Asia/Shanghai") == "2026-11-26 20:00 Asia/Shanghai"
    assert local_time(NOON, "UTC") == "2026-11-26 12:00 UTC"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+14155550123", "+14•••••0123"),
        ("+8613800138000", "+86•••••••8000"),
        ("+12345", "••••••"),
        (None, ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("reason", "nps", "csat", "words"),
    [
        ("detractor", 3, None, "detractor (NPS 3)"),
        ("low-csat", 8, 2, "low CSAT (NPS 8, CSAT 2)"),
        ("contact-request", None, None, "asked to be contacted"),
    ],
)
def test_reason_with_score(reason, nps, csat, words):
    assert reason_with_score(reason, nps, csat) == words
