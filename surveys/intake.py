"""Taking a batch of interaction events: store each, match it, schedule its invitations.

The whole batch is one transaction, committed before the API answers. Each event is
answered on its own: accepted (with the invitations it scheduled), duplicate (its id was
seen before), or rejected with the fields that were wrong. A rejected event writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from journeys.events import EventIn, EventRejected, FieldError, parse_event
from journeys.models import Customer, Interaction
from journeys.store import Catalog
from surveys.invitations import schedule_invitations
from surveys.models import Invitation

Outcome = Literal["accepted", "duplicate", "rejected"]


@dataclass
class EventResult:
    index: int
    id: str | None
    status: Outcome
    invitations: list[Invitation] = field(default_factory=list)
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
    catalog = await Catalog.load()
    now = datetime.now(UTC)
    results = []
    async with in_transaction():
        seen = await _known_event_ids(raw_events)
        for index, raw in enumerate(raw_events):
            results.append(await _take_one(raw, index, catalog, seen, now, region))
    return results


async def _known_event_ids(raw_events: list[Any]) -> set[str]:
    ids = [e["id"] for e in raw_events if isinstance(e, dict) and isinstance(e.get("id"), str)]
    return set(await Interaction.filter(event_id__in=ids).values_list("event_id", flat=True))


async def _take_one(
    raw: object, index: int, catalog: Catalog, seen: set[str], now: datetime, region: str | None
) -> EventResult:
    try:
        event = parse_event(raw, index, default_phone_region=region)
    except EventRejected as rejected:
        event_id = raw.get("id") if isinstance(raw, dict) else None
        return EventResult(
            index,
            event_id if isinstance(event_id, str) else None,
            "rejected",
            errors=rejected.errors,
        )
    if event.id in seen:
        return EventResult(index, event.id, "duplicate")
    problem = _unmatched(event, index, catalog)
    if problem:
        return EventResult(index, event.id, "rejected", errors=[problem])
    seen.add(event.id)
    customer = await _upsert_customer(event)
    interaction = await Interaction.create(
        event_id=event.id,
        type=event.type,
        occurred_at=event.occurred_at,
        customer=customer,
        journey_key=event.journey,
        attributes=event.attributes,
    )
    matches = catalog.matching(event.type, event.journey)
    invitations = await schedule_invitations(interaction, customer, matches, now)
    return EventResult(index, event.id, "accepted", invitations=invitations)


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


async def _upsert_customer(event: EventIn) -> Customer:
    """What the event says about the customer overwrites what we knew; omitted fields stay."""
    given = event.customer
    known = {
        name: value
        for name in ("phone", "email", "locale", "timezone", "segment")
        if (value := getattr(given, name)) is not None
    }
    attributes = dict(given.attributes)
    if given.first_name:
        attributes["first_name"] = given.first_name
    customer = await Customer.get_or_none(external_id=given.id)
    if customer is None:
        return await Customer.create(external_id=given.id, attributes=attributes, **known)
    if known or attributes:
        customer.update_from_dict(known)
        customer.attributes = {**(customer.attributes or {}), **attributes}
        await customer.save()
    return customer
