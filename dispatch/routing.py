"""Choosing the channel an invitation goes out on (pure).

The touchpoint lists its channels in order of preference; the first one the customer has an
address for wins. A channel without complete settings is stood in for by the console
channel, so nothing is sent for real until credentials are configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dispatch.channels.base import Channel

Kind = Literal["sms", "email"]


@dataclass(frozen=True)
class Channels:
    console: Channel
    sms: Channel | None = None
    email: Channel | None = None

    def for_kind(self, kind: Kind) -> Channel:
        return getattr(self, kind) or self.console

    async def close(self) -> None:
        for channel in {id(c): c for c in (self.console, self.sms, self.email) if c}.values():
            await channel.close()


@dataclass(frozen=True)
class Route:
    kind: Kind
    address: str
    channel: Channel


def choose_route(
    kinds: list[Kind], phone: str | None, email: str | None, channels: Channels
) -> Route | None:
    addresses = {"sms": phone, "email": email}
    for kind in kinds:
        address = addresses.get(kind)
        if address:
            return Route(kind, address, channels.for_kind(kind))
    return None
