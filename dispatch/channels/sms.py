"""The SMS channel: Twilio's Messages API through the `twilio` library's async client.

Twilio's answers are translated here, at the edge, into `ChannelError`: an answer that
will be the same next time (an invalid or unsubscribed number, bad credentials) is
permanent; a throttle, a Twilio outage, a network error or a timeout is transient and the
send task retries it.

Before each send the channel waits for the sender's turn under the shared rate limit
(`dispatch.ratelimit`), paying in segments. After a crash, `find_sent` asks Twilio's
message list whether a message went out, so the stuck-send resolver never sends twice.

Three quirks of twilio 9.x shape this module:

- `AsyncTwilioHttpClient` opens its aiohttp session in its constructor, which needs a
  running event loop, so the client is built on the first send, inside the worker's loop.
  The Messages API's modules, which the library imports only when first used (a fifth of
  a second of CPU), are imported when the channel is built, at the worker's start, so no
  send in flight waits for them.
- It ignores its own `timeout` for requests, so the timeout is enforced here.
- It passes credentials to aiohttp as `auth=`, which aiohttp deprecates (a warning on
  every request with aiohttp 3.14, an error in our tests). The library's own extension
  point, a credential provider, sends the same Basic credentials as a header instead.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta

import aiohttp
from redis.exceptions import RedisError
from twilio.auth_strategy.auth_strategy import AuthStrategy
from twilio.auth_strategy.auth_type import AuthType
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.credential.credential_provider import CredentialProvider
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from dispatch.channels.base import (
    NOT_SENT,
    BuildContext,
    Channel,
    ChannelError,
    Draft,
    NotSent,
    OutgoingLookup,
    OutgoingMessage,
    Receipt,
)
from dispatch.ratelimit import SenderRateLimit
from dispatch.rendering import render_text
from dispatch.segments import count_segments
from dispatch.settings import TwilioSettings

logger = logging.getLogger("touchpoint.dispatch.sms")

#: Twilio error codes that will not change on a retry, in the words the CX team reads.
#: https://www.twilio.com/docs/api/errors
PERMANENT_REASONS = {
    20003: "Twilio rejected the account credentials",
    20404: "Twilio account or resource not found",
    21211: "invalid phone number",
    21408: "region not enabled",
    21602: "message body is empty",
    21604: "no recipient phone number",
    21606: "sender number cannot send to this number",
    21608: "trial account cannot send to unverified numbers",
    21610: "recipient unsubscribed (replied STOP)",
    21612: "cannot route to this number",
    21614: "not a mobile number",
    21617: "message body is too long",
}

#: HTTP statuses that mean "try again later" whatever the body says.
TRANSIENT_STATUSES = frozenset({408, 409, 425, 429})

#: How far before a stopped attempt the search for it starts, and how many messages to
#: one number it reads (one customer gets a handful a month under any contact policy).
LOOKUP_MARGIN = timedelta(minutes=1)
LOOKUP_LIMIT = 100


class _BasicCredentials(CredentialProvider):
    """Twilio's Basic auth, sent as a header rather than through aiohttp's deprecated `auth=`."""

    def __init__(self, username: str, password: str) -> None:
        super().__init__(AuthType.BASIC)
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._strategy = _BasicHeader(f"Basic {token}")

    def to_auth_strategy(self) -> AuthStrategy:
        return self._strategy


class _BasicHeader(AuthStrategy):
    def __init__(self, header: str) -> None:
        super().__init__(AuthType.BASIC)
        self._header = header

    def get_auth_string(self) -> str:
        return self._header

    def requires_authentication(self) -> bool:
        return True


def _error_code(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


async def _wait_for_turn(limiter: SenderRateLimit, text: str) -> None:
    """Wait for the sender's turn, paying in the segments Twilio will bill."""
    try:
        await limiter.acquire(count_segments(text))
    except RedisError as error:
        raise ChannelError(
            f"cannot reach the sender rate limit in Redis ({type(error).__name__})",
            permanent=False,
        ) from error


