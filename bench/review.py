"""How fast the quarterly review comes from up to a million answers, and what it costs on
top of the bare SQL its figures need.

Our path, for one journey of N sample answers over 8 quarters (bench/review_data.py):
`surveys.review.review_figures` for 2026-Q3 with its change on Q2 (the journey, its
version and touchpoints read, two grouped queries, the scores, intervals and verdicts),
and the 8-quarter `trend` (the same, over nine quarters), and, when the feedback figures
are part of the build, the quarter's themes. The bare baseline, in the same process on the
same database: the hand-written GROUP BY statements those figures need, through the driver
itself (asyncpg or sqlite3), rows left as the driver returns them. Each round runs ours
and the bare statements one after the other, ours first in one round and second in the
next (the second finds the first's pages in the buffers); the median of the rounds is
reported, with the ratio, and the peak of Python's memory (tracemalloc) while our review
and trend are built, which must not grow with the answers.

    .venv/bin/python bench/review.py [--answers 100000] [--quarters 8] [--rounds 4]
        [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import review_data  # run as python bench/NAME.py
from review_data import DEFAULT_URL, QUARTER, ensure_review_data
from tortoise import Tortoise

from journeys.models import Journey, Touchpoint
from journeys.periods import Period, periods_ending
from surveys.review import review_figures, trend
from web.database import connect, migrate

try:  # the theme figures, once the feedback figures are part of the build
    from surveys.feedback_figures import theme_figures
except ImportError:  # pragma: no cover
    theme_figures = None

ANSWER_SUMS = (
    "COUNT(*), SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END), COUNT(csat),"
    " SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END), SUM(csat)"
)


class Bare:
    """The statements the figures need, through the driver itself."""

    def __init__(self, url: str, touchpoints: list[int], tz: ZoneInfo) -> None:
        self.url, self.touchpoints, self.tz = url, touchpoints, tz
        self.postgres = url.startswith("postgres")
        self.pg: Any = None
        self.lite: sqlite3.Connection | None = None

    async def open(self) -> None:
        if self.postgres:
            import asyncpg

            self.pg = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))
        else:
            self.lite = sqlite3.connect(self.url.removeprefix("sqlite://"))

    async def close(self) -> None:
        if self.pg is not None:
            await self.pg.close()
        if self.lite is not None:
            self.lite.close()

    async def fetch(self, sql: str, params: list[Any]) -> list[Any]:
        if self.pg is not None:
            parts = sql.split("?")
            numbered = "".join(f"{p}${i}" for i, p in enumerate(parts[:-1], 1)) + parts[-1]
            return await self.pg.fetch(numbered, *params)
        assert self.lite is not None
        # What tortoise stores in SQLite: ISO text with a space, compared as text.
        params = [p.isoformat(" ") if isinstance(p, datetime) else p for p in params]
        return self.lite.execute(sql, params).fetchall()

    async def figures(self, periods: list[Period]) -> list[Any]:
        """Answers and invitations per touchpoint and period: two GROUP BY statements."""
        bounds = sorted(p.bounds(self.tz) for p in periods)
        ends = [end for _, end in bounds]
        marks = ", ".join("?" for _ in self.touchpoints)
        rows = []
        for table, moment, sums in (
            ("answer", "answered_at", ANSWER_SUMS),
            ("invitation", "sent_at", "COUNT(*), SUM(CASE WHEN status = 'answered' THEN 1 END)"),
        ):
            bucket = " ".join(f"WHEN {moment} < ? THEN {i}" for i in range(len(ends)))
            rows += await self.fetch(
                f"SELECT touchpoint_id, CASE {bucket} END, {sums} FROM {table}"
                f" WHERE touchpoint_id IN ({marks}) AND {moment} >= ? AND {moment} < ?"
                " GROUP BY 1, 2",
                [*ends, *self.touchpoints, bounds[0][0], ends[-1]],
            )
        return rows

    async def themes(self, period: Period) -> list[Any]:
        """Answers per theme and touchpoint with their scores (one join, one GROUP BY), and
        the analysed comments per touchpoint that a theme's share is of."""
        start, end = period.bounds(self.tz)
        marks = ", ".join("?" for _ in self.touchpoints)
        within = f"a.touchpoint_id IN ({marks}) AND a.answered_at >= ? AND a.answered_at < ?"
        params = [*self.touchpoints, start, end]
        sums = ANSWER_SUMS.replace("nps", "a.nps").replace("csat", "a.csat")
        return [
            *await self.fetch(
                f"SELECT t.theme, a.touchpoint_id, {sums} FROM answer_theme t"
                f" JOIN answer a ON a.id = t.answer_id WHERE {within} GROUP BY 1, 2",
                params,
            ),
            *await self.fetch(
                f"SELECT a.touchpoint_id, COUNT(*) FROM answer a WHERE {within}"
                " AND a.comment IS NOT NULL AND a.sentiment IS NOT NULL GROUP BY 1",
                params,
            ),
        ]


