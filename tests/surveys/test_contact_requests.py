"""Replies that ask to be contacted, in English and Chinese (surveys.replies, pure)."""

from __future__ import annotations

import pytest

from surveys.replies import asks_to_be_contacted


@pytest.mark.parametrize(
    "text",
    [
        "Please call me",
        "call me back",
        "CALL ME",
        "9 but please contact me",
        "you can reach me after 5",
        "I want to speak to a manager",
        "please get in touch",
        "text me please",
        "请联系我",
        "请尽快联系我",
        "给我回电话",
        "请给我打电话",
    ],
)
def test_a_request_to_be_contacted_is_heard(text):
    assert asks_to_be_contacted(text)


@pytest.mark.parametrize(
    "text",
    [
        "9",
        "great service",
        "don't call me",
        "please don't email me",
        "Thanks for contacting me",
        "The courier phoned me first, nice",
        "我给9分",
        "给我9分",
        "不要联系我",
        "",
    ],
)
def test_words_that_ask_for_nothing_are_not_a_request(text):
    assert not asks_to_be_contacted(text)
