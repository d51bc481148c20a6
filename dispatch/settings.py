"""Dispatch settings: the Twilio and SMTP credentials, read from TOUCHPOINT_* variables.

A channel is used only when its settings are complete; otherwise its messages go to the
console channel, so a newcomer sees every message without any account.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

TWILIO_API_URL = "https://api.twilio.com"


class TwilioSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOUCHPOINT_TWILIO_", extra="ignore", populate_by_name=True
    )

    account_sid: str | None = None
    auth_token: SecretStr | None = None
    #: A sender number in E.164, or use a Messaging Service instead.
    from_: str | None = Field(
        default=None, validation_alias=AliasChoices("from_", "TOUCHPOINT_TWILIO_FROM")
    )
    messaging_service_sid: str | None = None
    #: Twilio's own API unless a Twilio-compatible server (a test server, a gateway) is named.
    api_url: str = TWILIO_API_URL
    timeout_seconds: float = 10.0
    #: What the sender may send, in segments per second, across every worker: about 1 for
    #: a long code, 100 for a short code or a Messaging Service (ask Twilio for yours).
    segments_per_second: float = Field(default=1.0, gt=0)
    #: The longest a send waits for its turn before it is retried later instead; keep it
    #: well under the worker's job timeout.
    rate_limit_max_wait_seconds: float = Field(default=60.0, ge=0)

    @property
    def sender(self) -> str | None:
        """What Twilio throttles by: the Messaging Service when there is one, else the number."""
        return self.messaging_service_sid or self.from_

    @property
    def complete(self) -> bool:
        has_sender = bool(self.from_ or self.messaging_service_sid)
        return bool(self.account_sid and self.auth_token and has_sender)


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOUCHPOINT_SMTP_", extra="ignore", populate_by_name=True
    )

    host: str | None = None
    port: int = 587
    user: str | None = None
    password: SecretStr | None = None
    from_: str | None = Field(
        default=None, validation_alias=AliasChoices("from_", "TOUCHPOINT_SMTP_FROM")
    )
    #: "starttls" upgrades a plain connection, "tls" connects with TLS (port 465), "none" neither.
    tls: Literal["starttls", "tls", "none"] = "starttls"
    timeout_seconds: float = 15.0

    @property
    def complete(self) -> bool:
        return bool(self.host and self.from_)


class DispatchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUCHPOINT_", extra="ignore")

    #: How often a transiently failing send is tried before the invitation is `failed`.
    max_send_attempts: int = 5
