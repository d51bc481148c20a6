"""Settings whose channels are real: SMS through the loopback Twilio server, email through
the loopback SMTP server, as the stories and the console's test sends use them."""

from __future__ import annotations

from typing import Any

from dispatch.settings import SmtpSettings, TwilioSettings
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from web.settings import Settings

SENDER = "+15005550006"


def with_loopback_channels(
    settings: Settings, twilio: TwilioServer, smtp: SmtpServer, **twilio_options: Any
) -> Settings:
    """`settings` with Twilio and SMTP pointed at the loopback servers."""
    return settings.model_copy(
        update={
            "twilio": TwilioSettings(
                account_sid=twilio.account_sid,
                auth_token=twilio.auth_token,
                from_=SENDER,
                api_url=twilio.url,
                **twilio_options,
            ),
            "smtp": SmtpSettings(
                host=smtp.host,
                port=smtp.port,
                from_="surveys@shop.example",
                user=smtp.user,
                password=smtp.password,
                tls="none",
            ),
        }
    )
