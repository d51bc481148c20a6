"""How many SMS segments a text costs: the GSM-7 alphabet and the UCS-2 fallback.

Carriers bill per segment. One character outside GSM-7 turns the whole message into
UCS-2, which more than halves what a segment holds, which is why English message text is
cleaned of curly quotes and dashes before it is sent (`dispatch.rendering`).

Long messages are split into parts that each carry a 6-byte header, so a part holds 153
GSM-7 septets or 67 UCS-2 code units. A GSM-7 extension character (its escape and itself)
and a UTF-16 surrogate pair are never split across two parts, as phones and Twilio do.
"""

from __future__ import annotations

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters that need the escape code first, so each counts as two.
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def _units(text: str) -> list[int]:
    """The size of each character in the encoding the whole text needs."""
    if is_gsm7(text):
        return [2 if char in GSM7_EXTENDED else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def count_segments(text: str) -> int:
    """Segments a message of this text is billed as; an empty text sends nothing."""
    if not text:
        return 0
    units = _units(text)
    single, part = (GSM7_SINGLE, GSM7_PART) if is_gsm7(text) else (UCS2_SINGLE, UCS2_PART)
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments
