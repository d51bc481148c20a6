"""`touchpoint export` and `touchpoint comments`: answers and what customers wrote, from the
terminal.

`export` streams every answer of the filters as CSV (the API's and the console's writer,
web/exports.py) or as JSON Lines, one answer object a line, to standard output or to
`--output FILE`. A file is written beside itself and renamed when complete, so a failed
export never leaves half a file; it starts with a byte-order mark for Excel, standard output
does not (it is for pipes). `comments` prints the newest comments readably, each with its
score, touchpoint, themes and sentiment; `--after ID` goes on to older ones.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from journeys.models import Journey
from surveys.comments import MAX_LIMIT, SCORE_GROUPS, SENTIMENTS, Comment, list_answers
from surveys.comments import stream_answers as stream
from surveys.review_filters import ReviewError
from web.answer_query import AnswerQuery, answer_query
from web.audit import cli_actor, record_as
from web.cli import Command
from web.commands import connected
from web.exports import BOM, EXPORTED, csv_chunks, json_lines, primed
from web.settings import Settings


def add_parser(commands: Any) -> None:
    """The `export` and `comments` commands' options, on the CLI's subparsers."""
    export = commands.add_parser("export", help="write answers and comments as CSV or JSON")
    _add_narrowing(export)
    export.add_argument("--comments-only", action="store_true", help="only answers with one")
    export.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv (default) or json: JSON Lines, one answer a line",
    )
    export.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")

    comments = commands.add_parser("comments", help="read the newest comments customers wrote")
    _add_narrowing(comments)
    comments.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    comments.add_argument("--after", type=int, metavar="ID", help="older than this answer id")


def _add_narrowing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--journey", required=True, help="the journey's key")
    parser.add_argument("--touchpoint", help="one touchpoint's key")
    parser.add_argument("--since", help="from this day (2026-07-01, the journey's time zone)")
    parser.add_argument("--until", help="to the end of this day")
    parser.add_argument("--period", help="2026-Q3, 2026-10 or 2026-W42 instead of since/until")
    for name, text in (
        ("segment", "a customer segment"),
        ("channel", "sms or email"),
        ("language", "en or zh-CN"),
        ("variant", "a wording variant"),
        ("experiment", "a message experiment"),
        ("theme", "a theme of the comments (delivery, price, ...)"),
    ):
        parser.add_argument(f"--{name}", help=text)
    parser.add_argument("--sentiment", choices=SENTIMENTS)
    parser.add_argument("--group", choices=tuple(SCORE_GROUPS), help="an NPS group")
    parser.add_argument(
        "--attribute", action="append", default=[], metavar="NAME:VALUE", help="repeatable"
    )


def _query(args: argparse.Namespace) -> AnswerQuery:
    names = ("touchpoint", "since", "until", "period", "segment", "channel", "language")
    params: dict[str, Any] = {name: getattr(args, name) for name in names}
    for name in ("variant", "experiment", "theme", "sentiment", "group"):
        params[name] = getattr(args, name)
    params["attribute"] = list(args.attribute)
    params["comments"] = "only" if getattr(args, "comments_only", True) else None
    return answer_query(args.journey, params)


def _fail(command: str, message: str) -> int:
    print(f"touchpoint {command}: {message}", file=sys.stderr)
    return 2


async def export(args: argparse.Namespace, settings: Settings) -> int:
    async with connected(settings, reports=True):
        try:
            query = _query(args)
            journey = await _journey(query.journey)
            timezone = ZoneInfo(journey.timezone)
            batches = await primed(stream(query.journey, **query.narrowing(timezone)))
        except (ReviewError, LookupError) as error:
            return _fail("export", _said(error))
        counted = _Counted(batches)
        writer = csv_chunks if args.format == "csv" else json_lines
        chunks = writer(counted.batches(), query.journey, timezone)
        if args.output is None:
            await _write(chunks, sys.stdout, bom=False)
        else:
            await _write_file(chunks, args.output)
        detail = {"filters": query.as_query(), "via": "cli", "answers": counted.answers}
        await record_as(cli_actor(), EXPORTED, query.journey, detail)
    where = args.output or "standard output"
    print(f"{counted.answers} answers written to {where}", file=sys.stderr)
    return 0


def _said(error: Exception) -> str:
    return str(error.args[0]) if isinstance(error, LookupError) and error.args else str(error)


async def _journey(key: str) -> Journey:
    journey = await Journey.get_or_none(key=key)
    if journey is None:
        raise LookupError(f"no journey with key {key!r}")
    return journey


class _Counted:
    """Counts the answers as they pass, for the closing line."""

    def __init__(self, batches: AsyncIterator[list[Comment]]) -> None:
        self._batches, self.answers = batches, 0

    async def batches(self) -> AsyncIterator[list[Comment]]:
        async for batch in self._batches:
            self.answers += len(batch)
            yield batch


async def _write(chunks: AsyncIterator[str], out: TextIO, *, bom: bool) -> None:
    async for chunk in chunks:
        out.write(chunk if bom or not chunk.startswith(BOM) else chunk[len(BOM) :])
    out.flush()


async def _write_file(chunks: AsyncIterator[str], path: Path) -> None:
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            await _write(chunks, out, bom=True)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


async def comments(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.limit <= MAX_LIMIT:
        return _fail("comments", f"--limit: from 1 to {MAX_LIMIT}, not {args.limit}")
    async with connected(settings, reports=True):
        try:
            query = _query(args)
            journey = await _journey(query.journey)
            timezone = ZoneInfo(journey.timezone)
            found = await list_answers(
                query.journey, **query.narrowing(timezone), after_id=args.after, limit=args.limit
            )
        except (ReviewError, LookupError) as error:
            return _fail("comments", _said(error))
    if not found:
        print("no comments" + (" older than that" if args.after else " in that range"))
        return 0
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    for comment in found:
        print(readable(comment, timezone, width))
    if len(found) == args.limit:
        print(f"older comments: add --after {found[-1].answer_id}")
    return 0


def readable(comment: Comment, timezone: ZoneInfo, width: int = 100) -> str:
    """A heading line of what the answer was, and the comment indented under it."""
    heading = [
        f"#{comment.answer_id}",
        comment.answered_at.astimezone(timezone).strftime("%Y-%m-%d %H:%M"),
        comment.touchpoint,
    ]
    if comment.nps is not None:
        heading.append(f"NPS {comment.nps} ({comment.group})")
    if comment.csat is not None:
        heading.append(f"CSAT {comment.csat}")
    heading.append(comment.sentiment or "not analysed")
    if comment.themes:
        heading.append("themes: " + ", ".join(comment.themes))
    if comment.locale:
        heading.append(comment.locale)
    text = printable(comment.comment or "(no comment)")
    body = textwrap.fill(text, width=width, initial_indent="    ", subsequent_indent="    ")
    return "  ".join(heading) + "\n" + body + "\n"


def printable(text: str) -> str:
    """What a customer wrote, without the control characters (escape sequences) that would
    drive the reader's terminal; line breaks become spaces."""
    return "".join(
        " " if char in "\r\n\t" else "\ufffd" if unicodedata.category(char) == "Cc" else char
        for char in text
    )


COMMANDS: dict[str, Command] = {"export": export, "comments": comments}
