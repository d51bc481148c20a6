"""The resolution survey leaves once, by the original survey's channel, inside the window.

Anna (SMS, English), Chen (SMS, Chinese) and Ben (email) each had a case resolved; the
survey goes through the loopback Twilio and SMTP servers, or says why it did not.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dispatch.channels.base import OutgoingMessage
from dispatch.channels.console import ConsoleChannel
from dispatch.channels.registry import Channels
from dispatch.models import Message
from dispatch.optouts import opt_out
from dispatch.resolution_survey import (
    job_id,
    resolve_stuck_resolution_surveys,
    send_due_resolution_surveys,
    send_resolution_survey,
)
from journeys.models import Customer
from surveys.models import FollowUpCase
from tests.servers.settings import with_loopback_channels
from tests.stories import ANNA, BEN, CHEN, run_worker_until, run_worker_until_idle
from tests.surveys.resolution_cases import resolved_case, shop


@pytest.fixture
def settings(settings, twilio, smtp):
    return with_loopback_channels(settings, twilio, smtp)


@pytest.fixture
def ctx(runtime):
    return runtime.worker_context()


async def stored(case: FollowUpCase) -> FollowUpCase:
    return await FollowUpCase.get(id=case.id)


async def test_anna_gets_one_sms_with_the_question_and_her_link(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)

    assert await send_resolution_survey(ctx, case.id) == "sent"

    [sms] = twilio.messages
    assert sms.to == ANNA.phone
    assert sms.body == (
        "Online store: Are you satisfied with how we handled it? Reply 1-5 (5 = very "
        f"satisfied) or tap http://testserver/r/{case.resolution_survey_token} "
        "STOP to opt out"
    )
    assert sms.num_segments == 1, "one GSM-7 segment"
    sent = await stored(case)
    assert (sent.resolution_survey_status, sent.resolution_survey_channel) == ("sent", "sms")
    assert sent.resolution_survey_sent_at is not None
    [message] = await Message.filter(case_id=case.id)
    assert (message.purpose, message.status, message.channel) == (
        "resolution-survey",
        "sent",
        "sms",
    )
    assert message.invitation_id == case.invitation_id
    assert await send_resolution_survey(ctx, case.id) == (
        "skipped: not due, or taken by another worker"
    )
    assert len(twilio.messages) == 1


async def test_chen_is_asked_in_chinese(ctx, twilio):
    case = await resolved_case(await shop(), CHEN)

    await send_resolution_survey(ctx, case.id)

    [sms] = twilio.messages
    assert sms.to == CHEN.phone
    assert sms.body.startswith("【Online store】您对我们的处理结果满意吗？回复1-5（5=非常满意）")
    assert f"/r/{case.resolution_survey_token}" in sms.body


async def test_ben_gets_an_email_with_a_subject_the_link_and_an_unsubscribe_line(ctx, smtp):
    case = await resolved_case(await shop(), BEN, channel="email")

    assert await send_resolution_survey(ctx, case.id) == "sent"

    [email] = smtp.messages
    assert email["To"] == BEN.email
    assert email["Subject"] == "Online store: how did we handle your feedback?"
    text = email.get_body(("plain",)).get_content()
    assert "Hi Ben," in text
    assert "Are you satisfied with how we handled it?" in text
    assert f"http://testserver/r/{case.resolution_survey_token}" in text
    assert email["List-Unsubscribe"].startswith("<http://testserver/u/")
    html = email.get_body(("html",)).get_content()
    assert f'href="http://testserver/r/{case.resolution_survey_token}"' in html
    assert (await stored(case)).resolution_survey_channel == "email"


async def test_outside_the_window_it_waits_for_the_next_opening(ctx, twilio):
    now = datetime.now(UTC)
    start = (now + timedelta(hours=2)).hour
    window = {"start": f"{start:02d}:00", "end": "24:00" if start == 23 else f"{start + 1:02d}:00"}
    case = await resolved_case(await shop(window), ANNA, timezone="UTC")

    outcome = await send_resolution_survey(ctx, case.id)

    assert outcome.startswith("deferred to ") and outcome.endswith("outside the send window")
    later = await stored(case)
    assert later.resolution_survey_status == "scheduled"
    opening = later.resolution_survey_send_at.astimezone(ZoneInfo("UTC"))
    assert (opening.hour, opening.minute) == (start, 0)
    assert now < opening < now + timedelta(hours=3)
    assert twilio.messages == [] and not await Message.filter(case_id=case.id).exists()
    assert await send_due_resolution_surveys(ctx) == 0, "not due until the window opens"


async def test_the_customers_own_time_zone_decides_the_window(ctx, twilio):
    """Nine to eight in Shanghai, for a customer whose clock it is 03:00 on."""
    zone = ZoneInfo("Asia/Shanghai")
    night = datetime.now(zone).hour not in range(9, 20)
    case = await resolved_case(
        await shop({"start": "09:00", "end": "20:00"}), CHEN, timezone="Asia/Shanghai"
    )

    await send_resolution_survey(ctx, case.id)

    status = (await stored(case)).resolution_survey_status
    assert status == ("scheduled" if night else "sent")
    assert len(twilio.messages) == (0 if night else 1)


async def test_an_opted_out_number_is_not_asked(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    await opt_out(ANNA.phone, "phone", "sms-stop", note="stop")

    assert (await send_resolution_survey(ctx, case.id)).startswith("suppressed: opted out")

    suppressed = await stored(case)
    assert suppressed.resolution_survey_status == "suppressed"
    assert (
        suppressed.resolution_survey_reason == f"opted out (sms-stop {datetime.now(UTC):%Y-%m-%d})"
    )
    assert twilio.messages == []


async def test_a_customer_who_declined_the_channel_is_not_asked(ctx, twilio):
    case = await resolved_case(await shop(), ANNA, consent={"sms": False})

    await send_resolution_survey(ctx, case.id)

    suppressed = await stored(case)
    assert suppressed.resolution_survey_status == "suppressed"
    assert suppressed.resolution_survey_reason == "the customer declined sms"
    assert twilio.messages == []


async def test_a_customer_with_no_address_on_the_channel_is_not_asked(ctx, smtp):
    case = await resolved_case(await shop(), BEN, channel="sms")

    await send_resolution_survey(ctx, case.id)

    suppressed = await stored(case)
    assert (suppressed.resolution_survey_status, suppressed.resolution_survey_reason) == (
        "suppressed",
        "no sms address",
    )
    assert smtp.messages == []


async def test_a_customer_whose_data_was_erased_is_not_asked(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    await Customer.filter(external_id=ANNA.id).update(erased_at=datetime.now(UTC))

    await send_resolution_survey(ctx, case.id)

    suppressed = await stored(case)
    assert suppressed.resolution_survey_status == "suppressed"
    assert suppressed.resolution_survey_reason == "the customer's personal data was erased"
    assert twilio.messages == []


async def test_two_workers_racing_send_it_once(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)

    outcomes = await asyncio.gather(
        send_resolution_survey(ctx, case.id), send_resolution_survey(ctx, case.id)
    )

    assert sorted(outcomes) == ["sent", "skipped: not due, or taken by another worker"]
    assert len(twilio.messages) == 1


async def test_an_invalid_number_fails_with_twilios_reason(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    twilio.reject(ANNA.phone, code=21211)

    await send_resolution_survey(ctx, case.id)

    failed = await stored(case)
    assert failed.resolution_survey_status == "failed"
    assert failed.resolution_survey_reason.startswith("sms: ")
    assert "(code 21211)" in failed.resolution_survey_reason
    assert len(twilio.attempts(ANNA.phone)) == 1


async def test_a_twilio_outage_puts_it_back_with_a_backoff(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    twilio.fail_next(1, status=500)
    before = datetime.now(UTC)

    assert (await send_resolution_survey(ctx, case.id)).startswith("deferred to ")

    later = await stored(case)
    assert later.resolution_survey_status == "scheduled"
    assert later.resolution_survey_send_at > before
    await FollowUpCase.filter(id=case.id).update(resolution_survey_send_at=before)
    assert await send_resolution_survey(ctx, case.id) == "sent"
    assert len(twilio.messages) == 1


async def test_the_cron_queues_each_due_survey_once(ctx, runtime):
    order = await shop()
    anna, chen = await resolved_case(order, ANNA), await resolved_case(order, CHEN)

    assert await send_due_resolution_surveys(ctx) == 2
    assert await send_due_resolution_surveys(ctx) == 0, "already queued"
    queued = await runtime.redis.zrange("arq:queue", 0, -1)
    assert {job.decode() for job in queued} >= {job_id(anna.id), job_id(chen.id)}


async def test_a_burst_worker_sends_what_is_due_at_start(runtime, twilio):
    """`touchpoint worker --burst` and the stories' burst worker: the crons run at start."""
    case = await resolved_case(await shop(), ANNA)

    await run_worker_until_idle(runtime)

    assert (await stored(case)).resolution_survey_status == "sent"
    assert [sms.to for sms in twilio.messages] == [ANNA.phone]


