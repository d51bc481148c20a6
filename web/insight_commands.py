"""`touchpoint insights`: the monthly insight report from the terminal.

`--month 2026-10` writes insights-2026-10.html and insights-2026-10.md into `--output`
(default: the current directory); `--format md` without `--output` prints the Markdown
instead, for a pipe or a wiki page. `--journey` (repeatable) keeps some journeys only.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from journeys.periods import Month, parse_any_period
from surveys.insights import monthly_insights
from web.cli import Command
from web.commands import connected
from web.insights import render_html, render_markdown
from web.settings import Settings


def add_parser(commands: Any) -> None:
    """The `insights` command's options, on the CLI's subparsers."""
    insights = commands.add_parser(
        "insights", help="write the monthly insight report as HTML and Markdown"
    )
    insights.add_argument("--month", required=True, help="a calendar month such as 2026-10")
    insights.add_argument(
        "--journey", action="append", help="only this journey (its key; may be repeated)"
    )
    insights.add_argument("--format", choices=("html", "md", "both"), default="both")
    insights.add_argument(
        "--output", type=Path, help="the directory to write into (default: the current one)"
    )


def _fail(message: str) -> int:
    print(f"touchpoint insights: {message}", file=sys.stderr)
    return 2


def parse_month(text: str) -> Month:
    """A month written 2026-10; a quarter or a week is refused, naming what was given."""
    found = parse_any_period(text)
    if not isinstance(found, Month):
        raise ValueError(f"a month is written like 2026-10, not {text!r}")
    return found


async def insights(args: argparse.Namespace, settings: Settings) -> int:
    try:
        month = parse_month(args.month)
    except ValueError as error:
        return _fail(f"--month: {error}")
    async with connected(settings, reports=True):
        try:
            report = await monthly_insights(month, journeys=args.journey, now=datetime.now(UTC))
        except LookupError as error:
            return _fail(f"--journey: {error.args[0]}")
    if args.format == "md" and args.output is None:
        sys.stdout.write(render_markdown(report))
        return 0
    folder = args.output or Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if args.format in ("html", "both"):
        written.append(_write(folder / f"insights-{month}.html", render_html(report)))
    if args.format in ("md", "both"):
        written.append(_write(folder / f"insights-{month}.md", render_markdown(report)))
    for path in written:
        print(f"wrote {path}")
    return 0


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


COMMANDS: dict[str, Command] = {"insights": insights}
