"""Privacy requests: everything held about a customer, and its erasure.

The customer is named by the business's own id (`Customer.external_id`), which stays after
an erasure: it is how the business asks again, and how a replayed event (same event id)
is found to be a duplicate of an interaction whose data is gone, so that it brings nothing
back. The answers stay as anonymous scores (nps, csat, touchpoint, answered_at) and the
invitations keep their status and send times, so the quarterly figures do not change.

What is erased, in one transaction per customer (a customer's rows are few):
- the profile: phone, email, attributes (the first name among them) and consent;
- each interaction's attributes and `erased_at` (`erase_interactions`, shared with the
  retention cron, which erases old interactions the same way);
- answers' comments (and the terms read from them), the interaction and customer
  attributes copied onto answers for breakdowns, messages' recipients, subjects, bodies and errors;
- case notes and replies (a change note keeps its first line, "Resolved. Root cause: x."),
  resolution notes, and a customer's label on a note;
- the payloads of the customer's outbox events and of their webhook deliveries and
  attempts (their personal strings replaced by the customer's erased marker);
- the audit log's rows about the customer's phone or email: a STOP reply records the phone
  as the actor and the target. The row stays (an opt-out happened, when, and through what),
  but the phone in it becomes the customer's erased marker. The log is append-only for
  everything else; an erasure request is the one thing that outranks it, and the
  `customer.erased` row written next to it says that it happened.

Notifications about the customer's cases stay: they went to the team, and name the case,
not the customer.

Opt-outs protect an address from surveys even after the customer is erased, so a business
that sends the same phone again does not survey someone who said STOP. The row is kept
with its address replaced by a SHA-256 digest (`dispatch.optouts.hashed_address`), which
the send-time check also looks up: the address is no longer readable in the table, and
still refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from dispatch.models import Message, Notification, OptOut, WebhookAttempt, WebhookDelivery
from dispatch.optouts import hashed_address
from journeys.models import Customer, Interaction
from surveys.models import Answer, AnswerAttribute, CaseNote, FollowUpCase, Invitation, OutboxEvent
from web.models import AuditEvent

#: What stands in for erased text in a column that may not be empty.
ERASED = "[erased]"


class CustomerNotFound(LookupError):
    """No customer has this external id."""


def erased_marker(external_id: str) -> str:
    """What replaces a customer's phone or email where a row must still say who it was."""
    return f"[erased customer {external_id}]"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


async def find_customer(external_id: str) -> Customer:
    customer = await Customer.get_or_none(external_id=external_id)
    if customer is None:
        raise CustomerNotFound(f"no customer with id {external_id!r}")
    return customer


# -- export ------------------------------------------------------------------------------


async def export_customer(external_id: str) -> dict[str, Any]:
    """Everything held about the customer, as JSON-ready data."""
    customer = await find_customer(external_id)
    interactions = await Interaction.filter(customer_id=customer.id).order_by("occurred_at", "id")
    invitations = (
        await Invitation.filter(customer_id=customer.id)
        .order_by("send_at", "id")
        .prefetch_related("touchpoint", "interaction")
    )
    invitation_ids = [i.id for i in invitations]
    answers = (
        await Answer.filter(invitation_id__in=invitation_ids)
        .order_by("answered_at", "id")
        .prefetch_related("touchpoint")
    )
    messages = await Message.filter(invitation_id__in=invitation_ids).order_by("created_at", "id")
    cases = await FollowUpCase.filter(customer_id=customer.id).order_by("opened_at", "id")
    case_ids = [c.id for c in cases]
    notes = await CaseNote.filter(case_id__in=case_ids).order_by("created_at", "id")
    notifications = await Notification.filter(case_id__in=case_ids).order_by("created_at", "id")
    return {
        "customer": _profile(customer),
        "events": [_event(i) for i in interactions],
        "invitations": [_invitation(i) for i in invitations],
        "messages": [_message(m) for m in messages],
        "answers": [_answer(a) for a in answers],
        "cases": [_case(c, [n for n in notes if n.case_id == c.id]) for c in cases],  # type: ignore[attr-defined]
        "notifications": [_notification(n) for n in notifications],
        "opt_outs": [_opt_out(o) for o in await OptOut.filter(address__in=_addresses(customer))],
        "exported_at": _iso(datetime.now(UTC)),
    }


