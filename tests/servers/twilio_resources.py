"""What the loopback Twilio server stores and answers: its resources, errors and faults.

`TwilioMessage.as_json` is Twilio's message resource as the `twilio` library reads it;
`twilio_error` is Twilio's JSON error body. A `Fault` is one scripted misbehaviour for one
request (see `TwilioServer.hold_next`, `hang_next`, `pass_next`), an `Outage` a spell of
failures for every request (`TwilioServer.outage`).
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Literal

from starlette.responses import JSONResponse

from dispatch.segments import count_segments

API = "/2010-04-01/Accounts/{account_sid}/Messages.json"


@dataclass(frozen=True)
class Attempt:
    """One POST to the Messages API, whatever was answered."""

    to: str | None
    from_: str | None
    messaging_service_sid: str | None
    body: str | None
    status_callback: str | None
    status_code: int
    error_code: int | None = None
    #: The misbehaviour this request met on purpose: "held", "hung", "outage" or None.
    fault: str | None = None


@dataclass(frozen=True)
class TwilioMessage:
    """A message the server accepted, as Twilio stores it."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    status: str
    num_segments: int
    date_created: datetime
    #: When the request arrived (time.time(), sub-second), for counting sends per second.
    received_at: float = 0.0

    def as_json(self) -> dict[str, Any]:
        date = format_datetime(self.date_created, usegmt=True)
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "to": self.to,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "body": self.body,
            "status": self.status,
            "num_segments": str(self.num_segments),
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "date_created": date,
            "date_updated": date,
            "date_sent": date,  # the loopback server "sends" a message as it takes it
            "uri": f"{API.format(account_sid=self.account_sid)[:-5]}/{self.sid}.json",
            "subresource_uris": {},
        }


@dataclass(frozen=True)
class Fault:
    """What one request meets: answered as usual ("pass"), the message taken at once but
    the answer held back ("held"), or a wait and then a refusal, nothing taken ("hung")."""

    kind: Literal["pass", "held", "hung"]
    seconds: float = 0.0
    status: int = 503


@dataclass(frozen=True)
class Outage:
    """Until `until` (time.monotonic()), every request waits `hang` s and gets `status`."""

    status: int
    hang: float = 0.0
    until: float = math.inf

    @property
    def active(self) -> bool:
        return time.monotonic() < self.until


def twilio_time(value: str | None) -> datetime | None:
    """A DateSent filter as Twilio takes it: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, in GMT."""
    moment = datetime.fromisoformat(value) if value else None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    """Twilio's error body: the twilio library reads `code` and `message` from it."""
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    body = {"code": code, "message": message, "more_info": more_info, "status": status}
    return JSONResponse(body, status_code=status)


def failure(status: int) -> tuple[int, int, str]:
    """Status, Twilio code and message of a throttle (429) or an outage (anything else)."""
    if status == 429:
        return 429, 20429, "Too Many Requests"
    return status, 20500, "An internal server error has occurred"


def attempt_of(
    fields: dict[str, str | None], status: int, code: int | None, fault: str | None
) -> Attempt:
    return Attempt(
        to=fields["To"],
        from_=fields["From"],
        messaging_service_sid=fields["MessagingServiceSid"],
        body=fields["Body"],
        status_callback=fields["StatusCallback"],
        status_code=status,
        error_code=code,
        fault=fault,
    )


def accepted_message(
    account_sid: str, fields: dict[str, str | None], received_at: float
) -> TwilioMessage:
    """The message Twilio stores for a create request it took."""
    return TwilioMessage(
        sid="SM" + secrets.token_hex(16),
        account_sid=account_sid,
        to=fields["To"] or "",
        from_=fields["From"],
        messaging_service_sid=fields["MessagingServiceSid"],
        body=fields["Body"] or "",
        status_callback=fields["StatusCallback"],
        # Twilio answers "accepted" while a Messaging Service still picks the sender.
        status="queued" if fields["From"] else "accepted",
        num_segments=count_segments(fields["Body"] or ""),
        date_created=datetime.now(UTC).replace(microsecond=0),
        received_at=received_at,
    )


def message_page(account_sid: str, messages: list[TwilioMessage], page_size: int) -> dict[str, Any]:
    """One page of Twilio's message list, the only page."""
    uri = f"{API.format(account_sid=account_sid)}?PageSize={page_size}&Page=0"
    return {
        "messages": [m.as_json() for m in messages],
        "page": 0,
        "page_size": page_size,
        "start": 0,
        "end": max(len(messages) - 1, 0),
        "uri": uri,
        "first_page_uri": uri,
        "next_page_uri": None,
        "previous_page_uri": None,
    }
