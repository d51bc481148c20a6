"""The console channel: what a newcomer without Twilio or SMTP accounts sees in the log."""

from __future__ import annotations

import logging
import re

from dispatch.channels.base import OutgoingMessage
from dispatch.channels.console import ConsoleChannel

ANNA = "+14155550101"


async def test_it_logs_annas_invitation_on_one_line(caplog):
    caplog.set_level(logging.INFO, logger="touchpoint.outbox")
    message = OutgoingMessage(
        invitation_id=3, to=ANNA, text="How was your delivery?\nhttps://t.example/s/abc"
    )

    receipt = await ConsoleChannel().send(message)

    [record] = caplog.records
    assert record.name == "touchpoint.outbox"
    assert record.getMessage() == (
        f"invitation 3 to {ANNA}: How was your delivery? / https://t.example/s/abc"
    )
    assert re.fullmatch(r"console-[0-9a-f]{32}", receipt.provider_message_id or "")
    assert receipt.status == "sent"


async def test_it_shows_the_subject_of_an_email(caplog):
    caplog.set_level(logging.INFO, logger="touchpoint.outbox")
    message = OutgoingMessage(
        invitation_id=4, to="anna@example.com", text="Hello", subject="How was it?"
    )

    await ConsoleChannel().send(message)

    assert caplog.records[0].getMessage() == (
        "invitation 4 to anna@example.com [How was it?]: Hello"
    )


async def test_each_message_gets_its_own_id():
    channel = ConsoleChannel()
    message = OutgoingMessage(invitation_id=5, to=ANNA, text="Hi")

    first, second = await channel.send(message), await channel.send(message)

    assert first.provider_message_id != second.provider_message_id
