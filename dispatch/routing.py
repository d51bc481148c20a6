"""Choosing the channel an invitation goes out on (pure).

The touchpoint lists its channels in order of preference; the first one the customer has an
address for wins, and the next ones stand by. A channel without complete settings is stood
in for by the console channel, so nothing is sent for real until credentials are configured.
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


def usable_routes(
    kinds: list[Kind], phone: str | None, email: str | None, channels: Channels
) -> list[Route]:
    """Every channel the customer can be reached on, in the touchpoint's order: the first is
    used, the next ones when a channel refuses the customer for good (an invalid number)."""
    addresses = {"sms": phone, "email": email}
    return [
        Route(kind, address, channels.for_kind(kind))
        for kind in kinds
        if (address := addresses.get(kind))
    ]


def choose_route(
    kinds: list[Kind], phone: str | None, email: str | None, channels: Channels
) -> Route | None:
    routes = usable_routes(kinds, phone, email, channels)
    return routes[0] if routes else None
