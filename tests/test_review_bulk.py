"""The review benchmark's bulk build writes what the demo's sample writer writes: the same
seed gives the same customers, invitations, answers, attributes and themes, linked the
same way, and the tables end with the indexes the migrations made."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import connections

from journeys.loader import load_journey
from journeys.store import apply_journey
from surveys.sql import fetch_all
from web.commands import _demo_definition
from web.sample_history import remove_sample_history, write_sample_history

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from bulk_sinks import KEPT
from review_bulk import bulk_history

NOW = datetime(2026, 11, 15, 6, tzinfo=UTC)


@pytest.fixture
async def demo_journey(db: str) -> str:
    definition, text = _demo_definition()
    await apply_journey(definition, text)
    return definition.journey


async def history_as_written() -> list[tuple]:
    """Every sample row as the review and the page read it, ids left out but links kept."""
    return await fetch_all(
        "SELECT c.external_id, c.locale, c.segment, i.status, i.channel, i.locale, i.variant,"
        " i.sent_at, i.expires_at, n.event_id, n.type, n.occurred_at, n.attributes, t.key,"
        " a.nps, a.csat, a.comment, a.source, a.answered_at, a.segment, a.interaction_at,"
        " a.sentiment, a.terms, a.analysed,"
        " (SELECT COUNT(*) FROM answer_attribute f WHERE f.answer_id = a.id),"
        " (SELECT MIN(f.value) FROM answer_attribute f WHERE f.answer_id = a.id"
        "  AND f.name = 'store'),"
        " (SELECT COUNT(*) FROM answer_theme h WHERE h.answer_id = a.id)"
        " FROM invitation i JOIN customer c ON c.id = i.customer_id"
        " JOIN interaction n ON n.id = i.interaction_id"
        " JOIN touchpoint t ON t.id = i.touchpoint_id"
        " LEFT JOIN answer a ON a.invitation_id = i.id ORDER BY n.event_id"
    )


async def indexes() -> list[tuple]:
    if connections.get("default").capabilities.dialect == "postgres":
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
    return sorted(await fetch_all(sql))


async def tables() -> list[str]:
    if connections.get("default").capabilities.dialect == "postgres":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return sorted(row[0] for row in await fetch_all(sql))


async def test_the_bulk_build_writes_what_the_sample_writer_writes(demo_journey, db):
    before, tables_before = await indexes(), await tables()
    bulk = await bulk_history(db, demo_journey, quarters=4, answers=400, seed=3, now=NOW)
    by_bulk = await history_as_written()
    assert await indexes() == before
    assert await tables() == tables_before and KEPT not in tables_before

    await remove_sample_history(demo_journey)
    slow = await write_sample_history(demo_journey, quarters=4, answers=400, seed=3, now=NOW)
    assert (slow.customers, slow.invitations, slow.answers) == (
        bulk.customers,
        bulk.invitations,
        bulk.answers,
    )
    assert await history_as_written() == by_bulk
    assert sum(row[18] is not None for row in by_bulk) == 400

    await remove_sample_history(demo_journey)  # the customers stay, to be taken up again
    await bulk_history(db, demo_journey, quarters=4, answers=400, seed=3, now=NOW)
    assert await history_as_written() == by_bulk


async def test_rows_written_after_a_bulk_build_take_the_next_ids(demo_journey, db):
    await bulk_history(db, demo_journey, quarters=2, answers=50, seed=1, now=NOW)
    _, text = _demo_definition()
    text = text.replace(f"journey: {demo_journey}", "journey: other-store", 1)
    await apply_journey(load_journey(text), text)
    await write_sample_history("other-store", quarters=2, answers=50, seed=1, now=NOW)
    for table in ("customer", "interaction", "invitation", "answer", "answer_attribute"):
        rows = await fetch_all(f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {table}")
        assert rows[0][0] == rows[0][1] > 0


async def test_parts_in_processes_of_their_own_write_every_quarters_answers(demo_journey, db):
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("SQLite takes one writer at a time: its build is one part")
    before = await indexes()
    written = await bulk_history(
        db, demo_journey, quarters=4, answers=401, seed=3, now=NOW, parts=2
    )
    assert written.answers == 401
    assert await indexes() == before
    rows = await fetch_all(
        "SELECT COUNT(*), COUNT(DISTINCT i.id), COUNT(DISTINCT n.event_id), COUNT(a.id)"
        " FROM invitation i JOIN interaction n ON n.id = i.interaction_id"
        " LEFT JOIN answer a ON a.invitation_id = i.id"
    )
    assert rows[0] == (written.invitations,) * 3 + (401,)


async def test_copies_of_a_history_hold_each_quarter_so_many_times_over(db):
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("the copies are made by PostgreSQL")
    from review_copies import copy_history
    from review_data import apply_review_journey

    await apply_review_journey("review-60")
    await apply_review_journey("review-180")
    await bulk_history(db, "review-60", quarters=4, answers=60, seed=2, now=NOW)
    before = await indexes()
    await copy_history(db, "review-60", "review-180", 3)
    assert await indexes() == before

    async def per_quarter(key: str) -> list[tuple]:
        return await fetch_all(
            "SELECT t.key, substr(CAST(a.answered_at AS TEXT), 1, 7), COUNT(*), SUM(a.nps),"
            " COUNT(DISTINCT i.customer_id), COUNT(DISTINCT i.token)"
            " FROM answer a JOIN invitation i ON i.id = a.invitation_id"
            " JOIN touchpoint t ON t.id = a.touchpoint_id JOIN journey j ON j.id = t.journey_id"
            " WHERE j.key = ? GROUP BY 1, 2 ORDER BY 1, 2",
            [key],
        )

    source, copied = await per_quarter("review-60"), await per_quarter("review-180")
    assert [row[:2] for row in copied] == [row[:2] for row in source]
    for once, thrice in zip(source, copied, strict=True):
        assert thrice[2:] == tuple(3 * n if n is not None else None for n in once[2:])
    customers = await fetch_all(
        "SELECT COUNT(*) FROM customer WHERE external_id LIKE 'sample-review-180-%'"
    )
    assert customers[0][0] >= 3 * 37  # the 37 of the source's, three times over
