"""Opt-outs: the phone numbers and email addresses that get no more surveys.

An opt-out is about an address, not a customer: two customers sharing a phone share its
STOP, and a customer who changes number is asked again at the new one. Addresses are
stored as they are sent to (E.164 phones, lower-cased emails), so the check at send time
is one indexed lookup.

Opting back in stamps `revoked_at` instead of deleting, so the audit keeps who left, how
and when. Opting out again re-opens the same row with the new source and time. Opting out
twice in a row is harmless: the first opt-out, its source and its time, stand. Opting
out (first or again) writes `opt_out.created` to the outbox in the same transaction, for
the webhooks.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

import phonenumbers
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from dispatch.models import OptOut
from surveys.outbox import record_event

log = logging.getLogger("touchpoint.dispatch.optouts")

AddressKind = Literal["phone", "email"]
SOURCES = frozenset({"sms-stop", "email-unsubscribe", "api", "console", "twilio-21610"})


def normalise_address(address: str, kind: AddressKind) -> str:
    """The form the address is sent to: "+1 415 555 0123" and "+14155550123" are one phone."""
    if kind == "email":
        return address.strip().lower()
    if kind != "phone":
        raise ValueError(f"kind must be phone or email, not {kind!r}")
    text = address.strip()
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return text
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def suppression_reason(opt_out: OptOut) -> str:
    """The reason stored on an invitation the opt-out stopped: "opted out (sms-stop 2026-11-23)"."""
    return f"opted out ({opt_out.source} {opt_out.created_at.astimezone(UTC):%Y-%m-%d})"


async def opt_out(address: str, kind: AddressKind, source: str, note: str | None = None) -> OptOut:
    """Record that the address wants no more surveys; returns the opt-out that holds."""
    if source not in SOURCES:
        raise ValueError(f"unknown opt-out source {source!r}")
    key = normalise_address(address, kind)
    now = datetime.now(UTC)
    found = await OptOut.get_or_none(address=key)
    if found is None:
        try:
            async with in_transaction():
                created = await OptOut.create(
                    address=key, kind=kind, source=source, note=note, created_at=now
                )
                await _announce(created, now)
        except IntegrityError:  # another request recorded it first
            return await OptOut.get(address=key)
        log.info("%s opted out (%s)", key, source)
        return created
    if found.revoked_at is not None:
        async with in_transaction():
            renewed = await OptOut.filter(id=found.id, revoked_at__not_isnull=True).update(
                source=source,
                note=note,
                created_at=now,
                revoked_at=None,
                revoked_by=None,
                updated_at=now,
            )
            if renewed:
                await _announce(await OptOut.get(id=found.id), now)
        log.info("%s opted out again (%s)", key, source)
        return await OptOut.get(id=found.id)
    return found


async def _announce(row: OptOut, now: datetime) -> None:
    """`opt_out.created` for the webhooks, in the transaction that opted the address out."""
    payload = {
        "opt_out_id": row.id,
        "address": row.address,
        "kind": row.kind,
        "source": row.source,
        "opted_out_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    await record_event("opt_out.created", payload, now)


async def opt_in(address: str, kind: AddressKind, source: str) -> bool:
    """The address takes surveys again; False when it had not opted out."""
    key = normalise_address(address, kind)
    now = datetime.now(UTC)
    lifted = await OptOut.filter(address=key, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=source, updated_at=now
    )
    if lifted:
        log.info("%s opted back in (%s)", key, source)
    return bool(lifted)


def hashed_address(address: str) -> str:
    """How an erased customer's opt-out keeps its address: a digest that still refuses it."""
    return "sha256:" + hashlib.sha256(address.encode("utf-8")).hexdigest()


async def active_opt_out(address: str, kind: AddressKind) -> OptOut | None:
    """The opt-out that holds for the address (kept as a digest once its customer was
    erased), if any."""
    key = normalise_address(address, kind)
    return (
        await OptOut.filter(address__in=[key, hashed_address(key)], revoked_at__isnull=True)
        .order_by("id")
        .first()
    )


async def active_opt_outs(
    addresses: Sequence[tuple[str, AddressKind]],
) -> dict[tuple[str, AddressKind], OptOut]:
    """`active_opt_out` for several addresses in one query (a send checks every channel's
    address at once); an address without one is left out."""
    keys = {(address, kind): normalise_address(address, kind) for address, kind in addresses}
    wanted = {*keys.values(), *(hashed_address(key) for key in keys.values())}
    rows = await OptOut.filter(address__in=wanted, revoked_at__isnull=True).order_by("id")
    found: dict[str, OptOut] = {}
    for row in rows:
        found.setdefault(row.address, row)
    holding = {}
    for address, key in keys.items():
        candidates = [found[k] for k in (key, hashed_address(key)) if k in found]
        if candidates:
            holding[address] = min(candidates, key=lambda row: row.id)
    return holding


async def is_opted_out(address: str, kind: AddressKind) -> bool:
    return await active_opt_out(address, kind) is not None
