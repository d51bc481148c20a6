"""The journey files the loader tests read: a small valid journey to vary, and fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeys.loader import JourneyFileError, Problem, load_journey, load_journey_file

FIXTURES = Path(__file__).with_name("fixtures")
#: The channels there are, as the composition root passes them (`dispatch` knows them).
CHANNELS = ("email", "sms")

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
        load_journey(text, source="shop.yaml", channels=CHANNELS)
    return caught.value.problems


def problems_in(fixture: str) -> list[Problem]:
    with pytest.raises(JourneyFileError) as caught:
        load_journey_file(FIXTURES / fixture, channels=CHANNELS)
    return caught.value.problems
