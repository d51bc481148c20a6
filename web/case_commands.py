"""`touchpoint cases`: the follow-up queue and its figures from the terminal.

Without options it lists the open and waiting cases, the next due first (`--overdue` keeps
those past a running due time, `--team` one team's); `--figures` prints the quarter's
figures per team (or `--group-by touchpoint|journey`) instead. `--format json` prints what
the API would, for scripts.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from journeys.periods import parse_period
from surveys.followup_figures import (
    CaseFigures,
    Share,
    Times,
    UnknownJourney,
    period_figures,
    spoken_duration,
)
from surveys.followups import case_queue, is_overdue
from surveys.models import FollowUpCase
from web.cli import Command, print_json
from web.commands import connected
from web.settings import Settings


def add_parser(commands: Any) -> None:
    """The `cases` command's options, on the CLI's subparsers."""
    cases = commands.add_parser("cases", help="list open follow-up cases, or their figures")
    cases.add_argument("--overdue", action="store_true", help="only cases past a due time")
    cases.add_argument("--team", help="only this team's cases (its key)")
    cases.add_argument("--journey", help="only this journey's cases (its key)")
    cases.add_argument("--figures", action="store_true", help="print the quarter's figures")
    cases.add_argument("--period", help="with --figures: a quarter such as 2026-Q3 (default: now)")
    cases.add_argument(
        "--group-by",
        choices=("team", "touchpoint", "journey"),
        default="team",
        help="with --figures: one row per team (default), touchpoint or journey",
    )
    cases.add_argument("--format", choices=("text", "json"), default="text")


def _fail(message: str) -> int:
    print(f"touchpoint cases: {message}", file=sys.stderr)
    return 2


async def cases(args: argparse.Namespace, settings: Settings) -> int:
    if args.figures:
        return await _figures(args, settings)
    now = datetime.now(UTC)
    async with connected(settings):
        found = await case_queue(
            journey=args.journey, team=args.team, overdue=args.overdue, now=now
        ).prefetch_related("touchpoint")
    if args.format == "json":
        print_json([_case_dict(case, now) for case in found])
    elif not found:
        print("no overdue cases" if args.overdue else "no open cases")
    else:
        print(
            _table(
                ["case", "next due (UTC)", "", "status", "team", "owner", "touchpoint", "reason"],
                [_case_row(case, now) for case in found],
            )
        )
    return 0


def _moment(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else "-"


def _case_row(case: FollowUpCase, now: datetime) -> list[str]:
    return [
        str(case.id),
        _moment(case.next_due_at),
        "OVERDUE" if is_overdue(case, now) else "",
        case.status.value,
        case.team_key or "-",
        case.owner_email or "-",
        f"{case.journey_key}/{case.touchpoint.key}",
        case.reason,
    ]


def _case_dict(case: FollowUpCase, now: datetime) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None

    return {
        "id": case.id,
        "status": case.status.value,
        "journey": case.journey_key,
        "touchpoint": case.touchpoint.key,
        "reason": case.reason,
        "team": case.team_key,
        "owner": case.owner_email,
        "opened_at": iso(case.opened_at),
        "next_due_at": iso(case.next_due_at),
        "overdue": is_overdue(case, now),
    }


async def _figures(args: argparse.Namespace, settings: Settings) -> int:
    try:
        period = parse_period(args.period) if args.period else None
    except ValueError as error:
        return _fail(f"--period: {error}")
    async with connected(settings):
        try:
            report = await period_figures(
                period, group_by=args.group_by, journey=args.journey, now=datetime.now(UTC)
            )
        except UnknownJourney as error:
            return _fail(f"--journey: {error}")
    figures = [f for f in report.figures if not args.team or f.key == args.team]
    if args.format == "json":
        print_json(report.as_dict() | {"figures": [f.as_dict() for f in figures]})
        return 0
    print(f"Follow-ups {report.period} ({report.timezone}), as of {_moment(report.now)} UTC")
    headers = [
        args.group_by,
        "opened",
        "1st response median/p90 (n)",
        "in SLA",
        "resolution median/p90 (n)",
        "in SLA",
        "satisfied (target 90%)",
        "open",
        "overdue",
    ]
    print(_table(headers, [_figures_row(f) for f in figures]) if figures else "no cases")
    return 0


def _figures_row(f: CaseFigures) -> list[str]:
    met = {True: " met", False: " missed", None: ""}[f.satisfaction_target_met]
    return [
        f.label,
        str(f.opened),
        _times(f.first_response),
        _share(f.first_response_within_sla),
        _times(f.resolution),
        _share(f.resolution_within_sla),
        _share(f.satisfaction) + met,
        str(f.open_now),
        str(f.overdue_now),
    ]


def _times(times: Times) -> str:
    return f"{spoken_duration(times.median)}/{spoken_duration(times.p90)} ({times.n})"


def _share(share: Share) -> str:
    percent = "-" if share.percent is None else f"{share.percent:g}%"
    return f"{percent} ({share.n})"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


COMMANDS: dict[str, Command] = {"cases": cases}