async def test_the_worker_sends_it_on_its_own(runtime, twilio):
    case = await resolved_case(await shop(), ANNA)

    async def sent() -> bool:
        return (await stored(case)).resolution_survey_status == "sent"

    await run_worker_until(runtime, sent)

    assert [sms.to for sms in twilio.messages] == [ANNA.phone]


# -- a worker stopped mid-send ---------------------------------------------------------


TEXT = "Shop: Are you satisfied with how we handled it? Reply 1-5"


async def stopped_mid_send(ctx, case: FollowUpCase, *, row: bool, sent: bool) -> None:
    """The job claimed the survey; with `row` it wrote the message, with `sent` Twilio
    took it too; then the worker died, eleven minutes ago."""
    await FollowUpCase.filter(id=case.id).update(resolution_survey_status="sending")
    if row:
        await Message.create(
            invitation_id=case.invitation_id,
            case_id=case.id,
            purpose="resolution-survey",
            channel="sms",
            requested_channel="sms",
            recipient=ANNA.phone,
            body=TEXT,
        )
    if sent:
        outgoing = OutgoingMessage(case.invitation_id, ANNA.phone, TEXT)
        await ctx["channels"].carrier("sms").send(outgoing)
    stopped = datetime.now(UTC) - timedelta(minutes=11)
    await FollowUpCase.filter(id=case.id).update(updated_at=stopped)


