"""Touchpoint's settings, read once from TOUCHPOINT_* variables and from `.env` alike.

The defaults are the embedded mode: a SQLite file and the bundled Redis under the data
directory, and the console channel for every message. Each default is written once, in
its settings model; the code that uses a setting takes it from there.

Each package keeps its own section (`journeys.settings`, `surveys.settings`,
`dispatch.settings`), and each section names its own variables: `TOUCHPOINT_TWILIO_*`,
`TOUCHPOINT_SMTP_*`, and plain `TOUCHPOINT_*` for the rest. pydantic-settings reads a
nested model only through `env_nested_delimiter` (`TOUCHPOINT_TWILIO__FROM`), which fits
neither kind of name; and a section left to build itself (`default_factory`) reads the
environment but not `.env`, and its first error stops everything, reported without the
section's prefix. So `Settings` reads each section's variables with pydantic-settings' own
environment and `.env` sources, under the section's prefix, and validates the whole in one
pass: every bad value is reported at once, located by section and field, and
`variable_name` turns that location back into the variable the user set.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources import DotenvType

from dispatch.settings import DispatchSettings, SmtpSettings, TwilioSettings
from journeys.settings import JourneysSettings
from surveys.settings import SurveysSettings
from web.redis_urls import redis_settings

#: Where `touchpoint up` and `touchpoint web` listen unless told otherwise (--host, --port).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

PREFIX = "TOUCHPOINT_"
_EMAIL = re.compile(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>.]+")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=".env", extra="ignore")

    #: Where the embedded database and Redis live when no URLs are given.
    data_dir: Path = Path(".touchpoint")
    #: tortoise-orm URL: sqlite://path or postgres://user:pass@host:5432/db.
    database_url: str | None = None
    #: Where the review, exports, the dashboard and the insight report read: a read replica
    #: of the main database (same kind of URL). Unset, they read the main database.
    reports_database_url: str | None = None
    #: redis://host:6379/0, unix:///path, or Redis Sentinel as
    #: redis+sentinel://host1:26379,host2:26379/mymaster/0 (web/redis_urls.py);
    #: empty means the bundled Redis.
    redis_url: str | None = None
    #: The base of survey links and of the Twilio status callback URL. Unset, a web
    #: process uses the address it serves (`served_at`); a lone worker, the default one.
    public_url: str = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
    #: Signs session cookies and CSRF tokens; shared by every web process (see web/secret_key.py).
    secret_key: SecretStr | None = None
    #: A console session ends after this long without a request, and in any case after the
    #: lifetime; the sign-in throttle counts failures over a window and locks out past a limit.
    session_idle_minutes: int = Field(default=12 * 60, ge=1)
    session_lifetime_hours: int = Field(default=7 * 24, ge=1)
    sign_in_failures_allowed: int = Field(default=5, ge=1)
    sign_in_failure_window_minutes: int = Field(default=15, ge=1)
    #: Unknown survey links (/s/, /r/, /u/) one client address may open within the window
    #: before every link answers it 429 until the window ends (web/token_throttle.py).
    survey_link_misses_allowed: int = Field(default=20, ge=1)
    survey_link_miss_window_minutes: int = Field(default=10, ge=1)
    #: Addresses of the TLS proxies whose X-Forwarded-For/-Proto are believed (uvicorn's
    #: forwarded_allow_ips): "127.0.0.1", a comma-separated list, or "*" behind a private LB.
    forwarded_allow_ips: str = "127.0.0.1"
    #: When set, /metrics (and a worker's --metrics-port) asks for `Authorization: Bearer
    #: <token>`; unset, /metrics is open like /healthz (it holds no personal data).
    metrics_token: SecretStr | None = None
    #: How long the personal data of an interaction is kept when its journey names no
    #: `retention`; 0 keeps it forever (web/retention.py erases the rest hourly).
    retention_days: int = Field(default=730, ge=0)
    #: Who gets the monthly insight report by email (web/insight_mail.py): comma-separated
    #: addresses; empty sends none. Sent through the TOUCHPOINT_SMTP_* server, on the first
    #: working day of each month at `insights_send_at`, in `insights_timezone` (default: the
    #: first journey's), skipping that journey's business-hours holidays unless told not to.
    insights_recipients: str = ""
    insights_send_at: time = time(9, 0)
    insights_timezone: str | None = None
    insights_skip_holidays: bool = True
    #: Log lines as text for a terminal, or one JSON object per line for a log collector;
    #: and the least severe level written (web/logs.py).
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    journeys: JourneysSettings = Field(default_factory=JourneysSettings)
    surveys: SurveysSettings = Field(default_factory=SurveysSettings)
    dispatch: DispatchSettings = Field(default_factory=DispatchSettings)
    twilio: TwilioSettings = Field(default_factory=TwilioSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        env_file = getattr(dotenv_settings, "env_file", None)
        sections = SectionsSource(settings_cls, env_file)
        return init_settings, env_settings, dotenv_settings, sections, file_secret_settings

    @field_validator("insights_recipients")
    @classmethod
    def _email_addresses(cls, value: str) -> str:
        addresses = [part.strip() for part in value.split(",") if part.strip()]
        for address in addresses:
            if not _EMAIL.fullmatch(address):
                raise ValueError(f"not an email address: {address!r} (comma-separated addresses)")
        return ", ".join(addresses)

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("insights_timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not a time zone: {value!r} (e.g. Europe/London)") from None
        return value

    @property
    def insights_recipient_list(self) -> list[str]:
        return [part for part in self.insights_recipients.split(", ") if part]

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url", "reports_database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite://", "postgres://", "asyncpg://", "psycopg://")):
            raise ValueError("must be a sqlite:// or postgres:// URL")
        return value or None

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value:
            redis_settings(value)  # its ValueError says what is wrong with the URL
        return value or None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{self.data_dir.resolve() / 'touchpoint.sqlite3'}"

    def served_at(self, host: str, port: int) -> Settings:
        """These settings for a web process serving host:port: unless TOUCHPOINT_PUBLIC_URL
        is set, survey links, the outbox and Twilio's callbacks follow the port served."""
        if "public_url" in self.model_fields_set:
            return self
        return self.model_copy(update={"public_url": local_url(host, port)})


