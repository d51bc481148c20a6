"""A small Twilio-compatible Messages API on loopback, so the real `twilio` client is tested.

It answers like Twilio for the parts Touchpoint uses: creating a message (201 with the
message resource) and listing messages (Twilio's page shape, by `To` and `DateSent>`), with
Twilio's JSON error body and codes. A test makes it misbehave on purpose (`reject`,
`fail_next`, `delay_next`) and reads back what it was asked (`attempts`) and what it
accepted (`messages`, each with its sub-second arrival time, `received_at`).

Attempts are recorded when a request arrives, before any delay, so a client that gave up
on a slow answer still sees its attempt counted. `reset()` (between tests) also ends the
pending delays, and a late request never stores a message into the next test.
"""

from __future__ import annotations

import asyncio
import base64
import math
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dispatch.segments import count_segments

API = "/2010-04-01/Accounts/{account_sid}/Messages.json"
ACCOUNT_SID = "AC" + "1f" * 16
AUTH_TOKEN = "loopback-auth-token-" + "0" * 12
_FORM_FIELDS = ("To", "From", "MessagingServiceSid", "Body", "StatusCallback")


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


def _twilio_time(value: str | None) -> datetime | None:
    """A DateSent filter as Twilio takes it: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, in GMT."""
    moment = datetime.fromisoformat(value) if value else None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    """Twilio's error body: the twilio library reads `code` and `message` from it."""
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    body = {"code": code, "message": message, "more_info": more_info, "status": status}
    return JSONResponse(body, status_code=status)


class TwilioServer:
    """The loopback server and the knobs a test turns; use as a context manager."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._lock = threading.Lock()
        self._generation = 0
        self._messages: list[TwilioMessage] = []
        self._attempts: list[Attempt] = []
        self._rejections: dict[str, tuple[int, int]] = {}
        self._failures: deque[int] = deque()
        self._delays: deque[float] = deque()
        self._list_failures: deque[int] = deque()
        routes = [Route(API, self._create, methods=["POST"]), Route(API, self._list)]
        self.app = Starlette(routes=routes)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- what a test controls ------------------------------------------------------------

    def reject(self, number: str, code: int = 21211, status: int = 400) -> None:
        """Every message to `number` is refused with this Twilio error."""
        with self._lock:
            self._rejections[number] = (status, code)

    def fail_next(self, count: int = 1, status: int = 500, *, listing: bool = False) -> None:
        """The next `count` requests (to list messages, with `listing`) get this HTTP status
        (500 outage, 429 throttle...)."""
        with self._lock:
            (self._list_failures if listing else self._failures).extend([status] * count)

    def delay_next(self, count: int = 1, seconds: float = 5.0) -> None:
        """The next `count` requests wait this long before answering."""
        with self._lock:
            self._delays.extend([seconds] * count)

    def reset(self) -> None:
        with self._lock:
            self._generation += 1
            self._messages.clear()
            self._attempts.clear()
            self._rejections.clear()
            self._failures.clear()
            self._delays.clear()
            self._list_failures.clear()

    # --- what a test reads -----------------------------------------------------------------

    @property
    def messages(self) -> list[TwilioMessage]:
        with self._lock:
            return list(self._messages)

    def attempts(self, to: str | None = None) -> list[Attempt]:
        with self._lock:
            return [a for a in self._attempts if to is None or a.to == to]

    # --- the API ---------------------------------------------------------------------------

    def _authorized(self, request: Request, account_sid: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        header = request.headers.get("authorization", "")
        return account_sid == self.account_sid and secrets.compare_digest(
            header, f"Basic {expected}"
        )

    async def _create(self, request: Request) -> JSONResponse:
        received_at = time.time()
        form = await request.form()
        fields = {key: str(form[key]) if key in form else None for key in _FORM_FIELDS}
        authorized = self._authorized(request, request.path_params["account_sid"])
        with self._lock:
            generation = self._generation
            status, code, answer = self._decide(fields, authorized)
            self._attempts.append(
                Attempt(
                    to=fields["To"],
                    from_=fields["From"],
                    messaging_service_sid=fields["MessagingServiceSid"],
                    body=fields["Body"],
                    status_callback=fields["StatusCallback"],
                    status_code=status,
                    error_code=code,
                )
            )
            delay = self._delays.popleft() if self._delays else 0.0
        await self._sleep(delay, generation)
        if status != 201:
            return twilio_error(status, code or status, answer)
        message = TwilioMessage(
            sid="SM" + secrets.token_hex(16),
            account_sid=self.account_sid,
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
        with self._lock:
            if generation != self._generation:  # the test that sent it is over
                return twilio_error(503, 20503, "Service unavailable")
            self._messages.append(message)
        return JSONResponse(message.as_json(), status_code=201)

    def _decide(
        self, fields: dict[str, str | None], authorized: bool
    ) -> tuple[int, int | None, str]:
        """Status, Twilio code and message for this request, in Twilio's order of checks."""
        if not authorized:
            return 401, 20003, "Authenticate"
        if self._failures:
            status = self._failures.popleft()
            if status == 429:
                return 429, 20429, "Too Many Requests"
            return status, 20500, "An internal server error has occurred"
        if not fields["To"]:
            return 400, 21604, "A 'To' phone number is required."
        if not (fields["From"] or fields["MessagingServiceSid"]):
            return 400, 21603, "A 'From' phone number is required."
        if not fields["Body"]:
            return 400, 21602, "Message body is required."
        if fields["To"] in self._rejections:
            status, code = self._rejections[fields["To"]]
            return status, code, f"The 'To' number {fields['To']} was refused."
        return 201, None, ""

    async def _sleep(self, seconds: float, generation: int) -> None:
        """Wait, but stop early when the test is over, so a shutdown is never held up."""
        steps = math.ceil(seconds / 0.05)
        for _ in range(steps):
            if generation != self._generation:
                return
            await asyncio.sleep(seconds / steps)

    async def _list(self, request: Request) -> JSONResponse:
        account_sid = request.path_params["account_sid"]
        if not self._authorized(request, account_sid):
            return twilio_error(401, 20003, "Authenticate")
        to = request.query_params.get("To")
        since = _twilio_time(request.query_params.get("DateSent>")) or datetime.min.replace(
            tzinfo=UTC
        )
        page_size = int(request.query_params.get("PageSize", "50"))
        with self._lock:
            failure = self._list_failures.popleft() if self._list_failures else None
            found = [m for m in reversed(self._messages) if to in (None, m.to)]
        if failure is not None:
            return twilio_error(failure, 20500, "An internal server error has occurred")
        found = [m for m in found if m.date_created >= since]
        page = [m.as_json() for m in found[:page_size]]
        uri = f"{API.format(account_sid=account_sid)}?PageSize={page_size}&Page=0"
        return JSONResponse(
            {
                "messages": page,
                "page": 0,
                "page_size": page_size,
                "start": 0,
                "end": max(len(page) - 1, 0),
                "uri": uri,
                "first_page_uri": uri,
                "next_page_uri": None,
                "previous_page_uri": None,
            }
        )

    # --- running -----------------------------------------------------------------------------

    def start(self) -> TwilioServer:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the loopback Twilio server did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self.reset()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> TwilioServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
