"""Settings of surveys and reports, read from TOUCHPOINT_* variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SurveysSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUCHPOINT_", extra="ignore")

    #: Below this many answers a score is shown as low-sample.
    min_sample: int = Field(default=30, ge=1)
