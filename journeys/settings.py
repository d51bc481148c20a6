"""Settings of event ingestion, read from TOUCHPOINT_* variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class JourneysSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUCHPOINT_", env_file=".env", extra="ignore")

    #: Region (ISO 3166 code such as CN or US) for phone numbers sent without a + prefix;
    #: unset means every number must arrive in international form.
    default_phone_region: str | None = Field(default=None, min_length=2, max_length=2)
    max_events_per_batch: int = Field(default=1000, ge=1, le=10000)
