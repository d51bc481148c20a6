"""The personal data of old interactions is erased when their retention has passed.

Anna ordered long ago and recently; Ben's old order still has an open case. The shop keeps
personal data for the setting's default unless its journey says otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dispatch.models import Message
from dispatch.tasks import send_invitation
from dispatch.worker import create_worker
from journeys.loader import load_journey
from journeys.models import Interaction
from journeys.periods import current_period
from journeys.store import apply_journey
from surveys.models import Answer, CaseStatus, FollowUpCase, Invitation
from surveys.reports import touchpoint_report
from surveys.responses import record_response
from tests.conftest import SHOP_JOURNEY
from tests.stories import ANNA, BEN, Shop
from web.models import AuditEvent
from web.retention import cron_jobs, erase_expired, erase_expired_personal_data

TWO_YEARS = timedelta(days=730)


async def ordered(shop: Shop, runtime, order: str, days_ago: int, person=ANNA) -> Invitation:
    """An order delivered `days_ago`, its survey sent and answered with a comment."""
    await shop.event(
        "order.delivered", order, person, days_ago=8, attributes={"address": "1 Elm St"}
    )
    invitation = await shop.invitation_for(order)
    await send_invitation(runtime.worker_context(), invitation.id)
    invitation = await Invitation.get(id=invitation.id)
    await record_response(invitation, nps=9, csat=5, comment=f"comment on {order}")
    moved = datetime.now(UTC) - timedelta(days=days_ago)
    await Interaction.filter(event_id=order).update(occurred_at=moved)
    return invitation


async def erased(order: str) -> bool:
    interaction = await Interaction.get(event_id=order)
    answer = await Answer.get(invitation__interaction_id=interaction.id)
    messages = await Message.filter(invitation__interaction_id=interaction.id)
    if interaction.erased_at is None:
        assert interaction.attributes and answer.comment
        return False
    assert interaction.attributes == {} and answer.comment is None
    assert all(m.body == "[erased]" and m.recipient == "[erased]" for m in messages)
    return True


@pytest.fixture
def shop(client, api_key, shop_journey) -> Shop:
    return Shop(client, api_key)


async def test_an_interaction_older_than_the_default_is_erased_and_a_recent_one_kept(shop, runtime):
    await ordered(shop, runtime, "A-old", days_ago=800)
    await ordered(shop, runtime, "A-new", days_ago=100)

    count = await erase_expired(datetime.now(UTC), TWO_YEARS)

    assert count == 1
    assert await erased("A-old") and not await erased("A-new")


async def test_the_journeys_own_retention_overrides_the_default(shop, runtime):
    text = SHOP_JOURNEY.read_text("utf-8") + "retention: P30D\n"
    await apply_journey(load_journey(text, source="shop.yaml"), text)
    await ordered(shop, runtime, "A-40", days_ago=40)
    await ordered(shop, runtime, "A-20", days_ago=20)

    await erase_expired(datetime.now(UTC), TWO_YEARS)

    assert await erased("A-40") and not await erased("A-20")


async def test_an_interaction_whose_case_is_open_is_left_alone_until_resolved(shop, runtime):
    invitation = await ordered(shop, runtime, "B-1", days_ago=800, person=BEN)
    await record_response(invitation, nps=2, csat=1, comment="broken on arrival")
    assert await FollowUpCase.exists(invitation_id=invitation.id)

    assert await erase_expired(datetime.now(UTC), TWO_YEARS) == 0
    assert not await erased("B-1")

    await FollowUpCase.filter(invitation_id=invitation.id).update(status=CaseStatus.RESOLVED)
    assert await erase_expired(datetime.now(UTC), TWO_YEARS) == 1
    assert await erased("B-1")


async def test_without_a_retention_nothing_is_erased(shop, runtime):
    await ordered(shop, runtime, "A-old", days_ago=3000)

    assert await erase_expired(datetime.now(UTC), None) == 0
    assert not await erased("A-old")


async def test_it_works_in_batches_and_picks_up_where_it_stopped(shop, runtime):
    for n in range(5):
        await ordered(shop, runtime, f"A-{n}", days_ago=800 + n)

    first = await erase_expired(datetime.now(UTC), TWO_YEARS, batch=2, max_batches=1)
    rest = await erase_expired(datetime.now(UTC), TWO_YEARS, batch=2)

    assert (first, rest) == (2, 3)
    assert await Interaction.filter(erased_at__isnull=True).count() == 0


async def test_the_quarterly_figures_do_not_change(shop, runtime):
    await ordered(shop, runtime, "A-old", days_ago=800)
    now = datetime.now(UTC)
    period = current_period(now, ZoneInfo("UTC"))
    before = (await touchpoint_report("shop", period)).as_dict()

    await erase_expired(now, TWO_YEARS)

    assert (await touchpoint_report("shop", period)).as_dict() == before


async def test_the_cron_reads_the_setting_and_writes_the_audit_log(shop, runtime):
    await ordered(shop, runtime, "A-old", days_ago=800)
    context = runtime.worker_context()
    assert context["retention_days"] == 730

    assert await erase_expired_personal_data(context) == 1
    assert await erase_expired_personal_data(context) == 0

    [event] = await AuditEvent.filter(action="retention.erased")
    assert (event.actor_kind, event.detail) == ("system", {"interactions": 1})


async def test_a_retention_of_zero_days_keeps_everything(shop, runtime):
    await ordered(shop, runtime, "A-old", days_ago=3000)

    assert await erase_expired_personal_data({"retention_days": 0}) == 0


async def test_the_worker_runs_the_cron_hourly(runtime):
    pool = await runtime.new_redis_pool()
    worker = create_worker(pool, runtime.worker_context(), extra_cron_jobs=cron_jobs())
    try:
        [job] = [j for j in worker.cron_jobs if j.name == "erase_expired_personal_data"]
        assert (job.minute, job.second, job.unique) == ({17}, {0}, True)
    finally:
        await worker.close()
