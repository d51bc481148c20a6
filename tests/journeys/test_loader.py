from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel

from journeys.loader import (
    DEMO_DIR,
    JourneyFileError,
    Problem,
    journey_digest,
    load_journey,
    load_journey_file,
)
from journeys.schema import JourneyDefinition, LocalizedText

FIXTURES = Path(__file__).with_name("fixtures")
DEMO = DEMO_DIR / "online-store.yaml"

SMALL = """\
journey: shop
name: Shop
touchpoints:
  - {key: order, stage: in-sale, trigger: order.placed, delay: P7D, survey: nps-csat}
surveys:
  nps-csat:
    questions:
      - {type: nps, text: "How likely are you to recommend us?"}
"""


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(JourneyFileError) as caught:
        load_journey(text, source="shop.yaml")
    return caught.value.problems


def problems_in(fixture: str) -> list[Problem]:
    with pytest.raises(JourneyFileError) as caught:
        load_journey_file(FIXTURES / fixture)
    return caught.value.problems


def test_it_reports_every_error_with_its_path_and_line():
    found = [(p.line, p.path) for p in problems_in("many-mistakes.yaml")]
    assert found == [
        (3, "timezone"),
        (4, "send_window.end"),
        (4, "send_window.days[1]"),
        (6, "touchpoints[0].survey"),
        (10, "touchpoints[1].delay"),
        (12, "touchpoints[2].survey"),
        (12, "touchpoints[2].dealy"),
        (13, "touchpoints[3].survey"),
        (17, "touchpoints[3].channels[1]"),
        (22, "surveys.nps-csat.questions[1].type"),
    ]


def test_it_says_each_error_as_a_person_would():
    messages = {p.path: p.message for p in problems_in("many-mistakes.yaml")}
    assert messages["touchpoints[1].delay"] == "not an ISO-8601 duration (e.g. P7D, PT12H)"
    assert messages["touchpoints[0].survey"] == "unknown survey 'quick-csat' (surveys: nps-csat)"
    assert messages["touchpoints[2].dealy"] == "unknown field (did you mean 'delay'?)"
    assert messages["touchpoints[3].survey"] == "required"
    assert messages["touchpoints[3].channels[1]"] == "must be one of 'sms' or 'email', not 'fax'"
    assert messages["surveys.nps-csat.questions[1].type"] == (
        "must be one of 'nps', 'csat' or 'text', not 'stars'"
    )
    assert messages["send_window.end"] == "must be later than start"


def test_the_error_lists_one_problem_per_line_with_file_and_line():
    with pytest.raises(JourneyFileError) as caught:
        load_journey_file(FIXTURES / "many-mistakes.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 10
    assert lines[4] == (
        f"{FIXTURES / 'many-mistakes.yaml'}:10: touchpoints[1].delay: "
        "not an ISO-8601 duration (e.g. P7D, PT12H)"
    )


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


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "journey: shop\nname: [Shop\n",
            3,
            "invalid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "journey: shop\nname: Shop: the best\n",
            2,
            "invalid YAML: mapping values are not allowed here",
        ),
        ('journey: shop\nname: "Shop\n', 3, "invalid YAML: found unexpected end of stream"),
        ("journey: a\n---\njourney: b\n", 2, "invalid YAML: but found another document"),
        (
            "journey: !!python/object:os.system x\n",
            1,
            "invalid YAML: could not determine a constructor",
        ),
    ],
)
def test_a_yaml_syntax_error_is_one_problem_with_its_line(text, line, message):
    (problem,) = problems_of(text)
    assert problem.line == line
    assert problem.message.startswith(message)
    assert problem.path == ""


def test_a_control_character_is_reported_on_its_line():
    (problem,) = problems_of("journey: shop\nname: Sh\x07op\n")
    assert (problem.line, problem.message) == (
        2,
        "invalid YAML: character #x0007: special characters are not allowed",
    )


