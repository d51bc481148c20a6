"""The one interface every channel implements, and the error it raises.

A channel turns its library's failures into `ChannelError(reason, permanent=...)`; the
send task retries the transient ones and stores a final state for the rest. A new
channel (WhatsApp, push) is one new module beside this one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Literal

AddressKind = Literal["phone", "email"]


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message, ready for a channel to deliver."""

    invitation_id: int
    to: str
    text: str
    subject: str | None = None
    html: str | None = None
    locale: str = "en"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    """What the provider said when it took the message."""

    provider_message_id: str | None
    status: str = "sent"


@dataclass(frozen=True)
class OutgoingLookup:
    """A message that may or may not have reached the provider: a worker stopped mid-send."""

    invitation_id: int
    to: str
    text: str
    #: When the message row was written, just before the provider was called.
    attempted_at: datetime


@dataclass(frozen=True)
class NotSent:
    """The provider was asked and has no such message, so sending it again is safe."""


NOT_SENT = NotSent()


class ChannelError(Exception):
    """A send that did not go through.

    `permanent`: the same message to the same address will fail again (try the next
    channel). `ambiguous`: the provider may have taken the message before the failure (a
    timeout after the request left), so the next attempt first asks the provider.
    """

    def __init__(
        self, reason: str, *, permanent: bool, code: str | None = None, ambiguous: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code
        self.ambiguous = ambiguous


class Channel(ABC):
    #: The name stored on each message ("sms", "email", "console").
    name: ClassVar[str]

    @abstractmethod
    async def send(self, message: OutgoingMessage) -> Receipt:
        """Deliver one message or raise ChannelError."""

    async def find_sent(self, message: OutgoingLookup) -> Receipt | NotSent | None:
        """Ask the provider whether it took this message: a Receipt if it did, NOT_SENT if
        it surely did not, None when it cannot tell (the default: most providers keep no
        list to ask). Raises ChannelError when the provider cannot be reached."""
        return None

    async def close(self) -> None:  # noqa: B027 - most channels hold nothing to close
        """Release connections; called when the worker stops."""