async def test_a_send_that_never_reached_twilio_is_sent_again_once(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    await stopped_mid_send(ctx, case, row=False, sent=False)

    assert await resolve_stuck_resolution_surveys(ctx) == 1

    assert (await stored(case)).resolution_survey_status == "scheduled"
    assert await send_resolution_survey(ctx, case.id) == "sent"
    assert len(twilio.messages) == 1


async def test_a_send_twilio_took_is_marked_sent_not_sent_again(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    await stopped_mid_send(ctx, case, row=True, sent=True)

    assert await resolve_stuck_resolution_surveys(ctx) == 1

    settled = await stored(case)
    assert settled.resolution_survey_status == "sent"
    [taken] = twilio.messages
    assert (await Message.get(case_id=case.id)).provider_message_id == taken.sid
    assert await send_resolution_survey(ctx, case.id) == (
        "skipped: not due, or taken by another worker"
    )


async def test_a_send_twilio_never_got_is_scheduled_again(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    await stopped_mid_send(ctx, case, row=True, sent=False)

    assert await resolve_stuck_resolution_surveys(ctx) == 1

    assert (await stored(case)).resolution_survey_status == "scheduled"


async def test_while_twilio_cannot_be_asked_it_is_asked_again_later(ctx, twilio):
    case = await resolved_case(await shop(), ANNA)
    await stopped_mid_send(ctx, case, row=True, sent=False)
    twilio.fail_next(1, status=500, listing=True)

    assert await resolve_stuck_resolution_surveys(ctx) == 0
    assert (await stored(case)).resolution_survey_status == "sending"

    assert await resolve_stuck_resolution_surveys(ctx) == 1
    assert (await stored(case)).resolution_survey_status == "scheduled"
    assert (await Message.get(case_id=case.id)).status == "failed"


async def test_a_send_nobody_can_confirm_ends_unknown_never_twice(runtime, db):
    """Without Twilio settings the console carries SMS, and it keeps no list to ask."""
    ctx = {**runtime.worker_context(), "channels": Channels(ConsoleChannel(), {})}
    case = await resolved_case(await shop(), ANNA)
    await stopped_mid_send(ctx, case, row=True, sent=False)
    await Message.filter(case_id=case.id).update(channel="console")

    assert await resolve_stuck_resolution_surveys(ctx) == 1

    unknown = await stored(case)
    assert unknown.resolution_survey_status == "unknown"
    assert "cannot be asked" in unknown.resolution_survey_reason
    assert await resolve_stuck_resolution_surveys(ctx) == 0
    assert await send_resolution_survey(ctx, case.id) == (
        "skipped: not due, or taken by another worker"
    )


async def test_a_recent_send_is_left_to_its_worker(ctx):
    case = await resolved_case(await shop(), ANNA)
    await FollowUpCase.filter(id=case.id).update(resolution_survey_status="sending")

    assert await resolve_stuck_resolution_surveys(ctx) == 0
    assert (await stored(case)).resolution_survey_status == "sending"
