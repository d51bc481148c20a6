"""The review benchmark's sample history, written in bulk.

`web.sample_history.write_sample_history` writes through the app's connection with
multi-row INSERTs and reads each batch's ids back: right for the demo's 3,000 answers, 38
minutes for a million on a loaded machine. This writes the same generator's rows through
the driver itself: COPY on PostgreSQL, executemany on SQLite, with the ids chosen
beforehand (`bulk_rows`) and the secondary indexes made once at the end (`bulk_sinks`).

In one part, the same seed gives exactly the rows the sample writer gives. The generator
costs about 40 microseconds of Python a invitation (12.6 million for 4 million answers),
so on PostgreSQL the build runs in `parts` processes, each writing its share of every
quarter's answers with a generator of its own seed (the customers, drawn first, are the
same in all); the shape of the data is the same, the draws are not the one-part ones.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bulk_rows import COLUMNS, TABLES, BulkRows, Ids  # run as python bench/NAME.py
from bulk_sinks import Sink, open_sink

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.schema import JourneyDefinition
from surveys.sql import fetch_all
from web.sample_history import (
    Invited,
    SampleHistory,
    Written,
    feedback_analyser,
    quarters_ending,
    sample_prefix,
)
from web.sample_writer import SampleWriter

#: Invitations per written batch (about 30 MB of rows in memory at a time).
BATCH = 50_000


@dataclass(frozen=True)
class Job:
    """What each part needs to write its share (pickled to the parts' processes)."""

    url: str
    journey_key: str
    version: int
    definition: JourneyDefinition
    touchpoint_ids: dict[str, int]
    quarters: int
    answers: int
    seed: int
    now: datetime
    customer_ids: list[int]


async def bulk_history(
    url: str,
    journey_key: str,
    *,
    quarters: int,
    answers: int,
    seed: int,
    now: datetime,
    parts: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Generate and store the sample history of an applied journey that has none (tortoise
    connected to `url`, which nothing else writes meanwhile)."""
    journey = await Journey.get(key=journey_key)
    stored = await JourneyVersion.get(journey=journey, version=journey.version)
    definition = JourneyDefinition.model_validate(stored.definition)
    ids = {t.key: t.id for t in await Touchpoint.filter(journey=journey, active=True)}
    definition = definition.model_copy(
        update={"touchpoints": [t for t in definition.touchpoints if t.key in ids]}
    )
    now = now.replace(microsecond=0)
    customers = SampleHistory(definition, seed=seed, answers=answers).customers
    kept = await _kept_customers(journey_key)
    if kept:  # an earlier sample's customers, taken up with this one's values
        writer = SampleWriter(journey_key, journey.version, ids, now, None)
        await writer.customers(customers)
    sink = await open_sink(url)
    try:
        largest = await sink.largest_ids(TABLES[:4])
        await sink.drop_indexes(TABLES)
        if kept:
            customer_ids = writer.customer_ids
        else:
            rows = BulkRows(journey_key, journey.version, ids, now, None, Ids({}))
            made = rows.customers(customers, largest["customer"] + 1)
            await sink.write("customer", COLUMNS["customer"], made)
            customer_ids = rows.customer_ids
        first = {"event": 0, **{t: largest[t] + 1 for t in TABLES[1:4]}}
        job = Job(
            url, journey_key, journey.version, definition, ids, quarters, answers, seed, now,
            customer_ids,
        )  # fmt: skip
        if parts == 1:
            written = await _write_part(job, 0, 1, Ids(first), sink, progress)
        else:
            written = await _write_parts(job, parts, first)
        await sink.make_indexes()
    finally:
        await sink.close()
    analysed = feedback_analyser(definition) is not None
    return Written(len(customers), written[0], written[1], analysed)


async def _write_parts(job: Job, parts: int, first: dict[str, int]) -> tuple[int, int]:
    context = multiprocessing.get_context("spawn")
    shared = context.Array("q", [first[name] for name in NAMES])
    with ProcessPoolExecutor(parts, context, initializer=_share, initargs=(shared,)) as pool:
        loop = asyncio.get_running_loop()
        done = await asyncio.gather(
            *(loop.run_in_executor(pool, _run_part, job, part, parts) for part in range(parts))
        )
    return sum(d[0] for d in done), sum(d[1] for d in done)


NAMES = ("event", "interaction", "invitation", "answer")
_shared: Any = None


def _share(shared: Any) -> None:
    global _shared
    _shared = shared


class SharedIds(Ids):
    """Ids taken from the counter the parts' processes share."""

    def __init__(self, shared: Any) -> None:
        self.shared = shared

    def take(self, invitations: int, answers: int) -> dict[str, int]:
        with self.shared.get_lock():
            taken = dict(zip(NAMES, self.shared[:], strict=True))
            for index, count in enumerate((invitations, invitations, invitations, answers)):
                self.shared[index] += count
        return taken


def _run_part(job: Job, part: int, parts: int) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        sink = await open_sink(job.url)
        try:
            return await _write_part(job, part, parts, SharedIds(_shared), sink, None)
        finally:
            await sink.close()

    return asyncio.run(run())


async def _write_part(
    job: Job,
    part: int,
    parts: int,
    ids: Ids,
    sink: Sink,
    progress: Callable[[int], None] | None,
) -> tuple[int, int]:
    """One part's share of every quarter's answers (all of them in one part)."""
    history = SampleHistory(job.definition, seed=job.seed, answers=job.answers)
    share = job.answers // parts + (job.answers % parts if part == 0 else 0)
    if parts > 1:
        history.rng.seed(f"{job.seed}/{part}")
    tz = ZoneInfo(job.definition.timezone)
    plan = quarters_ending(job.now, tz, job.quarters, share)
    rows = BulkRows(
        job.journey_key,
        job.version,
        job.touchpoint_ids,
        job.now,
        feedback_analyser(job.definition),
        ids,
    )
    rows.use_customers(job.customer_ids)
    batch: list[Invited] = []
    for invited in history.invitations(plan, job.now):
        batch.append(invited)
        if len(batch) >= BATCH:
            await _flush(sink, rows, batch, history)
            batch = []
            if progress:
                progress(rows.answers)
    await _flush(sink, rows, batch, history)
    return rows.invitations, rows.answers


async def _flush(sink: Sink, rows: BulkRows, batch: list[Invited], history: SampleHistory) -> None:
    made = rows.batch(batch, history.customers)
    for table in TABLES[1:]:
        await sink.write(table, COLUMNS[table], made.rows[table])


async def _kept_customers(journey_key: str) -> bool:
    """Whether an earlier sample of this journey left its customers (the first one tells)."""
    found = await fetch_all(
        "SELECT 1 FROM customer WHERE external_id = ?", [f"{sample_prefix(journey_key)}0"]
    )
    return bool(found)
