"""Loading a journey file: every problem reported at once, at its path and line, in plain words.

The checks that span fields are in `test_loader_cross_fields`; the demo journey, clock
times and the digest in `test_loader_journeys`.
"""

from __future__ import annotations

import pytest

from journeys.loader import JourneyFileError, load_journey_file
from tests.journeys.loader_cases import CHANNELS, FIXTURES, SMALL, problems_in, problems_of


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
    assert messages["touchpoints[3].channels[1]"] == "unknown channel 'fax' (channels: email, sms)"
    assert messages["surveys.nps-csat.questions[1].type"] == (
        "must be one of 'nps', 'csat' or 'text', not 'stars'"
    )
    assert messages["send_window.end"] == "must be later than start"


def test_the_error_lists_one_problem_per_line_with_file_and_line():
    with pytest.raises(JourneyFileError) as caught:
        load_journey_file(FIXTURES / "many-mistakes.yaml", channels=CHANNELS)
    lines = str(caught.value).splitlines()
    assert len(lines) == 10
    assert lines[4] == (
        f"{FIXTURES / 'many-mistakes.yaml'}:10: touchpoints[1].delay: "
        "not an ISO-8601 duration (e.g. P7D, PT12H)"
    )


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


def test_a_mistyped_send_window_or_contact_policy_field_gets_a_suggestion():
    text = SMALL + 'send_window: {strat: "09:00"}\ncontact_policy: {min_days_between_survey: 3}\n'
    found = {(p.line, p.path, p.message) for p in problems_of(text)}
    assert found == {
        (9, "send_window.strat", "unknown field (did you mean 'start'?)"),
        (
            10,
            "contact_policy.min_days_between_survey",
            "unknown field (did you mean 'min_days_between_surveys'?)",
        ),
    }