def _addresses(customer: Customer) -> list[str]:
    found = [a for a in (customer.phone, customer.email) if a]
    return found + [hashed_address(a) for a in found]


def _profile(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.external_id,
        "phone": customer.phone,
        "email": customer.email,
        "locale": customer.locale,
        "timezone": customer.timezone,
        "segment": customer.segment,
        "attributes": customer.attributes,
        "consent": customer.consent,
        "created_at": _iso(customer.created_at),
        "erased_at": _iso(customer.erased_at),
    }


def _event(interaction: Interaction) -> dict[str, Any]:
    return {
        "id": interaction.event_id,
        "type": interaction.type,
        "occurred_at": _iso(interaction.occurred_at),
        "journey": interaction.journey_key,
        "attributes": interaction.attributes,
        "received_at": _iso(interaction.received_at),
        "erased_at": _iso(interaction.erased_at),
    }


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "event": invitation.interaction.event_id,
        "touchpoint": invitation.touchpoint.key,
        "status": invitation.status.value,
        "reason": invitation.reason,
        "send_at": _iso(invitation.send_at),
        "sent_at": _iso(invitation.sent_at),
        "channel": invitation.channel,
        "locale": invitation.locale,
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "invitation_id": message.invitation_id,  # type: ignore[attr-defined]
        "case_id": message.case_id,  # type: ignore[attr-defined]
        "purpose": message.purpose,
        "reminder": message.reminder,
        "channel": message.channel,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "status": message.status,
        "created_at": _iso(message.created_at),
    }


def _answer(answer: Answer) -> dict[str, Any]:
    return {
        "id": answer.id,
        "invitation_id": answer.invitation_id,  # type: ignore[attr-defined]
        "touchpoint": answer.touchpoint.key,
        "nps": answer.nps,
        "csat": answer.csat,
        "comment": answer.comment,
        "source": answer.source,
        "answered_at": _iso(answer.answered_at),
    }


def _case(case: FollowUpCase, notes: list[CaseNote]) -> dict[str, Any]:
    return {
        "id": case.id,
        "invitation_id": case.invitation_id,  # type: ignore[attr-defined]
        "journey": case.journey_key,
        "reason": case.reason,
        "status": case.status.value,
        "team": case.team_key,
        "owner": case.owner_email,
        "opened_at": _iso(case.opened_at),
        "resolved_at": _iso(case.resolved_at),
        "root_cause": case.root_cause,
        "resolution_note": case.resolution_note,
        "external_ticket_id": case.external_ticket_id,
        "resolution_score": case.resolution_score,
        "notes": [
            {
                "kind": n.kind,
                "author": n.author_label,
                "body": n.body,
                "channel": n.channel,
                "created_at": _iso(n.created_at),
            }
            for n in notes
        ],
    }


def _notification(notification: Notification) -> dict[str, Any]:
    return {
        "case_id": notification.case_id,  # type: ignore[attr-defined]
        "kind": notification.kind,
        "recipient": notification.recipient,
        "status": notification.status,
        "sent_at": _iso(notification.sent_at),
    }


def _opt_out(opt_out: OptOut) -> dict[str, Any]:
    return {
        "address": opt_out.address,
        "kind": opt_out.kind,
        "source": opt_out.source,
        "created_at": _iso(opt_out.created_at),
        "active": opt_out.revoked_at is None,
    }


# -- erasure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureSummary:
    """What an erasure touched, for the API's answer and the audit log."""

    customer: str
    erased_at: datetime
    already_erased: bool = False
    interactions: int = 0
    answers: int = 0
    messages: int = 0
    cases: int = 0
    audit_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "erased_at": _iso(self.erased_at),
            "already_erased": self.already_erased,
            "interactions": self.interactions,
            "answers": self.answers,
            "messages": self.messages,
            "cases": self.cases,
            "audit_rows": self.audit_rows,
        }


