"""What a webhook receiver gets, and how it checks it came from us: the signed POST.

Each POST carries the event as JSON (`event_body`, written once when the event is fanned
out and kept byte for byte) and four headers:

- `Touchpoint-Event-Id`: the event's UUID, the same on every retry: a receiver that has
  seen it drops the POST, since a delivery may arrive more than once;
- `Touchpoint-Event-Type`: case.opened, case.resolved, response.created, opt_out.created;
- `Touchpoint-Timestamp`: when this POST was signed, in Unix seconds;
- `Touchpoint-Signature`: `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`,
  keyed with the endpoint's secret.

Signing the timestamp with the body lets a receiver refuse an old POST replayed later
(`verify_signature` with a tolerance of a few minutes). All of this is pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

SIGNATURE = "Touchpoint-Signature"
EVENT_ID = "Touchpoint-Event-Id"
EVENT_TYPE = "Touchpoint-Event-Type"
TIMESTAMP = "Touchpoint-Timestamp"
#: How old a signed POST may be before a receiver refuses it as a possible replay.
DEFAULT_TOLERANCE_SECONDS = 300


def event_body(event_id: str, type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The JSON every endpoint receives for an event, with a stable key order."""
    occurred = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    envelope = {"id": event_id, "type": type, "occurred_at": occurred, "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def signature(secret: str, timestamp: int, body: str) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under the endpoint's secret."""
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, event_id: str, event_type: str, body: str, now: datetime
) -> dict[str, str]:
    """The headers of one POST, signed at `now`."""
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": "Touchpoint-Webhooks/1",
        EVENT_ID: event_id,
        EVENT_TYPE: event_type,
        TIMESTAMP: str(timestamp),
        SIGNATURE: f"t={timestamp},v1={signature(secret, timestamp, body)}",
    }


class InvalidSignature(ValueError):
    """The POST is not ours, was changed on the way, or is too old to trust."""


def verify_signature(
    secret: str,
    body: str | bytes,
    header: str,
    now: datetime,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """What a receiver does with a POST: check the `Touchpoint-Signature` header against
    the raw body; returns the signed timestamp, or raises InvalidSignature saying why."""
    text = body.decode() if isinstance(body, bytes) else body
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        raise InvalidSignature("no timestamp (t=) in the signature header") from None
    if "v1" not in parts:
        raise InvalidSignature("no signature (v1=) in the signature header")
    if not hmac.compare_digest(parts["v1"], signature(secret, timestamp, text)):
        raise InvalidSignature("the signature does not match the body")
    if abs(now.timestamp() - timestamp) > tolerance:
        raise InvalidSignature(f"signed {now.timestamp() - timestamp:.0f} s ago: too old")
    return timestamp
