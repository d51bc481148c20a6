from __future__ import annotations

from datetime import time, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from journeys.policies import SendWindow
from journeys.schema import (
    Duration,
    JourneyDefinition,
    LocalizedText,
    Messages,
    Survey,
    Text,
    TouchpointDefinition,
    normalise_locale,
)

TEXT = TypeAdapter(Text)
DURATION = TypeAdapter(Duration)


def touchpoint(**fields: object) -> TouchpointDefinition:
    base = {"key": "order", "stage": "in-sale", "trigger": "order.placed", "survey": "nps-csat"}
    return TouchpointDefinition.model_validate(base | fields)


def journey(*touchpoints: dict[str, object], **fields: object) -> JourneyDefinition:
    survey = {"questions": [{"type": "nps", "text": "How likely are you to recommend us?"}]}
    base = {"journey": "shop", "name": "Shop", "touchpoints": list(touchpoints)}
    return JourneyDefinition.model_validate(base | {"surveys": {"nps-csat": survey}} | fields)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [("zh", "zh-CN"), ("zh_CN", "zh-CN"), ("zh-Hans", "zh-CN"), ("EN-us", "en"), ("fr", "en")],
)
def test_it_maps_what_systems_send_onto_a_supported_locale(sent, expected):
    assert normalise_locale(sent) == expected


def test_a_plain_string_is_english_and_serves_every_locale():
    text = TEXT.validate_python("How was your order?")
    assert text == LocalizedText(en="How was your order?")
    assert text.in_locale("zh-CN") == "How was your order?"
    assert text.items() == [("en", "How was your order?")]


def test_a_chinese_reader_gets_the_chinese_text():
    text = TEXT.validate_python({"en": "How was your order?", "zh-CN": "您对下单满意吗？"})
    assert text.in_locale("zh_CN") == "您对下单满意吗？"
    assert text.in_locale("de") == "How was your order?"
    assert [locale for locale, _ in text.items()] == ["en", "zh-CN"]


def test_every_text_needs_english():
    with pytest.raises(ValidationError, match="en\n  Field required"):
        TEXT.validate_python({"zh-CN": "您对下单满意吗？"})


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("09:00", time(9)),
        (1200, time(20)),  # YAML 1.1 reads an unquoted 20:00 as 1200 minutes
        ("24:00", time.max),
        (1440, time.max),
    ],
)
def test_it_reads_a_clock_time(written, expected):
    assert SendWindow.model_validate({"start": "00:00", "end": written}).end == expected


@pytest.mark.parametrize("written", ["9", "nine", "9.30", "08:00:30"])
def test_it_refuses_a_clock_time_not_written_as_hh_mm(written):
    with pytest.raises(ValidationError, match="expected a time of day as HH:MM"):
        SendWindow.model_validate({"start": written})


def test_a_window_must_end_after_it_starts():
    with pytest.raises(ValidationError, match="must be later than start"):
        SendWindow.model_validate({"start": "20:00", "end": "09:00"})


def test_a_window_lists_each_day_once():
    with pytest.raises(ValidationError, match="a day is listed twice"):
        SendWindow(days=["mon", "mon"])


def test_a_window_knows_its_python_weekdays():
    assert SendWindow(days=["mon", "sat"]).weekdays == {0, 5}
    assert SendWindow().weekdays == set(range(7))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("P7D", timedelta(days=7)),
        ("p7d", timedelta(days=7)),
        ("P2W", timedelta(weeks=2)),
        ("PT12H", timedelta(hours=12)),
        ("P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        ("PT1.5S", timedelta(seconds=1.5)),
        (timedelta(hours=1), timedelta(hours=1)),
    ],
)
def test_it_reads_an_iso_8601_duration(written, expected):
    assert DURATION.validate_python(written) == expected


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("7 days", "not an ISO-8601 duration"),
        ("P", "not an ISO-8601 duration"),
        ("PT", "not an ISO-8601 duration"),
        ("P1DT", "not an ISO-8601 duration"),
        (7, "not an ISO-8601 duration"),
        ("P1M", "years and months have no fixed length"),
    ],
)
def test_it_refuses_what_is_not_a_fixed_duration(written, message):
    with pytest.raises(ValidationError, match=message):
        DURATION.validate_python(written)


