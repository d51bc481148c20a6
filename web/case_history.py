"""What a case page shows of its customer: every invitation, message and answer we have
for them, in one table oldest first, and their other cases.

Read only, straight from the rows; the page escapes every text in it. The table is capped
(the latest `HISTORY_LIMIT` entries) so a customer surveyed for years still loads quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dispatch.models import Message
from surveys.models import Answer, FollowUpCase, Invitation

HISTORY_LIMIT = 200
PURPOSES = {
    None: "survey",
    "case-reply": "reply from a case",
    "resolution-survey": "resolution survey",
}


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the customer's history."""

    at: datetime
    kind: str  # invitation, message or answer
    touchpoint: str
    summary: str
    text: str = ""
    case_id: int | None = None


async def customer_history(customer_id: int) -> list[HistoryEntry]:
    """The customer's invitations, messages and answers, oldest first (the latest ones)."""
    invitations = await Invitation.filter(customer_id=customer_id).prefetch_related(
        "touchpoint__journey"
    )
    names = {i.id: f"{i.touchpoint.journey.key} / {i.touchpoint.key}" for i in invitations}
    messages = await Message.filter(invitation__customer_id=customer_id)
    answers = await Answer.filter(invitation__customer_id=customer_id)
    entries = [_invitation(i, names[i.id]) for i in invitations]
    entries += [_message(m, names.get(m.invitation_id, "")) for m in messages]  # type: ignore[attr-defined]
    entries += [_answer(a, names.get(a.invitation_id, "")) for a in answers]  # type: ignore[attr-defined]
    entries.sort(key=lambda entry: (entry.at, _ORDER[entry.kind]))
    return entries[-HISTORY_LIMIT:]


_ORDER = {"invitation": 0, "message": 1, "answer": 2}


def _invitation(invitation: Invitation, touchpoint: str) -> HistoryEntry:
    status = invitation.status.value
    channel = f" by {invitation.channel}" if invitation.channel else ""
    reason = f" ({invitation.reason})" if invitation.reason else ""
    return HistoryEntry(
        invitation.sent_at or invitation.send_at,
        "invitation",
        touchpoint,
        f"{status}{channel}{reason}",
    )


def _message(message: Message, touchpoint: str) -> HistoryEntry:
    purpose = PURPOSES.get(message.purpose, message.purpose or "")
    reminder = ", reminder" if message.reminder else ""
    return HistoryEntry(
        message.created_at,
        "message",
        touchpoint,
        f"{purpose}{reminder} by {message.channel}, {message.status}",
        message.body,
        message.case_id,  # type: ignore[attr-defined]
    )


def _answer(answer: Answer, touchpoint: str) -> HistoryEntry:
    scores = [f"NPS {answer.nps}" if answer.nps is not None else ""]
    scores.append(f"CSAT {answer.csat}" if answer.csat is not None else "")
    shown = ", ".join(score for score in scores if score) or "no score"
    return HistoryEntry(
        answer.answered_at, "answer", touchpoint, f"{shown} ({answer.source})", answer.comment or ""
    )


async def other_cases(case: FollowUpCase) -> list[FollowUpCase]:
    """The customer's other cases, newest first."""
    return (
        await FollowUpCase.filter(customer_id=case.customer_id)  # type: ignore[attr-defined]
        .exclude(id=case.id)
        .order_by("-opened_at", "-id")
        .prefetch_related("touchpoint", "answer")
    )
