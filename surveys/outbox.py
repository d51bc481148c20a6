"""Events the outside world subscribes to, written in the transaction of the change itself.

`record_event` adds a row to the outbox; the worker publishes it (webhooks, notifications)
after the commit, so an event is never lost between a change and its announcement, and
never announced for a change that was rolled back. The payload builders here are the one
place that says what a subscriber reads about an answer or a case.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from surveys.models import Answer, FollowUpCase, Invitation, OutboxEvent

#: The event types a webhook endpoint may subscribe to.
EVENT_TYPES = ("case.opened", "case.resolved", "response.created", "opt_out.created")


async def record_event(type: str, data: dict[str, Any], now: datetime | None = None) -> OutboxEvent:
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    return await OutboxEvent.create(
        event_id=str(uuid.uuid4()), type=type, data=data, occurred_at=now or datetime.now(UTC)
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def answer_payload(
    answer: Answer,
    invitation: Invitation,
    journey_key: str,
    touchpoint_key: str,
    customer_external_id: str,
) -> dict[str, Any]:
    return {
        "response_id": answer.id,
        "invitation_id": invitation.id,
        "journey": journey_key,
        "touchpoint": touchpoint_key,
        "customer_id": customer_external_id,
        "nps": answer.nps,
        "csat": answer.csat,
        "comment": answer.comment,
        "source": answer.source,
        "answered_at": _iso(answer.answered_at),
    }


def case_payload(
    case: FollowUpCase, touchpoint_key: str, customer_external_id: str
) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "journey": case.journey_key,
        "touchpoint": touchpoint_key,
        "customer_id": customer_external_id,
        "invitation_id": case.invitation_id,  # type: ignore[attr-defined]
        "response_id": case.answer_id,  # type: ignore[attr-defined]
        "reason": case.reason,
        "status": case.status.value if hasattr(case.status, "value") else case.status,
        "team": case.team_key,
        "owner": case.owner_email,
        "opened_at": _iso(case.opened_at),
        "first_response_due_at": _iso(case.first_response_due_at),
        "first_responded_at": _iso(case.first_responded_at),
        "resolution_due_at": _iso(case.resolution_due_at),
        "resolved_at": _iso(case.resolved_at),
        "root_cause": case.root_cause,
        "external_ticket_id": case.external_ticket_id,
    }
