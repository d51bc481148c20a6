"""The loader's checks that span fields: a touchpoint naming a survey that does not exist,
a duplicate key or priority, a message with an unknown placeholder or without the link."""

from __future__ import annotations

from journeys.loader import load_journey
from tests.journeys.loader_cases import SMALL, problems_in


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
