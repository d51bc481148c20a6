"""Loading what the contact rules need about one customer: surveys sent, invitations pending.

The rules themselves live in `journeys.contact` and take these values; this module only
reads rows. Priorities, delays and max ages come from the journey version each invitation
was scheduled with, the wording its customer would actually receive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.models import Model

from journeys.contact import Competitor, PastSurvey
from journeys.models import Interaction, Journey, JourneyVersion
from journeys.schema import JourneyDefinition
from journeys.store import journey_definition
from surveys.invitation_survey import parse_definition
from surveys.models import Invitation, InvitationStatus
from surveys.statements import python_value, select

#: Long enough for any quarter and a min-days rule of a year; older surveys never matter.
LOOKBACK = timedelta(days=400)

PENDING = (InvitationStatus.SCHEDULED, InvitationStatus.SENDING)
PENDING_VALUES = frozenset(status.value for status in PENDING)


async def contact_history(
    customer_id: int, *, excluding: int, since: datetime | None = None
) -> list[PastSurvey]:
    """Surveys actually sent (sent_at set), newest first; `since` defaults to LOOKBACK ago.

    Pass an earlier `since` when a min-days rule is longer than LOOKBACK.
    """
    since = since or datetime.now(UTC) - LOOKBACK
    rows = (
        await Invitation.filter(customer_id=customer_id, sent_at__isnull=False, sent_at__gte=since)
        .exclude(id=excluding)
        .order_by("-sent_at", "-id")
        .values_list("sent_at", "touchpoint__journey__key", "touchpoint__key")
    )
    return [PastSurvey(sent_at, journey, touchpoint) for sent_at, journey, touchpoint in rows]


async def competing_invitations(customer_id: int, *, excluding: int) -> list[Competitor]:
    """The customer's other invitations that may still be sent, in whatever journey."""
    invitations = (
        await Invitation.filter(customer_id=customer_id, status__in=PENDING)
        .exclude(id=excluding)
        .order_by("send_at", "id")
        .prefetch_related("touchpoint__journey", "interaction")
    )
    return await _competitors(invitations)


#: The customer's other invitations that count for the rules: sent within the look-back, or
#: still pending; with what a competitor needs of their touchpoint, journey and interaction.
_SITUATION = (
    "SELECT i.id, i.status, i.send_at, i.sent_at, i.journey_version, t.key AS touchpoint_key,"
    " j.id AS journey_id, j.key AS journey_key, n.occurred_at"
    " FROM invitation i"
    " JOIN touchpoint t ON t.id = i.touchpoint_id"
    " JOIN journey j ON j.id = t.journey_id"
    " JOIN interaction n ON n.id = i.interaction_id"
    " WHERE i.customer_id = ? AND i.id <> ? AND (i.sent_at >= ? OR i.status IN (?, ?))"
)
_DEFINITION = (
    "SELECT CAST(definition AS TEXT) AS definition FROM journey_version"
    " WHERE journey_id = ? AND version = ?"
)


@dataclass(frozen=True)
class _Other:
    """One of the customer's other invitations, as the rules read it."""

    id: int
    pending: bool
    send_at: datetime
    sent_at: datetime | None
    journey_id: int
    journey_version: int
    journey_key: str
    touchpoint_key: str
    occurred_at: datetime


async def contact_situation(
    customer_id: int, *, excluding: int, since: datetime
) -> tuple[list[PastSurvey], list[Competitor]]:
    """`contact_history` and `competing_invitations` from one read of the customer's other
    invitations (a send asks both, and each read is a round trip). The read is written
    SQL: it runs on every send, and the ORM took two milliseconds of CPU to build it."""
    values = [customer_id, excluding, since, *(status.value for status in PENDING)]
    others = [_other(row) for row in await select(Invitation, _SITUATION, values)]
    past = [o for o in others if o.sent_at is not None and o.sent_at >= since]
    past.sort(key=lambda o: (o.sent_at, o.id), reverse=True)
    history = [PastSurvey(o.sent_at, o.journey_key, o.touchpoint_key) for o in past]
    pending = sorted((o for o in others if o.pending), key=lambda o: (o.send_at, o.id))
    definitions: dict[tuple[int, int], JourneyDefinition] = {}
    competitors = []
    for other in pending:
        key = (other.journey_id, other.journey_version)
        if key not in definitions:
            definitions[key] = await _version_definition(*key)
        competitors.append(
            _competitor_of(
                definitions[key], other.touchpoint_key, other.id, other.send_at, other.occurred_at
            )
        )
    return history, competitors


def _other(row: dict[str, Any]) -> _Other:
    def when(field: str, model: type[Model] = Invitation) -> Any:
        return python_value(model, field, row[field])

    return _Other(
        id=row["id"],
        pending=row["status"] in PENDING_VALUES,
        send_at=when("send_at"),
        sent_at=when("sent_at"),
        journey_id=row["journey_id"],
        journey_version=row["journey_version"],
        journey_key=row["journey_key"],
        touchpoint_key=row["touchpoint_key"],
        occurred_at=when("occurred_at", Interaction),
    )


async def _version_definition(journey_id: int, version: int) -> JourneyDefinition:
    """The version's definition, parsed once per stored text (see `parse_definition`)."""
    [row] = await select(JourneyVersion, _DEFINITION, [journey_id, version])
    return parse_definition(row["definition"])


async def _competitors(invitations: list[Invitation]) -> list[Competitor]:
    """Each with its priority and max age from the journey version it was scheduled with."""
    definitions: dict[tuple[int, int], JourneyDefinition] = {}
    competitors = []
    for invitation in invitations:
        journey: Journey = invitation.touchpoint.journey
        key = (journey.id, invitation.journey_version)
        if key not in definitions:
            definitions[key] = await journey_definition(journey, invitation.journey_version)
        competitors.append(
            _competitor_of(
                definitions[key],
                invitation.touchpoint.key,
                invitation.id,
                invitation.send_at,
                invitation.interaction.occurred_at,
            )
        )
    return competitors


def _competitor_of(
    definition: JourneyDefinition,
    touchpoint_key: str,
    invitation_id: int,
    send_at: datetime,
    occurred_at: datetime,
) -> Competitor:
    settings = definition.touchpoint(touchpoint_key)
    return Competitor(
        invitation_id=invitation_id,
        journey=definition.journey,
        touchpoint=settings.key,
        priority=definition.priority_of(settings),
        send_at=send_at,
        due=(occurred_at + settings.delay).astimezone(UTC),
        max_age=settings.max_age,
    )
