"""The journey definition a CX owner writes in YAML, as pydantic models.

The models check the shape of each field; `journeys.loader` adds the checks that span
fields (a touchpoint naming a survey that does not exist, a message with an unknown
placeholder) and turns every problem into a path in the file. The send window and the
contact policy, the rules for when a customer may be messaged, live in `journeys.policies`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializationInfo,
    field_serializer,
    field_validator,
)

from journeys.policies import BusinessHours, ContactPolicy, SendWindow

SUPPORTED_LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"
#: What a touchpoint that lists no channels tries, in order.
DEFAULT_CHANNELS = ("sms", "email")
PLACEHOLDERS = frozenset({"touchpoint", "link", "first_name", "journey", "brand"})

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
TRIGGER_PATTERN = r"^[A-Za-z0-9_.:-]+$"
#: A channel's name. Which names exist is known where the channels are (`dispatch`), so
#: the loader checks them against the names it is given, not this schema.
CHANNEL_PATTERN = r"^[a-z][a-z0-9_]{0,15}$"

Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
ChannelName = Annotated[str, Field(pattern=CHANNEL_PATTERN)]


def normalise_locale(value: str) -> str:
    """Map what systems send ("zh", "zh_CN", "zh-Hans", "EN-us") onto a supported locale.

    Unknown languages fall back to English, the language every definition must carry.
    """
    tag = value.strip().replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh-CN"
    return DEFAULT_LOCALE


def _text_from_plain_string(value: object) -> object:
    return {DEFAULT_LOCALE: value} if isinstance(value, str) else value


class LocalizedText(BaseModel):
    """One text in several languages; a plain string in YAML means English."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    en: str = Field(min_length=1)
    zh_cn: str | None = Field(default=None, alias="zh-CN", min_length=1)

    def in_locale(self, locale: str) -> str:
        if normalise_locale(locale) == "zh-CN" and self.zh_cn:
            return self.zh_cn
        return self.en

    def items(self) -> list[tuple[str, str]]:
        pairs = [("en", self.en)]
        if self.zh_cn:
            pairs.append(("zh-CN", self.zh_cn))
        return pairs


Text = Annotated[LocalizedText, BeforeValidator(_text_from_plain_string)]


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nps: float | None = Field(default=None, ge=-100, le=100)
    csat: float | None = Field(default=None, ge=0, le=100)


QuestionType = Literal["nps", "csat", "text"]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: QuestionType
    text: Text
    required: bool = False


class Survey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    questions: list[Question] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _one_question_of_each_scored_type(cls, questions: list[Question]) -> list[Question]:
        for kind in ("nps", "csat", "text"):
            if sum(q.type == kind for q in questions) > 1:
                raise ValueError(f"a survey has at most one {kind} question")
        return questions

    def question(self, kind: QuestionType) -> Question | None:
        return next((q for q in self.questions if q.type == kind), None)


def _positive_duration(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("must not be negative")
    return value


_ISO_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(value: object) -> object:
    """Read an ISO-8601 duration such as P7D or PT12H; timedeltas pass through."""
    if not isinstance(value, str):
        if isinstance(value, timedelta):
            return value
        raise ValueError("not an ISO-8601 duration (e.g. P7D, PT12H)")
    match = _ISO_DURATION.fullmatch(value.strip().upper())
    if not match or value.strip().upper() in ("P", "PT") or value.strip().endswith("T"):
        raise ValueError("not an ISO-8601 duration (e.g. P7D, PT12H)")
    parts = match.groupdict()
    if parts["years"] or parts["months"]:
        raise ValueError("years and months have no fixed length: use days or weeks (e.g. P30D)")
    return timedelta(
        weeks=int(parts["weeks"] or 0),
        days=int(parts["days"] or 0),
        hours=int(parts["hours"] or 0),
        minutes=int(parts["minutes"] or 0),
        seconds=float(parts["seconds"] or 0),
    )


def format_duration(value: timedelta) -> str:
    """ISO-8601 in days and time only. pydantic's own writes 365 days as "P1Y", which the
    parser rightly refuses, so a stored definition would not read back."""
    seconds = value.total_seconds()
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    clock = "".join(
        f"{amount:g}{unit}"
        for amount, unit in ((hours, "H"), (minutes, "M"), (rest, "S"))
        if amount
    )
    text = f"P{int(days)}D" if days or not clock else "P"
    return text + (f"T{clock}" if clock else "")


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, when_used="json"),
]


