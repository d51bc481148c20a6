"""The journey file's follow-up parts: the rule that opens cases and its SLA clocks, the
service team's business hours, and how long personal data is kept. Every mistake is named
with its path, all at once, through the loader as a CX owner meets it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from journeys.loader import load_journey
from journeys.schema import FollowUpRule, JourneyDefinition
from tests.journeys.loader_cases import SMALL, problems_of

TWO_TOUCHPOINTS = """\
journey: shop
name: Shop
touchpoints:
  - {key: order, stage: in-sale, trigger: order.placed, delay: P7D, survey: nps-csat}
  - key: use
    stage: after-sale
    trigger: order.delivered
    survey: nps-csat
"""
SURVEYS = """\
surveys:
  nps-csat:
    questions:
      - {type: nps, text: "How likely are you to recommend us?"}
"""


def journey(*, use: str = "", rest: str = "") -> str:
    """The two-touchpoint shop; `use` adds lines to the `use` touchpoint, `rest` to the
    journey."""
    return TWO_TOUCHPOINTS + use + SURVEYS + rest


def found(text: str) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.path, p.message) for p in problems_of(text)]


def test_every_mistake_in_the_follow_up_parts_is_named_at_once():
    text = journey(
        use="    follow_up: {when: {nps_at_most: 11, csat_at_most: 0}, hours: office,"
        " first_response: soon, team: Care Team}\n",
        rest="""\
follow_up:
  first_response: 2 hours
  resolution: PT0S
  pause_while_waiting: sometimes
  whenn: {contact_requested: true}
business_hours:
  start: "18:00"
  end: "09:00"
  days: [mon, funday]
  holidays: [christmas]
