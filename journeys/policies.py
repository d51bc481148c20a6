"""When, and how often, a customer may be messaged: the send window and the contact policy.

Part of the journey definition (`journeys.schema`), read by the pure rules that apply them
(`journeys.windows`, `journeys.contact`) and by the settings of the policy across journeys.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@lru_cache(maxsize=128)
def weekday_numbers(days: tuple[str, ...]) -> frozenset[int]:
    """Python weekday numbers (Monday is 0) of day names; cached, as the send window is
    checked for every invitation of a batch."""
    return frozenset(WEEKDAYS.index(day) for day in days)


def _parse_clock(value: object) -> object:
    """Accept "HH:MM"; "24:00" means the end of the day."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 09:00 as sexagesimal 540 minutes.
        value = f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, str):
        if value.strip() == "24:00":
            return time.max
        # Minutes only: a window kept to the second would be stored, and compared, to the
        # minute, and send early.
        if not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            raise ValueError("expected a time of day as HH:MM")
    return value


def _format_clock(value: time) -> str:
    return "24:00" if value == time.max else value.strftime("%H:%M")


Clock = Annotated[time, BeforeValidator(_parse_clock), PlainSerializer(_format_clock)]


class SendWindow(BaseModel):
    """When a customer may be messaged, in their own time zone."""

    model_config = ConfigDict(extra="forbid")

    start: Clock = time(8, 0)
    end: Clock = time(21, 0)
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError("must be later than start")
        return end

    @field_validator("days")
    @classmethod
    def _no_repeated_days(cls, days: list[str]) -> list[str]:
        if len(set(days)) != len(days):
            raise ValueError("a day is listed twice")
        return days

    @property
    def weekdays(self) -> frozenset[int]:
        """Python weekday numbers (Monday is 0)."""
        return weekday_numbers(tuple(self.days))


class ContactPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_days_between_surveys: int = Field(default=0, ge=0, le=3650)
    max_surveys_per_quarter: int | None = Field(default=None, ge=1)


class BusinessHours(BaseModel):
    """When the service team works, in the journey's time zone: the SLA clocks of a
    follow-up rule with `hours: business` run only inside these hours, and not on holidays."""

    model_config = ConfigDict(extra="forbid")

    start: Clock = time(9, 0)
    end: Clock = time(18, 0)
    days: list[Weekday] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1
    )
    holidays: list[date] = Field(default_factory=list)

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError("must be later than start (business hours do not cross midnight)")
        return end

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(day) for day in self.days)
