"""Answers as CSV lines, streamed: one batch of `surveys.comments.stream_answers` at a time.

The console's review page serves this for a signed-in person; memory stays one batch,
however long the period. Themes are joined by "; ". A cell that starts like a formula
(=, +, -, @) is prefixed with a quote, so a comment opened in a spreadsheet stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from surveys.comments import stream_answers
from surveys.review_filters import ReviewFilters

COLUMNS = (
    "answer_id touchpoint answered_at nps csat group comment sentiment themes language"
    " channel segment variant experiment source interaction_at"
).split()
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


async def answer_lines(
    journey_key: str, *, since: datetime, until: datetime, filters: ReviewFilters
) -> AsyncIterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield out.getvalue()
    async for batch in stream_answers(journey_key, since=since, until=until, filters=filters):
        out.seek(0)
        out.truncate()
        for comment in batch:
            found = comment.as_dict()
            writer.writerow([cell(found[name]) for name in COLUMNS])
        yield out.getvalue()
