"""The contact rules at send time: what `journeys.contact.decide` needs, read from the database.

Called by the send task after its claim and under the customer's lock, so the history it
reads cannot change under it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from journeys.contact import Decision, candidate_for, decide, rules_for
from journeys.policies import ContactPolicy
from journeys.scheduling import customer_zone
from journeys.schema import JourneyDefinition
from surveys.contact_history import LOOKBACK, contact_situation
from surveys.models import Invitation


async def contact_decision(
    invitation: Invitation,
    definition: JourneyDefinition,
    across: ContactPolicy | None,
    now: datetime,
) -> Decision:
    """Send, defer or suppress. `invitation` has customer, touchpoint and interaction loaded."""
    customer = invitation.customer
    candidate = candidate_for(
        definition,
        invitation.touchpoint.key,
        invitation_id=invitation.id,
        event_id=invitation.interaction.event_id,
        occurred_at=invitation.interaction.occurred_at,
        tz=customer_zone(customer.timezone, definition.timezone),
    )
    rules = rules_for(definition, across)
    history, competitors = await contact_situation(
        customer.id, excluding=invitation.id, since=now - _lookback(rules.policy, across)
    )
    return decide(candidate, rules, history, competitors, opted_out=False, now=now)


def _lookback(policy: ContactPolicy, across: ContactPolicy | None) -> timedelta:
    """A quarter and the longest min-days rule both fit in it."""
    days = max(policy.min_days_between_surveys, across.min_days_between_surveys if across else 0)
    return max(LOOKBACK, timedelta(days=days + 1))
