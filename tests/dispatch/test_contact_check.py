"""The contact rules at send time, through the real send task, as the CX owner tells them.

Each story applies the shop journey with the rule it is about, posts the shop's events
through the API and runs `send_invitation` as a worker would. Time is not frozen: events
are dated relative to now, so each rule meets its situation at the moment the test runs.
A deferral puts the invitation back on the schedule, uncounted, and raises arq's Retry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from arq import Retry

from dispatch.models import Message
from dispatch.tasks import send_invitation
from journeys.loader import load_journey
from journeys.policies import ContactPolicy
from journeys.scheduling import is_sampled
from journeys.store import apply_journey
from surveys.models import Invitation, InvitationStatus
from tests.shop_variants import apply_shop
from tests.stories import ANNA, BEN, CHEN, Shop

SENT = "sent by console"
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MIN_30_DAYS = "{min_days_between_surveys: 30}"
SURVEYED_BY_ORDER = "contact policy: surveyed less than an hour ago by shop/order, minimum 30 days"


@pytest.fixture
def shop(client, api_key) -> Shop:
    return Shop(client, api_key)


@pytest.fixture
def ctx(runtime) -> dict:
    return runtime.worker_context()


async def invitation_for(shop: Shop, event_id: str) -> Invitation:
    return await Invitation.get(id=(await shop.invitation_for(event_id)).id)


async def messages_for(invitation: Invitation) -> int:
    return await Message.filter(invitation_id=invitation.id).count()


async def test_a_second_survey_inside_the_minimum_gap_waits_until_the_gap_ends(shop, ctx):
    """Anna's order survey went out; her delivery survey, due a day later, waits 30 days."""
    await apply_shop(contact_policy=MIN_30_DAYS, ship="max_age: P60D")
    await shop.event("order.placed", "A-1", to=ANNA, days_ago=8)
    assert await send_invitation(ctx, (await invitation_for(shop, "A-1")).id) == SENT
    order = await invitation_for(shop, "A-1")
    await shop.event("order.shipped", "A-1-shipped", to=ANNA, days_ago=4)
    ship = await invitation_for(shop, "A-1-shipped")

    with pytest.raises(Retry) as retry:
        await send_invitation(ctx, ship.id)

    held = await Invitation.get(id=ship.id)
    assert held.status == InvitationStatus.SCHEDULED
    assert held.send_at == order.sent_at + 30 * DAY
    assert held.reason == SURVEYED_BY_ORDER
    assert held.attempts == 0
    assert await messages_for(ship) == 0
    wait = held.send_at - datetime.now(UTC)
    assert abs(retry.value.defer_score / 1000 - wait.total_seconds()) < 60
    assert (await send_invitation(ctx, ship.id)).startswith("skipped"), "it does not go early"


async def test_a_second_survey_that_would_be_stale_by_then_is_suppressed(shop, ctx):
    """The delivery survey is fresh for 14 days only: waiting 30 would be old news."""
    await apply_shop(contact_policy=MIN_30_DAYS)
    await shop.event("order.placed", "A-1", to=ANNA, days_ago=8)
    assert await send_invitation(ctx, (await invitation_for(shop, "A-1")).id) == SENT
    await shop.event("order.shipped", "A-1-shipped", to=ANNA, days_ago=4)
    ship = await invitation_for(shop, "A-1-shipped")

    outcome = await send_invitation(ctx, ship.id)

    assert outcome == f"suppressed: {SURVEYED_BY_ORDER}"
    held = await Invitation.get(id=ship.id)
    assert (held.status, held.reason) == (InvitationStatus.SUPPRESSED, SURVEYED_BY_ORDER)
    assert await messages_for(ship) == 0


