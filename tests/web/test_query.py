"""The list endpoints' shared query parameters, as a table: what is read, and each refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from web.routes.api import ApiError
from web.routes.query import moment_param, page_param


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01T00:00:00Z", datetime(2026, 7, 1, tzinfo=UTC)),
        ("2026-07-01T08:00:00+08:00", datetime(2026, 7, 1, tzinfo=UTC)),
    ],
)
def test_a_moment_with_its_zone_is_read_in_utc(text, expected):
    assert moment_param(text, "since") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "since must be an ISO-8601 time"),
        ("2026-07-01T00:00:00", "since needs a time zone"),
        ("0001-01-01T00:00:00+14:00", "since is out of range"),
    ],
)
def test_a_bad_moment_is_a_422_naming_the_parameter(text, message):
    with pytest.raises(ApiError) as refused:
        moment_param(text, "since")
    assert (refused.value.status, refused.value.field) == (422, "since")
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize("text", ["0", "-1", "²", "1.5", "1234567", ""])
def test_a_page_is_a_whole_number_from_one(text):
    with pytest.raises(ApiError, match="page must be a whole number from 1"):
        page_param(text)


def test_a_page_number_is_read():
    assert page_param("3") == 3