def _same_text(stored: str | None, sent: str) -> bool:
    """Twilio may normalise line endings and trailing space; nothing else differs."""
    if stored is None:
        return False
    return stored.replace("\r\n", "\n").strip() == sent.replace("\r\n", "\n").strip()


def _translate_page_error(error: TwilioException) -> ChannelError:
    """A list page Twilio refused comes as a bare TwilioException holding the response."""
    response = error.args[1] if len(error.args) > 1 else None
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        text = str(getattr(response, "text", ""))
        code = _error_code(_json_field(text, "code"))
        return translate_twilio_error(TwilioRestException(status, "", code=code))
    return ChannelError(f"Twilio client error: {error}", permanent=True)


def _json_field(text: str, name: str) -> object:
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body.get(name) if isinstance(body, dict) else None


def translate_twilio_error(error: TwilioRestException | TwilioServiceException) -> ChannelError:
    """Turn a Twilio API error into the reason stored on the invitation."""
    status = int(error.status or 0)
    code = _error_code(error.code)
    code_text = str(code) if code is not None else None
    if status in TRANSIENT_STATUSES or status >= 500:
        reason = "Twilio is throttling" if status == 429 else f"Twilio unavailable (HTTP {status})"
        return ChannelError(reason, permanent=False, code=code_text)
    if status == 401:
        return ChannelError(PERMANENT_REASONS[20003], permanent=True, code=code_text)
    if code is not None and code in PERMANENT_REASONS:
        return ChannelError(PERMANENT_REASONS[code], permanent=True, code=code_text)
    if code is not None and code != status:
        return ChannelError(
            f"Twilio refused the message (error {code})", permanent=True, code=code_text
        )
    return ChannelError(
        f"Twilio refused the message (HTTP {status})", permanent=True, code=code_text
    )


#: Where Twilio reports each message's fate (the web app's status callback).
STATUS_CALLBACK_PATH = "/twilio/status"
#: Twilio's "recipient unsubscribed": the customer sent STOP to Twilio, not to us.
UNSUBSCRIBED = "21610"
#: The library's module of the Messages API, imported by `Client.messages` on first use.
MESSAGES_API = "twilio.rest.api.v2010.account.message"


