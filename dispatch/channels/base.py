"""The one interface every channel implements, and the error it raises.

A channel is one module in this package and says everything the rest of Touchpoint asks of
it: its `name` (what a touchpoint lists in `channels: [...]` and what is stored on each
message), the `address_kind` it sends to (a customer's phone or email), how a message is
worded for it (`render`, from its templates in `dispatch/templates/<name>/` unless the
journey words it), whether it is billed in SMS segments (`counts_segments`: the outbox and
`touchpoint journeys validate` count them, and the sender's rate limit is paid in them),
which settings section it is built from and when those are complete (`settings_section`,
`settings_complete`, `from_settings`). A channel turns its library's failures into
`ChannelError(reason, permanent=...)`; the send path (`dispatch.delivery`) retries the
transient ones and stores a final state for the rest.

`dispatch.channels.registry` finds the channels by looking through this package: every
`Channel` subclass with an `address_kind` is one a touchpoint can ask for. The console
channel has none: it only stands in for a channel whose settings are incomplete.

Adding a channel, say WhatsApp through Twilio:

1. `dispatch/channels/whatsapp.py` with `class WhatsAppChannel(Channel)`: `name =
   "whatsapp"`, `address_kind = "phone"`, `settings_section = "twilio"` (the Twilio
   account; `settings_complete` asks for a Messaging Service with a WhatsApp sender),
   `from_settings`, `render` (`rendering.render_text(...)` words it from its templates, and
   from `messages.whatsapp` in the journey when it has one), `send` (Twilio's Messages API
   to `whatsapp:+...`, errors translated as `sms.py` does) and, if the provider can be
   asked after a crash, `find_sent`.
2. Its templates: `dispatch/templates/whatsapp/invitation.en.txt`, `invitation.zh-CN.txt`,
   `reminder.en.txt`, `reminder.zh-CN.txt`.
3. Its tests: `tests/dispatch/test_whatsapp.py` against the loopback Twilio server.

Nothing else changes: journeys may then list `channels: [whatsapp, sms]`, routing, the
send task, reminders, the stuck-send resolver, the outbox and the runtime find it in the
registry. A channel that needs settings no section has yet also needs its section in
`web/settings.py`, the one place that reads settings.

What still says sms or email outside the channel modules is data, not a channel's code:
the journey schema's defaults (a touchpoint that lists no channels tries sms, then email;
email reminders after three days, SMS ones off) and the wording shape of email (a subject
and a body; every other channel is worded as one text); `phone` and `email` as the kinds
of address a customer has; the opt-out sources (`sms-stop`, `email-unsubscribe`) that say
how a customer left; the templates; and the Twilio webhooks (`web/routes/twilio.py`),
which are the inbound side of Twilio's SMS.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from redis.asyncio import Redis

from journeys.schema import JourneyDefinition

AddressKind = Literal["phone", "email"]


@dataclass(frozen=True)
class Draft:
    """What goes into one message, before a channel words it."""

    definition: JourneyDefinition
    touchpoint: str
    invitation_id: int
    to: str
    link: str
    locale: str = "en"
    variant: str = "A"
    first_name: str | None = None
    #: The page that opts the customer out, for channels that carry a link to it.
    unsubscribe: str | None = None
    reminder: bool = False


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


@dataclass(frozen=True)
class BuildContext:
    """What a channel may need beyond its settings section, from the running service."""

    #: Where customers and providers reach Touchpoint (status callbacks are built from it).
    public_url: str
    #: The queue's Redis, which also holds what workers share (the sender's rate limit).
    redis: Redis | None = None


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
    #: The name a touchpoint lists and each message stores ("sms", "email", "console").
    name: ClassVar[str]
    #: Which of the customer's addresses it sends to. Unset on the console stand-in, which
    #: no touchpoint can ask for.
    address_kind: ClassVar[AddressKind]
    #: Billed per SMS segment (160 GSM-7 or 70 UCS-2 characters).
    counts_segments: ClassVar[bool] = False
    #: The attribute of the service's settings this channel is built from.
    settings_section: ClassVar[str | None] = None

    @classmethod
    def settings_complete(cls, settings: Any) -> bool:
        """Whether `settings` (its section) are enough to send for real; until they are,
        the console channel stands in."""
        return bool(getattr(settings, "complete", False))

    @classmethod
    def from_settings(cls, settings: Any, context: BuildContext) -> Channel:
        """The channel built from complete settings."""
        raise NotImplementedError(f"the {cls.name} channel cannot be built from settings")

    @classmethod
    def render(cls, draft: Draft) -> OutgoingMessage:
        """The message as this channel words it; the console stand-in carries it as is."""
        raise NotImplementedError(f"the {cls.name} channel words no messages")

    @classmethod
    def opt_out_source(cls, error: ChannelError) -> str | None:
        """The opt-out source to record when `error` says the recipient opted out with the
        provider itself (Twilio's 21610), so no other survey goes there either."""
        return None

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