@pytest.mark.parametrize(
    ("original", "replacement", "path", "message"),
    [
        (
            "trigger: order.placed",
            "trigger: order placed",
            "touchpoints[0].trigger",
            "may only hold letters, digits and '.', '_', ':', '-', not 'order placed'",
        ),
        (
            "key: order",
            "key: Order",
            "touchpoints[0].key",
            "must be a lower-case name of letters, digits, - and _ (e.g. nps-csat), not 'Order'",
        ),
        (
            "delay: P7D",
            "delay: P7D, sample: 0",
            "touchpoints[0].sample",
            "must be greater than 0",
        ),
        (
            "name: Shop",
            "name: Shop\nsend_window: {start: '25:00'}",
            "send_window.start",
            "not a time of day as HH:MM (hour value is outside expected range of 0-23)",
        ),
        (
            "name: Shop",
            "name: Shop\nmessages: {sms: {A: 3}}",
            "messages.sms.A",
            "expected a text, or one text per language (en, zh-CN)",
        ),
        (
            "  - {key: order, stage: in-sale, trigger: order.placed, delay: P7D, survey: nps-csat}",
            "  - order",
            "touchpoints[0]",
            "expected a mapping of fields",
        ),
        ("name: Shop", "name: [Shop]", "name", "expected a text"),
        (
            'text: "How likely are you to recommend us?"',
            "text: {en: Likely to recommend, zh-cn: 推荐吗}",
            "surveys.nps-csat.questions[0].text.zh-cn",
            "unknown field (did you mean 'zh-CN'?)",
        ),
    ],
)
def test_it_explains_a_value_of_the_wrong_kind(original, replacement, path, message):
    (problem,) = problems_of(SMALL.replace(original, replacement))
    assert (problem.path, problem.message) == (path, message)


def test_an_unterminated_quote_says_where_it_started():
    (problem,) = problems_of('journey: shop\nname: "Shop\n')
    assert problem.message.endswith("(while scanning a quoted scalar on line 2)")
    assert str(JourneyFileError([problem], "shop.yaml")).startswith("shop.yaml:3: invalid YAML")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("# nothing here yet\n", "the file is empty"),
        ("- journey: shop\n", "the file is a YAML list"),
        ("online-store\n", "the file is a YAML str"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_one_clear_problem(text, message):
    (problem,) = problems_of(text)
    assert problem.message.startswith(message)
    assert "expected a mapping with journey, name, touchpoints" in problem.message


def test_a_key_written_twice_is_reported_at_the_second():
    text = SMALL.replace("delay: P7D", "delay: P7D, delay: P3D")
    (problem,) = problems_of(text)
    assert (problem.line, problem.path) == (4, "touchpoints[0].delay")
    assert problem.message == "written twice (YAML would silently keep only the last)"


def test_a_missing_field_is_reported_at_its_parent():
    text = SMALL.replace(
        '      - {type: nps, text: "How likely are you to recommend us?"}', "      - {type: nps}"
    )
    (problem,) = problems_of(text)
    assert (problem.line, problem.path, problem.message) == (
        8,
        "surveys.nps-csat.questions[0].text",
        "required",
    )


def test_a_bad_survey_name_is_reported_with_the_name_quoted():
    text = SMALL.replace("  nps-csat:", "  NPS survey:").replace("survey: nps-csat", "survey: x")
    problems = {p.path: p for p in problems_of(text)}
    problem = problems['surveys["NPS survey"]']
    assert problem.line == 6
    assert problems["touchpoints[0].survey"].message == ("unknown survey 'x' (surveys: NPS survey)")
    assert problem.message.startswith("invalid name: must be a lower-case name")


def test_every_missing_top_level_field_is_named():
    found = {(p.path, p.message) for p in problems_of("jouney: shop\n")}
    assert found == {
        ("journey", "required"),
        ("name", "required"),
        ("touchpoints", "required"),
        ("surveys", "required"),
        ("jouney", "unknown field (did you mean 'journey'?)"),
    }


def test_an_empty_list_or_text_is_named_as_empty():
    text = SMALL.replace("name: Shop", "name: ''").replace(
        "    questions:\n", "    questions: []\n"
    )
    text = text.replace('      - {type: nps, text: "How likely are you to recommend us?"}\n', "")
    found = {(p.line, p.path, p.message) for p in problems_of(text)}
    assert found == {
        (2, "name", "must not be empty"),
        (7, "surveys.nps-csat.questions", "must not be empty"),
    }


def test_aliases_are_read_once_however_often_they_repeat():
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]\n"
        for before, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    problems = problems_of(laughs + "journey: shop\nname: *i\n")
    assert ("name", "expected a text") in {(p.path, p.message) for p in problems}
    (looped,) = [p for p in problems_of("journey: &me [*me]\n") if p.path == "journey"]
    assert looped.message == "expected a text"