class SmsChannel(Channel):
    name = "sms"
    address_kind = "phone"
    counts_segments = True
    settings_section = "twilio"

    @classmethod
    def settings_complete(cls, settings: TwilioSettings) -> bool:
        return settings.complete and settings.sender is not None

    @classmethod
    def from_settings(cls, settings: TwilioSettings, context: BuildContext) -> SmsChannel:
        """Waits for the sender's turn under the rate limit every worker shares in Redis."""
        limiter = None
        if context.redis is not None and settings.sender:
            limiter = SenderRateLimit(
                context.redis,
                settings.sender,
                settings.segments_per_second,
                max_wait=settings.rate_limit_max_wait_seconds,
            )
        callback = f"{context.public_url.rstrip('/')}{STATUS_CALLBACK_PATH}"
        importlib.import_module(MESSAGES_API)
        return cls(settings, status_callback_url=callback, limiter=limiter)

    @classmethod
    def render(cls, draft: Draft) -> OutgoingMessage:
        text = render_text(
            draft.definition,
            draft.touchpoint,
            channel=cls.name,
            locale=draft.locale,
            variant=draft.variant,
            link=draft.link,
            first_name=draft.first_name,
            reminder=draft.reminder,
            gsm7=True,
        )
        return OutgoingMessage(draft.invitation_id, draft.to, text, locale=draft.locale)

    @classmethod
    def opt_out_source(cls, error: ChannelError) -> str | None:
        return "twilio-21610" if error.code == UNSUBSCRIBED else None

    def __init__(
        self,
        settings: TwilioSettings,
        *,
        status_callback_url: str | None = None,
        limiter: SenderRateLimit | None = None,
    ) -> None:
        if not settings.complete:
            raise ValueError("Twilio settings need an account SID, an auth token and a sender")
        self.settings = settings
        self.status_callback_url = status_callback_url
        #: The sender's segments-per-second limit, shared with every other worker.
        self.limiter = limiter
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    def _twilio(self) -> Client:
        if self._client is None:
            account_sid = self.settings.account_sid or ""
            token = self.settings.auth_token.get_secret_value() if self.settings.auth_token else ""
            self._http = AsyncTwilioHttpClient(timeout=self.settings.timeout_seconds)
            client = Client(
                account_sid=account_sid,
                http_client=self._http,
                credential_provider=_BasicCredentials(account_sid, token),
            )
            # Our settings name the host; TWILIO_EDGE / TWILIO_REGION in the environment
            # would otherwise rewrite it (and the host of a test server with it).
            client.edge = None
            client.region = None
            client.api.base_url = self.settings.api_url.rstrip("/")
            self._client = client
        return self._client

    async def send(self, message: OutgoingMessage) -> Receipt:
        client = self._twilio()  # before the wait, so the send goes out on its slot
        if self.limiter is not None:
            await _wait_for_turn(self.limiter, message.text)
        with self._translated_errors():
            async with asyncio.timeout(self.settings.timeout_seconds):
                created = await client.messages.create_async(
                    to=message.to,
                    body=message.text,
                    from_=self.settings.from_ or None,
                    messaging_service_sid=self.settings.messaging_service_sid or None,
                    status_callback=self.status_callback_url or None,
                )
        logger.info(
            "sms %s to invitation %s: %s", created.sid, message.invitation_id, created.status
        )
        return Receipt(provider_message_id=created.sid, status=str(created.status or "queued"))

    async def find_sent(self, message: OutgoingLookup) -> Receipt | NotSent | None:
        """Ask Twilio for the messages to this number since just before the attempt.

        A message with the same text is the one the stopped worker sent; its text carries
        the invitation's own survey link, so it cannot be another invitation's. Twilio
        filters on the time a message left its queue, so the window opens a minute before
        the attempt to allow for clocks that differ. A message still in Twilio's own queue
        has no send time yet and is not listed, which is why the sender's rate limit keeps
        that queue short and the resolver waits ten minutes before it asks.
        """
        since = message.attempted_at.astimezone(UTC) - LOOKUP_MARGIN
        client = self._twilio()
        with self._translated_errors():
            async with asyncio.timeout(self.settings.timeout_seconds):
                found = await client.messages.list_async(
                    to=message.to, date_sent_after=since, limit=LOOKUP_LIMIT
                )
        for sent in found:
            if _same_text(sent.body, message.text):
                return Receipt(provider_message_id=sent.sid, status=str(sent.status or "sent"))
        return NOT_SENT

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """Twilio's and the network's failures, as the ChannelError the caller handles."""
        try:
            yield
        except (TwilioRestException, TwilioServiceException) as error:
            raise translate_twilio_error(error) from error
        except TimeoutError as error:
            raise ChannelError(
                f"Twilio did not answer within {self.settings.timeout_seconds:g} s",
                permanent=False,
                ambiguous=True,
            ) from error
        except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
            raise ChannelError(
                f"cannot reach Twilio ({type(error).__name__})", permanent=False
            ) from error
        except aiohttp.ClientError as error:  # the request may have arrived
            raise ChannelError(
                f"lost the connection to Twilio ({type(error).__name__})",
                permanent=False,
                ambiguous=True,
            ) from error
        except ValueError as error:  # a 2xx whose body is not Twilio's JSON: it was taken
            raise ChannelError(
                "unreadable answer from Twilio", permanent=False, ambiguous=True
            ) from error
        except TwilioException as error:
            raise _translate_page_error(error) from error

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None
        self._client = None
