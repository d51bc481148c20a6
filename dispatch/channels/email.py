"""The email channel: SMTP through aiosmtplib, one connection per message.

A 5xx reply means the server will refuse this message again (unknown mailbox, bad
credentials, spam rejection): permanent. A 4xx reply (greylisting, a full queue), a
refused connection or a timeout is transient and the send task retries it.

The Message-ID is made here, before sending, and stored as the provider's message id,
so a bounce or a reply can be matched to its invitation.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from dispatch.channels.base import (
    BuildContext,
    Channel,
    ChannelError,
    Draft,
    OutgoingMessage,
    Receipt,
)
from dispatch.rendering import list_unsubscribe_headers, render_email
from dispatch.settings import SmtpSettings

logger = logging.getLogger("touchpoint.dispatch.email")


def translate_smtp_error(error: aiosmtplib.SMTPException) -> ChannelError:
    """Turn an SMTP failure into the reason stored on the invitation."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        first = error.recipients[0]
        return _by_code(first.code, "mail server refused the recipient", first.message)
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return _by_code(error.code, "mail server rejected the SMTP credentials", error.message)
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return _by_code(error.code, "mail server refused the sender address", error.message)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _by_code(error.code, "mail server refused the message", error.message)
    if isinstance(error, aiosmtplib.SMTPTimeoutError):
        return ChannelError("mail server did not answer in time", permanent=False)
    if isinstance(error, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected):
        return ChannelError(f"cannot reach the mail server ({error.message})", permanent=False)
    if isinstance(error, aiosmtplib.SMTPNotSupported):
        return ChannelError(f"mail server cannot take this message: {error}", permanent=True)
    return ChannelError(f"mail server error: {error}", permanent=False)


def _by_code(code: int, what: str, detail: str) -> ChannelError:
    first_line = detail.splitlines()[0] if detail else ""
    reason = f"{what} ({code} {first_line})".replace(" )", ")")
    return ChannelError(reason, permanent=500 <= code < 600, code=str(code))


class EmailChannel(Channel):
    name = "email"
    address_kind = "email"
    settings_section = "smtp"

    @classmethod
    def from_settings(cls, settings: SmtpSettings, context: BuildContext) -> EmailChannel:
        return cls(settings)

    @classmethod
    def render(cls, draft: Draft) -> OutgoingMessage:
        """Plain text and HTML, with an unsubscribe link and one-click unsubscribe headers."""
        email = render_email(
            draft.definition,
            draft.touchpoint,
            channel=cls.name,
            locale=draft.locale,
            variant=draft.variant,
            link=draft.link,
            first_name=draft.first_name,
            reminder=draft.reminder,
            unsubscribe=draft.unsubscribe,
        )
        headers = list_unsubscribe_headers(draft.unsubscribe) if draft.unsubscribe else {}
        return OutgoingMessage(
            draft.invitation_id,
            draft.to,
            email.text,
            email.subject,
            email.html,
            email.locale,
            headers=headers,
        )

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.complete:
            raise ValueError("SMTP settings need a host and a sender address")
        self.settings = settings
        self.sender = parseaddr(settings.from_ or "")[1]
        self.domain = self.sender.rpartition("@")[2] or "localhost"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """The MIME message: plain text, with the HTML as its preferred alternative."""
        email = EmailMessage()
        email["Subject"] = message.subject or ""
        email["From"] = self.settings.from_ or self.sender
        email["To"] = message.to
        email["Date"] = format_datetime(datetime.now(UTC))
        email["Message-ID"] = make_msgid(domain=self.domain)
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        # Last, because set_content() drops the Content-* headers set before it.
        email["Content-Language"] = message.locale
        for name, value in message.headers.items():
            del email[name]
            email[name] = value
        return email

    async def send(self, message: OutgoingMessage) -> Receipt:
        try:
            email = self.build(message)
        except ValueError as error:  # a line break in a header, an unusable address
            raise ChannelError(f"cannot build the email: {error}", permanent=True) from error
        settings = self.settings
        try:
            await aiosmtplib.send(
                email,
                sender=self.sender,
                recipients=[message.to],
                hostname=settings.host,
                port=settings.port,
                username=settings.user or None,
                password=settings.password.get_secret_value() if settings.password else None,
                use_tls=settings.tls == "tls",
                start_tls=settings.tls == "starttls",
                timeout=settings.timeout_seconds,
            )
        except aiosmtplib.SMTPException as error:
            raise translate_smtp_error(error) from error
        except (OSError, TimeoutError) as error:
            raise ChannelError(
                f"cannot reach the mail server ({type(error).__name__})", permanent=False
            ) from error
        message_id = str(email["Message-ID"])
        logger.info("email %s for invitation %s accepted", message_id, message.invitation_id)
        return Receipt(provider_message_id=message_id, status="sent")
