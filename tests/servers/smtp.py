"""A real SMTP server on loopback (aiosmtpd), collecting what the email channel sends.

Each accepted message is parsed into an `email.message.EmailMessage` before the server
answers DATA, so it is in `.messages` as soon as the client's send returns. A test can
make the server refuse the next messages with a reply code (`reject_next(1, 550)`), and
the server offers AUTH PLAIN/LOGIN without TLS for the account it was given.
"""

from __future__ import annotations

import socket
import threading
from collections import deque
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USER = "mailer"
PASSWORD = "loopback-smtp-password"

REPLIES = {
    421: "421 4.3.2 Service not available, closing channel",
    450: "450 4.2.1 Mailbox busy, try again later",
    451: "451 4.3.0 Local error in processing, try again later",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.1.1 Mailbox unavailable",
    552: "552 5.3.4 Message too big",
    553: "553 5.1.3 Mailbox name not allowed",
    554: "554 5.7.1 Message rejected as spam",
}


@dataclass(frozen=True)
class Delivery:
    """The envelope of one accepted message: who the client said it was from and to."""

    mail_from: str
    rcpt_tos: tuple[str, ...]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        return self.server._receive(envelope)


class SmtpServer:
    """An aiosmtpd controller on 127.0.0.1 and a free port; use as a context manager."""

    def __init__(self, user: str = USER, password: str = PASSWORD) -> None:
        self.user = user
        self.password = password
        self.host = "127.0.0.1"
        self.port = _free_port()
        self._lock = threading.Condition()
        self._messages: list[EmailMessage] = []
        self._deliveries: list[Delivery] = []
        self._rejections: deque[int] = deque()
        self._controller = Controller(
            _Handler(self),
            hostname=self.host,
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
        )

    # --- what a test controls and reads --------------------------------------------------

    def reject_next(self, count: int = 1, code: int = 550) -> None:
        """Refuse the next `count` messages at DATA with this reply code."""
        with self._lock:
            self._rejections.extend([code] * count)

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until `count` messages arrived; raise if they do not in time."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._messages) >= count, timeout):
                raise AssertionError(f"expected {count} messages, got {len(self._messages)}")
            return list(self._messages)

    def reset(self) -> None:
        with self._lock:
            self._messages.clear()
            self._deliveries.clear()
            self._rejections.clear()

    # --- the server ----------------------------------------------------------------------

    def _receive(self, envelope: Envelope) -> str:
        with self._lock:
            if self._rejections:
                code = self._rejections.popleft()
                return REPLIES.get(code, f"{code} Refused by the loopback server")
            content = envelope.original_content or envelope.content or b""
            raw = content if isinstance(content, bytes) else content.encode()
            parsed = message_from_bytes(raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self._messages.append(parsed)
            self._deliveries.append(
                Delivery(str(envelope.mail_from), tuple(str(r) for r in envelope.rcpt_tos))
            )
            self._lock.notify_all()
        return "250 2.0.0 Message accepted for delivery"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.user
            and data.password.decode() == self.password
        )
        # handled=False makes aiosmtpd answer 535 itself; its default waits silently.
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _free_port() -> int:
    """A port nothing listens on right now (also how a test gets a refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
