"""The console channel: the default when no Twilio or SMTP credentials are set.

A newcomer running `touchpoint up` sees every invitation in the log and in the console's
outbox (which lists the stored Message rows), with a link they can click, and no account.
"""

from __future__ import annotations

import logging
import uuid

from dispatch.channels.base import Channel, OutgoingMessage, Receipt

logger = logging.getLogger("touchpoint.outbox")


class ConsoleChannel(Channel):
    name = "console"

    async def send(self, message: OutgoingMessage) -> Receipt:
        receipt = Receipt(provider_message_id=f"console-{uuid.uuid4().hex}", status="sent")
        subject = f" [{message.subject}]" if message.subject else ""
        # One line per message, so the log stays greppable by recipient or invitation.
        text = " / ".join(line.strip() for line in message.text.splitlines() if line.strip())
        logger.info("invitation %s to %s%s: %s", message.invitation_id, message.to, subject, text)
        return receipt
