"""Query parameters the API's list endpoints share: a moment in time and a page number.

Each bad value is an ApiError naming the parameter, so every list answers the same 422.
"""

from __future__ import annotations

from datetime import UTC, datetime

from web.routes.api import ApiError

EXAMPLE_MOMENT = "2026-07-01T00:00:00Z"


def moment_param(text: str, name: str) -> datetime:
    """An ISO-8601 time with its time zone, in UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422, f"{name} must be an ISO-8601 time, e.g. {EXAMPLE_MOMENT}", name
        ) from None
    if moment.tzinfo is None:
        raise ApiError(422, f"{name} needs a time zone, e.g. {EXAMPLE_MOMENT}", name)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ApiError(422, f"{name} is out of range", name) from None


def page_param(text: str) -> int:
    """A page number from 1; isascii: "²" and other Unicode digits pass isdecimal()."""
    if not (text.isascii() and text.isdecimal() and len(text) <= 6 and int(text) >= 1):
        raise ApiError(422, "page must be a whole number from 1", "page")
    return int(text)
