"""Keeping what we know of customers up to date from the events that mention them.

What an event says about a customer overwrites what we knew; fields it leaves out stay as
they were; attributes and consent are merged, consent channel by channel ({"sms": false}
today leaves yesterday's {"email": true} standing). Several events of one batch about one
customer are applied in order, so the last word wins.

A batch mentions up to a thousand customers, so they are read as plain rows (no ORM object
each), only those an event changes are updated, and the new ones are written with one
INSERT that returns their ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise import timezone

from journeys.events import CustomerIn
from journeys.models import Customer
from journeys.rows import insert_rows, json_reader, json_writer, select_where_in

PROFILE_FIELDS = ("phone", "email", "locale", "timezone", "segment")
#: Fields merged key by key rather than replaced.
MERGED_FIELDS = ("attributes", "consent")
_STORED = ("id", "external_id", *PROFILE_FIELDS, *MERGED_FIELDS)
_DEFAULT_LOCALE: str = Customer._meta.fields_map["locale"].default
_READ_JSON = {name: json_reader(Customer, name) for name in MERGED_FIELDS}
_WRITE_JSON = {name: json_writer(Customer, name) for name in MERGED_FIELDS}


@dataclass(frozen=True)
class KnownCustomer:
    """A customer as the batch left them: what scheduling an invitation needs."""

    id: int
    external_id: str
    locale: str
    timezone: str | None


def _profile(given: CustomerIn) -> dict[str, Any]:
    known = {name: value for name in PROFILE_FIELDS if (value := getattr(given, name)) is not None}
    attributes = dict(given.attributes)
    if given.first_name:
        attributes["first_name"] = given.first_name
    return known | {"attributes": attributes, "consent": dict(given.consent)}


def _merged(customers: list[CustomerIn]) -> dict[str, dict[str, Any]]:
    profiles: dict[str, dict[str, Any]] = {}
    for given in customers:
        update = _profile(given)
        before = profiles.get(given.id)
        if before is None:
            profiles[given.id] = update
            continue
        for name in MERGED_FIELDS:
            update[name] = {**before[name], **update[name]}
        before.update(update)
    return profiles


async def upsert_customers(customers: list[CustomerIn]) -> dict[str, KnownCustomer]:
    """Create or update every customer mentioned; returns them by their external id."""
    profiles = _merged(customers)
    rows = await select_where_in(Customer, _STORED, "external_id", list(profiles))
    known: dict[str, KnownCustomer] = {}
    for row in rows:
        stored = dict(zip(_STORED, row, strict=True))
        changes = _changes(stored, profiles[stored["external_id"]])
        if changes:
            await Customer.filter(id=stored["id"]).update(**changes, updated_at=timezone.now())
            stored.update(changes)
        known[stored["external_id"]] = _known(stored)
    new = {i: p for i, p in profiles.items() if i not in known}
    if new:
        known.update(await _create(new))
    return known


def _changes(stored: dict[str, Any], profile: dict[str, Any]) -> dict[str, Any]:
    changes = {
        name: value
        for name, value in profile.items()
        if name not in MERGED_FIELDS and stored[name] != value
    }
    for name in MERGED_FIELDS:
        if not profile[name]:  # nothing said: nothing to merge (and no JSON to read)
            continue
        before = _READ_JSON[name](stored[name]) or {}
        if (after := {**before, **profile[name]}) != before:
            changes[name] = after
    return changes


async def _create(profiles: dict[str, dict[str, Any]]) -> dict[str, KnownCustomer]:
    now = timezone.now()
    columns = ("external_id", *PROFILE_FIELDS, *MERGED_FIELDS, "created_at", "updated_at")
    rows = [
        (
            external_id,
            p.get("phone"),
            p.get("email"),
            p.get("locale") or _DEFAULT_LOCALE,
            p.get("timezone"),
            p.get("segment"),
            _WRITE_JSON["attributes"](p["attributes"]),
            _WRITE_JSON["consent"](p["consent"]),
            now,
            now,
        )
        for external_id, p in profiles.items()
    ]
    written = await insert_rows(Customer, columns, rows, returning=("id", "external_id"))
    return {
        external_id: KnownCustomer(
            id,
            external_id,
            profiles[external_id].get("locale") or _DEFAULT_LOCALE,
            profiles[external_id].get("timezone"),
        )
        for id, external_id in written
    }


def _known(stored: dict[str, Any]) -> KnownCustomer:
    return KnownCustomer(stored["id"], stored["external_id"], stored["locale"], stored["timezone"])
