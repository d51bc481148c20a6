"""The review benchmark's sample history, written in bulk.

`web.sample_history.write_sample_history` writes through the app's connection with
multi-row INSERTs and reads each batch's ids back: right for the demo's 3,000 answers, 38
minutes for a million on a loaded machine. This writes the same generator's rows (the same
seed gives the same customers, invitations, scores and comments) through the driver itself:
COPY on PostgreSQL, executemany on SQLite, with the ids chosen beforehand (`bulk_rows`) and
the secondary indexes made once at the end (`bulk_sinks`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bulk_rows import COLUMNS, TABLES, BulkRows  # run as python bench/NAME.py
from bulk_sinks import Sink, open_sink

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.schema import JourneyDefinition
from surveys.sql import fetch_all
from web.sample_history import (
    Invited,
    Quarter,
    SampleHistory,
    Written,
    feedback_analyser,
    quarters_ending,
    sample_prefix,
)
from web.sample_writer import SampleWriter

#: Invitations per written batch (about 30 MB of rows in memory at a time).
BATCH = 50_000


async def bulk_history(
    url: str,
    journey_key: str,
    *,
    quarters: int,
    answers: int,
    seed: int,
    now: datetime,
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
    history = SampleHistory(definition, seed=seed, answers=answers)
    plan = quarters_ending(now, ZoneInfo(definition.timezone), quarters, answers)
    analyser = feedback_analyser(definition)
    kept = await _kept_customers(journey_key)
    if kept:  # an earlier sample's customers, taken up with this one's values
        writer = SampleWriter(journey_key, journey.version, ids, now, None)
        await writer.customers(history.customers)
    sink = await open_sink(url)
    try:
        rows = BulkRows(
            journey_key, journey.version, ids, now, analyser, await sink.largest_ids(TABLES[:4])
        )
        await sink.drop_indexes(TABLES)
        if kept:
            rows.use_customers(writer.customer_ids)
        else:
            await sink.write("customer", COLUMNS["customer"], rows.customers(history.customers))
        await _write(sink, rows, history, plan, now, progress)
        await sink.make_indexes()
    finally:
        await sink.close()
    return Written(len(history.customers), rows.invitations, rows.answers, bool(analyser))


async def _write(
    sink: Sink,
    rows: BulkRows,
    history: SampleHistory,
    plan: list[Quarter],
    now: datetime,
    progress: Callable[[int], None] | None,
) -> None:
    batch: list[Invited] = []
    for invited in history.invitations(plan, now):
        batch.append(invited)
        if len(batch) >= BATCH:
            await _flush(sink, rows, batch, history)
            batch = []
            if progress:
                progress(rows.answers)
    await _flush(sink, rows, batch, history)


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