def test_a_delay_cannot_be_negative():
    with pytest.raises(ValidationError, match="must not be negative"):
        touchpoint(delay=timedelta(days=-1))


def test_a_touchpoint_has_sensible_defaults():
    order = touchpoint()
    assert (order.delay, order.max_age, order.sample) == (timedelta(0), timedelta(days=14), 1.0)
    assert order.channels == ["sms", "email"]


def test_a_touchpoint_without_a_name_is_called_by_its_key():
    assert touchpoint(key="after-sales").display_name("en") == "after sales"
    named = touchpoint(key="order", name={"en": "order", "zh-CN": "下单"})
    assert named.display_name("zh") == "下单"


def test_a_survey_asks_each_kind_of_question_once():
    question = {"type": "nps", "text": "How likely are you to recommend us?"}
    with pytest.raises(ValidationError, match="at most one nps question"):
        Survey.model_validate({"questions": [question, question]})


def test_a_touchpoint_target_overrides_the_journey_target_field_by_field():
    shop = journey(
        {"key": "order", "stage": "in-sale", "trigger": "order.placed", "survey": "nps-csat"},
        {
            "key": "after-sales",
            "stage": "after-sale",
            "trigger": "ticket.closed",
            "survey": "nps-csat",
            "targets": {"csat": 90},
        },
        targets={"nps": 40, "csat": 85},
    )
    order, after_sales = shop.touchpoints
    assert (shop.targets_for(order).nps, shop.targets_for(order).csat) == (40, 85)
    assert (shop.targets_for(after_sales).nps, shop.targets_for(after_sales).csat) == (40, 90)


def test_an_unset_priority_is_the_place_in_the_list():
    shop = journey(
        {"key": "order", "stage": "in-sale", "trigger": "order.placed", "survey": "nps-csat"},
        {"key": "ship", "stage": "in-sale", "trigger": "s", "survey": "nps-csat", "priority": 0},
    )
    assert [shop.priority_of(t) for t in shop.touchpoints] == [0, 0]
    assert shop.touchpoint("ship").priority == 0


def test_a_journey_needs_a_known_time_zone():
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        journey(
            {"key": "order", "stage": "in-sale", "trigger": "order.placed", "survey": "nps-csat"},
            timezone="Mars/Olympus",
        )


@pytest.mark.parametrize(
    ("reminder", "email", "sms"),
    [
        (None, timedelta(days=3), None),  # not set: on for email, off for SMS
        ({"email": "P3D", "sms": "P2D"}, timedelta(days=3), timedelta(days=2)),
        ({"sms": "PT36H"}, timedelta(days=3), timedelta(hours=36)),
        ({"email": False}, None, None),
        ({"email": "off"}, None, None),
        (False, None, None),  # `reminder: off` as YAML reads it
        ("off", None, None),
    ],
)
def test_a_touchpoint_reminds_once_per_channel(reminder, email, sms):
    fields = {} if reminder is None else {"reminder": reminder}
    policy = touchpoint(**fields).reminder

    assert (policy.after("email"), policy.after("sms")) == (email, sms)


def test_a_bad_reminder_is_named():
    with pytest.raises(ValidationError) as error:
        touchpoint(reminder={"email": "3 days", "whatsapp": "soon"})

    places = {".".join(map(str, e["loc"])) for e in error.value.errors()}
    assert places == {"reminder.email", "reminder.whatsapp"}


def test_any_channel_may_have_a_reminder_and_its_own_wording():
    """Which channels exist is dispatch's to say; the schema only keeps what is written."""
    policy = touchpoint(channels=["whatsapp", "email"], reminder={"whatsapp": "P2D"}).reminder
    messages = Messages.model_validate({"whatsapp": {"A": "Rate us: {link}"}})

    assert policy.after("whatsapp") == timedelta(days=2)
    assert policy.after("email") == timedelta(days=3)
    assert messages.wording("whatsapp")["A"].en == "Rate us: {link}"
    assert messages.wording("fax") == {}


def test_a_channel_name_is_a_lower_case_word():
    with pytest.raises(ValidationError) as error:
        touchpoint(channels=["sms", "Fax machine"])

    assert [e["loc"] for e in error.value.errors()] == [("channels", 1)]