def test_an_unquoted_clock_time_reads_as_a_time_of_day():
    text = SMALL + "send_window: {start: 9:30, end: 20:00}\n"
    window = load_journey(text).send_window
    assert (window.start, window.end) == (time(9, 30), time(20, 0))


def test_the_end_of_day_is_written_24_00():
    text = SMALL + 'send_window: {start: "18:00", end: "24:00"}\n'
    assert load_journey(text).send_window.end == time.max


def test_the_demo_journey_loads_with_five_touchpoints():
    shop = load_journey_file(DEMO)
    assert [t.key for t in shop.touchpoints] == ["browse", "order", "ship", "use", "after-sales"]
    assert shop.timezone == "Asia/Shanghai"
    assert shop.touchpoint("browse").sample == 0.05
    assert shop.touchpoint("order").delay == timedelta(days=7)
    assert shop.touchpoint("order").display_name("zh-CN") == "下单"
    assert shop.targets_for(shop.touchpoint("after-sales")).csat == 90
    assert set(shop.surveys) == {"nps-csat", "quick-csat"}
    assert [q.type for q in shop.surveys["quick-csat"].questions] == ["csat", "text"]
    assert set(shop.messages.sms) == {"A", "B"}
    assert set(shop.messages.email) == {"A"}


def texts_in(value: object) -> list[LocalizedText]:
    if isinstance(value, LocalizedText):
        return [value]
    if isinstance(value, BaseModel):
        return [t for name in type(value).model_fields for t in texts_in(getattr(value, name))]
    if isinstance(value, dict):
        return [t for item in value.values() for t in texts_in(item)]
    if isinstance(value, list):
        return [t for item in value for t in texts_in(item)]
    return []


def test_the_demo_journey_says_everything_in_english_and_chinese():
    texts = texts_in(load_journey_file(DEMO))
    assert len(texts) == 5 + 5 + 2 + 2  # names, questions, sms, email subject and body
    assert [t.en for t in texts if not t.zh_cn] == []


def test_the_digest_ignores_layout_and_comments():
    shop = load_journey(SMALL)
    reworded = SMALL.replace(
        "  - {key: order, stage: in-sale, trigger: order.placed, delay: P7D, survey: nps-csat}",
        "  # the order itself\n  - key: order\n    stage: in-sale\n    trigger: order.placed\n"
        "    delay: P1W\n    survey: nps-csat",
    )
    assert journey_digest(load_journey(reworded)) == journey_digest(shop)
    assert len(journey_digest(shop)) == 64


def test_the_digest_changes_with_the_meaning():
    shop = load_journey(SMALL)
    slower = load_journey(SMALL.replace("delay: P7D", "delay: P8D"))
    assert journey_digest(slower) != journey_digest(shop)
    assert journey_digest(JourneyDefinition.model_validate(shop.model_dump(by_alias=True))) == (
        journey_digest(shop)
    )
