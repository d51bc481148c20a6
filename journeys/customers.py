"""Keeping what we know of customers up to date from the events that mention them.

What an event says about a customer overwrites what we knew; fields it leaves out stay as
they were; attributes are merged. Several events of one batch about one customer are
applied in order, so the last word wins.
"""

from __future__ import annotations

from typing import Any

from journeys.events import CustomerIn
from journeys.models import Customer

PROFILE_FIELDS = ("phone", "email", "locale", "timezone", "segment")


def _profile(given: CustomerIn) -> dict[str, Any]:
    known = {name: value for name in PROFILE_FIELDS if (value := getattr(given, name)) is not None}
    attributes = dict(given.attributes)
    if given.first_name:
        attributes["first_name"] = given.first_name
    return known | {"attributes": attributes}


def _merged(customers: list[CustomerIn]) -> dict[str, dict[str, Any]]:
    profiles: dict[str, dict[str, Any]] = {}
    for given in customers:
        update = _profile(given)
        before = profiles.setdefault(given.id, {"attributes": {}})
        attributes = {**before["attributes"], **update.pop("attributes")}
        before.update(update, attributes=attributes)
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
    attributes = {**(customer.attributes or {}), **profile["attributes"]}
    changes = {name: value for name, value in profile.items() if name != "attributes"}
    if attributes != (customer.attributes or {}):
        changes["attributes"] = attributes
    changes = {name: value for name, value in changes.items() if getattr(customer, name) != value}
    if changes:
        customer.update_from_dict(changes)
        await customer.save(update_fields=[*changes, "updated_at"])