async def timed(run: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await run()
    return time.perf_counter() - started


async def sizes(bare: Bare, period: Period) -> str:
    """How many rows the review reads (its quarter and the one before) against how many the
    tables hold: the review's time should follow the first, not the second."""
    start, _ = period.previous().bounds(bare.tz)
    _, end = period.bounds(bare.tz)
    marks = ", ".join("?" for _ in bare.touchpoints)
    counts = []
    for table, moment in (("answer", "answered_at"), ("invitation", "sent_at")):
        read = await bare.fetch(
            f"SELECT COUNT(*) FROM {table} WHERE touchpoint_id IN ({marks})"
            f" AND {moment} >= ? AND {moment} < ?",
            [*bare.touchpoints, start, end],
        )
        held = await bare.fetch(f"SELECT COUNT(*) FROM {table}", [])
        counts.append(f"{read[0][0]:,} of {held[0][0]:,} {table}s")
    return ", ".join(counts)


async def main(answers: int, rounds: int, url: str, history: int = review_data.QUARTERS) -> None:
    if url.startswith("sqlite://.touchpoint/"):
        os.makedirs(".touchpoint", exist_ok=True)
    await migrate(url)
    await connect(url)
    key = await ensure_review_data(url, answers, quarters=history)
    journey = await Journey.get(key=key)
    ids = [t.id for t in await Touchpoint.filter(journey=journey, active=True).order_by("id")]
    bare = Bare(url, ids, ZoneInfo(journey.timezone))
    await bare.open()
    quarters = periods_ending(QUARTER, 8)
    cases: list[tuple[str, Callable[[], Awaitable[object]], Callable[[], Awaitable[object]]]] = [
        (
            "review",
            lambda: review_figures(key, QUARTER),
            lambda: bare.figures([QUARTER, QUARTER.previous()]),
        ),
        (
            "trend",
            lambda: trend(key, quarters),
            lambda: bare.figures([*quarters, quarters[0].previous()]),
        ),
    ]
    if theme_figures is not None:
        cases += [
            (
                "themes",
                lambda: theme_figures(key, QUARTER, examples=0),
                lambda: bare.themes(QUARTER),
            ),
            (  # the same with three example comments per theme and touchpoint, as shown
                "themes+examples",
                lambda: theme_figures(key, QUARTER),
                lambda: bare.themes(QUARTER),
            ),
        ]
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, *_ in cases}
    try:
        for index in range(rounds + 1):  # the first round warms the caches, not counted
            for name, ours, baseline in cases:
                # Whichever runs second finds the index pages the first read in PostgreSQL's
                # buffers: the order alternates, round by round.
                if index % 2:
                    times[name][1].append(await timed(baseline))
                    times[name][0].append(await timed(ours))
                else:
                    times[name][0].append(await timed(ours))
                    times[name][1].append(await timed(baseline))
        tracemalloc.start()
        for _name, ours, _ in cases:
            await ours()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        read = await sizes(bare, QUARTER)
    finally:
        await bare.close()
        await Tortoise.close_connections()
    print(f"database        {url.split(':', 1)[0]}")
    print(f"journey         {key}: {answers:,} answers over {history} quarters")
    print(f"review reads    {QUARTER} and {QUARTER.previous()}: {read}")
    print(f"rounds          median of {rounds}, after one round to warm up, order alternating")
    for name, (ours_s, base_s) in times.items():
        ours_m, base_m = statistics.median(ours_s[1:]), statistics.median(base_s[1:])
        print(
            f"{name:<16} ours {ours_m * 1000:8.1f} ms   bare SQL {base_m * 1000:8.1f} ms"
            f"   ratio {ours_m / base_m:5.2f}x"
        )
    print(f"peak memory     {peak / 1024:,.0f} KiB (tracemalloc, ours: {', '.join(times)})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--quarters", type=int, default=review_data.QUARTERS, help="of history")
    args = parser.parse_args()
    asyncio.run(main(args.answers, args.rounds, args.database_url, args.quarters))
