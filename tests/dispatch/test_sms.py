"""The SMS channel against a Twilio-compatible server on loopback, through the real client.

Anna has a phone; Dan typed his number wrong; Ben replied STOP last month; Chen reads
Chinese. The shop sends from its own number, or through a Messaging Service.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from dispatch.channels.base import NOT_SENT, ChannelError, OutgoingLookup, OutgoingMessage, Receipt
from dispatch.channels.sms import SmsChannel
from dispatch.ratelimit import SenderRateLimit
from dispatch.settings import TwilioSettings
from tests.servers.twilio import TwilioServer

ANNA = "+14155550101"
BEN = "+14155550102"
DAN = "+1415555"
CHEN = "+8613800138000"
SHOP_NUMBER = "+15005550006"
SHOP_SERVICE = "MG" + "ab" * 16
CALLBACK = "https://touchpoint.example/twilio/status"

Factory = Callable[..., SmsChannel]


@pytest.fixture
async def sms(twilio: TwilioServer) -> AsyncIterator[Factory]:
    """Builds SMS channels pointed at the loopback server, and closes them afterwards."""
    channels: list[SmsChannel] = []

    def build(callback: str | None = None, **overrides: object) -> SmsChannel:
        values: dict[str, object] = {
            "account_sid": twilio.account_sid,
            "auth_token": twilio.auth_token,
            "from_": SHOP_NUMBER,
            "api_url": twilio.url,
            "timeout_seconds": 2.0,
        }
        values.update(overrides)
        channel = SmsChannel(TwilioSettings(**values), status_callback_url=callback)
        channels.append(channel)
        return channel

    yield build
    for channel in channels:
        await channel.close()


def to(
    phone: str, text: str = "How was your delivery? 10 seconds: https://t.example/s/x"
) -> OutgoingMessage:
    return OutgoingMessage(invitation_id=1, to=phone, text=text)


async def test_it_sends_anna_her_invitation_from_the_shop_number(sms, twilio):
    receipt = await sms(callback=CALLBACK).send(to(ANNA))

    [sent] = twilio.messages
    assert (sent.to, sent.from_, sent.messaging_service_sid) == (ANNA, SHOP_NUMBER, None)
    assert sent.body == "How was your delivery? 10 seconds: https://t.example/s/x"
    assert sent.status_callback == CALLBACK
    assert receipt.provider_message_id == sent.sid
    assert receipt.provider_message_id.startswith("SM")
    assert receipt.status == "queued"


async def test_it_sends_through_a_messaging_service(sms, twilio):
    channel = sms(from_=None, messaging_service_sid=SHOP_SERVICE)

    receipt = await channel.send(to(ANNA))

    [sent] = twilio.messages
    assert (sent.from_, sent.messaging_service_sid) == (None, SHOP_SERVICE)
    assert sent.status_callback is None
    assert receipt.status == "accepted"


async def test_it_sends_chen_chinese_text(sms, twilio):
    text = "您对本次配送满意吗？花10秒告诉我们：https://t.example/s/y 回复STOP退订"

    await sms().send(to(CHEN, text))

    [sent] = twilio.messages
    assert (sent.to, sent.body) == (CHEN, text)
    assert sent.num_segments == 1


async def test_it_gives_up_on_an_invalid_number_after_one_try(sms, twilio):
    twilio.reject(DAN, code=21211)

    with pytest.raises(ChannelError) as caught:
        await sms().send(to(DAN))

    assert caught.value.permanent
    assert caught.value.reason == "invalid phone number"
    assert caught.value.code == "21211"
    assert len(twilio.attempts(DAN)) == 1
    assert twilio.messages == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (21614, "not a mobile number"),
        (21610, "recipient unsubscribed (replied STOP)"),
        (21408, "region not enabled"),
        (21612, "cannot route to this number"),
        (30007, "Twilio refused the message (error 30007)"),
    ],
)
async def test_it_names_the_reason_twilio_refused_ben(sms, twilio, code, reason):
    twilio.reject(BEN, code=code)

    with pytest.raises(ChannelError) as caught:
        await sms().send(to(BEN))

    assert (caught.value.reason, caught.value.permanent, caught.value.code) == (
        reason,
        True,
        str(code),
    )


@pytest.mark.parametrize(("status", "code"), [(500, "20500"), (503, "20500"), (429, "20429")])
async def test_it_retries_later_when_twilio_is_down_or_throttling(sms, twilio, status, code):
    twilio.fail_next(1, status=status)
    channel = sms()

    with pytest.raises(ChannelError) as caught:
        await channel.send(to(ANNA))
    assert not caught.value.permanent
    assert caught.value.code == code

    await channel.send(to(ANNA))
    assert len(twilio.attempts(ANNA)) == 2
    assert len(twilio.messages) == 1


async def test_it_gives_up_waiting_for_a_slow_twilio(sms, twilio):
    twilio.delay_next(1, seconds=3)

    with pytest.raises(ChannelError) as caught:
        await sms(timeout_seconds=0.3).send(to(ANNA))

    assert not caught.value.permanent
    assert "did not answer within 0.3 s" in caught.value.reason
    assert len(twilio.attempts(ANNA)) == 1


async def test_it_refuses_to_go_on_with_wrong_credentials(sms, twilio):
    with pytest.raises(ChannelError) as caught:
        await sms(auth_token="not-the-token").send(to(ANNA))

    assert caught.value.permanent
    assert caught.value.reason == "Twilio rejected the account credentials"
    assert caught.value.code == "20003"
    assert twilio.messages == []


async def test_it_retries_when_twilio_cannot_be_reached(sms):
    from tests.servers.smtp import _free_port

    channel = sms(api_url=f"http://127.0.0.1:{_free_port()}")

    with pytest.raises(ChannelError) as caught:
        await channel.send(to(ANNA))

    assert not caught.value.permanent
    assert caught.value.reason.startswith("cannot reach Twilio")


async def test_the_server_lists_what_anna_was_sent_like_twilio(sms, twilio):
    channel = sms()
    await channel.send(to(ANNA, "first"))
    await channel.send(to(BEN, "other"))
    await channel.send(to(ANNA, "second"))

    client = channel._twilio()
    listed = await client.messages.list_async(to=ANNA)

    assert [m.body for m in listed] == ["second", "first"]


def test_it_needs_complete_settings():
    with pytest.raises(ValueError, match="account SID"):
        SmsChannel(TwilioSettings(account_sid="AC1", auth_token=None, from_=SHOP_NUMBER))


# --- the sender's rate limit, and asking Twilio after a crash ---------------------------


@pytest.fixture
async def limited(sms: Factory, redis_url: str) -> AsyncIterator[Callable[..., SmsChannel]]:
    """Builds SMS channels that wait for the shop number's turn on the test's Redis."""
    clients: list[Redis] = []

    def build(per_second: float = 1.0, url: str = redis_url) -> SmsChannel:
        client = Redis.from_url(url)
        clients.append(client)
        channel = sms()
        channel.limiter = SenderRateLimit(client, SHOP_NUMBER, per_second)
        return channel

    yield build
    for client in clients:
        await client.aclose()


def lookup(phone: str, text: str, minutes_ago: float = 0) -> OutgoingLookup:
    attempted = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return OutgoingLookup(invitation_id=1, to=phone, text=text, attempted_at=attempted)


async def test_a_long_chinese_message_takes_the_long_code_two_seconds(limited, twilio):
    channel = limited(per_second=1.0)
    text = "陈，请直接回复0-10为本次物流配送打分，或点击https://t.example/s/abcdefghijklmnopqrstuvwxyz0123456789。回复STOP退订"

    sending = time.monotonic()
    await channel.send(to(CHEN, text))

    [sent] = twilio.messages
    assert sent.num_segments == 2
    # The next send on this number waits for the two segments the first one paid for,
    # counted from when the first one took its slot (the send itself takes a moment).
    wait = await channel.limiter.reserve(1)
    assert wait + (time.monotonic() - sending) == pytest.approx(2.0, abs=0.15)


async def test_a_send_waits_rather_than_exceed_the_numbers_limit(limited, twilio):
    channel = limited(per_second=100.0)

    for phone in (ANNA, BEN, CHEN):
        await channel.send(to(phone))

    assert len(twilio.messages) == 3
    assert await channel.limiter.reserve(1) <= 0.02


async def test_a_send_is_retried_when_the_rate_limit_cannot_be_reached(limited, twilio):
    from tests.servers.smtp import _free_port

    channel = limited(url=f"redis://127.0.0.1:{_free_port()}")

    with pytest.raises(ChannelError) as caught:
        await channel.send(to(ANNA))

    assert not caught.value.permanent
    assert caught.value.reason.startswith("cannot reach the sender rate limit in Redis")
    assert twilio.attempts() == []


async def test_twilio_tells_that_annas_message_went_out(sms, twilio):
    channel = sms()
    receipt = await channel.send(to(ANNA, "How was your delivery? https://t.example/s/a1"))
    await channel.send(to(BEN, "How was your delivery? https://t.example/s/b1"))

    found = await channel.find_sent(lookup(ANNA, "How was your delivery? https://t.example/s/a1"))

    assert found == Receipt(provider_message_id=receipt.provider_message_id, status="queued")


async def test_twilio_tells_that_annas_message_never_arrived(sms, twilio):
    channel = sms()
    await channel.send(to(ANNA, "How was your delivery? https://t.example/s/older"))

    found = await channel.find_sent(lookup(ANNA, "How was your delivery? https://t.example/s/a2"))

    assert found is NOT_SENT


async def test_a_message_sent_before_the_attempt_is_not_taken_for_it(sms, twilio):
    channel = sms()
    await channel.send(to(ANNA, "How was your delivery? https://t.example/s/a3"))

    later = lookup(ANNA, "How was your delivery? https://t.example/s/a3", minutes_ago=-5)

    assert await channel.find_sent(later) is NOT_SENT


async def test_when_twilio_cannot_be_asked_the_lookup_is_retried(sms, twilio):
    twilio.fail_next(1, status=500, listing=True)

    with pytest.raises(ChannelError) as caught:
        await sms().find_sent(lookup(ANNA, "anything"))

    assert not caught.value.permanent
