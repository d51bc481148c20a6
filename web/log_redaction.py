"""Phone numbers and email addresses out of log lines, keeping just enough to tell two apart.

A log collector is read by more people, and kept longer, than the database: a line says
`+1******0123` and `a***@example.com`, never the customer's number or address. The shapes
caught are E.164 (`+14155550123`, `+44 20 7946 0958`) and the national forms an integrator
or a customer types (`(415) 555-0123`, `415-555-0123`, `020 7946 0958`, `07700 900123`,
`138 0013 8000`, `06 12 34 56 78`). Dates, times, IPv4 addresses, ids and durations are
left alone: a national form needs the groups of a phone number, not any run of digits.
"""

from __future__ import annotations

import re

#: "+", or "%2B" in a URL's query string.
_PLUS = r"(?:\+|%2[Bb])"
_INTERNATIONAL = _PLUS + r"\d(?:[ .-]?\(?\d+\)?){1,6}"
_NATIONAL = "|".join(
    (
        r"\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}",  # (415) 555-0123
        r"\d{3}[.-]\d{3}[.-]\d{4}",  # 415-555-0123, 415.555.0123
        r"\d{3} \d{3} \d{4}",  # 415 555 0123
        r"0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}",  # 020 7946 0958, 07700 900123, 0301234567
        r"0\d(?:[ .-]\d{2}){4}",  # 06 12 34 56 78
        r"1[3-9]\d[ -]?\d{4}[ -]?\d{4}",  # 138 0013 8000, 13800138000
        r"[2-9]\d{9}",  # 4155550123
    )
)
#: Not inside a word, a longer number or a dotted figure (an IP address, a version).
_PHONE = re.compile(rf"(?<![\w+.])(?:{_INTERNATIONAL}|{_NATIONAL})(?![\w]|\.\d)")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+?)(@|%40)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_PLUS_PREFIX = re.compile(_PLUS)
_DIGIT = re.compile(r"\d")
KEPT_DIGITS = 4


def mask_phone(number: str) -> str:
    """Every digit a star but the last four (and, in E.164, the first): `+1******0123`."""
    plus = _PLUS_PREFIX.match(number)
    prefix = plus.group() if plus else ""
    number = number[len(prefix) :]
    digits = len(_DIGIT.findall(number))
    keep_first = 1 if prefix else 0
    seen = 0

    def star(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        kept = seen <= keep_first or seen > digits - KEPT_DIGITS
        return match.group() if kept else "*"

    return prefix + _DIGIT.sub(star, number)


def mask_email(local: str, at: str, domain: str) -> str:
    """The first character of the mailbox and the domain: `j***@example.com`."""
    return f"{local[:1]}***{at}{domain}"


def redact(text: str) -> str:
    """`text` with every phone number and email address masked."""
    if "@" in text or "%40" in text:
        text = _EMAIL.sub(lambda found: mask_email(*found.groups()), text)
    return _PHONE.sub(_masked_if_phone, text)


def _masked_if_phone(found: re.Match[str]) -> str:
    number = found.group()
    plus = _PLUS_PREFIX.match(number)
    digits = len(_DIGIT.findall(number[plus.end() if plus else 0 :]))
    if plus and not 8 <= digits <= 15:
        return number  # E.164 has 8 to 15 digits; "+1 2" is arithmetic
    return mask_phone(number)