def _is_off(value: object) -> bool:
    """`off` in YAML is read as false; a quoted "off" means the same."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "off")


def _by_channel(model: BaseModel, channel: str) -> object:
    """A declared field or an extra one: a section keyed by channel name."""
    if channel in type(model).model_fields:
        return getattr(model, channel)
    return (model.model_extra or {}).get(channel)


Wait = Annotated[Duration | None, BeforeValidator(lambda v: None if _is_off(v) else v)]


class ReminderPolicy(BaseModel):
    """How long after sending one reminder goes to whoever has not answered, per channel;
    None is off. On for email, off for SMS: a second text costs money and patience. Any
    other channel is off unless the touchpoint names it (`reminder: {whatsapp: P2D}`)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Wait] = Field(init=False)

    email: Wait = timedelta(days=3)
    sms: Wait = None

    def after(self, channel: str) -> timedelta | None:
        wait: timedelta | None = _by_channel(self, channel)
        return wait if wait else None

    def channels(self) -> list[str]:
        """Every channel this policy names."""
        return [*type(self).model_fields, *(self.model_extra or {})]


class FollowUpWhen(BaseModel):
    """Which answers open a follow-up case: a score at or below either limit (None turns
    that score off), or an SMS reply that asks to be contacted."""

    model_config = ConfigDict(extra="forbid")

    nps_at_most: int | None = Field(default=6, ge=0, le=10)
    csat_at_most: int | None = Field(default=2, ge=1, le=5)
    contact_requested: bool = True


class FollowUpRule(BaseModel):
    """How an unhappy customer is followed up: when a case opens, its SLA clocks, and the
    team it goes to. `follow_up: off` opens no cases. A touchpoint's rule overrides the
    journey's field by field (`JourneyDefinition.follow_up_for`)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    when: FollowUpWhen = Field(default_factory=FollowUpWhen)
    first_response: Duration = timedelta(hours=2)
    resolution: Duration = timedelta(hours=24)
    #: wall: the clocks run day and night. business: only in the journey's business hours.
    hours: Literal["wall", "business"] = "wall"
    pause_while_waiting: bool = False
    team: Slug | None = None

    @field_validator("first_response", "resolution")
    @classmethod
    def _some_time(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero")
        return value


def _follow_up_off(value: object) -> object:
    return {"enabled": False} if _is_off(value) else value


FollowUp = Annotated[FollowUpRule, BeforeValidator(_follow_up_off)]


class TouchpointDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Slug
    name: Text | None = None
    stage: Slug
    trigger: str = Field(min_length=1, max_length=100, pattern=TRIGGER_PATTERN)
    delay: Duration = timedelta(0)
    max_age: Duration = timedelta(days=14)
    sample: float = Field(default=1.0, gt=0, le=1)
    survey: Slug
    channels: list[ChannelName] = Field(
        default_factory=lambda: list(DEFAULT_CHANNELS), min_length=1
    )
    targets: Targets | None = None
    priority: int | None = Field(default=None, ge=0)
    reminder: Annotated[
        ReminderPolicy, BeforeValidator(lambda v: {"email": None} if _is_off(v) else v)
    ] = Field(default_factory=ReminderPolicy)
    follow_up: FollowUp | None = None

    _check_delay = field_validator("delay", "max_age")(_positive_duration)

    @field_serializer("follow_up")
    def _follow_up_as_written(self, rule: FollowUpRule | None, info: SerializationInfo) -> object:
        """Only the fields the touchpoint sets: stored in full, its defaults would hide the
        journey's rule (its team, its clocks) when the stored version is read back."""
        if rule is None:
            return None
        return rule.model_dump(mode=info.mode, exclude_unset=True)

    def display_name(self, locale: str) -> str:
        return self.name.in_locale(locale) if self.name else self.key.replace("-", " ")


class EmailTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Text
    body: Text


Wording = LocalizedText | EmailTemplate


class Messages(BaseModel):
    """Message wording per channel, keyed by variant ("A", "B") for A/B tests.

    Email is worded as a subject and a body; every other channel as one text, so a new
    channel's wording (`messages: {whatsapp: {A: ...}}`) needs no change here.
    """

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, dict[str, Text]] = Field(init=False)

    sms: dict[str, Text] = Field(default_factory=dict)
    email: dict[str, EmailTemplate] = Field(default_factory=dict)

    def wording(self, channel: str) -> dict[str, Wording]:
        """The variants written for `channel`, none when the journey leaves it to the
        channel's templates."""
        variants: dict[str, Wording] = _by_channel(self, channel) or {}
        return variants

    def channels(self) -> list[str]:
        """Every channel this journey words messages for."""
        return [*type(self).model_fields, *(self.model_extra or {})]


