"""Storing sample history in bulk: multi-row INSERTs, one transaction per batch.

Each table is written with as many rows per statement as the drivers take parameters
(about 32,000 on SQLite and PostgreSQL), and ids come back with `RETURNING` matched on a
unique key (event id, token, invitation), so the rows link up whatever order the database
returns them in and whoever else writes meanwhile. The answer's dimension columns are
filled as `surveys.answer_dimensions` fills them for a real answer, and its attributes get
one `answer_attribute` row each.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from surveys.sql import numbered

if TYPE_CHECKING:
    from web.sample_history import Customer, Invited

#: Parameters per statement, under both drivers' limit (32,766 and 32,767).
MAX_PARAMS = 30_000
CUSTOMERS_PER_TRANSACTION = 10_000
LINK_LIFETIME = timedelta(days=30)

Analyser = Callable[[str, str], tuple[str | None, str | None, list[str]]]


class SampleWriter:
    def __init__(
        self,
        journey_key: str,
        journey_version: int,
        touchpoint_ids: dict[str, int],
        now: datetime,
        analyser: tuple[Analyser, str] | None,
    ) -> None:
        self.journey_key = journey_key
        self.version = journey_version
        self.touchpoint_ids = touchpoint_ids
        self.now = now
        self.analyse, self.digest = analyser or (None, None)
        self.customer_ids: list[int] = []
        self.events = 0
        self.invitations_written = 0
        self.answers = 0

    async def customers(self, customers: Sequence[Customer]) -> None:
        """New sample customers, or the earlier sample's taken up with this one's values."""
        for start in range(0, len(customers), CUSTOMERS_PER_TRANSACTION):
            part = customers[start : start + CUSTOMERS_PER_TRANSACTION]
            rows = [
                (
                    c.external_id,
                    c.locale,
                    c.segment,
                    _json({"region": c.region}),
                    "{}",
                    self.now,
                    self.now,
                )
                for c in part
            ]
            async with in_transaction() as tx:
                found = await insert(
                    tx,
                    "customer",
                    "external_id, locale, segment, attributes, consent, created_at, updated_at",
                    rows,
                    returning="id, external_id",
                    on_conflict="(external_id) DO UPDATE SET locale = excluded.locale,"
                    " segment = excluded.segment, attributes = excluded.attributes,"
                    " updated_at = excluded.updated_at",
                )
            ids = {row["external_id"]: row["id"] for row in found}
            self.customer_ids += [ids[c.external_id] for c in part]

    async def invitations(self, batch: Sequence[Invited], customers: Sequence[Customer]) -> None:
        """One transaction: the batch's interactions, invitations, answers and their rows."""
        async with in_transaction() as tx:
            interactions = await self._interactions(tx, batch)
            invitations = await self._invitations(tx, batch, interactions, customers)
            await self._answers(tx, batch, invitations, customers)
        self.invitations_written += len(batch)

    async def _interactions(self, tx: BaseDBAsyncClient, batch: Sequence[Invited]) -> list[int]:
        first = self.events
        self.events += len(batch)
        names = [f"sample-{self.journey_key}-{first + n}" for n in range(len(batch))]
        rows = [
            (
                name,
                each.touchpoint.trigger,
                each.interaction_at,
                self.customer_ids[each.customer],
                self.journey_key,
                _json({"store": each.store, "product_line": each.product_line}),
                each.interaction_at,
            )
            for name, each in zip(names, batch, strict=True)
        ]
        found = await insert(
            tx,
            "interaction",
            "event_id, type, occurred_at, customer_id, journey_key, attributes, received_at",
            rows,
            returning="id, event_id",
        )
        ids = {row["event_id"]: row["id"] for row in found}
        return [ids[name] for name in names]

    async def _invitations(
        self,
        tx: BaseDBAsyncClient,
        batch: Sequence[Invited],
        interactions: list[int],
        customers: Sequence[Customer],
    ) -> list[int]:
        tokens = [secrets.token_hex(16) for _ in batch]
        rows = [
            (
                token,
                interaction,
                self.touchpoint_ids[each.touchpoint.key],
                self.customer_ids[each.customer],
                self.version,
                each.status,
                each.sent_at,
                each.sent_at,
                each.sent_at + LINK_LIFETIME,
                each.channel,
                1,
                customers[each.customer].locale,
                each.variant,
                each.experiment,
                each.sent_at,
                each.answered_at or each.sent_at,
            )
            for token, interaction, each in zip(tokens, interactions, batch, strict=True)
        ]
        found = await insert(
            tx,
            "invitation",
            "token, interaction_id, touchpoint_id, customer_id, journey_version, status, send_at,"
            " sent_at, expires_at, channel, attempts, locale, variant, experiment, created_at,"
            " updated_at",
            rows,
            returning="id, token",
        )
        ids = {row["token"]: row["id"] for row in found}
        return [ids[token] for token in tokens]

    async def _answers(
        self,
        tx: BaseDBAsyncClient,
        batch: Sequence[Invited],
        invitations: list[int],
        customers: Sequence[Customer],
    ) -> None:
        answered = [
            (i, each)
            for i, each in zip(invitations, batch, strict=True)
            if each.status == "answered"
        ]
        rows, themes = [], {}
        for invitation, each in answered:
            customer = customers[each.customer]
            sentiment = terms = None
            if each.comment and self.analyse:
                sentiment, terms, themes[invitation] = self.analyse(each.comment, customer.locale)
            analysed = self.digest  # without a comment too: nothing is left pending
            rows.append(
                (
                    invitation,
                    self.touchpoint_ids[each.touchpoint.key],
                    each.nps,
                    each.csat,
                    each.comment,
                    "sms" if each.channel == "sms" and not each.comment else "web",
                    each.answered_at,
                    each.answered_at,
                    each.channel,
                    customer.locale,
                    customer.segment,
                    each.variant,
                    each.experiment,
                    each.interaction_at,
                    sentiment,
                    terms,
                    analysed,
                )
            )
        found = await insert(
            tx,
            "answer",
            "invitation_id, touchpoint_id, nps, csat, comment, source, answered_at, updated_at,"
            " channel, locale, segment, variant, experiment, interaction_at, sentiment, terms,"
            " analysed",
            rows,
            returning="id, invitation_id",
        )
        ids = {row["invitation_id"]: row["id"] for row in found}
        attributes = [
            (ids[invitation], name, value)
            for invitation, each in answered
            for name, value in each.attributes.items()
        ]
        await insert(tx, "answer_attribute", "answer_id, name, value", attributes)
        tagged = [(ids[i], theme) for i, found_themes in themes.items() for theme in found_themes]
        await insert(tx, "answer_theme", "answer_id, theme", tagged)
        self.answers += len(answered)


async def insert(
    tx: BaseDBAsyncClient,
    table: str,
    columns: str,
    rows: Sequence[tuple[Any, ...]],
    *,
    returning: str | None = None,
    on_conflict: str | None = None,
) -> list[dict[str, Any]]:
    """Multi-row INSERTs of `rows`, as many per statement as the parameters allow."""
    if not rows:
        return []
    width = len(rows[0])
    per = MAX_PARAMS // width
    group = "(" + ", ".join(["?"] * width) + ")"
    found: list[dict[str, Any]] = []
    for start in range(0, len(rows), per):
        part = rows[start : start + per]
        sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([group] * len(part))
        if on_conflict:
            sql += f" ON CONFLICT {on_conflict}"
        if returning:
            sql += f" RETURNING {returning}"
        params = [value for row in part for value in row]
        if returning:
            found += await tx.execute_query_dict(numbered(sql, tx), params)
        else:
            await tx.execute_query(numbered(sql, tx), params)
    return found


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
