"""Choosing the channel an invitation goes out on (pure).

The touchpoint lists its channels in order of preference; the first one the customer has an
address for, and has not declined, wins, and the next ones stand by. A customer declines a
channel through an event (`customer.consent: {"sms": false}`); a channel they never said
anything about is allowed, since the business gave us the address. A channel without
complete settings is carried by the console channel, so nothing is sent for real until
credentials are configured; the route keeps both, the channel asked for (which words the
message and whose address it uses) and the one that carries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dispatch.channels.base import AddressKind, Channel
from dispatch.channels.registry import Channels, channel_named
from journeys.models import Customer


@dataclass(frozen=True)
class Route:
    #: The channel the touchpoint asked for.
    requested: type[Channel]
    address: str
    #: The channel that carries the message: the one asked for, or the console standing in.
    carrier: Channel

    @property
    def name(self) -> str:
        """The requested channel's name, as the journey lists it."""
        return self.requested.name


def customer_addresses(customer: Customer) -> dict[AddressKind, str | None]:
    """The customer's address of each kind a channel sends to."""
    return {"phone": customer.phone, "email": customer.email}


def declined(consent: Mapping[str, bool] | None, name: str) -> bool:
    """Whether the customer said no to the channel `name` (only an explicit false counts)."""
    return (consent or {}).get(name) is False


def consented_channels(
    names: list[str], consent: Mapping[str, bool] | None
) -> tuple[list[str], list[str]]:
    """The touchpoint's channels split into those the customer allows and those declined,
    each in the touchpoint's order."""
    allowed = [name for name in names if not declined(consent, name)]
    return allowed, [name for name in names if declined(consent, name)]


def unreachable_reason(allowed: list[str], refused: list[str]) -> str:
    """Why no channel is left: "no consent for sms, email", "no address for email", or both."""
    reasons = [f"no consent for {', '.join(refused)}"] if refused else []
    if allowed:
        reasons.append(f"no address for {', '.join(allowed)}")
    return "; ".join(reasons)


def usable_routes(
    names: list[str], addresses: Mapping[AddressKind, str | None], channels: Channels
) -> list[Route]:
    """Every channel the customer can be reached on, in the touchpoint's order: the first is
    used, the next ones when a channel refuses the customer for good (an invalid number).
    A name no channel answers to (a journey applied before its channel was removed) is
    passed over."""
    routes = []
    for name in names:
        kind = channel_named(name)
        if kind is not None and (address := addresses.get(kind.address_kind)):
            routes.append(Route(kind, address, channels.carrier(name)))
    return routes
