"""Survey links: tokens a batch draws at once are as good as those drawn one by one."""

from __future__ import annotations

import base64
import re

from surveys.links import TOKEN_BYTES, new_token, new_tokens, survey_url

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_a_batch_of_tokens_looks_like_single_tokens_and_never_repeats():
    tokens = new_tokens(1000)

    assert len(tokens) == len(set(tokens)) == 1000
    assert {len(t) for t in tokens} == {len(new_token())}
    assert all(URL_SAFE.match(t) for t in tokens)
    assert all(
        len(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))) == TOKEN_BYTES for t in tokens
    )
    assert new_tokens(0) == []


def test_a_token_carries_at_least_128_random_bits():
    assert TOKEN_BYTES * 8 >= 128
    assert survey_url("https://cx.example.com/", "abc") == "https://cx.example.com/s/abc"