@dataclass(frozen=True)
class InteractionsErased:
    interactions: int
    answers: int
    messages: int
    cases: int


async def erase_interactions(ids: list[int], now: datetime) -> InteractionsErased:
    """Erase the personal data of these interactions: their attributes, their answers'
    comments, their messages, their cases' notes. Scores, statuses and times stay. Call it
    inside a transaction; it touches only rows of these interactions, by id."""
    if not ids:
        return InteractionsErased(0, 0, 0, 0)
    interactions = await Interaction.filter(id__in=ids).update(attributes={}, erased_at=now)
    invitation_ids = list(
        await Invitation.filter(interaction_id__in=ids).values_list("id", flat=True)
    )
    answers = await Answer.filter(invitation_id__in=invitation_ids).update(comment=None, terms=None)
    # The attributes copied onto the answers for breakdowns go with the interaction's own.
    answer_ids = await Answer.filter(invitation_id__in=invitation_ids).values_list("id", flat=True)
    await AnswerAttribute.filter(answer_id__in=list(answer_ids)).delete()
    messages = await Message.filter(invitation_id__in=invitation_ids).update(
        recipient=ERASED, subject=None, body=ERASED, error=None
    )
    case_ids = list(
        await FollowUpCase.filter(invitation_id__in=invitation_ids).values_list("id", flat=True)
    )
    await FollowUpCase.filter(id__in=case_ids).update(resolution_note=None)
    await _erase_notes(case_ids)
    return InteractionsErased(interactions, answers, messages, len(case_ids))


async def _erase_notes(case_ids: list[int]) -> None:
    if not case_ids:
        return
    await CaseNote.filter(case_id__in=case_ids, kind__in=["note", "reply"]).update(body=ERASED)
    await CaseNote.filter(case_id__in=case_ids, author_kind="customer").update(author_label=ERASED)
    for note in await CaseNote.filter(case_id__in=case_ids, kind="change", body__contains="\n"):
        await CaseNote.filter(id=note.id).update(body=note.body.split("\n", 1)[0])


async def erase_customer(external_id: str, now: datetime | None = None) -> ErasureSummary:
    """Erase the customer's personal data in one transaction; see the module's docstring.
    Erasing an erased customer changes nothing and says so."""
    now = now or datetime.now(UTC)
    customer = await find_customer(external_id)
    if customer.erased_at is not None:
        return ErasureSummary(external_id, customer.erased_at, already_erased=True)
    async with in_transaction():
        customer = await Customer.select_for_update().get(id=customer.id)
        personal = await _personal_strings(customer)
        ids = list(await Interaction.filter(customer_id=customer.id).values_list("id", flat=True))
        erased = await erase_interactions(ids, now)
        await _hash_opt_outs(customer)
        marker = erased_marker(external_id)
        addresses = {a for a in (customer.phone, customer.email) if a}
        await _scrub_outbox(external_id, addresses, personal, marker)
        audit_rows = await _scrub_audit(customer, personal, marker)
        await Customer.filter(id=customer.id).update(
            phone=None, email=None, attributes={}, consent={}, erased_at=now, updated_at=now
        )
    return ErasureSummary(
        external_id,
        now,
        interactions=erased.interactions,
        answers=erased.answers,
        messages=erased.messages,
        cases=erased.cases,
        audit_rows=audit_rows,
    )


async def _personal_strings(customer: Customer) -> list[str]:
    """The customer's words and addresses that may have been copied into other rows,
    longest first so that a name inside a comment does not split the comment."""
    found = {customer.phone, customer.email}
    found.update(_strings(customer.attributes))
    for attributes in await Interaction.filter(customer_id=customer.id).values_list(
        "attributes", flat=True
    ):
        found.update(_strings(attributes))
    comments = await Answer.filter(invitation__customer_id=customer.id).values_list(
        "comment", flat=True
    )
    found.update(str(c) for c in comments if c)
    notes = await CaseNote.filter(
        case__customer_id=customer.id, kind__in=["note", "reply"]
    ).values_list("body", flat=True)
    found.update(str(n) for n in notes if n)
    return sorted((s for s in found if s and _long_enough(s)), key=len, reverse=True)