#: The sections of `Settings`, each read under its own prefix.
SECTIONS = ("journeys", "surveys", "dispatch", "twilio", "smtp")


class SectionsSource(PydanticBaseSettingsSource):
    """Each section's variables from `.env`, then from the environment, which wins."""

    def __init__(self, settings_cls: type[BaseSettings], env_file: DotenvType | None) -> None:
        super().__init__(settings_cls)
        self.env_file = env_file

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # the sections are read whole, in __call__

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in SECTIONS:
            section = _section_class(name)
            from_file = DotEnvSettingsSource(section, env_file=self.env_file)()
            values[name] = from_file | EnvSettingsSource(section)()
        return values


def _section_class(name: str) -> type[BaseSettings]:
    section = Settings.model_fields[name].annotation
    assert isinstance(section, type) and issubclass(section, BaseSettings)
    return section


def variable_name(location: tuple[int | str, ...]) -> str:
    """The variable behind a validation error's location: ("twilio", "from_") is
    TOUCHPOINT_TWILIO_FROM, ("surveys", "min_sample") TOUCHPOINT_MIN_SAMPLE."""
    head, field = (str(part) for part in (*location, "", "")[:2])
    if head not in SECTIONS:
        return (PREFIX + head).upper()
    section = _section_class(head)
    prefix = section.model_config.get("env_prefix", "")
    info = section.model_fields.get(field)
    aliases = getattr(info.validation_alias if info else None, "choices", [field])
    for alias in aliases:
        if isinstance(alias, str) and alias.upper().startswith(PREFIX):
            return alias.upper()
    return (prefix + (field or "*")).upper()


def problems(error: ValidationError) -> list[str]:
    """Every bad setting, one line each, under the name of the variable to fix."""
    lines = []
    for item in error.errors(include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{variable_name(item['loc'])}: {message}")
    return lines


def local_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches a process listening on host:port."""
    if host in ("", "0.0.0.0", "::"):
        host = DEFAULT_HOST
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
