"""The review benchmark's data: N sample answers over 8 quarters for one journey.

The demo journey is applied under a key of its own per size (`review-1000000`, and
`review-4000000-32q` for a history of other than 8 quarters), so one database can hold
the 1M and the 4M history side by side, and the history ends with 2026-Q3 at a fixed
moment, so every run reads the same figures. A size already built is reused: it is
written in bulk (`review_bulk`), minutes for millions of answers, and read many times. A
new build is settled (`settle`: the planner's statistics, and PostgreSQL's visibility map)
as a database in service would be; `--settle` does it for a build kept from before.

    .venv/bin/python bench/review_data.py --answers 1000000 [--quarters 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import UTC, datetime
from importlib import resources

from review_bulk import bulk_history  # run as python bench/NAME.py
from tortoise import Tortoise

from journeys.loader import load_journey
from journeys.models import Journey
from journeys.periods import Period
from journeys.store import apply_journey
from surveys.sql import connection, fetch_all
from web.database import connect, migrate
from web.sample_history import remove_sample_history

#: The history's last moment: the end of 2026-Q3 in Shanghai, the demo journey's zone.
LAST = datetime(2026, 9, 30, 15, 59, tzinfo=UTC)
QUARTER = Period(2026, 3)
QUARTERS = 8
SEED = 10
DEFAULT_URL = "sqlite://.touchpoint/bench-review.sqlite3"


def journey_key(answers: int, quarters: int = QUARTERS) -> str:
    """`review-1000000` for 8 quarters; a longer history has its own (`review-4000000-32q`)."""
    return f"review-{answers}" + (f"-{quarters}q" if quarters != QUARTERS else "")


async def answers_of(key: str) -> int:
    rows = await fetch_all(
        "SELECT COUNT(*) FROM answer a JOIN touchpoint t ON t.id = a.touchpoint_id"
        " JOIN journey j ON j.id = t.journey_id WHERE j.key = ?",
        [key],
    )
    return int(rows[0][0])


async def apply_review_journey(key: str) -> None:
    """The demo journey under `key`, unless it is there."""
    if await Journey.exists(key=key):
        return
    text = resources.files("journeys.demo").joinpath("online-store.yaml").read_text("utf-8")
    text = text.replace("journey: online-store", f"journey: {key}", 1)
    await apply_journey(load_journey(text), text)


def default_parts(url: str) -> int:
    """Processes writing the history: one per core on PostgreSQL, one on SQLite (which
    takes one writer at a time)."""
    return (os.cpu_count() or 1) if url.startswith("postgres") else 1


async def ensure_review_data(
    url: str,
    answers: int,
    *,
    quarters: int = QUARTERS,
    parts: int | None = None,
    say: bool = True,
) -> str:
    """The journey holding `answers` sample answers, built unless it is there already
    (tortoise connected to `url`)."""
    key = journey_key(answers, quarters)
    if await Journey.exists(key=key) and await answers_of(key) == answers:
        return key
    await apply_review_journey(key)
    await remove_sample_history(key)
    started = time.perf_counter()

    def progress(done: int) -> None:
        if say and done % 100_000 < 16_000:
            print(f"  {done:,} answers written, {time.perf_counter() - started:.0f} s", flush=True)

    written = await bulk_history(
        url,
        key,
        quarters=quarters,
        answers=answers,
        seed=SEED,
        now=LAST,
        parts=parts or default_parts(url),
        progress=progress,
    )
    if say:
        print(
            f"built {key}: {written.answers:,} answers, {written.invitations:,} invitations,"
            f" {written.customers:,} customers in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    await settle()
    return key


#: The tables the review reads.
REVIEW_TABLES = ("answer", "invitation", "answer_theme", "answer_attribute", "customer")


async def settle() -> None:
    """What a database in service has and a bulk load has not: the planner's statistics
    (ANALYZE) and, on PostgreSQL, the visibility map that lets the covering indexes answer
    alone (VACUUM). Without them PostgreSQL guesses 20 rows for a quarter of 70,000 answers
    and sorts them on disk."""
    conn = connection()
    if conn.capabilities.dialect == "postgres":
        for table in REVIEW_TABLES:
            await conn.execute_script(f"VACUUM ANALYZE {table}")
    else:
        await conn.execute_script("ANALYZE")


async def main(
    answers: int, url: str, quarters: int, settle_only: bool = False, parts: int | None = None
) -> None:
    if url.startswith("sqlite://.touchpoint/"):
        os.makedirs(".touchpoint", exist_ok=True)
    await migrate(url)
    await connect(url)
    try:
        await ensure_review_data(url, answers, quarters=quarters, parts=parts)
        if settle_only:
            await settle()
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--quarters", type=int, default=QUARTERS, help="of history, up to 2026-Q3")
    parser.add_argument(
        "--settle", action="store_true", help="VACUUM ANALYZE a build kept from before"
    )
    parser.add_argument(
        "--parts", type=int, help="processes writing (default: one per core on PostgreSQL)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.answers, args.database_url, args.quarters, args.settle, args.parts))
