"""Answers as files: one CSV writer (and JSON Lines) for the API, the console and the CLI.

The CSV is written for the spreadsheet a CX team opens it in:
- UTF-8 with a byte-order mark. Excel reads a CSV without one in the computer's legacy code
  page, which turns Chinese comments into mojibake; with it, Excel, LibreOffice and Numbers
  all read UTF-8. Python reads it with `encoding="utf-8-sig"`.
- `answered_at` in UTC (ISO 8601, for machines) and `answered_local`, the same moment in the
  journey's time zone as Excel parses it (`2026-08-15 18:00:00`).
- Themes joined by "; ". A comment opening with = + - @ (which a spreadsheet would run as a
  formula) is prefixed with an apostrophe, the usual guard against formula injection; the
  JSON keeps the text exactly.

Rows are written batch by batch as `stream_answers` reads them, so a year of answers is
never held in memory. JSON is JSON Lines: one answer object per line, readable as it streams
(`jq`, pandas `read_json(lines=True)`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import StreamingResponse

from surveys.comments import Comment, stream_answers
from web.answer_query import AnswerQuery

BOM = "\ufeff"
#: The audit log's action for a download of answers: customers' words leaving the product.
EXPORTED = "answers.exported"
CSV_TYPE = "text/csv; charset=utf-8"
COLUMNS = (
    "answer_id",
    "journey",
    "touchpoint",
    "answered_at",
    "answered_local",
    "nps",
    "csat",
    "comment",
    "sentiment",
    "themes",
    "language",
    "channel",
    "segment",
    "variant",
    "source",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_row(comment: Comment, journey: str, timezone: ZoneInfo) -> list[Any]:
    return [
        comment.answer_id,
        journey,
        comment.touchpoint,
        comment.answered_at.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z",
        comment.answered_at.astimezone(timezone).isoformat(" ", timespec="seconds")[:19],
        "" if comment.nps is None else comment.nps,
        "" if comment.csat is None else comment.csat,
        _cell(comment.comment),
        comment.sentiment or "",
        "; ".join(comment.themes),
        comment.locale or "",
        comment.channel or "",
        _cell(comment.segment),
        comment.variant or "",
        comment.source or "",
    ]


def _cell(text: str | None) -> str:
    if not text:
        return ""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_text(rows: Iterable[list[Any]], *, header: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


async def csv_chunks(
    batches: AsyncIterator[list[Comment]], journey: str, timezone: ZoneInfo
) -> AsyncIterator[str]:
    """The byte-order mark and header, then one chunk of rows per batch."""
    yield BOM + csv_text((), header=True)
    async for batch in batches:
        yield csv_text(csv_row(comment, journey, timezone) for comment in batch)


def json_line(comment: Comment, journey: str, timezone: ZoneInfo) -> str:
    local = comment.answered_at.astimezone(timezone).isoformat()
    data = {"journey": journey, **comment.as_dict(), "answered_local": local}
    return json.dumps(data, ensure_ascii=False) + "\n"


async def json_lines(
    batches: AsyncIterator[list[Comment]], journey: str, timezone: ZoneInfo
) -> AsyncIterator[str]:
    async for batch in batches:
        yield "".join(json_line(comment, journey, timezone) for comment in batch)


async def primed(batches: AsyncIterator[list[Comment]]) -> AsyncIterator[list[Comment]]:
    """Read the first batch now, so a bad filter raises before a response has started; the
    batches come back whole. `stream_answers` checks its filters at the first batch."""
    first = await anext(batches, None)

    async def again() -> AsyncIterator[list[Comment]]:
        if first is not None:
            yield first
            async for batch in batches:
                yield batch

    return again()


async def csv_response(query: AnswerQuery, timezone: ZoneInfo) -> StreamingResponse:
    """The whole range as a CSV download; a bad filter raises here, before the first byte."""
    batches = await primed(stream_answers(query.journey, **query.narrowing(timezone)))
    name = f"{query.journey}-answers-{query.bounds_text(timezone)}.csv"
    return StreamingResponse(
        _encoded(csv_chunks(batches, query.journey, timezone)),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _encoded(chunks: AsyncIterator[str]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        yield chunk.encode("utf-8")
