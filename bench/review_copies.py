"""A bigger review history on PostgreSQL, made of copies of one already built.

The generator behind `review_bulk` costs about 60 microseconds of Python an invitation: 4
million answers (12.6 million invitations) is half an hour of a core, more on a shared
machine. The database copies rows far faster: this writes the history of `review-N` again
`copies` times under `review-<copies x N>` with INSERT ... SELECT, each copy with its own
ids, event ids, tokens and customers (the bigger journey's, as its own build would have
them: `copies` times as many), the same dates, scores, comments and analysis. Every quarter
then holds `copies` times the answers, drawn as the source's were. The secondary indexes
are dropped before and made again after, as in `bulk_sinks`.

    .venv/bin/python bench/review_copies.py --answers 1000000 --copies 4 --database-url URL
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from bulk_rows import COLUMNS, TABLES, BulkRows, Ids  # run as python bench/NAME.py
from bulk_sinks import PostgresSink
from review_data import QUARTERS, SEED, apply_review_journey, journey_key, settle
from tortoise import Tortoise

from journeys.models import Journey, JourneyVersion
from journeys.schema import JourneyDefinition
from web.database import connect, migrate
from web.sample_history import SampleHistory, sample_prefix


async def copy_history(url: str, source: str, target: str, copies: int) -> None:
    """Write `source`'s sample history `copies` times as `target`'s (applied, with no
    history of its own yet, or a partial one, which is removed)."""
    journey = await Journey.get(key=target)
    sink = await PostgresSink.open(url)
    c = sink.conn
    try:
        pairs = await c.fetch(
            "SELECT s.id, t.id FROM touchpoint s JOIN journey sj ON sj.id = s.journey_id"
            " JOIN touchpoint t ON t.key = s.key JOIN journey tj ON tj.id = t.journey_id"
            " WHERE sj.key = $1 AND tj.key = $2",
            source,
            target,
        )
        sources = [s for s, _ in pairs]
        targets = [t for _, t in pairs]
        mapped = "CASE touchpoint_id " + " ".join(f"WHEN {s} THEN {t}" for s, t in pairs) + " END"
        await _remove_partial(c, target, targets)
        await sink.drop_indexes(TABLES)
        span: dict[str, Any] = {
            "interaction": await c.fetchrow(
                "SELECT MIN(id), MAX(id), COUNT(*) FROM interaction WHERE journey_key = $1", source
            ),
            "invitation": await c.fetchrow(
                "SELECT MIN(id), MAX(id), COUNT(*) FROM invitation"
                " WHERE touchpoint_id = ANY($1::int[])",
                sources,
            ),
            "answer": await c.fetchrow(
                "SELECT MIN(id), MAX(id), COUNT(*) FROM answer"
                " WHERE touchpoint_id = ANY($1::int[])",
                sources,
            ),
        }
        for table, (low, high, count) in span.items():
            if high - low + 1 != count:
                raise SystemExit(f"{source}'s {table} ids are not one run: build it afresh")
        first_source_customer = await _first_customer(c, source)
        first_target_customer = await _customers(c, target, journey, copies)
        per_copy = await _source_customers(c, source)
        base = {t: await c.fetchval(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {t}") for t in span}
        version = journey.version
        for k in range(copies):
            off = {t: base[t] + k * span[t][2] - span[t][0] for t in span}
            first_customer = first_target_customer + k * per_copy
            customer = f"customer_id - {first_source_customer} + {first_customer}"
            started = time.perf_counter()
            await c.execute(
                "INSERT INTO interaction (id, event_id, type, occurred_at, customer_id,"
                " journey_key, attributes, received_at)"
                f" SELECT id + {off['interaction']}, $1 || (id - {span['interaction'][0]}"
                f" + {k * span['interaction'][2]})::text, type, occurred_at, {customer}, $2,"
                " attributes, received_at FROM interaction WHERE journey_key = $3",
                sample_prefix(target),
                target,
                source,
            )
            await c.execute(
                "INSERT INTO invitation (id, token, interaction_id, touchpoint_id, customer_id,"
                " journey_version, status, send_at, sent_at, expires_at, channel, attempts,"
                " locale, variant, experiment, created_at, updated_at)"
                f" SELECT id + {off['invitation']}, md5('{target}:{k}:' || id),"
                f" interaction_id + {off['interaction']}, {mapped}, {customer}, {version},"
                " status, send_at, sent_at, expires_at, channel, attempts, locale, variant,"
                " experiment, created_at, updated_at FROM invitation"
                " WHERE touchpoint_id = ANY($1::int[])",
                sources,
            )
            await c.execute(
                "INSERT INTO answer (id, invitation_id, touchpoint_id, nps, csat, comment, source,"
                " answered_at, updated_at, channel, locale, segment, variant, experiment,"
                " interaction_at, sentiment, terms, analysed)"
                f" SELECT id + {off['answer']}, invitation_id + {off['invitation']}, {mapped},"
                " nps, csat, comment, source, answered_at, updated_at, channel, locale, segment,"
                " variant, experiment, interaction_at, sentiment, terms, analysed FROM answer"
                " WHERE touchpoint_id = ANY($1::int[])",
                sources,
            )
            low, high = span["answer"][0], span["answer"][1]
            for table, rest in (("answer_attribute", "name, value"), ("answer_theme", "theme")):
                await c.execute(
                    f"INSERT INTO {table} (answer_id, {rest}) SELECT answer_id + {off['answer']},"
                    f" {rest} FROM {table} WHERE answer_id BETWEEN {low} AND {high}"
                )
            print(f"  copy {k + 1} of {copies}: {time.perf_counter() - started:.0f} s", flush=True)
        await sink.make_indexes()
    finally:
        await sink.close()


async def _remove_partial(c: Any, target: str, targets: list[int]) -> None:
    """What a stopped build of `target` left: its rows come after every other's ids."""
    for table, owned, value in (
        ("answer", "touchpoint_id = ANY($1::int[])", targets),
        ("invitation", "touchpoint_id = ANY($1::int[])", targets),
        ("interaction", "journey_key = $1", target),
    ):
        cut = await c.fetchval(
            f"SELECT COALESCE(MAX(id), 0) FROM {table} WHERE NOT ({owned})", value
        )
        if table == "answer":
            for child in ("answer_attribute", "answer_theme"):
                await c.execute(f"DELETE FROM {child} WHERE answer_id > $1", cut)
        await c.execute(f"DELETE FROM {table} WHERE id > $1", cut)


