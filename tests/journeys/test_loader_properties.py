"""Properties of the journey parser, for any YAML: a journey, or every problem with its
path or line, never an exception of another kind."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

import tests.properties  # noqa: F401  (the hypothesis profile)
from journeys.loader import JourneyFileError, load_journey
from journeys.schema import JourneyDefinition

SHOP = (Path(__file__).parent / "fixtures" / "shop.yaml").read_text("utf-8")
SHOP_DATA = yaml.safe_load(SHOP)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["09:00", "25:00", "P7D", "PT-1H", "2026-02-30", "nps", "sms", "en"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


def parsed(text: str) -> JourneyDefinition | JourneyFileError:
    try:
        return load_journey(text)
    except JourneyFileError as error:
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem.path, str) and problem.message
        return error


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


SHOP_PATHS = paths(SHOP_DATA)[1:]


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: replaced(v, rest, value) if k == head else v for k, v in data.items()}
    return [replaced(v, rest, value) if i == head else v for i, v in enumerate(data)]


@given(st.text(max_size=300))
def test_any_text_is_a_journey_or_its_problems(text):
    parsed(text)


@given(VALUES)
def test_any_yaml_document_is_a_journey_or_its_problems(value):
    parsed(yaml.safe_dump(value, allow_unicode=True))


@given(st.sampled_from(SHOP_PATHS), VALUES)
def test_a_valid_journey_with_one_part_changed_is_a_journey_or_problems_that_say_where(path, value):
    text = yaml.safe_dump(replaced(SHOP_DATA, path, value), allow_unicode=True, sort_keys=False)

    found = parsed(text)

    if isinstance(found, JourneyFileError):
        assert all(p.path or p.line is not None for p in found.problems), found.problems


@given(st.sampled_from(SHOP_PATHS), st.sampled_from(SHOP_PATHS))
def test_a_valid_journey_with_one_part_dropped_or_moved_is_a_journey_or_its_problems(path, other):
    value: Any = SHOP_DATA
    for step in other:
        value = value[step]
    parsed(yaml.safe_dump(replaced(SHOP_DATA, path, value), allow_unicode=True))


def test_a_billion_laughs_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    started = time.monotonic()

    found = parsed(bomb)

    assert isinstance(found, JourneyFileError)
    assert time.monotonic() - started < 5
