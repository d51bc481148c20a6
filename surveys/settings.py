"""Settings of surveys and reports, read from TOUCHPOINT_* variables."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SurveysSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUCHPOINT_", env_file=".env", extra="ignore")

    #: Below this many answers a score is shown as low-sample.
    min_sample: int = Field(default=30, ge=1)
    #: How long a survey link takes answers after it was sent (TOUCHPOINT_LINK_LIFETIME_DAYS).
    link_lifetime_days: int = Field(default=30, ge=1, le=3650)

    @property
    def link_lifetime(self) -> timedelta:
        return timedelta(days=self.link_lifetime_days)
