"""The loader's checks that span fields: a touchpoint naming a survey that does not exist,
a duplicate key or priority, a message with an unknown placeholder or without the link."""

from __future__ import annotations

from journeys.loader import load_journey
from tests.journeys.loader_cases import SMALL, problems_in, problems_of


def test_it_checks_what_spans_fields_all_at_once():
    found = [(p.line, p.path, p.message) for p in problems_in("crossed-wires.yaml")]
    placeholders = "{brand}, {first_name}, {journey}, {link}, {touchpoint}"
    no_link = "must contain {link}: without it the customer cannot answer"
    escape = "(write {{ or }} for a literal brace)"
    assert found == [
        (5, "touchpoints[1].survey", "unknown survey 'quick-csat' (surveys: nps-csat)"),
        (5, "touchpoints[1].priority", "duplicate priority 1 (also touchpoints[0])"),
        (6, "touchpoints[2].key", "duplicate key 'order'"),
        (14, "messages.sms.B.en", f"unknown placeholder {{name}} (use {placeholders})"),
        (14, "messages.sms.B.en", no_link),
        (
            14,
            "messages.sms.B.zh-CN",
            f"bad brace: single '}}' encountered in format string {escape}",
        ),
        (17, "messages.email.A.subject.en", "write the placeholder as plain {touchpoint}"),
        (18, "messages.email.A.body.en", no_link),
    ]


def test_a_subject_may_go_without_the_link():
    text = (
        SMALL + 'messages:\n  email:\n    A: {subject: "Your {touchpoint}", body: "Tap {link}"}\n'
    )
    assert load_journey(text).messages.email["A"].subject.en == "Your {touchpoint}"


def test_a_literal_brace_is_written_twice():
    text = SMALL + 'messages:\n  sms:\n    A: "{{shop}} asks: {link}"\n'
    assert load_journey(text).messages.sms["A"].en == "{{shop}} asks: {link}"


def test_every_channel_the_journey_names_is_checked_against_the_known_ones():
    text = (
        SMALL.replace("survey: nps-csat}", "survey: nps-csat, channels: [sms, fax],").replace(
            ", channels: [sms, fax],", ", channels: [sms, fax], reminder: {pager: P2D}}"
        )
        + 'messages:\n  smss:\n    A: "Rate us: {link}"\n  Bad Name:\n    A: "{link}"\n'
    )

    found = [(p.line, p.path, p.message) for p in problems_of(text)]

    known = "(channels: email, sms)"
    assert found == [
        (4, "touchpoints[0].channels[1]", f"unknown channel 'fax' {known}"),
        (4, "touchpoints[0].reminder.pager", f"unknown channel 'pager' {known}"),
        (10, "messages.smss", f"unknown channel 'smss' {known}"),
        (
            12,
            'messages["Bad Name"]',
            "invalid name: a channel is a lower-case name of letters, digits and _ (e.g. sms),"
            " not 'Bad Name'",
        ),
    ]


def test_a_new_channel_may_be_worded_as_one_text():
    text = SMALL + 'messages:\n  whatsapp:\n    A: "Rate your {touchpoint}: {link}"\n'

    definition = load_journey(text, channels=("email", "sms", "whatsapp"))

    assert definition.messages.wording("whatsapp")["A"].en == "Rate your {touchpoint}: {link}"


def test_without_the_known_channels_only_their_form_is_checked():
    text = SMALL.replace("survey: nps-csat}", "survey: nps-csat, channels: [fax]}")

    assert load_journey(text).touchpoints[0].channels == ["fax"]
