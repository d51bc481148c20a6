"""Properties of reading an SMS reply, for any text: never a score outside 0-10."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import tests.properties  # noqa: F401  (the hypothesis profile)
from surveys.replies import Help, OptIn, OptOut, Score, Text, Unclear, parse_reply

WORDS = st.sampled_from(
    [
        "9",
        "10",
        "11",
        "0",
        "-1",
        "8.5",
        "nine",
        "ten",
        "九",
        "十",
        "十分",
        "满分",
        "分",
        "/10",
        "out of",
        "score:",
        "I'd give it",
        "我给",
        "stop",
        "great",
        "  ",
        "１０",
        "7-8",
        "100",
    ]
)
REPLIES = st.one_of(
    st.text(max_size=200),
    st.lists(WORDS, max_size=8).map(" ".join),
    st.lists(WORDS, max_size=8).map("".join),
)


@given(REPLIES)
def test_a_reply_is_read_as_one_thing_and_a_score_is_0_to_10(text):
    reply = parse_reply(text)

    assert isinstance(reply, Score | OptOut | OptIn | Help | Unclear | Text)
    if isinstance(reply, Score):
        assert 0 <= reply.value <= 10


@given(st.integers(min_value=0, max_value=10))
def test_a_score_alone_is_that_score(value):
    assert parse_reply(str(value)) == Score(value)


@given(st.integers(min_value=11, max_value=10**6) | st.integers(max_value=-1))
def test_a_number_out_of_range_is_never_a_score(value):
    assert not isinstance(parse_reply(str(value)), Score)