def _long_enough(text: str) -> bool:
    """A one-letter Latin string is too common to replace; a Chinese given name is one
    character long."""
    return len(text) >= 2 or not text.isascii()


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for inner in value.values() for s in _strings(inner)]
    if isinstance(value, list):
        return [s for inner in value for s in _strings(inner)]
    return []


def scrub(value: Any, personal: list[str], marker: str) -> Any:
    """`value` (JSON-like) with every personal string in it replaced by `marker`."""
    if isinstance(value, str):
        for text in personal:
            value = value.replace(text, marker)
        return value
    if isinstance(value, dict):
        return {key: scrub(inner, personal, marker) for key, inner in value.items()}
    if isinstance(value, list):
        return [scrub(inner, personal, marker) for inner in value]
    return value


async def _hash_opt_outs(customer: Customer) -> None:
    for address in (customer.phone, customer.email):
        if address:
            found = await OptOut.get_or_none(address=address)
            if found is None:
                continue
            digest = hashed_address(address)
            if await OptOut.exists(address=digest):
                await OptOut.filter(id=found.id).delete()
            else:
                await OptOut.filter(id=found.id).update(address=digest, note=None)


async def _scrub_outbox(
    external_id: str, addresses: set[str], personal: list[str], marker: str
) -> None:
    """The customer's events as published (an opt-out's names only the address), and
    every delivery and attempt of them."""
    event_ids = []
    # JSON is not queried alike on SQLite and PostgreSQL: the events are read, id and data
    # only; an erasure is rare, and the outbox is pruned of old events by its publisher.
    for row_id, event_id, data in await OutboxEvent.all().values_list("id", "event_id", "data"):
        if not isinstance(data, dict):
            continue
        if data.get("customer_id") != external_id and data.get("address") not in addresses:
            continue
        event_ids.append(event_id)
        if "comment" in data:
            data = {**data, "comment": None}
        await OutboxEvent.filter(id=row_id).update(data=scrub(data, personal, marker))
    for delivery in await WebhookDelivery.filter(event_id__in=event_ids):
        await WebhookDelivery.filter(id=delivery.id).update(
            body=_scrub_text(delivery.body, personal, marker),
            last_error=_scrub_text(delivery.last_error, personal, marker),
        )
        for attempt in await WebhookAttempt.filter(delivery_id=delivery.id):
            await WebhookAttempt.filter(id=attempt.id).update(
                response_body=_scrub_text(attempt.response_body, personal, marker),
                error=_scrub_text(attempt.error, personal, marker),
            )


def _scrub_text(text: str | None, personal: list[str], marker: str) -> str | None:
    """A JSON body keeps its shape (strings scrubbed after decoding, so escaped text is
    caught too); other text is scrubbed as it is."""
    if text is None:
        return None
    try:
        return json.dumps(scrub(json.loads(text), personal, marker), ensure_ascii=False)
    except (ValueError, RecursionError):
        return str(scrub(text, personal, marker))


async def _scrub_audit(customer: Customer, personal: list[str], marker: str) -> int:
    addresses = [a for a in (customer.phone, customer.email) if a]
    about = Q(
        Q(target=customer.external_id),
        *(Q(actor_label__icontains=a) | Q(target__icontains=a) for a in addresses),
        join_type="OR",
    )
    changed = 0
    for row in await AuditEvent.filter(about):
        scrubbed = {
            "actor_label": scrub(row.actor_label, personal, marker)[:254],
            "target": scrub(row.target, personal, marker)[:300],
            "detail": scrub(row.detail, personal, marker),
        }
        if any(getattr(row, name) != value for name, value in scrubbed.items()):
            await AuditEvent.filter(id=row.id).update(**scrubbed)
            changed += 1
    return changed
