"""The follow-up cast: the tests' shop with a follow-up rule, its care team and answers.

The care team keeps three agents: Alice and Bob take cases, Carol is on leave (a member
who takes none). `answered` records a customer's answer through `record_response`, as the
survey page does, so a case opens exactly as it would in production.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from journeys.loader import load_journey
from journeys.models import Customer, Interaction, Touchpoint
from journeys.schema import JourneyDefinition
from journeys.store import apply_journey
from surveys.models import (
    Answer,
    CaseStatus,
    FollowUpCase,
    Invitation,
    InvitationStatus,
    Team,
    TeamMember,
)
from surveys.responses import record_response

_serial = itertools.count(1)
SHOP_JOURNEY = Path(__file__).parents[1] / "journeys" / "fixtures" / "shop.yaml"

ROOT_CAUSES = ["late delivery", "damaged item", "wrong item"]


@dataclass(frozen=True)
class Agent:
    user_id: int
    email: str


ALICE = Agent(101, "alice@shop.example")
BOB = Agent(102, "bob@shop.example")
CAROL = Agent(103, "carol@shop.example")


async def follow_up_journey(
    rule: dict[str, Any] | str | None = None, **touchpoint_rules: Any
) -> JourneyDefinition:
    """The tests' shop with `rule` as its journey's follow-up and, by touchpoint key, the
    touchpoints' own; applied as its next version."""
    raw = yaml.safe_load(SHOP_JOURNEY.read_text("utf-8"))
    if rule is not None:
        raw["follow_up"] = rule
    for touchpoint in raw["touchpoints"]:
        name = touchpoint["key"].replace("-", "_")
        if name in touchpoint_rules:
            touchpoint["follow_up"] = touchpoint_rules[name]
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    definition = load_journey(text)
    await apply_journey(definition, text)
    return definition


async def care_team(*, carol_takes_cases: bool = False) -> Team:
    team = await Team.create(key="care", name="Customer care", root_causes=ROOT_CAUSES)
    for agent in (ALICE, BOB):
        await TeamMember.create(team=team, user_id=agent.user_id, email=agent.email)
    await TeamMember.create(
        team=team, user_id=CAROL.user_id, email=CAROL.email, takes_cases=carol_takes_cases
    )
    return team


async def invitation(key: str = "use", customer: str | None = None) -> Invitation:
    """A sent invitation of the shop's `key` touchpoint, at the journey's current version."""
    serial = next(_serial)
    touchpoint = await Touchpoint.get(key=key).prefetch_related("journey")
    person, _ = await Customer.get_or_create(external_id=customer or f"customer-{serial}")
    now = datetime.now(UTC)
    interaction = await Interaction.create(
        event_id=f"event-{serial}", type=touchpoint.trigger, occurred_at=now, customer=person
    )
    return await Invitation.create(
        token=f"case-token-{serial}",
        interaction=interaction,
        touchpoint=touchpoint,
        customer=person,
        journey_version=touchpoint.journey.version,
        status=InvitationStatus.SENT,
        send_at=now,
        sent_at=now,
    )


async def answered(
    key: str = "use",
    *,
    nps: int | None = None,
    csat: int | None = None,
    comment: str | None = None,
    customer: str | None = None,
    contact_requested: bool = False,
) -> tuple[Invitation, Answer, FollowUpCase | None]:
    """A customer answers an invitation of `key`: the invitation, the answer and the case
    it opened, if any."""
    found = await invitation(key, customer)
    answer = await record_response(
        found,
        nps=nps,
        csat=csat,
        comment=comment,
        partial=True,
        contact_requested=contact_requested,
    )
    return found, answer, await FollowUpCase.get_or_none(invitation_id=found.id)


async def case_opened(
    opened: datetime,
    *,
    responded: timedelta | None = None,
    resolved: timedelta | None = None,
    score: int | None = None,
    waiting_paused: bool = False,
) -> FollowUpCase:
    """A case of the care team opened at `opened` (first response due 2 h later, resolution
    24 h later), responded to and resolved that long after opening."""
    _, _, case = await answered(nps=1)
    assert case is not None
    status = CaseStatus.RESOLVED if resolved else CaseStatus.OPEN
    if waiting_paused:
        status = CaseStatus.WAITING
    first_due, resolution_due = opened + timedelta(hours=2), opened + timedelta(hours=24)
    responded_at = opened + responded if responded else None
    running = [resolution_due] + ([first_due] if responded_at is None else [])
    await FollowUpCase.filter(id=case.id).update(
        opened_at=opened,
        status=status,
        pause_while_waiting=waiting_paused,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
        first_responded_at=responded_at,
        resolved_at=opened + resolved if resolved else None,
        resolution_score=score,
        next_due_at=None if resolved or waiting_paused else min(running),
    )
    return await FollowUpCase.get(id=case.id)
