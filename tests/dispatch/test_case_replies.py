"""Lee answers unhappy customers from their cases: Anna by SMS through the loopback Twilio
server, Ben by email through the loopback SMTP server; nothing goes to an address that
opted out, a channel the customer declined, or an address the customer never gave.
"""

from __future__ import annotations

import pytest

from dispatch.case_replies import ReplyNotSent, send_case_reply
from dispatch.models import Message
from dispatch.optouts import opt_out
from surveys.followups import SYSTEM, Actor, CaseConflict, CaseError, resolve
from surveys.models import CaseNote, FollowUpCase
from tests.dispatch.cases import LEE, MONDAY_10, logistics, store, unhappy
from tests.servers.settings import with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, BEN, CHEN
from web.runtime import Runtime, start_runtime, stop_runtime
from web.settings import Settings

LEE_AS_AGENT = Actor("user", 1, LEE)
SORRY = "Sorry about the late parcel, Anna. We refunded the shipping."


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    return with_loopback_channels(settings, twilio, smtp)


@pytest.fixture
async def after_sales(db: str):
    touchpoints = await store()
    await logistics(LEE)
    return touchpoints["after-sales"]


async def replies(case: FollowUpCase) -> tuple[list[Message], list[CaseNote]]:
    messages = await Message.filter(case_id=case.id).order_by("id")
    notes = await CaseNote.filter(case_id=case.id, kind="reply").order_by("id")
    return messages, notes


async def test_lee_replies_to_anna_by_sms(after_sales, runtime: Runtime, twilio):
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)

    reply = await send_case_reply(runtime.channels, case, SORRY, "sms", LEE_AS_AGENT)

    [sent] = twilio.messages
    assert (sent.to, sent.body) == (ANNA.phone, SORRY)
    [message], [note] = await replies(case)
    assert (message.purpose, message.status, message.channel) == ("case-reply", "sent", "sms")
    assert message.invitation_id == case.invitation_id and message.recipient == ANNA.phone
    assert message.provider_message_id == sent.sid
    assert (note.body, note.channel, note.author_label) == (SORRY, "sms", LEE)
    assert reply.note.id == note.id and reply.message_id == message.id and reply.carrier == "sms"
    stored = await FollowUpCase.get(id=case.id)
    assert stored.first_responded_at is not None
    assert stored.next_due_at == stored.resolution_due_at  # the first clock stopped


async def test_ben_gets_his_reply_by_email(after_sales, runtime, smtp):
    case = await unhappy(after_sales, BEN, answered_at=MONDAY_10)

    await send_case_reply(
        runtime.channels, case, "Dear Ben,\nyour refund is on its way.", "email", LEE_AS_AGENT
    )

    [email] = smtp.messages
    assert email["To"] == BEN.email
    assert email["Subject"] == "Your feedback on your after sales - Online store"
    assert "your refund is on its way." in email.get_body(("plain",)).get_content()
    [message], [note] = await replies(case)
    assert message.subject == email["Subject"] and note.channel == "email"


async def test_chen_is_written_to_in_chinese(after_sales, runtime, smtp):
    case = await unhappy(after_sales, CHEN, answered_at=MONDAY_10)

    await send_case_reply(runtime.channels, case, "陈先生，您好", "email", LEE_AS_AGENT)

    assert smtp.messages[0]["Subject"] == "关于您对after sales的反馈 - Online store"


async def test_a_later_reply_keeps_the_first_response_time(after_sales, runtime, twilio):
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)
    await send_case_reply(runtime.channels, case, SORRY, "sms", LEE_AS_AGENT)
    first = (await FollowUpCase.get(id=case.id)).first_responded_at

    await send_case_reply(
        runtime.channels, case, "The refund has gone through.", "sms", LEE_AS_AGENT
    )

    assert (await FollowUpCase.get(id=case.id)).first_responded_at == first
    messages, notes = await replies(case)
    assert len(messages) == len(notes) == len(twilio.messages) == 2


async def refused(
    runtime: Runtime, case: FollowUpCase, channel: str, body: str = SORRY
) -> CaseError:
    with pytest.raises(CaseError) as refusal:
        await send_case_reply(runtime.channels, case, body, channel, LEE_AS_AGENT)
    return refusal.value


