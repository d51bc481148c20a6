"""A first answer's writes in one trip to the database: the answer, its attributes, its
`response.created` event and the invitation marked answered.

Written one ORM call at a time they were four round trips on PostgreSQL and four hops to
SQLite's thread, each while the transaction holds its connection (SQLite's only one). The
rows are the same as the ORM writes them: the columns and values come from tortoise's own
insert statement and field conversions (`auto_now` included); only their sending is joined.
On PostgreSQL that is one statement of data-modifying CTEs (the event's payload gets the
new answer's id there); on SQLite, one job on the connection's thread running the four
statements with the driver, inside the caller's transaction. The caller holds the
transaction and the invitation's lock (surveys/responses.py); on SQLite it opens it with
`answer_transaction`, which spares tortoise's idle COMMIT before BEGIN.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import (
    BaseDBAsyncClient,
    TransactionalDBClient,
    TransactionContext,
)
from tortoise.backends.sqlite.client import SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from surveys.models import OPEN_STATUSES, Answer, InvitationStatus, OutboxEvent

_PLACEHOLDER = re.compile(r"\$(\d+)")
_ANSWERED = InvitationStatus.ANSWERED.value


def answer_transaction() -> TransactionContext:
    """tortoise's transaction, but on SQLite without the COMMIT it sends before BEGIN: one
    more hop to the driver's thread, with the connection held, that does nothing on
    tortoise's autocommit connection. Inside a transaction already, a savepoint as ever."""
    client = connections.get("default")
    if client.capabilities.dialect != "sqlite" or isinstance(client, TransactionalDBClient):
        return in_transaction()
    return SqliteTransactionContext(_BeginOnly(client), client._lock)


