"""Loading what the contact rules need about one customer: surveys sent, invitations pending.

The rules themselves live in `journeys.contact` and take these values; this module only
reads rows. Priorities, delays and max ages come from the journey version each invitation
was scheduled with, the wording its customer would actually receive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
