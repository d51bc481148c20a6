"""Dispatch settings: the Twilio and SMTP credentials, read from TOUCHPOINT_* variables.

A channel is used only when its settings are complete; otherwise its messages go to the
console channel, so a newcomer sees every message without any account. Each default is
written here once; `web.settings.Settings` reads these sections from the environment and
`.env` (see there why).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dispatch.retries import FIRST_WAIT_SECONDS
from journeys.policies import ContactPolicy


class TwilioSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TOUCHPOINT_TWILIO_", env_file=".env", extra="ignore", populate_by_name=True
    )

    account_sid: str | None = None
    auth_token: SecretStr | None = None
    #: A sender number in E.164, or use a Messaging Service instead.
    from_: str | None = Field(
        default=None, validation_alias=AliasChoices("from_", "TOUCHPOINT_TWILIO_FROM")
    )
    messaging_service_sid: str | None = None
    #: Twilio's own API unless a Twilio-compatible server (a test server, a gateway) is named.
    api_url: str = "https://api.twilio.com"
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
        env_prefix="TOUCHPOINT_SMTP_", env_file=".env", extra="ignore", populate_by_name=True
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
    model_config = SettingsConfigDict(env_prefix="TOUCHPOINT_", env_file=".env", extra="ignore")

    #: How often a transiently failing send is tried before the invitation is `failed`.
    max_send_attempts: int = Field(default=5, ge=1)
    #: The longest wait before a transiently failed send's first retry (it waits between
    #: half this and this), doubled for each attempt after it, up to an hour.
    send_retry_first_wait_seconds: float = Field(default=FIRST_WAIT_SECONDS, gt=0, le=3600)
    #: How many sends one worker process runs at once.
    worker_concurrency: int = Field(default=20, ge=1, le=1000)
    #: The longest one send may take before the worker cancels it.
    job_timeout_seconds: float = Field(default=120.0, gt=0)
    #: How long an invitation may stay `sending` before its worker is taken to have stopped
    #: and the resolver settles it; far longer than the job timeout, so a slow send is
    #: never taken for a dead one.
    stuck_send_grace_seconds: float = Field(default=600.0, gt=0)
    #: The contact policy across all journeys (each journey has its own as well): the
    #: fewest days between two surveys to one customer, and the most per quarter. Zero and
    #: unset mean no such rule.
    contact_min_days_across_journeys: int = Field(default=0, ge=0, le=3650)
    contact_max_surveys_per_quarter_across_journeys: int | None = Field(default=None, ge=1)
    #: How long before a follow-up case's SLA clock runs out its owner (or team) is
    #: reminded, once per clock.
    follow_up_reminder_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    #: How long an outgoing webhook is retried before it is given up on (24 hours).
    webhook_retry_window_seconds: float = Field(default=24 * 3600.0, gt=0)
    #: The wait before a webhook's first retry, doubled after each failure up to the cap.
    webhook_first_retry_seconds: float = Field(default=30.0, gt=0)
    webhook_max_retry_delay_seconds: float = Field(default=3600.0, gt=0)
    #: The longest a webhook receiver may take to answer one POST.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("stuck_send_grace_seconds")
    @classmethod
    def _grace_outlasts_a_send(cls, value: float, info: ValidationInfo) -> float:
        """Checked on the grace, so the error names TOUCHPOINT_STUCK_SEND_GRACE_SECONDS; a bad
        job timeout is reported on its own and not compared."""
        timeout = info.data.get("job_timeout_seconds")
        if timeout is not None and value <= timeout:
            raise ValueError(
                f"must be longer than TOUCHPOINT_JOB_TIMEOUT_SECONDS ({timeout:g}),"
                " or a slow send is taken for a dead one"
            )
        return value

    @property
    def across_journeys(self) -> ContactPolicy | None:
        """The policy across journeys, or None when it sets no rule."""
        days = self.contact_min_days_across_journeys
        most = self.contact_max_surveys_per_quarter_across_journeys
        if not days and most is None:
            return None
        return ContactPolicy(min_days_between_surveys=days, max_surveys_per_quarter=most)