def next_quarter_in(zone: ZoneInfo) -> datetime:
    local = datetime.now(zone)
    first_month = 3 * ((local.month - 1) // 3) + 4
    year, month = (local.year + 1, 1) if first_month > 12 else (local.year, first_month)
    return datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


async def test_a_third_survey_in_a_quarter_waits_for_the_next_quarter_in_her_zone(shop, ctx):
    """Two surveys a quarter at most: Anna's third waits for 1 January, April, July or
    October, at midnight in Los Angeles."""
    await apply_shop(contact_policy="{max_surveys_per_quarter: 2}", use="max_age: P120D")
    await shop.event("order.placed", "A-1", to=ANNA, days_ago=8)
    await shop.event("order.shipped", "A-1-shipped", to=ANNA, days_ago=4)
    await shop.delivered("A-1-delivered", to=ANNA, days_ago=8)
    for event_id in ("A-1", "A-1-shipped"):
        assert await send_invitation(ctx, (await invitation_for(shop, event_id)).id) == SENT
    use = await invitation_for(shop, "A-1-delivered")

    with pytest.raises(Retry):
        await send_invitation(ctx, use.id)

    held = await Invitation.get(id=use.id)
    assert held.status == InvitationStatus.SCHEDULED
    assert held.send_at == next_quarter_in(ZoneInfo(ANNA.timezone))
    assert held.reason == "contact policy: 2 surveys this quarter already, maximum 2"
    assert (held.attempts, await messages_for(use)) == (0, 0)


SUPPORT_YAML = """\
journey: support
name: Support
send_window: {start: "00:00", end: "24:00"}
touchpoints:
  - {key: chat, stage: after-sale, trigger: chat.closed, survey: quick-csat}
surveys:
  quick-csat:
    questions:
      - {type: csat, text: "How satisfied are you with our chat?"}
"""


async def test_the_policy_across_journeys_counts_another_journeys_survey(shop, ctx):
    """Support surveyed Anna and Ben about a chat an hour ago. The shop's journey has no
    policy of its own: only the operator's policy across journeys holds Anna's back."""
    await apply_shop()
    await apply_journey(load_journey(SUPPORT_YAML, source="support.yaml"), SUPPORT_YAML)
    assert ctx["contact_across_journeys"] is None  # the default: each journey on its own
    strict = {**ctx, "contact_across_journeys": ContactPolicy(min_days_between_surveys=30)}
    for person in (ANNA, BEN):
        await shop.event("chat.closed", f"chat-{person.id}", to=person, days_ago=1 / 24)
        chat = await invitation_for(shop, f"chat-{person.id}")
        assert await send_invitation(ctx, chat.id) == SENT
        await shop.delivered(f"order-{person.id}", to=person, days_ago=8)

    ben = await invitation_for(shop, "order-ben")
    assert await send_invitation(ctx, ben.id) == SENT
    anna = await invitation_for(shop, "order-anna")
    outcome = await send_invitation(strict, anna.id)

    reason = (
        "contact policy across journeys: surveyed less than an hour ago by support/chat,"
        " minimum 30 days"
    )
    assert outcome == f"suppressed: {reason}"
    held = await Invitation.get(id=anna.id)
    assert (held.status, held.reason) == (InvitationStatus.SUPPRESSED, reason)
    assert await messages_for(anna) == 0


@pytest.mark.parametrize(
    ("ship_max_age", "held_as"),
    [("P60D", InvitationStatus.SCHEDULED), ("P14D", InvitationStatus.SUPPRESSED)],
    ids=["deferred while it would still be fresh", "suppressed when it would be stale"],
)
async def test_the_higher_priority_touchpoint_wins_when_two_are_due_together(
    shop, ctx, ship_max_age, held_as
):
    """Anna's order and delivery surveys fall due in the same hour and the journey wants 30
    days between surveys: the order survey, listed first, goes; the delivery survey waits
    30 days from now, or is dropped when it would be stale by then."""
    await apply_shop(contact_policy=MIN_30_DAYS, ship=f"max_age: {ship_max_age}")
    await shop.event("order.placed", "A-1", to=ANNA, days_ago=7 + 1 / 24)
    await shop.event("order.shipped", "A-1-shipped", to=ANNA, days_ago=3 + 1 / 24)
    order = await invitation_for(shop, "A-1")
    ship = await invitation_for(shop, "A-1-shipped")
    assert abs(order.send_at - ship.send_at) < timedelta(seconds=5)

    before = datetime.now(UTC)
    if held_as == InvitationStatus.SCHEDULED:  # a worker reaches the delivery survey first
        with pytest.raises(Retry):
            await send_invitation(ctx, ship.id)
    else:
        assert (await send_invitation(ctx, ship.id)).startswith("suppressed: lost to")
    after = datetime.now(UTC)
    assert await send_invitation(ctx, order.id) == SENT

    held = await Invitation.get(id=ship.id)
    assert (held.status, held.reason) == (held_as, "lost to shop/order (higher priority)")
    if held_as == InvitationStatus.SCHEDULED:
        assert before + 30 * DAY <= held.send_at <= after + 30 * DAY
        assert held.attempts == 0
    assert await messages_for(ship) == 0
    assert (await Invitation.get(id=order.id)).status == InvitationStatus.SENT


async def test_a_send_that_meets_a_closed_window_waits_for_the_opening_in_her_zone(shop, ctx):
    """Chen lives in Shanghai; the shop's journey runs on UTC. The window opens on the hour
    two hours from now, Shanghai time, for an hour. His invitation comes up early (it was
    pulled forward): the send task puts it back to the opening, Shanghai time."""
    chen = replace(CHEN, timezone="Asia/Shanghai")
    shanghai = ZoneInfo("Asia/Shanghai")
    opening = datetime.now(shanghai).replace(minute=0, second=0, microsecond=0) + 2 * HOUR
    closing = "24:00" if opening.hour == 23 else f"{opening.hour + 1:02d}:00"
    await apply_shop(send_window=f'{{start: "{opening:%H:%M}", end: "{closing}"}}')
    await shop.delivered("C-1", to=chen, days_ago=7)
    planned = await invitation_for(shop, "C-1")
    assert planned.send_at == opening.astimezone(UTC)

    await Invitation.filter(id=planned.id).update(send_at=datetime.now(UTC) - HOUR)
    with pytest.raises(Retry) as retry:
        await send_invitation(ctx, planned.id)

    held = await Invitation.get(id=planned.id)
    assert held.status == InvitationStatus.SCHEDULED
    assert held.send_at == opening.astimezone(UTC)
    assert held.send_at.astimezone(shanghai).strftime("%H:%M") == f"{opening:%H:%M}"
    assert held.reason == "outside the send window"
    assert (held.attempts, await messages_for(held)) == (0, 0)
    assert timedelta(hours=1) < timedelta(milliseconds=retry.value.defer_score) <= 2 * HOUR


EVENTS = [f"view-{n}" for n in range(1000)]
SAMPLED = next(e for e in EVENTS if is_sampled(e, "browse", 0.05))
NOT_SAMPLED = next(e for e in EVENTS if not is_sampled(e, "browse", 0.05))
NOT_SAMPLED_REASON = "not sampled: 5% of product.viewed events are surveyed"


async def test_sampling_decides_the_same_every_time_the_invitation_comes_up(shop, ctx):
    """One product view in twenty is surveyed, chosen by the event, not by chance: an
    invitation put back on the schedule is suppressed again, for the same reason."""
    await apply_shop()
    await shop.event("product.viewed", SAMPLED, to=ANNA, days_ago=1)
    await shop.event("product.viewed", NOT_SAMPLED, to=BEN, days_ago=1)
    assert await send_invitation(ctx, (await invitation_for(shop, SAMPLED)).id) == SENT
    skipped = await invitation_for(shop, NOT_SAMPLED)
    assert (skipped.status, skipped.reason) == (InvitationStatus.SUPPRESSED, NOT_SAMPLED_REASON)

    for _ in range(2):  # put back on the schedule, as a re-run would
        await Invitation.filter(id=skipped.id).update(
            status=InvitationStatus.SCHEDULED, reason=None
        )
        assert await send_invitation(ctx, skipped.id) == f"suppressed: {NOT_SAMPLED_REASON}"
        held = await Invitation.get(id=skipped.id)
        assert (held.status, held.reason) == (InvitationStatus.SUPPRESSED, NOT_SAMPLED_REASON)
    assert await messages_for(skipped) == 0