retention: P1Y
""",
    )
    slug = "must be a lower-case name of letters, digits, - and _ (e.g. nps-csat)"
    days = "'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'"
    assert found(text) == [
        (9, "touchpoints[1].follow_up.when.nps_at_most", "must be less than or equal to 10"),
        (9, "touchpoints[1].follow_up.when.csat_at_most", "must be greater than or equal to 1"),
        (
            9,
            "touchpoints[1].follow_up.first_response",
            "not an ISO-8601 duration (e.g. P7D, PT12H)",
        ),
        (9, "touchpoints[1].follow_up.hours", "must be one of 'wall' or 'business', not 'office'"),
        (9, "touchpoints[1].follow_up.team", f"{slug}, not 'Care Team'"),
        (15, "follow_up.first_response", "not an ISO-8601 duration (e.g. P7D, PT12H)"),
        (16, "follow_up.resolution", "must be longer than zero"),
        (17, "follow_up.pause_while_waiting", "must be true or false"),
        (18, "follow_up.whenn", "unknown field (did you mean 'when'?)"),
        (
            21,
            "business_hours.end",
            "must be later than start (business hours do not cross midnight)",
        ),
        (22, "business_hours.days[1]", f"must be one of {days}, not 'funday'"),
        (23, "business_hours.holidays[0]", "not a date as YYYY-MM-DD (e.g. 2026-12-25)"),
        (
            24,
            "retention",
            "years and months have no fixed length: use days or weeks (e.g. P30D)",
        ),
    ]


def test_a_follow_up_that_is_neither_a_mapping_nor_off_is_named():
    assert found(journey(use="    follow_up: maybe\n")) == [
        (9, "touchpoints[1].follow_up", "expected a mapping of fields, or off"),
    ]


def test_a_holiday_that_is_no_date_is_named_with_its_line():
    [problem] = problems_of(journey(rest="business_hours:\n  holidays: [2026-13-01]\n"))
    assert problem.line == 14
    assert problem.message == "invalid YAML: not a date: 2026-13-01 (month must be in 1..12)"


@pytest.mark.parametrize(
    ("use", "rest", "problem"),
    [
        (
            "",
            "follow_up: {first_response: P2D, resolution: P1D}\n",
            (13, "follow_up.first_response", "must not be longer than the resolution time (P1D)"),
        ),
        (
            "    follow_up: {resolution: PT1H}\n",
            "",
            (
                9,
                "touchpoints[1].follow_up.first_response",
                "must not be longer than the resolution time (PT1H)",
            ),
        ),
        (
            "",
            "retention: P0D\n",
            (13, "retention", "must be longer than zero (leave it out to keep the default)"),
        ),
        (
            "",
            "retention: P3D\n",
            (13, "retention", "must be longer than every delay (touchpoints[0] waits P7D)"),
        ),
    ],
)
def test_the_rules_that_span_fields(use, rest, problem):
    assert found(journey(use=use, rest=rest)) == [problem]


def test_without_a_follow_up_section_detractors_get_a_case_on_wall_clock_time():
    definition = load_journey(SMALL)

    rule = definition.follow_up
    assert (rule.enabled, rule.hours, rule.team) == (True, "wall", None)
    assert (rule.first_response, rule.resolution) == (timedelta(hours=2), timedelta(hours=24))
    assert (rule.when.nps_at_most, rule.when.csat_at_most, rule.when.contact_requested) == (
        6,
        2,
        True,
    )
    hours = definition.business_hours
    assert (hours.start, hours.end, hours.days) == (
        time(9),
        time(18),
        ["mon", "tue", "wed", "thu", "fri"],
    )
    assert definition.retention is None


def test_business_hours_may_run_to_midnight_and_list_holidays():
    definition = load_journey(
        journey(rest='business_hours: {start: "08:00", end: "24:00", holidays: [2026-12-25]}\n')
    )

    assert definition.business_hours.end == time.max
    assert definition.business_hours.holidays == [date(2026, 12, 25)]


@pytest.mark.parametrize("off", ["off", '"off"', "false", "Off"])
def test_follow_up_off_opens_no_cases(off):
    definition = load_journey(journey(rest=f"follow_up: {off}\n"))

    assert definition.follow_up.enabled is False
    assert definition.follow_up_for(definition.touchpoint("use")).enabled is False


def test_a_touchpoint_sets_its_own_rule_over_the_journeys_field_by_field():
    definition = load_journey(
        journey(
            use="    follow_up: {first_response: PT1H, when: {csat_at_most: 3}, team: care}\n",
            rest="follow_up: {resolution: P2D, hours: business, when: {nps_at_most: 4}}\n",
        )
    )

    use = definition.follow_up_for(definition.touchpoint("use"))
    assert use.first_response == timedelta(hours=1)  # its own
    assert use.resolution == timedelta(days=2)  # the journey's
    assert (use.hours, use.team) == ("business", "care")
    assert (use.when.nps_at_most, use.when.csat_at_most) == (4, 3), "when merged key by key"
    assert definition.follow_up_for(definition.touchpoint("order")) == definition.follow_up


def test_a_touchpoint_may_turn_follow_up_off_or_back_on():
    off_here = load_journey(journey(use="    follow_up: off\n"))
    on_here = load_journey(journey(use="    follow_up: {enabled: true}\n", rest="follow_up: off\n"))

    assert off_here.follow_up_for(off_here.touchpoint("use")).enabled is False
    assert off_here.follow_up_for(off_here.touchpoint("order")).enabled is True
    assert on_here.follow_up_for(on_here.touchpoint("use")).enabled is True
    assert on_here.follow_up_for(on_here.touchpoint("order")).enabled is False


def test_a_touchpoint_off_keeps_the_journeys_clocks_for_when_it_is_turned_on():
    definition = load_journey(
        journey(use="    follow_up: off\n", rest="follow_up: {first_response: PT4H}\n")
    )

    rule = definition.follow_up_for(definition.touchpoint("use"))
    assert isinstance(rule, FollowUpRule)
    assert (rule.enabled, rule.first_response) == (False, timedelta(hours=4))


def test_the_follow_up_parts_survive_being_stored_and_read_back():
    definition = load_journey(
        journey(
            use="    follow_up: {first_response: PT90M, hours: business}\n",
            rest='business_hours: {end: "24:00", holidays: [2026-12-25]}\nretention: P400D\n',
        )
    )

    stored = definition.model_dump(mode="json", by_alias=True)

    assert stored["business_hours"]["end"] == "24:00"
    assert stored["retention"] == "P400D"
    assert JourneyDefinition.model_validate(stored) == definition
