"""The journey map's stages, cards and states, as tables (pure)."""

from __future__ import annotations

import pytest

from journeys.loader import load_journey
from journeys.schema import Targets
from surveys import scoring
from surveys.reports import TouchpointRow
from tests.conftest import SHOP_JOURNEY
from web.journey_map import card_state, journey_map, journey_scores

SHOP = load_journey(SHOP_JOURNEY.read_text("utf-8"))
MIN = 30
SHOP_TARGETS = Targets(nps=40, csat=85)


def row(
    key: str,
    nps: tuple[int, int, int] = (0, 0, 0),
    csat: tuple[int, int] = (0, 0),
    targets: Targets = SHOP_TARGETS,
) -> TouchpointRow:
    now_nps = scoring.nps(*nps, min_sample=MIN)
    now_csat = scoring.csat(*csat, min_sample=MIN)
    return TouchpointRow(
        touchpoint=key,
        stage="",
        nps=now_nps,
        csat=now_csat,
        sent=0,
        responses=0,
        response_rate=None,
        previous_nps=scoring.nps(0, 0, 0),
        previous_csat=scoring.csat(0, 0),
        nps_change=None,
        csat_change=None,
        targets=targets,
        nps_target_met=None if now_nps.score is None else now_nps.score > (targets.nps or 0),
        csat_target_met=None if now_csat.score is None else now_csat.score >= (targets.csat or 0),
    )


def test_stages_run_in_the_order_the_touchpoints_first_use_them():
    stages = journey_map(SHOP, [], MIN)

    assert [s.name for s in stages] == ["pre-sale", "in-sale", "after-sale"]
    assert [[c.key for c in s.cards] for s in stages] == [
        ["browse"],
        ["order", "ship"],
        ["use", "after-sales"],
    ]


def test_a_card_says_what_the_touchpoint_does():
    after_sales = journey_map(SHOP, [], MIN)[2].cards[1]

    assert after_sales.name == "after-sales service"
    assert after_sales.trigger == "ticket.closed"
    assert after_sales.delay == "7 days"
    assert after_sales.channels == ("email", "sms")
    assert after_sales.survey == "nps-csat"
    assert after_sales.targets == "NPS above 40, CSAT 90% or more"
    browse = journey_map(SHOP, [], MIN)[0].cards[0]
    assert (browse.sample, browse.delay) == ("5%", "1 day")


@pytest.mark.parametrize(
    ("nps", "csat", "state"),
    [
        ((0, 0, 0), (0, 0), "no-answers"),
        ((30, 5, 5), (36, 40), "met"),  # NPS +62.5, CSAT 90%
        ((30, 5, 5), (20, 40), "missed"),  # CSAT 50%
        ((10, 0, 10), (36, 40), "missed"),  # NPS 0
        ((5, 0, 0), (5, 5), "low-sample"),  # n=5 of the 30 wanted
        ((0, 0, 5), (0, 5), "missed"),  # missed beats low sample
    ],
)
def test_the_state_of_a_card(nps, csat, state):
    card = journey_map(SHOP, [row("order", nps, csat)], MIN)[1].cards[0]

    assert card.state == state


def test_without_targets_scores_are_not_judged():
    nps = scoring.nps(30, 5, 5, min_sample=MIN)
    csat = scoring.csat(20, 40, min_sample=MIN)

    assert card_state(nps, csat, Targets(), None, None) == "no-target"


def test_every_figure_is_written_out_with_its_n():
    card = journey_map(SHOP, [row("order", (30, 5, 5), (20, 40))], MIN)[1].cards[0]

    nps, csat = (str(figure) for figure in card.figures)
    assert nps.startswith("NPS +62.5 ± ") and nps.endswith("(n=40), target above 40: met")
    assert csat == "CSAT 50.0% (n=40), target 85% or more: missed"
    assert card.state_label == "target missed"


def test_a_touchpoint_without_answers_says_so():
    card = journey_map(SHOP, [], MIN)[0].cards[0]

    assert [str(f) for f in card.figures] == [
        "NPS — (n=0), target above 40: no answers yet",
        "CSAT — (n=0), target 85% or more: no answers yet",
    ]


def test_the_journey_scores_sum_the_touchpoints_and_judge_by_the_journey_targets():
    rows = [row("order", (20, 0, 0), (18, 20)), row("use", (0, 0, 20), (2, 20))]

    scores = journey_scores(SHOP, rows, MIN)

    assert (scores.nps.n, scores.nps.score, scores.nps_met) == (40, 0.0, False)
    assert (scores.csat.n, scores.csat.score, scores.csat_met) == (40, 50.0, False)
    assert scores.states == {"low-sample": 1, "missed": 1, "no-answers": 3}