async def _first_customer(c: Any, key: str) -> int:
    found = await c.fetchval(
        "SELECT id FROM customer WHERE external_id = $1", f"{sample_prefix(key)}0"
    )
    if found is None:
        raise SystemExit(f"{key} has no sample customers: build it first")
    return int(found)


async def _source_customers(c: Any, key: str) -> int:
    return int(
        await c.fetchval(
            "SELECT COUNT(*) FROM customer WHERE external_id LIKE $1", f"{sample_prefix(key)}%"
        )
    )


async def _customers(c: Any, target: str, journey: Journey, copies: int) -> int:
    """The first id of the target's sample customers, written when missing (one run of
    ids, in the generator's order)."""
    if await c.fetchval(
        "SELECT 1 FROM customer WHERE external_id = $1", f"{sample_prefix(target)}0"
    ):
        return await _first_customer(c, target)
    stored = await JourneyVersion.get(journey=journey, version=journey.version)
    definition = JourneyDefinition.model_validate(stored.definition)
    answers = int(target.split("-")[1])
    customers = SampleHistory(definition, seed=SEED, answers=answers).customers
    first = int(await c.fetchval("SELECT COALESCE(MAX(id), 0) + 1 FROM customer"))
    rows = BulkRows(target, journey.version, {}, journey.created_at, None, Ids({}))
    made = rows.customers(customers, first)
    await PostgresSink(c, "").write("customer", COLUMNS["customer"], made)
    return first


async def main(answers: int, copies: int, url: str) -> None:
    await migrate(url)
    await connect(url)
    try:
        source, target = journey_key(answers), journey_key(answers * copies)
        await apply_review_journey(target)
        started = time.perf_counter()
        await copy_history(url, source, target, copies)
        await settle()
        took = time.perf_counter() - started
        print(f"built {target} from {copies} copies of {source} in {took:.0f} s")
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000, help="of the source")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    assert QUARTERS == 8
    asyncio.run(main(args.answers, args.copies, args.database_url))