VariantName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")]


class Experiment(BaseModel):
    """A message experiment: the wording variants an invitation may carry, with weights.

    Each customer gets one variant per experiment, at random but always the same one
    (`surveys.assignment`), so a customer who is asked twice reads the same wording and the
    variants' answers can be compared. The weights need not add up to anything: 3 and 1
    send three in four invitations the first wording.
    """

    model_config = ConfigDict(extra="forbid")

    #: Variant name (a key of `messages.<channel>`) to its weight.
    variants: dict[VariantName, float]
    #: The touchpoints whose invitations take part; none listed means every touchpoint.
    touchpoints: list[Slug] | None = Field(default=None, min_length=1)

    @field_validator("variants")
    @classmethod
    def _positive_weights(cls, variants: dict[str, float]) -> dict[str, float]:
        if len(variants) < 2:
            raise ValueError("an experiment compares at least two variants, such as {A: 1, B: 1}")
        for name, weight in variants.items():
            if not weight > 0:
                raise ValueError(f"the weight of variant {name!r} must be above 0, not {weight}")
        return variants

    def covers(self, touchpoint: str) -> bool:
        return self.touchpoints is None or touchpoint in self.touchpoints


class ThemeKeywords(BaseModel):
    """A theme's keywords per language: a comment is about the theme when it holds one."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    en: list[str] = Field(default_factory=list)
    zh_cn: list[str] = Field(default_factory=list, alias="zh-CN")

    def for_locale(self, locale: str) -> list[str]:
        return self.zh_cn if normalise_locale(locale) == "zh-CN" else self.en


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)"
        ) from error
    return name


class JourneyDefinition(BaseModel):
    """One journey: its touchpoints, the surveys they send, and the rules for sending."""

    model_config = ConfigDict(extra="forbid")

    journey: Slug
    name: str = Field(min_length=1, max_length=200)
    brand: str | None = Field(default=None, max_length=100)
    timezone: str = "UTC"
    send_window: SendWindow = Field(default_factory=SendWindow)
    contact_policy: ContactPolicy = Field(default_factory=ContactPolicy)
    targets: Targets = Field(default_factory=Targets)
    touchpoints: list[TouchpointDefinition] = Field(min_length=1)
    surveys: dict[Slug, Survey] = Field(min_length=1)
    messages: Messages = Field(default_factory=Messages)
    follow_up: FollowUp = Field(default_factory=FollowUpRule)
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    #: How long personal data of an interaction is kept; None keeps the setting's default.
    retention: Duration | None = None
    #: Message experiments by name; a touchpoint takes part in at most one.
    experiments: dict[Slug, Experiment] = Field(default_factory=dict)
    #: The taxonomy comments are tagged with, theme to keywords per language; None keeps the
    #: default retail taxonomy (`surveys.feedback.themes.DEFAULT_THEMES`).
    themes: dict[Slug, ThemeKeywords] | None = None

    _check_timezone = field_validator("timezone")(_known_timezone)

    def touchpoint(self, key: str) -> TouchpointDefinition:
        return next(t for t in self.touchpoints if t.key == key)

    def targets_for(self, touchpoint: TouchpointDefinition) -> Targets:
        """A touchpoint's own targets override the journey's, field by field."""
        own = touchpoint.targets or Targets()
        return Targets(
            nps=own.nps if own.nps is not None else self.targets.nps,
            csat=own.csat if own.csat is not None else self.targets.csat,
        )

    def follow_up_for(self, touchpoint: TouchpointDefinition) -> FollowUpRule:
        """The journey's rule with what the touchpoint sets itself laid over it."""
        own = touchpoint.follow_up
        if own is None:
            return self.follow_up
        merged = self.follow_up.model_dump()
        for name in own.model_fields_set:
            value = getattr(own, name)
            if name == "when":
                merged["when"] = {**merged["when"], **value.model_dump(exclude_unset=True)}
            else:
                merged[name] = value
        return FollowUpRule.model_validate(merged)

    def experiment_for(self, touchpoint: str) -> tuple[str, Experiment] | None:
        """The experiment a touchpoint's invitations take part in, with its name."""
        return next(
            ((name, found) for name, found in self.experiments.items() if found.covers(touchpoint)),
            None,
        )

    def priority_of(self, touchpoint: TouchpointDefinition) -> int:
        """Lower number wins; an unset priority is the touchpoint's place in the list."""
        if touchpoint.priority is not None:
            return touchpoint.priority
        return self.touchpoints.index(touchpoint)
