"""The sample history's rows with their ids chosen here, for writing in bulk.

`web.sample_writer` inserts a batch and reads the ids back (`RETURNING`) to link the
interaction, the invitation and the answer; a bulk copy cannot read anything back, so the
ids are counted on from the tables' largest, and the rows link up before they are written.
The columns and values are those `SampleWriter` writes (the same event ids, statuses, dates,
dimensions and analysis), so the review reads the same shape of data either way. Nobody
else may write these tables meanwhile: this is for a benchmark's own database.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from web.sample_history import Customer, Invited
from web.sample_writer import LINK_LIFETIME

Row = tuple[Any, ...]
Analyser = Callable[[str, str], tuple[str | None, str | None, list[str]]]

#: Each table's columns, in the order of its rows below.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": (
        "id", "external_id", "locale", "segment", "attributes", "consent", "created_at",
        "updated_at",
    ),
    "interaction": (
        "id", "event_id", "type", "occurred_at", "customer_id", "journey_key", "attributes",
        "received_at",
    ),
    "invitation": (
        "id", "token", "interaction_id", "touchpoint_id", "customer_id", "journey_version",
        "status", "send_at", "sent_at", "expires_at", "channel", "attempts", "locale",
        "variant", "experiment", "created_at", "updated_at",
    ),
    "answer": (
        "id", "invitation_id", "touchpoint_id", "nps", "csat", "comment", "source",
        "answered_at", "updated_at", "channel", "locale", "segment", "variant", "experiment",
        "interaction_at", "sentiment", "terms", "analysed",
    ),
    "answer_attribute": ("answer_id", "name", "value"),
    "answer_theme": ("answer_id", "theme"),
}  # fmt: skip

#: The order the tables are written in (each names the ones before it).
TABLES = tuple(COLUMNS)


@dataclass
class Batch:
    """One batch's rows, by table."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})


class Ids:
    """The next free id of each table, and the next sample event's number; blocks of them
    are taken a batch at a time (`take`), so several writers can share one counter."""

    def __init__(self, first: dict[str, int]) -> None:
        self.next = dict(first)

    def take(self, invitations: int, answers: int) -> dict[str, int]:
        taken = dict(self.next)
        for name, count in (
            ("event", invitations),
            ("interaction", invitations),
            ("invitation", invitations),
            ("answer", answers),
        ):
            self.next[name] += count
        return taken


class BulkRows:
    """Rows for `SampleHistory`'s customers and invitations, ids taken from `ids`."""

    def __init__(
        self,
        journey_key: str,
        journey_version: int,
        touchpoint_ids: dict[str, int],
        now: datetime,
        analyser: tuple[Analyser, str] | None,
        ids: Ids,
    ) -> None:
        self.journey_key = journey_key
        self.version = journey_version
        self.touchpoint_ids = touchpoint_ids
        self.now = now
        self.analyse, self.digest = analyser or (None, None)
        self.ids = ids
        self.customer_ids: list[int] = []
        self.invitations = 0
        self.answers = 0
        self._json: dict[tuple[str, ...], str] = {}

    def customers(self, customers: Sequence[Customer], first_id: int) -> list[Row]:
        """New sample customers' rows (none of them may exist yet), ids from `first_id`."""
        self.customer_ids = list(range(first_id, first_id + len(customers)))
        regions = {c.region: _json({"region": c.region}) for c in customers}
        now = self.now
        return [
            (number, c.external_id, c.locale, c.segment, regions[c.region], "{}", now, now)
            for number, c in zip(self.customer_ids, customers, strict=True)
        ]

    def use_customers(self, ids: list[int]) -> None:
        """The ids of customers already stored, in the generator's order."""
        self.customer_ids = ids

    def _attributes(self, store: str, product_line: str) -> str:
        key = (store, product_line)
        if key not in self._json:
            self._json[key] = _json({"store": store, "product_line": product_line})
        return self._json[key]

    def batch(self, invited: Sequence[Invited], customers: Sequence[Customer]) -> Batch:
        """The rows of a batch of invitations: interactions, invitations, answers, their
        attributes and themes."""
        out = Batch()
        interactions, invitations, answers = (
            out.rows["interaction"],
            out.rows["invitation"],
            out.rows["answer"],
        )
        attributes, themes = out.rows["answer_attribute"], out.rows["answer_theme"]
        tokens = secrets.token_hex(16 * len(invited))
        first = self.ids.take(len(invited), sum(i.status == "answered" for i in invited))
        answer_id = first["answer"] - 1
        for n, each in enumerate(invited):
            customer = customers[each.customer]
            customer_id = self.customer_ids[each.customer]
            touchpoint_id = self.touchpoint_ids[each.touchpoint.key]
            interaction_id, invitation_id = first["interaction"] + n, first["invitation"] + n
            interactions.append(
                (
                    interaction_id,
                    f"sample-{self.journey_key}-{first['event'] + n}",
                    each.touchpoint.trigger,
                    each.interaction_at,
                    customer_id,
                    self.journey_key,
                    self._attributes(each.store, each.product_line),
                    each.interaction_at,
                )
            )
            invitations.append(
                (
                    invitation_id,
                    tokens[32 * n : 32 * n + 32],
                    interaction_id,
                    touchpoint_id,
                    customer_id,
                    self.version,
                    each.status,
                    each.sent_at,
                    each.sent_at,
                    each.sent_at + LINK_LIFETIME,
                    each.channel,
                    1,
                    customer.locale,
                    each.variant,
                    each.experiment,
                    each.sent_at,
                    each.answered_at or each.sent_at,
                )
            )
            if each.status != "answered":
                continue
            answer_id += 1
            sentiment = terms = None
            if each.comment and self.analyse:
                sentiment, terms, found = self.analyse(each.comment, customer.locale)
                themes += [(answer_id, theme) for theme in found]
            answers.append(
                (
                    answer_id,
                    invitation_id,
                    touchpoint_id,
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
                    self.digest,  # without a comment too: nothing is left pending
                )
            )
            attributes += [(answer_id, name, value) for name, value in each.attributes.items()]
        self.invitations += len(invited)
        self.answers += len(answers)
        return out


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
