"""A small Twilio-compatible Messages API on loopback, so the real `twilio` client is tested.

It answers like Twilio for the parts Touchpoint uses: creating a message (201 with the
message resource) and listing messages (Twilio's page shape, by `To` and `DateSent>`), with
Twilio's JSON error body and codes. A test makes it misbehave on purpose (`reject`,
`fail_next`, `delay_next`, `hold_next`, `hang_next`, `outage`) and reads back what it was
asked (`attempts`) and what it accepted (`messages`, each with its sub-second arrival
time, `received_at`).

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
from datetime import UTC, datetime
from typing import NamedTuple

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.servers.twilio_resources import (
    API,
    Attempt,
    Fault,
    Outage,
    TwilioMessage,
    accepted_message,
    attempt_of,
    failure,
    message_page,
    twilio_error,
    twilio_time,
)

__all__ = ["ACCOUNT_SID", "AUTH_TOKEN", "Attempt", "TwilioMessage", "TwilioServer"]

ACCOUNT_SID = "AC" + "1f" * 16
AUTH_TOKEN = "loopback-auth-token-" + "0" * 12
_FORM_FIELDS = ("To", "From", "MessagingServiceSid", "Body", "StatusCallback")


class _Answer(NamedTuple):
    """What the server does with one request: its answer, how late, and which fault."""

    status: int
    code: int | None
    text: str
    delay: float = 0.0
    fault: str | None = None


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
        self._script: deque[Fault] = deque()
        self._outage: Outage | None = None
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
        """The next `count` requests wait this long before answering; a message is taken
        as the answer goes, so Twilio has it even if the client gave up (see `hold_next`)."""
        with self._lock:
            self._delays.extend([seconds] * count)

    def pass_next(self, count: int) -> None:
        """The next `count` requests are answered as usual: the faults scripted after this
        (`hold_next`, `hang_next`) meet the requests that follow them."""
        self._extend_script(count, Fault("pass"))

    def hold_next(self, count: int = 1, seconds: float = 30.0) -> None:
        """The next `count` messages are taken at once, but answered `seconds` later: a
        client that gives up sooner, or dies, never learns that Twilio has them."""
        self._extend_script(count, Fault("held", seconds))

    def hang_next(self, count: int = 1, seconds: float = 30.0, status: int = 503) -> None:
        """The next `count` requests wait `seconds`, then are refused with `status`:
        Twilio never takes those messages."""
        self._extend_script(count, Fault("hung", seconds, status))

    def outage(self, status: int = 500, *, hang: float = 0.0, seconds: float = math.inf) -> None:
        """For `seconds` (until `recover()` by default), every request, to send or to list,
        waits `hang` seconds and is refused with `status` (429 throttles, 5xx is down)."""
        with self._lock:
            self._outage = Outage(status, hang, time.monotonic() + seconds)

    def recover(self) -> None:
        """The outage is over."""
        with self._lock:
            self._outage = None

    def _extend_script(self, count: int, fault: Fault) -> None:
        with self._lock:
            self._script.extend([fault] * count)

    def reset(self) -> None:
        with self._lock:
            self._generation += 1
            self._messages.clear()
            self._attempts.clear()
            self._rejections.clear()
            self._failures.clear()
            self._delays.clear()
            self._list_failures.clear()
            self._script.clear()
            self._outage = None

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
            answer = self._answer(fields, authorized)
            self._attempts.append(attempt_of(fields, answer.status, answer.code, answer.fault))
        if answer.status == 201 and answer.fault == "held":
            taken = self._take(fields, received_at, generation)
            await self._sleep(answer.delay, generation)
            return taken
        await self._sleep(answer.delay, generation)
        if answer.status != 201:
            return twilio_error(answer.status, answer.code or answer.status, answer.text)
        return self._take(fields, received_at, generation)

    def _take(
        self, fields: dict[str, str | None], received_at: float, generation: int
    ) -> JSONResponse:
        """Store the message and answer 201 with it (503 if the test that sent it is over)."""
        message = accepted_message(self.account_sid, fields, received_at)
        with self._lock:
            if generation != self._generation:
                return twilio_error(503, 20503, "Service unavailable")
            self._messages.append(message)
        return JSONResponse(message.as_json(), status_code=201)

    def _answer(self, fields: dict[str, str | None], authorized: bool) -> _Answer:
        """How to treat this request: an outage first, then a scripted fault, then the
        one-off failures and delays, in Twilio's order of checks. Called under the lock."""
        if authorized and self._outage is not None and self._outage.active:
            return _Answer(*failure(self._outage.status), self._outage.hang, "outage")
        fault = self._script.popleft() if authorized and self._script else Fault("pass")
        if fault.kind == "hung":
            return _Answer(*failure(fault.status), fault.seconds, "hung")
        status, code, text = self._decide(fields, authorized)
        if fault.kind == "held":
            return _Answer(status, code, text, fault.seconds, "held")
        return _Answer(status, code, text, self._delays.popleft() if self._delays else 0.0)

    def _decide(
        self, fields: dict[str, str | None], authorized: bool
    ) -> tuple[int, int | None, str]:
        """Status, Twilio code and message for this request, in Twilio's order of checks."""
        if not authorized:
            return 401, 20003, "Authenticate"
        if self._failures:
            return failure(self._failures.popleft())
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
        since = twilio_time(request.query_params.get("DateSent>")) or datetime.min.replace(
            tzinfo=UTC
        )
        page_size = int(request.query_params.get("PageSize", "50"))
        with self._lock:
            generation = self._generation
            outage = self._outage if self._outage is not None and self._outage.active else None
            failed = self._list_failures.popleft() if self._list_failures and not outage else None
            found = [m for m in reversed(self._messages) if to in (None, m.to)]
        if outage is not None:
            await self._sleep(outage.hang, generation)
            return twilio_error(*failure(outage.status))
        if failed is not None:
            return twilio_error(failed, 20500, "An internal server error has occurred")
        found = [m for m in found if m.date_created >= since]
        return JSONResponse(message_page(account_sid, found[:page_size], page_size))

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
