"""Message experiments in the journey file: the wordings a touchpoint's invitations may
carry, with weights; and the loader's complaints, each at its line and path."""

from __future__ import annotations

import pytest

from journeys.loader import load_journey
from tests.journeys.loader_cases import CHANNELS, SMALL, problems_of

TWO_TOUCHPOINTS = SMALL.replace(
    "survey: nps-csat}",
    "survey: nps-csat}\n  - {key: ship, stage: in-sale, trigger: order.shipped, survey: nps-csat}",
    1,
)
WORDED = 'messages:\n  sms:\n    A: "Rate us: {link}"\n    B: "Two taps help us: {link}"\n'


def with_experiments(text: str) -> str:
    return TWO_TOUCHPOINTS + WORDED + "experiments:\n" + text


def found(text: str) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.path, p.message) for p in problems_of(with_experiments(text))]


def test_an_experiment_names_its_variants_weights_and_touchpoints():
    text = "  sms-wording:\n    variants: {A: 3, B: 1}\n    touchpoints: [order]\n"

    definition = load_journey(with_experiments(text), channels=CHANNELS)

    name, experiment = definition.experiment_for("order")
    assert (name, experiment.variants) == ("sms-wording", {"A": 3.0, "B": 1.0})
    assert definition.experiment_for("ship") is None


def test_an_experiment_without_touchpoints_covers_them_all():
    definition = load_journey(
        with_experiments("  sms-wording:\n    variants: {A: 1, B: 1}\n"), channels=CHANNELS
    )

    assert [definition.experiment_for(key)[0] for key in ("order", "ship")] == [
        "sms-wording",
        "sms-wording",
    ]


def test_without_experiments_nothing_takes_part():
    definition = load_journey(TWO_TOUCHPOINTS + WORDED, channels=CHANNELS)

    assert definition.experiments == {}
    assert definition.experiment_for("order") is None


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        pytest.param(
            "  sms-wording:\n    variants: {A: 1, C: 1}\n",
            [
                (
                    16,
                    "experiments.sms-wording.variants.C",
                    "no message is worded for variant 'C' (variants: A, B)",
                )
            ],
            id="unworded variant",
        ),
        pytest.param(
            "  sms-wording:\n    variants: {A: 1, B: 1}\n    touchpoints: [order, checkout]\n",
            [
                (
                    17,
                    "experiments.sms-wording.touchpoints[1]",
                    "unknown touchpoint 'checkout' (touchpoints: order, ship)",
                )
            ],
            id="unknown touchpoint",
        ),
        pytest.param(
            "  one:\n    variants: {A: 1, B: 1}\n    touchpoints: [order]\n"
            "  two:\n    variants: {A: 1, B: 1}\n    touchpoints: [ship, order]\n",
            [
                (
                    20,
                    "experiments.two.touchpoints[1]",
                    "touchpoint 'order' is already in experiment 'one'",
                )
            ],
            id="touchpoint in two experiments",
        ),
        pytest.param(
            "  sms-wording:\n    variants: {A: 0, B: 1}\n",
            [
                (
                    16,
                    "experiments.sms-wording.variants",
                    "the weight of variant 'A' must be above 0, not 0.0",
                )
            ],
            id="weight zero",
        ),
        pytest.param(
            "  sms-wording:\n    variants: {A: 1, B: -2}\n",
            [
                (
                    16,
                    "experiments.sms-wording.variants",
                    "the weight of variant 'B' must be above 0, not -2.0",
                )
            ],
            id="weight below zero",
        ),
        pytest.param(
            "  sms-wording:\n    variants: {A: 1}\n",
            [
                (
                    16,
                    "experiments.sms-wording.variants",
                    "must have at least 2 items after validation, not 1",
                )
            ],
            id="one variant",
        ),
        pytest.param(
            "  sms-wording:\n    variants: {A: 1, B: 1}\n    touchpoints: []\n",
            [(17, "experiments.sms-wording.touchpoints", "must not be empty")],
            id="no touchpoints listed",
        ),
    ],
)
def test_the_loader_says_what_is_wrong_with_an_experiment_and_where(text, problems):
    assert found(text) == problems


def test_an_experiment_in_another_channels_wording_is_worded():
    text = (
        TWO_TOUCHPOINTS
        + 'messages:\n  sms:\n    A: "Rate us: {link}"\n'
        + '  email:\n    B: {subject: "Your order", body: "Tell us: {link}"}\n'
        + "experiments:\n  wording:\n    variants: {A: 1, B: 1}\n"
    )

    assert load_journey(text, channels=CHANNELS).experiments["wording"].variants == {
        "A": 1.0,
        "B": 1.0,
    }
