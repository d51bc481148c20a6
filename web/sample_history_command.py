"""`touchpoint sample-history`: fill a journey with quarters of sample answers.

For a demo, a training session or a benchmark: the review, the trends and the themes need
history that a new installation does not have. The command refuses a journey that already
has real answers (`--force` adds the sample beside them); a journey's earlier sample
history is replaced. Sample customers are marked `sample-<journey>-<n>`.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from web import sample_history
from web.cli import Command
from web.commands import connected
from web.settings import Settings

MOST_ANSWERS = 10_000_000
MOST_QUARTERS = 40


def add_parser(commands: Any) -> None:
    """The command's options, on the CLI's subparsers."""
    sample = commands.add_parser(
        "sample-history",
        help="fill a journey with sample history for demos and benchmarks (marked sample-)",
    )
    sample.add_argument("--journey", required=True, help="an applied journey's key")
    sample.add_argument(
        "--quarters", type=int, default=8, help="quarters up to the current one (default 8)"
    )
    sample.add_argument("--answers", type=int, default=3000, help="answers in all (default 3000)")
    sample.add_argument(
        "--seed", type=int, default=1, help="the same seed gives the same history (default 1)"
    )
    sample.add_argument(
        "--force", action="store_true", help="add the sample beside the journey's real answers"
    )


def _fail(message: str) -> int:
    print(f"touchpoint sample-history: {message}", file=sys.stderr)
    return 2


async def sample_history_command(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.quarters <= MOST_QUARTERS:
        return _fail(f"--quarters: 1 to {MOST_QUARTERS}, not {args.quarters}")
    if not 1 <= args.answers <= MOST_ANSWERS:
        return _fail(f"--answers: 1 to {MOST_ANSWERS:,}, not {args.answers}")
    started = time.monotonic()
    async with connected(settings):
        real = await sample_history.real_answers(args.journey)
        if real and not args.force:
            return _fail(
                f"journey {args.journey!r} has {real:,} real"
                f" {'answer' if real == 1 else 'answers'}; sample history would mix"
                " with them in its review (--force to add it anyway)"
            )
        removed = await sample_history.remove_sample_history(args.journey)
        try:
            written = await sample_history.write_sample_history(
                args.journey,
                quarters=args.quarters,
                answers=args.answers,
                seed=args.seed,
                progress=_progress(args.answers),
            )
        except LookupError as error:
            return _fail(str(error))
    if removed:
        print(f"replaced the earlier sample history ({removed:,} sample interactions)")
    analysis = "comments analysed" if written.analysed else "comments left for the analysis"
    print(
        f"sample history: {written.answers:,} answers over {args.quarters} quarters for"
        f" {args.journey} ({written.invitations:,} invitations, {written.customers:,} customers"
        f" marked {sample_history.sample_prefix(args.journey)}, {analysis})"
        f" in {time.monotonic() - started:.1f} s"
    )
    return 0


def _progress(total: int) -> Any:
    """A line every tenth of the way, for runs long enough to wonder about."""
    step = max(total // 10, 50_000)
    shown = [0]

    def report(done: int) -> None:
        if done - shown[0] >= step:
            shown[0] = done
            print(f"  {done:,} of {total:,} answers", flush=True)

    return report


COMMANDS: dict[str, Command] = {"sample-history": sample_history_command}
