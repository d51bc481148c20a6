"""Phone numbers and email addresses are masked in log lines; other figures are left alone."""

from __future__ import annotations

import pytest

from web.log_redaction import redact

MASKED = [
    ("+14155550123", "+1******0123"),
    (
        "invitation 7 sent by twilio to +14155550123.",
        "invitation 7 sent by twilio to +1******0123.",
    ),
    ("+44 20 7946 0958", "+4* ** **** 0958"),
    ("sms reply from +8613800138000: Score", "sms reply from +8********8000: Score"),
    ("(415) 555-0123", "(***) ***-0123"),
    ("415-555-0123", "***-***-0123"),
    ("415.555.0123", "***.***.0123"),
    ("415 555 0123", "*** *** 0123"),
    ("4155550123", "******0123"),
    ("020 7946 0958", "*** **** 0958"),
    ("07700 900123", "***** **0123"),
    ("138 0013 8000", "*** **** 8000"),
    ("13800138000", "*******8000"),
    ("06 12 34 56 78", "** ** ** 56 78"),
    ("jane.doe@example.com", "j***@example.com"),
    ("to ben@example.com, cc chen@example.cn", "to b***@example.com, cc c***@example.cn"),
    ("GET /customers?q=%2B14155550123 HTTP/1.1", "GET /customers?q=%2B1******0123 HTTP/1.1"),
    ("GET /customers?q=anna%40example.com", "GET /customers?q=a***%40example.com"),
    (
        "{'To': '+14155550123', 'DateSent>': '2026-11-26'}",
        "{'To': '+1******0123', 'DateSent>': '2026-11-26'}",
    ),
]

LEFT_ALONE = [
    "deferred to 2026-11-26T09:00:00+00:00: outside the send window",
    "2026-11-26 08:55:43,127 INFO",
    '127.0.0.1:54822 - "GET /healthz HTTP/1.1" 200',
    "from 192.168.100.200",
    "invitation 123456 failed: sms: invalid phone number (code 21211)",
    "retrying in 30 s; 0.01s",
    "message SM0123456789abcdef0123456789abcdef",
    "console-4f2c1e9b0a7d4c3e8f1a2b3c4d5e6f70",
    "version 1.2.3, 1+2, +1 2",
]


@pytest.mark.parametrize(("line", "masked"), MASKED)
def test_it_masks_phone_numbers_and_email_addresses(line, masked):
    assert redact(line) == masked


@pytest.mark.parametrize("line", LEFT_ALONE)
def test_it_leaves_dates_addresses_ids_and_durations_alone(line):
    assert redact(line) == line
