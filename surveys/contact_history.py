"""Loading what the contact rules need about one customer: surveys sent, invitations pending.

The rules themselves live in `journeys.contact` and take these values; this module only
reads rows. Priorities, delays and max ages come from the journey version each invitation
was scheduled with, the wording its customer would actually receive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from journeys.contact import Competitor, PastSurvey
from journeys.models import Journey
from journeys.schema import JourneyDefinition
from journeys.store import journey_definition
from surveys.models import Invitation, InvitationStatus

#: Long enough for any quarter and a min-days rule of a year; older surveys never matter.
LOOKBACK = timedelta(days=400)

PENDING = (InvitationStatus.SCHEDULED, InvitationStatus.SENDING)


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


async def contact_situation(
    customer_id: int, *, excluding: int, since: datetime
) -> tuple[list[PastSurvey], list[Competitor]]:
    """`contact_history` and `competing_invitations` from one read of the customer's other
    invitations (a send asks both, and each read is a round trip)."""
    invitations = (
        await Invitation.filter(
            Q(sent_at__gte=since) | Q(status__in=PENDING), customer_id=customer_id
        )
        .exclude(id=excluding)
        .select_related("touchpoint__journey", "interaction")
    )
    past = [i for i in invitations if i.sent_at is not None and i.sent_at >= since]
    past.sort(key=lambda i: (i.sent_at, i.id), reverse=True)
    history = [PastSurvey(i.sent_at, i.touchpoint.journey.key, i.touchpoint.key) for i in past]
    pending = [i for i in invitations if i.status in PENDING]
    pending.sort(key=lambda i: (i.send_at, i.id))
    return history, await _competitors(pending)


async def _competitors(invitations: list[Invitation]) -> list[Competitor]:
    """Each with its priority and max age from the journey version it was scheduled with."""
    definitions: dict[tuple[int, int], JourneyDefinition] = {}
    competitors = []
    for invitation in invitations:
        journey: Journey = invitation.touchpoint.journey
        key = (journey.id, invitation.journey_version)
        if key not in definitions:
            definitions[key] = await journey_definition(journey, invitation.journey_version)
        competitors.append(_competitor(invitation, definitions[key]))
    return competitors


def _competitor(invitation: Invitation, definition: JourneyDefinition) -> Competitor:
    settings = definition.touchpoint(invitation.touchpoint.key)
    return Competitor(
        invitation_id=invitation.id,
        journey=definition.journey,
        touchpoint=settings.key,
        priority=definition.priority_of(settings),
        send_at=invitation.send_at,
        due=(invitation.interaction.occurred_at + settings.delay).astimezone(UTC),
        max_age=settings.max_age,
    )
