"""How many segments a text is billed as: a table of texts and their counts."""

from __future__ import annotations

import pytest

from dispatch.segments import count_segments, is_gsm7


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("How was your delivery?", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters count double: 160 septets
        ("€" * 81, 2),
        ("a" * 152 + "€" + "a" * 7, 2),  # 161 septets
        ("a" * 152 + "€" + "a" * 152, 3),  # the escape pair is not split across parts
        ("Grüße, Ñandù, Ærø — no", 1),  # the em dash alone turns it into UCS-2
        ("您" * 70, 1),
        ("您" * 71, 2),
        ("您" * 134, 2),
        ("您" * 135, 3),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 code units each
        ("😀" * 36, 2),
        ("a" * 66 + "😀" + "a" * 66, 3),  # 134 units, but the pair is not split across parts
    ],
)
def test_it_counts_segments(text, segments):
    assert count_segments(text) == segments


@pytest.mark.parametrize(
    ("text", "gsm7"),
    [
        ("Reply STOP to opt out: https://t.example/s/a?b=1&c=[2]", True),
        ("Ça coûte 5 €", False),  # û is not in GSM-7
        ("It’s great", False),
        ("It's great", True),
        ("您好", False),
    ],
)
def test_it_knows_which_texts_stay_in_gsm7(text, gsm7):
    assert is_gsm7(text) is gsm7