class _BeginOnly(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.execute("BEGIN")
        except sqlite3.OperationalError as error:
            raise TransactionManagementError(error) from error


@dataclass(frozen=True)
class FirstAnswer:
    """What a first answer writes; `payload` is the event's data but for `response_id`."""

    answer: Answer
    attributes: dict[str, str]
    payload: dict[str, Any]
    occurred_at: datetime
    #: Mark the invitation answered (it is not yet), and sent when it has no `sent_at`.
    mark_answered: bool


def _insert(model: type[Model], client: BaseDBAsyncClient, instance: Model) -> tuple[str, list]:
    """The ORM's own INSERT of `instance` and its values, converted as the ORM converts them."""
    executor = client.executor_class(model=model, db=client)
    fields = model._meta.fields_map
    values = [
        fields[name].to_db_value(getattr(instance, name), instance)
        for name in executor.regular_columns
    ]
    return executor.insert_query, values


def _columns(model: type[Model], client: BaseDBAsyncClient) -> list[str]:
    return list(client.executor_class(model=model, db=client).regular_columns)


def _columns_sql(model: type[Model], client: BaseDBAsyncClient) -> str:
    return client.executor_class(model=model, db=client).insert_query


def _event(first: FirstAnswer, data: dict[str, Any]) -> OutboxEvent:
    moment = first.occurred_at
    return OutboxEvent(
        event_id=str(uuid.uuid4()), type="response.created", data=data, occurred_at=moment
    )


async def write_first_answer(invitation_id: int, first: FirstAnswer) -> Answer:
    """Write it all in one trip; returns the answer, saved, with its id."""
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        answer_id = await _postgres(client, invitation_id, first)
        assert answer_id is not None  # an ungated write always writes
    else:
        answer_id = await _sqlite(client, invitation_id, first)
    return _saved(first.answer, answer_id)


def can_write_alone() -> bool:
    """Whether `write_first_answer_alone` can be tried: on PostgreSQL."""
    return connections.get("default").capabilities.dialect == "postgres"


async def write_first_answer_alone(invitation_id: int, first: FirstAnswer) -> Answer | None:
    """On PostgreSQL, a first answer as one statement outside any transaction: the
    invitation marked answered only if at that moment it is open, unanswered, unexpired and
    has no answer, and the other rows written only if it was (the UPDATE takes the row's
    lock and is the gate the INSERTs select from). None when the gate is shut: the caller
    then takes the locked path, which says why or keeps the answer given meanwhile.

    It spares the transaction's BEGIN, locked read and COMMIT: three of the four round
    trips of a first answer, the page customers submit most."""
    client = connections.get("default")
    answer_id = await _postgres(client, invitation_id, first, gate=True)
    return None if answer_id is None else _saved(first.answer, answer_id)


def _saved(answer: Answer, answer_id: int) -> Answer:
    answer.id = answer_id
    answer._saved_in_db = True
    return answer


#: A first answer may be given while the invitation is in these states.
_FIRST_ANSWER_STATES = sorted(s.value for s in OPEN_STATUSES - {InvitationStatus.ANSWERED})
_VALUES = re.compile(r" VALUES \((.*)\)( RETURNING .*)?$", re.DOTALL)


def _selected_from(insert_sql: str, source: str) -> str:
    """tortoise's `INSERT ... VALUES (...)` as `INSERT ... SELECT ... FROM source`: a row
    only when `source` has one (PostgreSQL types the parameters by the target columns)."""
    return _VALUES.sub(
        lambda m: f" SELECT {m.group(1)} FROM {source}{m.group(2) or ''}", insert_sql
    )


async def _postgres(
    client: BaseDBAsyncClient, invitation_id: int, first: FirstAnswer, *, gate: bool = False
) -> int | None:
    answer_sql, values = _insert(Answer, client, first.answer)
    event_sql, event_values = _insert(OutboxEvent, client, _event(first, first.payload))
    n = len(values)
    values += [list(first.attributes), list(first.attributes.values())]
    # The event's own INSERT with its parameters after those, its data joined with the new
    # answer's id (VALUES, so each parameter takes its column's type).
    data_mark = _columns(OutboxEvent, client).index("data") + 1

    def mark(found: re.Match[str]) -> str:
        number = int(found.group(1))
        shifted = f"${number + n + 2}"
        if number != data_mark:
            return shifted
        return f"{shifted}::jsonb || jsonb_build_object('response_id', (SELECT id FROM a))"

    event_sql = _PLACEHOLDER.sub(mark, event_sql.split(" RETURNING ")[0])
    values += event_values
    at = len(values)
    mark_answered = (
        f"UPDATE invitation SET status = '{_ANSWERED}', updated_at = ${at + 1},"
        f" sent_at = COALESCE(sent_at, ${at + 1}) WHERE id = ${at + 2}"
    )
    head, tail = "WITH ", ""
    if gate:  # the answer and the event only if the invitation's update found it open
        answer_sql, event_sql = _selected_from(answer_sql, "i"), _selected_from(event_sql, "a")
        head = (
            f"WITH i AS ({mark_answered} AND status = ANY(${at + 3}::text[])"
            f" AND (expires_at IS NULL OR expires_at > ${at + 1})"
            f" AND NOT EXISTS (SELECT 1 FROM answer WHERE invitation_id = ${at + 2})"
            " RETURNING id), "
        )
        values += [first.occurred_at, invitation_id, _FIRST_ANSWER_STATES]
    elif first.mark_answered:
        tail = f" , i AS ({mark_answered})"
        values += [first.occurred_at, invitation_id]
    parts = [
        f"{head}a AS ({answer_sql})",
        " , t AS (INSERT INTO answer_attribute (name, value, answer_id)"
        f" SELECT x.name, x.value, a.id FROM a, unnest(${n + 1}::text[], ${n + 2}::text[])"
        " AS x(name, value))",
        f" , e AS ({event_sql})",
        tail,
    ]
    sql = "".join(parts) + " SELECT a.id FROM a"
    rows = await client.execute_query_dict(sql, values)
    return int(rows[0]["id"]) if rows else None


async def _sqlite(client: BaseDBAsyncClient, invitation_id: int, first: FirstAnswer) -> int:
    answer_sql, answer_values = _insert(Answer, client, first.answer)
    attribute_sql = "INSERT INTO answer_attribute (name, value, answer_id) VALUES (?, ?, ?)"
    now = Answer._meta.fields_map["answered_at"].to_db_value(first.occurred_at, first.answer)
    update: tuple[str, list] | tuple[()] = ()
    if first.mark_answered:
        update = (
            f"UPDATE invitation SET status = '{_ANSWERED}', updated_at = ?,"
            " sent_at = COALESCE(sent_at, ?) WHERE id = ?",
            [now, now, invitation_id],
        )

    def write(connection: sqlite3.Connection) -> int:
        """On the connection's own thread, inside the caller's transaction."""
        answer_id = connection.execute(answer_sql, answer_values).lastrowid
        assert answer_id is not None
        rows = [(name, value, answer_id) for name, value in first.attributes.items()]
        if rows:
            connection.executemany(attribute_sql, rows)
        event = _event(first, {**first.payload, "response_id": answer_id})
        event_sql, event_values = _insert(OutboxEvent, client, event)
        connection.execute(event_sql, event_values)
        if update:
            connection.execute(*update)
        return answer_id

    async with client.acquire_connection() as driver:
        statements = [answer_sql, attribute_sql, _columns_sql(OutboxEvent, client)]
        client.log.debug("%s: %s", "; ".join([*statements, *update[:1]]), answer_values)
        try:
            # aiosqlite runs each call as a function on its thread; this is one such call.
            return await driver._execute(lambda: write(driver._conn))
        except sqlite3.IntegrityError as error:
            raise IntegrityError(error) from error
