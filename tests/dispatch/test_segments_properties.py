"""Properties of SMS segment counting, for any text: bounds from the units it needs."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

import tests.properties  # noqa: F401  (the hypothesis profile)
from dispatch.segments import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    GSM7_PART,
    GSM7_SINGLE,
    UCS2_PART,
    UCS2_SINGLE,
    count_segments,
    is_gsm7,
)

GSM7 = st.text(st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENDED)), max_size=700)
ANY = st.one_of(GSM7, st.text(max_size=500), st.text(st.sampled_from("a€您😀 ,."), max_size=400))


def units(text: str) -> int:
    """Septets (an extension character is two) or UTF-16 code units, counted apart."""
    if is_gsm7(text):
        return len(text) + sum(char in GSM7_EXTENDED for char in text)
    return len(text.encode("utf-16-le")) // 2


@given(ANY)
def test_a_text_costs_what_its_units_need_and_no_more_than_one_unit_lost_a_part(text):
    segments = count_segments(text)

    if not text:
        assert segments == 0
        return
    needed = units(text)
    single, part = (GSM7_SINGLE, GSM7_PART) if is_gsm7(text) else (UCS2_SINGLE, UCS2_PART)
    if needed <= single:
        assert segments == 1
    else:
        # Each part holds `part` units, less one when a two-unit character does not fit.
        assert math.ceil(needed / part) <= segments <= math.ceil(needed / (part - 1))


@given(ANY, ANY)
def test_more_text_never_costs_less(text, more):
    assert count_segments(text + more) >= count_segments(text)
