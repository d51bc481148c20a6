"""Taking a batch of interaction events: store each, match it, schedule its invitations.

The whole batch is one transaction, committed before the API answers. Each event is
answered on its own: accepted (with the invitations it scheduled), duplicate (its id was
seen before), or rejected with the fields that were wrong. A rejected event writes nothing.

Rows are written a batch at a time (one INSERT per table, returning the ids), so a batch
of a thousand events costs a handful of queries, not thousands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from journeys.customers import KnownCustomer, upsert_customers
from journeys.events import EventIn, EventRejected, FieldError, parse_event
from journeys.models import Interaction
from journeys.rows import insert_rows, json_writer, select_where_in
from journeys.store import Catalog
from surveys.invitations import ScheduledInvitation, schedule_invitations

Outcome = Literal["accepted", "duplicate", "rejected"]


@dataclass
class EventResult:
    index: int
    id: str | None
    status: Outcome
    invitations: list[ScheduledInvitation] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


async def take_events(
    raw_events: list[Any], *, default_phone_region: str | None = None
) -> list[EventResult]:
    """Store a batch; a concurrent batch with the same event ids makes us retry once."""
    try:
        return await _take_events(raw_events, default_phone_region)
    except IntegrityError:
        return await _take_events(raw_events, default_phone_region)


async def _take_events(raw_events: list[Any], region: str | None) -> list[EventResult]:
    now = datetime.now(UTC)
    parsed = [_parse(raw, index, region, now) for index, raw in enumerate(raw_events)]
    async with in_transaction():  # the journeys too: one connection, one snapshot
        catalog = await Catalog.load()
        seen = await _known_event_ids([p for p in parsed if isinstance(p, EventIn)])
        results = [_sort_out(p, index, catalog, seen) for index, p in enumerate(parsed)]
        accepted = {r.index: parsed[r.index] for r in results if r.status == "accepted"}
        if accepted:
            await _store(results, accepted, catalog, now)  # type: ignore[arg-type]
    return results


def _parse(raw: object, index: int, region: str | None, now: datetime) -> EventIn | EventResult:
    try:
        return parse_event(raw, index, default_phone_region=region, now=now)
    except EventRejected as rejected:
        event_id = raw.get("id") if isinstance(raw, dict) else None
        event_id = event_id if isinstance(event_id, str) else None
        return EventResult(index, event_id, "rejected", errors=rejected.errors)


async def _known_event_ids(events: list[EventIn]) -> set[str]:
    ids = [event.id for event in events]
    return {row[0] for row in await select_where_in(Interaction, ["event_id"], "event_id", ids)}


def _sort_out(
    parsed: EventIn | EventResult, index: int, catalog: Catalog, seen: set[str]
) -> EventResult:
    """Rejected, duplicate or accepted; marks accepted ids as seen for the rest of the batch."""
    if isinstance(parsed, EventResult):
        return parsed
    if parsed.id in seen:
        return EventResult(index, parsed.id, "duplicate")
    problem = _unmatched(parsed, index, catalog)
    if problem:
        return EventResult(index, parsed.id, "rejected", errors=[problem])
    seen.add(parsed.id)
    return EventResult(index, parsed.id, "accepted")


def _unmatched(event: EventIn, index: int, catalog: Catalog) -> FieldError | None:
    if event.journey is not None and event.journey not in catalog.journey_keys:
        return FieldError(
            field=f"events[{index}].journey", message=f"no active journey {event.journey!r}"
        )
    if not catalog.matching(event.type, event.journey):
        message = (
            f"journey {event.journey!r} has no touchpoint triggered by {event.type!r}"
            if event.journey
            else f"no active journey has a touchpoint triggered by {event.type!r}"
        )
        return FieldError(field=f"events[{index}].type", message=message)
    return None


async def _store(
    results: list[EventResult], accepted: dict[int, EventIn], catalog: Catalog, now: datetime
) -> None:
    customers = await upsert_customers([event.customer for event in accepted.values()])
    ids = await _store_interactions(list(accepted.values()), customers)
    scheduled = await schedule_invitations(
        [
            (ids[e.id], e, customers[e.customer.id], catalog.matching(e.type, e.journey))
            for e in accepted.values()
        ],
        now,
    )
    for result in results:
        if result.index in accepted:
            result.invitations = scheduled[ids[accepted[result.index].id]]


_ATTRIBUTES_JSON = json_writer(Interaction, "attributes")
_INTERACTION_COLUMNS = (
    "event_id",
    "type",
    "occurred_at",
    "customer_id",
    "journey_key",
    "attributes",
    "received_at",
)


async def _store_interactions(
    events: list[EventIn], customers: dict[str, KnownCustomer]
) -> dict[str, int]:
    """The events as interaction rows; returns their ids by event id."""
    received = timezone.now()
    rows = [
        (
            event.id,
            event.type,
            event.occurred_at,
            customers[event.customer.id].id,
            event.journey,
            _ATTRIBUTES_JSON(event.attributes),
            received,
        )
        for event in events
    ]
    written = await insert_rows(
        Interaction, _INTERACTION_COLUMNS, rows, returning=("event_id", "id")
    )
    return dict(written)