async def assert_nothing_changed(
    case: FollowUpCase, twilio: TwilioServer, smtp: SmtpServer
) -> None:
    assert await replies(case) == ([], [])
    assert (await FollowUpCase.get(id=case.id)).first_responded_at is None
    assert twilio.messages == [] and smtp.messages == []


async def test_no_sms_to_a_number_that_said_stop(after_sales, runtime, twilio, smtp):
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)
    await opt_out(ANNA.phone, "phone", "sms-stop")

    error = await refused(runtime, case, "sms")

    assert error.field == "channel" and error.status == 400
    assert error.message.startswith(f"{ANNA.phone} opted out (sms-stop ")
    await assert_nothing_changed(case, twilio, smtp)


async def test_no_sms_to_a_customer_who_declined_sms(after_sales, runtime, twilio, smtp):
    case = await unhappy(after_sales, CHEN, answered_at=MONDAY_10, consent={"sms": False})

    error = await refused(runtime, case, "sms")

    assert error.message == "the customer declined sms messages"
    await assert_nothing_changed(case, twilio, smtp)
    await send_case_reply(runtime.channels, case, "陈先生，您好", "email", LEE_AS_AGENT)
    assert len(smtp.messages) == 1  # email was not declined


async def test_no_sms_to_ben_who_gave_no_phone(after_sales, runtime, twilio, smtp):
    case = await unhappy(after_sales, BEN, answered_at=MONDAY_10)

    error = await refused(runtime, case, "sms")

    assert error.message == "the customer has no phone number for sms"
    await assert_nothing_changed(case, twilio, smtp)


async def test_an_unknown_channel_or_an_empty_reply_is_refused(after_sales, runtime, twilio, smtp):
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)

    fax = await refused(runtime, case, "fax")
    empty = await refused(runtime, case, "sms", body="  \n ")
    long = await refused(runtime, case, "sms", body="x" * 1601)

    assert (fax.field, fax.message) == ("channel", "'fax' is not a channel we send by")
    assert (empty.field, empty.message) == ("body", "write something")
    assert long.field == "body" and "1600" in long.message
    await assert_nothing_changed(case, twilio, smtp)


async def test_a_resolved_case_takes_no_reply(after_sales, runtime, twilio, smtp):
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)
    await resolve(case, SYSTEM)

    error = await refused(runtime, case, "sms")

    assert isinstance(error, CaseConflict) and error.status == 409
    assert await replies(case) == ([], [])


async def test_a_number_twilio_refuses_is_not_kept_as_a_reply(after_sales, runtime, twilio):
    case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)
    twilio.reject(ANNA.phone, code=21211)

    with pytest.raises(ReplyNotSent) as refusal:
        await send_case_reply(runtime.channels, case, SORRY, "sms", LEE_AS_AGENT)

    assert refusal.value.status == 502 and refusal.value.field == "channel"
    assert refusal.value.message == "invalid phone number"
    [message], notes = await replies(case)
    assert message.status == "failed" and notes == []
    assert (await FollowUpCase.get(id=case.id)).first_responded_at is None


async def test_an_unconfirmed_reply_is_asked_about_before_the_next_one_goes(
    after_sales, settings: Settings, twilio
):
    """Twilio takes Lee's first reply but answers too late; the next reply first asks
    Twilio, finds the first, keeps it on the case, then sends the second: each once."""
    impatient = settings.twilio.model_copy(update={"timeout_seconds": 0.5})
    runtime = await start_runtime(
        settings.model_copy(update={"twilio": impatient}), connect_database=False
    )
    try:
        case = await unhappy(after_sales, ANNA, answered_at=MONDAY_10)
        twilio.hold_next(1, seconds=3.0)
        with pytest.raises(ReplyNotSent) as refusal:
            await send_case_reply(runtime.channels, case, SORRY, "sms", LEE_AS_AGENT)
        assert "the customer may have it after all" in refusal.value.message

        await send_case_reply(runtime.channels, case, "Are you there?", "sms", LEE_AS_AGENT)
    finally:
        await stop_runtime(runtime, disconnect_database=False)

    assert [m.body for m in twilio.messages] == [SORRY, "Are you there?"]
    messages, notes = await replies(case)
    assert [n.body for n in notes] == [SORRY, "Are you there?"]
    assert [m.status for m in messages] == ["sent", "sent"]
