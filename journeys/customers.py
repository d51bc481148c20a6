"""Keeping what we know of customers up to date from the events that mention them.

What an event says about a customer overwrites what we knew; fields it leaves out stay as
they were; attributes and consent are merged, consent channel by channel ({"sms": false}
today leaves yesterday's {"email": true} standing). Several events of one batch about one
customer are applied in order, so the last word wins.
"""

from __future__ import annotations

from typing import Any

from journeys.events import CustomerIn
from journeys.models import Customer

PROFILE_FIELDS = ("phone", "email", "locale", "timezone", "segment")
#: Fields merged key by key rather than replaced.
MERGED_FIELDS = ("attributes", "consent")


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
        before = profiles.setdefault(given.id, {name: {} for name in MERGED_FIELDS})
        merged = {name: {**before[name], **update.pop(name)} for name in MERGED_FIELDS}
        before.update(update, **merged)
    return profiles


async def upsert_customers(customers: list[CustomerIn]) -> dict[str, Customer]:
    """Create or update every customer mentioned; returns them by their external id."""
    profiles = _merged(customers)
    existing = {c.external_id: c for c in await Customer.filter(external_id__in=list(profiles))}
    for external_id, customer in existing.items():
        await _update(customer, profiles[external_id])
    new = [Customer(external_id=i, **p) for i, p in profiles.items() if i not in existing]
    if new:
        await Customer.bulk_create(new)
        created = await Customer.filter(external_id__in=[c.external_id for c in new])
        existing.update((customer.external_id, customer) for customer in created)
    return existing


async def _update(customer: Customer, profile: dict[str, Any]) -> None:
    changes = {
        name: value
        for name, value in profile.items()
        if name not in MERGED_FIELDS and getattr(customer, name) != value
    }
    for name in MERGED_FIELDS:
        before = getattr(customer, name) or {}
        if (after := {**before, **profile[name]}) != before:
            changes[name] = after
    if changes:
        customer.update_from_dict(changes)
        await customer.save(update_fields=[*changes, "updated_at"])
