"""Touchpoint's settings, read once from TOUCHPOINT_* environment variables (and `.env`).

The defaults are the embedded mode: a SQLite file and the bundled Redis under the data
directory, and the console channel for every message. A bad value stops start-up and the
error names the variable.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dispatch.settings import DispatchSettings, SmtpSettings, TwilioSettings
from journeys.settings import JourneysSettings
from surveys.settings import SurveysSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUCHPOINT_", env_file=".env", extra="ignore")

    #: Where the embedded database and Redis live when no URLs are given.
    data_dir: Path = Path(".touchpoint")
    #: tortoise-orm URL: sqlite://path or postgres://user:pass@host:5432/db.
    database_url: str | None = None
    #: redis://host:6379/0 or unix:///path; empty means the bundled Redis.
    redis_url: str | None = None
    #: The base of survey links and of the Twilio status callback URL.
    public_url: str = "http://127.0.0.1:8000"
    #: Signs session cookies and CSRF tokens; shared by every web process (see web/secret_key.py).
    secret_key: SecretStr | None = None
    #: A console session ends after this long without a request, and in any case after the
    #: lifetime; the sign-in throttle counts failures over a window and locks out past a limit.
    session_idle_minutes: int = Field(default=12 * 60, ge=1)
    session_lifetime_hours: int = Field(default=7 * 24, ge=1)
    sign_in_failures_allowed: int = Field(default=5, ge=1)
    sign_in_failure_window_minutes: int = Field(default=15, ge=1)
    #: Addresses of the TLS proxies whose X-Forwarded-For/-Proto are believed (uvicorn's
    #: forwarded_allow_ips): "127.0.0.1", a comma-separated list, or "*" behind a private LB.
    forwarded_allow_ips: str = "127.0.0.1"

    journeys: JourneysSettings = Field(default_factory=JourneysSettings)
    surveys: SurveysSettings = Field(default_factory=SurveysSettings)
    dispatch: DispatchSettings = Field(default_factory=DispatchSettings)
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite://", "postgres://", "asyncpg://", "psycopg://")):
            raise ValueError("must be a sqlite:// or postgres:// URL")
        return value or None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{self.data_dir.resolve() / 'touchpoint.sqlite3'}"
