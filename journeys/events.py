"""The interaction events business systems post, validated one by one.

A batch is checked event by event so one bad event is rejected with its reason while the
others are taken. Phone numbers are stored in E.164; dates must carry a time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from journeys.schema import CHANNEL_PATTERN, normalise_locale

#: How far ahead of our clock an event may claim to have happened.
_CLOCK_SKEW = timedelta(minutes=5)
#: Phone numbers whose E.164 form a process remembers (about 11 MB when full).
PHONE_CACHE_SIZE = 50_000


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: EmailStr | None = None
    locale: str | None = Field(default=None, max_length=35)
    timezone: str | None = Field(default=None, max_length=64)
    segment: str | None = Field(default=None, max_length=100)
    first_name: str | None = Field(default=None, max_length=100)
    attributes: dict[str, Any] = Field(default_factory=dict)
    consent: dict[Annotated[str, Field(pattern=CHANNEL_PATTERN)], StrictBool] = Field(
        default_factory=dict,
        description="The channels the customer has said yes (true) or no (false) to, by"
        " channel name. A channel set to false is never used for this customer, whatever"
        " the touchpoint lists, until an event sets it to true again; a channel not named"
        " keeps what earlier events said (allowed when none did).",
        examples=[{"sms": False, "email": True}],
    )

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        region = (info.context or {}).get("default_phone_region")
        return to_e164(value, region)

    @field_validator("locale")
    @classmethod
    def _supported_locale(cls, value: str | None) -> str | None:
        return normalise_locale(value) if value else None

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from error
        return value


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    occurred_at: AwareDatetime
    journey: str | None = Field(default=None, max_length=63)
    customer: CustomerIn
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _iso_text(cls, value: object) -> object:
        if not isinstance(value, str):
            raise ValueError("must be an ISO-8601 date and time with its offset, as text")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        value = value.astimezone(UTC)
        latest = (info.context or {}).get("latest") or latest_occurrence(datetime.now(UTC))
        if value > latest:
            raise ValueError("is in the future")
        return value


def latest_occurrence(now: datetime) -> datetime:
    """The latest moment an event may say it happened, by our clock."""
    return now.replace(microsecond=0) + _CLOCK_SKEW


def to_e164(number: str, default_region: str | None) -> str:
    """Parse a phone number as people write it and return it in E.164."""
    return _to_e164(number, default_region)


@lru_cache(maxsize=PHONE_CACHE_SIZE)
def _to_e164(number: str, default_region: str | None) -> str:
    """Cached, because parsing and checking a number costs 35-65 us, the largest part of
    taking an event, and the same customers come back event after event (ordered, shipped,
    delivered). A number that fails is not cached (the error is raised again each time)."""
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException as error:
        hint = "" if default_region else " (include the country code, e.g. +86...)"
        raise ValueError(f"not a phone number{hint}: {error}") from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number: {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class FieldError(BaseModel):
    field: str
    message: str


def field_errors(error: ValidationError, prefix: str) -> list[FieldError]:
    """Turn pydantic's errors into `events[3].customer.phone`-style fields and plain messages."""
    problems = []
    for item in error.errors(include_url=False):
        path, message = prefix, _plain_message(item)
        for part in item["loc"]:
            if part == "[key]":  # the name of a mapping's entry is what is wrong
                message = f"invalid name: {message}"
            else:
                path += f".{part}" if isinstance(part, str) and part else f"[{part!r}]"
        problems.append(FieldError(field=path, message=message))
    return problems


_CONSENT_MESSAGES = {
    "dict_type": 'expected channel names with true or false (e.g. {"sms": false})',
    "bool_type": "must be true or false",
    "string_pattern_mismatch": "a channel is a lower-case name of letters, digits and _",
}


def _plain_message(item: Any) -> str:
    if item["loc"][1:2] == ("consent",) and item["type"] in _CONSENT_MESSAGES:
        return _CONSENT_MESSAGES[item["type"]] + (
            f" (e.g. sms), not {item['input']!r}" if item["loc"][-1] == "[key]" else ""
        )
    message = str(item["msg"]).removeprefix("Value error, ")
    replacements = {
        "Field required": "required",
        "Extra inputs are not permitted": "unknown field",
        "Input should have timezone info": "needs a time zone (e.g. 2026-07-01T09:30:00+08:00)",
    }
    return replacements.get(message, message)


def parse_event(
    raw: object, index: int, *, default_phone_region: str | None, now: datetime | None = None
) -> EventIn:
    """Validate one event of a batch; raises EventRejected naming each bad field. `now` is
    the batch's clock, read once for all its events."""
    latest = latest_occurrence(now) if now else None
    context = {"default_phone_region": default_phone_region, "latest": latest}
    try:
        return EventIn.model_validate(raw, context=context)
    except ValidationError as error:
        raise EventRejected(field_errors(error, f"events[{index}]")) from None


class EventRejected(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors
