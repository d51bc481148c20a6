"""The signed POST: what a receiver gets, and how it tells ours from a forgery or a replay."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from dispatch.webhooks import (
    InvalidSignature,
    event_body,
    signature,
    signed_headers,
    verify_signature,
)

SECRET = "whsec_test-secret"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BODY = event_body("6f1c", "case.opened", NOW, {"case_id": 7, "comment": "太慢了"})


def test_the_body_is_the_event_in_a_stable_envelope():
    assert json.loads(BODY) == {
        "id": "6f1c",
        "type": "case.opened",
        "occurred_at": "2026-11-26T09:00:00Z",
        "data": {"case_id": 7, "comment": "太慢了"},
    }
    assert BODY.startswith('{"id":"6f1c","type":"case.opened"')


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"1700000000.{BODY}".encode(), hashlib.sha256)
    assert signature(SECRET, 1700000000, BODY) == expected.hexdigest()


def test_the_headers_name_the_event_and_sign_it_now():
    headers = signed_headers(SECRET, "6f1c", "case.opened", BODY, NOW)

    stamp = int(NOW.timestamp())
    assert headers["Touchpoint-Event-Id"] == "6f1c"
    assert headers["Touchpoint-Event-Type"] == "case.opened"
    assert headers["Touchpoint-Timestamp"] == str(stamp)
    assert headers["Touchpoint-Signature"] == f"t={stamp},v1={signature(SECRET, stamp, BODY)}"
    assert headers["Content-Type"] == "application/json"


def test_a_receiver_accepts_what_we_signed():
    header = signed_headers(SECRET, "6f1c", "case.opened", BODY, NOW)["Touchpoint-Signature"]

    later = NOW + timedelta(seconds=30)
    assert verify_signature(SECRET, BODY.encode(), header, later) == int(NOW.timestamp())


@pytest.mark.parametrize(
    ("secret", "body", "when", "why"),
    [
        ("whsec_other", BODY, NOW, "does not match"),
        (SECRET, BODY.replace("7", "8"), NOW, "does not match"),
        (SECRET, BODY, NOW + timedelta(minutes=6), "too old"),
    ],
    ids=["another secret", "a changed body", "a replay after six minutes"],
)
def test_a_receiver_refuses_a_forgery_or_a_replay(secret, body, when, why):
    header = signed_headers(SECRET, "6f1c", "case.opened", BODY, NOW)["Touchpoint-Signature"]

    with pytest.raises(InvalidSignature, match=why):
        verify_signature(secret, body, header, when)


@pytest.mark.parametrize(
    ("header", "why"),
    [("", "no timestamp"), ("t=abc,v1=00", "no timestamp"), ("t=1700000000", "no signature")],
)
def test_a_broken_header_is_refused_with_its_reason(header, why):
    with pytest.raises(InvalidSignature, match=why):
        verify_signature(SECRET, BODY, header, NOW)
